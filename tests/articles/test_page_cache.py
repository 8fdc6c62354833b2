"""
The page cache for anonymous readers: pages served again with no query, retired exactly when content changes or a
scheduled change happens, never for staff, and not fragmented by tracking parameters or cookies.
"""

import time
from collections.abc import Callable
from datetime import timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from articles.http_cache import (
    LOCAL_PAGE_BYTES,
    LOCAL_STATE_SECONDS,
    STATE_KEY,
    CachePolicy,
    LocalTier,
    StoredPage,
)
from articles.models import Article
from tests.factories import ArticleFactory, AuthorFactory, SectionFactory, TopicFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def article() -> Article:
    return ArticleFactory(headline="Original headline", topics=[TopicFactory(name="Floods")])


def warm(client: Client, url: str) -> bytes:
    response = client.get(url)
    assert response.status_code in (200, 404)
    return response.content


@pytest.mark.parametrize("page", ["article", "home", "section", "topic", "feed"])
def test_a_cached_page_costs_no_query_and_is_the_same_page(
    client: Client, django_assert_num_queries: Callable, article: Article, page: str
) -> None:
    url = {
        "article": article.get_absolute_url(),
        "home": "/",
        "section": article.section.get_absolute_url(),
        "topic": "/topics/floods/",
        "feed": "/feeds/rss/",
    }[page]
    first = warm(client, url)
    with django_assert_num_queries(0):
        again = client.get(url)
    assert again.status_code == 200
    assert again.content == first
    assert "public" in again["Cache-Control"] and again["ETag"]


def test_tracking_parameters_and_cookies_do_not_fragment_the_cache(
    client: Client, django_assert_num_queries: Callable, article: Article
) -> None:
    warm(client, article.get_absolute_url())
    client.cookies["_ga"] = "GA1.2.123.456"
    with django_assert_num_queries(0):
        response = client.get(article.get_absolute_url(), {"utm_source": "newsletter", "utm_medium": "email"})
    assert response.status_code == 200


def test_other_parameters_are_other_pages(client: Client, django_assert_num_queries: Callable, settings) -> None:
    settings.NEWSROOM = {**settings.NEWSROOM, "ARTICLES_PER_PAGE": 1, "SECTION_FRONT_STORIES": 0}
    ArticleFactory(headline="First story")
    ArticleFactory(headline="Second story", publish_at=timezone.now() - timedelta(days=1))
    assert b"First story" in warm(client, "/world/")
    assert b"Second story" in client.get("/world/", {"page": 2}).content


def test_staff_are_never_served_nor_stored_pages(client: Client, article: Article) -> None:
    warm(client, article.get_absolute_url())
    client.force_login(UserFactory(is_staff=True))
    response = client.get(article.get_absolute_url())
    assert "no-store" in response["Cache-Control"]
    client.logout()
    assert "public" in client.get(article.get_absolute_url())["Cache-Control"]


def test_an_edit_shows_as_soon_as_it_is_saved(
    client: Client, article: Article, django_capture_on_commit_callbacks: Callable
) -> None:
    warm(client, article.get_absolute_url())
    with django_capture_on_commit_callbacks(execute=True):
        article.headline = "Corrected headline"
        article.save()
    content = client.get(article.get_absolute_url()).content
    assert b"Corrected headline" in content and b"Original headline" not in content


def test_a_withdrawn_story_leaves_the_cached_pages_at_once(
    client: Client, article: Article, django_capture_on_commit_callbacks: Callable
) -> None:
    for url in ("/", article.get_absolute_url()):
        warm(client, url)
    with django_capture_on_commit_callbacks(execute=True):
        article.withdraw()
    assert client.get(article.get_absolute_url()).status_code == 404
    assert b"Original headline" not in client.get("/").content


def test_a_published_story_appears_on_cached_pages_at_once(
    client: Client, article: Article, django_capture_on_commit_callbacks: Callable
) -> None:
    warm(client, "/")
    draft = ArticleFactory(draft=True, headline="Breaking news")
    with django_capture_on_commit_callbacks(execute=True):
        draft.publish()
    assert b"Breaking news" in client.get("/").content


def test_a_scheduled_story_is_never_early_and_shows_the_second_it_goes_live(client: Client, article: Article) -> None:
    publish_at = (timezone.now() + timedelta(minutes=10)).replace(microsecond=0)
    scheduled = ArticleFactory(headline="Scheduled scoop", publish_at=publish_at)
    with time_machine.travel(publish_at - timedelta(seconds=1), tick=False):
        assert b"Scheduled scoop" not in warm(client, "/")
        assert client.get(scheduled.get_absolute_url()).status_code == 404
        assert b"Scheduled scoop" not in client.get("/").content  # served from the cache, still not early
    with time_machine.travel(publish_at, tick=False):
        assert b"Scheduled scoop" in client.get("/").content
        assert client.get(scheduled.get_absolute_url()).status_code == 200


