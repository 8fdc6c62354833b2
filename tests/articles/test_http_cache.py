from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.test import Client, RequestFactory
from django.utils.http import http_date

from articles.http_cache import HttpCacheMiddleware, cache_public, content_state, forget_local_copies
from tests.factories import ArticleFactory, SectionFactory, UserFactory

pytestmark = pytest.mark.django_db

NOON = datetime(2025, 9, 5, 12, 0, tzinfo=UTC)


def cache_control(response) -> dict[str, str]:
    directives = {}
    for directive in response["Cache-Control"].split(","):
        name, _, value = directive.strip().partition("=")
        directives[name] = value
    return directives


def test_public_page_is_cacheable_by_browsers_and_cdns_with_validators(client: Client) -> None:
    ArticleFactory()
    response = client.get("/")
    assert response.status_code == 200
    assert cache_control(response) == {
        "public": "",
        "max-age": "60",
        "s-maxage": "300",
        "stale-while-revalidate": "60",
    }
    assert response["ETag"].startswith('"')
    assert response.has_header("Last-Modified")
    # No session was looked at, so a CDN needn't keep a copy per cookie.
    assert "Cookie" not in response.get("Vary", "")


def test_conditional_get_with_the_current_etag_is_a_304_that_costs_no_query(
    client: Client, django_assert_num_queries: Callable
) -> None:
    article = ArticleFactory()
    first = client.get(article.get_absolute_url())
    with django_assert_num_queries(0):
        response = client.get(article.get_absolute_url(), headers={"if-none-match": first["ETag"]})
    assert response.status_code == 304
    assert response.content == b""
    assert response["ETag"] == first["ETag"]
    assert cache_control(response)["s-maxage"] == "300"


def test_if_modified_since_the_last_change_is_a_304(client: Client, django_assert_num_queries: Callable) -> None:
    ArticleFactory()
    first = client.get("/")
    with django_assert_num_queries(0):
        response = client.get("/", headers={"if-modified-since": first["Last-Modified"]})
    assert response.status_code == 304
    earlier = http_date(datetime(2020, 1, 1, tzinfo=UTC).timestamp())
    assert client.get("/", headers={"if-modified-since": earlier}).status_code == 200


def test_the_content_state_costs_two_queries_and_is_then_cached(django_assert_num_queries: Callable) -> None:
    ArticleFactory(scheduled=True)
    with django_assert_num_queries(2):  # the next scheduled change: of articles, of front slots
        state = content_state()
    with django_assert_num_queries(0):
        assert content_state() == state


def test_a_lost_cache_state_never_answers_304_to_an_old_etag(client: Client) -> None:
    ArticleFactory()
    old = client.get("/")["ETag"]
    cache.clear()
    # As another process sees it, or this one once its own copy of the state lapses (LOCAL_STATE_SECONDS).
    forget_local_copies()
    response = client.get("/", headers={"if-none-match": old})
    assert response.status_code == 200
    assert response["ETag"] != old


def test_an_edit_changes_the_etag_once_its_transaction_commits(
    client: Client, django_capture_on_commit_callbacks: Callable
) -> None:
    article = ArticleFactory(headline="Before")
    old = client.get(article.get_absolute_url())["ETag"]
    with django_capture_on_commit_callbacks() as callbacks:
        article.headline = "After"
        article.save()
        # A request while the transaction is open may (from another connection) still read the old row: whatever
        # it gets cached under must not outlive the commit.
        during = client.get(article.get_absolute_url())["ETag"]
    for callback in callbacks:
        callback()
    response = client.get(article.get_absolute_url(), headers={"if-none-match": during})
    assert response.status_code == 200
    assert b"After" in response.content
    assert response["ETag"] not in (old, during)


def test_renaming_a_section_changes_every_pages_etag(
    client: Client, django_capture_on_commit_callbacks: Callable
) -> None:
    article = ArticleFactory(section=SectionFactory(name="World"))
    old = client.get(article.get_absolute_url())["ETag"]
    with django_capture_on_commit_callbacks(execute=True):
        section = article.section
        section.name = "International"
        section.save()
    assert client.get("/", headers={"if-none-match": old}).status_code == 200


@pytest.mark.parametrize(
    ("seconds_to_event", "expected"),
    [
        # browsers, CDNs, stale while revalidating: together never past the event
        (30, {"max-age": "30", "s-maxage": "30"}),
        (200, {"max-age": "60", "s-maxage": "200"}),
        (330, {"max-age": "60", "s-maxage": "300", "stale-while-revalidate": "30"}),
        (3600, {"max-age": "60", "s-maxage": "300", "stale-while-revalidate": "60"}),
    ],
)
@pytest.mark.parametrize("event", ["scheduled", "embargoed", "expiring"])
def test_no_cache_may_keep_a_page_past_the_next_scheduled_change(
    client: Client, event: str, seconds_to_event: int, expected: dict
) -> None:
    with time_machine.travel(NOON, tick=False):
        ArticleFactory()
        moment = NOON + timedelta(seconds=seconds_to_event)
        if event == "scheduled":
            ArticleFactory(publish_at=moment, first_published_at=None)
        elif event == "embargoed":
            ArticleFactory(embargo_until=moment)
        else:
            ArticleFactory(expire_at=moment)
        response = client.get("/")
    assert cache_control(response) == {"public": "", **expected}


def test_unpublished_stories_scheduled_times_dont_shorten_caching(client: Client) -> None:
    with time_machine.travel(NOON, tick=False):
        ArticleFactory(in_review=True, publish_at=NOON + timedelta(seconds=30))
        ArticleFactory(withdrawn=True, expire_at=NOON + timedelta(seconds=30))
        response = client.get("/")
    assert cache_control(response)["max-age"] == "60"


def test_the_etag_changes_exactly_when_a_scheduled_story_goes_live(client: Client) -> None:
    goes_live = NOON + timedelta(hours=1)
    with time_machine.travel(NOON, tick=False):
        ArticleFactory(headline="Already out")
        ArticleFactory(headline="Scheduled story", publish_at=goes_live, first_published_at=None)
    with time_machine.travel(goes_live - timedelta(seconds=1), tick=False):
        before = client.get("/")
        assert b"Scheduled story" not in before.content
        assert client.get("/", headers={"if-none-match": before["ETag"]}).status_code == 304
    with time_machine.travel(goes_live, tick=False):
        response = client.get("/", headers={"if-none-match": before["ETag"]})
    assert response.status_code == 200
    assert b"Scheduled story" in response.content
    assert response["ETag"] != before["ETag"]


def test_a_404_for_a_scheduled_story_is_cacheable_only_until_it_goes_live(client: Client) -> None:
    with time_machine.travel(NOON, tick=False):
        article = ArticleFactory(publish_at=NOON + timedelta(seconds=90), first_published_at=None)
        response = client.get(article.get_absolute_url())
    assert response.status_code == 404
    assert cache_control(response) == {"public": "", "max-age": "60", "s-maxage": "90"}
    assert not response.has_header("ETag")


def test_a_logged_in_user_gets_private_uncached_pages(client: Client) -> None:
    article = ArticleFactory()
    public_etag = client.get(article.get_absolute_url())["ETag"]
    client.force_login(UserFactory())
    response = client.get(article.get_absolute_url(), headers={"if-none-match": public_etag})
    assert response.status_code == 200
    assert {"private", "no-store"} <= set(cache_control(response))
    assert "public" not in cache_control(response)
    assert not response.has_header("ETag")


def test_the_admin_is_private_and_never_stored(client: Client) -> None:
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    response = client.get("/admin/articles/article/")
    assert response.status_code == 200
    assert {"private", "no-store"} <= set(cache_control(response))


def test_a_public_view_that_sets_a_cookie_is_not_shared() -> None:
    @cache_public
    def form_page(request: HttpRequest) -> HttpResponse:
        response = HttpResponse("<form>…</form>")
        response.set_cookie("csrftoken", "one visitor's token")
        return response

    def handler(request: HttpRequest) -> HttpResponse:
        return middleware.process_view(request, form_page, (), {}) or form_page(request)

    middleware = HttpCacheMiddleware(handler)
    response = middleware(RequestFactory().get("/"))
    assert {"private", "no-store"} <= set(cache_control(response))
    assert "public" not in cache_control(response)