def test_an_expiring_story_leaves_cached_pages_at_its_expiry(client: Client) -> None:
    expire_at = (timezone.now() + timedelta(minutes=10)).replace(microsecond=0)
    story = ArticleFactory(headline="Short-lived story", expire_at=expire_at)
    with time_machine.travel(expire_at - timedelta(seconds=1), tick=False):
        assert b"Short-lived story" in warm(client, "/")
        warm(client, story.get_absolute_url())
    with time_machine.travel(expire_at, tick=False):
        assert b"Short-lived story" not in client.get("/").content
        assert client.get(story.get_absolute_url()).status_code == 404


def test_a_page_served_from_the_cache_gets_freshness_bounded_by_the_next_event(
    client: Client, article: Article
) -> None:
    publish_at = (timezone.now() + timedelta(minutes=30)).replace(microsecond=0)
    ArticleFactory(headline="Later", publish_at=publish_at)
    with time_machine.travel(publish_at - timedelta(minutes=20), tick=False):
        warm(client, article.get_absolute_url())
    with time_machine.travel(publish_at - timedelta(seconds=100), tick=False):
        response = client.get(article.get_absolute_url())
    directives = dict(part.strip().split("=") for part in response["Cache-Control"].split(",") if "=" in part)
    assert int(directives["s-maxage"]) <= 100 and int(directives["max-age"]) <= 100


@pytest.mark.parametrize("page", ["home", "section", "parent section", "topic", "author", "feed", "api", "article"])
def test_a_scheduled_story_shows_on_every_warm_cached_page_at_its_publish_second(
    client: Client, django_assert_num_queries: Callable, page: str
) -> None:
    europe = SectionFactory(name="Europe", parent=SectionFactory(name="World"))
    topic, author = TopicFactory(name="Floods"), AuthorFactory(name="Jane Doe")
    ArticleFactory(headline="Earlier story", section=europe, topics=[topic], authors=[author])
    publish_at = (timezone.now() + timedelta(minutes=10)).replace(microsecond=0)
    scheduled = ArticleFactory(
        headline="Scheduled scoop", section=europe, topics=[topic], authors=[author], publish_at=publish_at
    )
    url = {
        "home": "/",
        "section": "/europe/",
        "parent section": "/world/",
        "topic": topic.get_absolute_url(),
        "author": author.get_absolute_url(),
        "feed": "/feeds/rss/",
        "api": "/api/articles/",
        "article": scheduled.get_absolute_url(),
    }[page]
    with time_machine.travel(publish_at - timedelta(seconds=1), tick=False):
        before = warm(client, url)
        with django_assert_num_queries(0):
            assert client.get(url).content == before  # served from the warm cache, and not early
    assert b"Scheduled scoop" not in before
    with time_machine.travel(publish_at, tick=False):
        response = client.get(url)
    assert response.status_code == 200
    assert b"Scheduled scoop" in response.content


def test_a_stored_page_keeps_every_header_the_site_sends(
    client: Client, django_assert_num_queries: Callable, article: Article
) -> None:
    # Stored pages are served before most of the middleware runs: the security headers must still all be there.
    fresh = client.get(article.get_absolute_url())
    with django_assert_num_queries(0):
        stored = client.get(article.get_absolute_url())
    for header in (
        "Content-Security-Policy",
        "X-Content-Type-Options",
        "Referrer-Policy",
        "X-Frame-Options",
        "Cross-Origin-Opener-Policy",
        "Content-Type",
        "Cache-Control",
        "ETag",
        "Last-Modified",
    ):
        assert stored.get(header) == fresh.get(header), header
    assert stored.get("Content-Security-Policy")


def test_a_stored_page_answers_a_conditional_request_with_304(
    client: Client, django_assert_num_queries: Callable, article: Article
) -> None:
    etag = client.get(article.get_absolute_url())["ETag"]
    with django_assert_num_queries(0):
        response = client.get(article.get_absolute_url(), headers={"If-None-Match": etag})
    assert response.status_code == 304
    assert response["ETag"] == etag and not response.content


def test_a_change_saved_by_another_process_shows_within_the_local_copy_s_lifetime(client: Client) -> None:
    article = ArticleFactory(headline="Original headline")
    assert b"Original headline" in warm(client, article.get_absolute_url())
    # What another process's save does: the row changes, and the shared cache forgets the state. This process
    # heard nothing of it.
    Article.objects.filter(pk=article.pk).update(headline="Corrected headline")
    cache.delete(STATE_KEY)
    time.sleep(LOCAL_STATE_SECONDS + 0.1)
    content = client.get(article.get_absolute_url()).content
    assert b"Corrected headline" in content and b"Original headline" not in content


def test_a_process_keeps_only_so_many_bytes_of_pages() -> None:
    tier = LocalTier()
    page = StoredPage(200, [], b"x" * (LOCAL_PAGE_BYTES // 3), CachePolicy(), '"token"')
    for n in range(5):
        tier.keep_page(f"page-{n}", page)
    assert tier.page("page-0") is None and tier.page("page-1") is None
    assert all(tier.page(f"page-{n}") is page for n in (2, 3, 4))
