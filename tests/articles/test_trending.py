from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest
import redis
import time_machine
from bs4 import BeautifulSoup
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from articles.models import Article, ArticleViewCount
from articles.trending import RETENTION_HOURS, record_view, trending_articles
from sections.models import Section
from tests.factories import HIDDEN_STATES, ArticleFactory, SectionFactory, UserFactory
from tests.redis_link import RedisLink

pytestmark = pytest.mark.django_db

# Redis is shared: these tests use their own database number and a key prefix of their own, and clean up.
TEST_REDIS_URL = "redis://127.0.0.1:6379/4"
BROWSER = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
NOW = datetime(2026, 6, 1, 12, 30, tzinfo=UTC)


@pytest.fixture(params=["database", "redis"])
def backend(request: pytest.FixtureRequest, settings) -> Iterator[str]:
    if request.param == "database":
        settings.REDIS_URL = ""
        yield "database"
        return
    prefix = f"newsroom-test-{uuid4().hex}:"
    settings.REDIS_URL = TEST_REDIS_URL
    settings.NEWSROOM = {**settings.NEWSROOM, "TRENDING_KEY_PREFIX": prefix}
    client = redis.Redis.from_url(TEST_REDIS_URL)
    yield "redis"
    keys = list(client.scan_iter(f"{prefix}*"))
    if keys:
        client.delete(*keys)


def beacon(client: Client, article: Article, **headers: str) -> int:
    headers = {"User-Agent": BROWSER} | headers
    return client.post(reverse("articles:beacon", args=[article.pk]), headers=headers).status_code


def trending_headlines(**kwargs) -> list[str]:
    return [story.headline for story in trending_articles(limit=10, **kwargs)]


def test_a_readers_beacon_counts_towards_trending(client: Client, backend: str) -> None:
    quiet, read = ArticleFactory(headline="Quiet"), ArticleFactory(headline="Read")
    assert beacon(client, read) == 204
    assert trending_headlines() == ["Read"]
    assert quiet.headline not in trending_headlines()


def test_most_read_first_over_the_last_24_hours_only(backend: str) -> None:
    with time_machine.travel(NOW - timedelta(days=3), tick=False):
        stories = {name: ArticleFactory(headline=name) for name in ("A", "B", "C")}
    for _ in range(5):
        record_view(stories["A"].pk, at=NOW - timedelta(hours=25))  # before the window
    for _ in range(3):
        record_view(stories["B"].pk, at=NOW - timedelta(hours=23))
    for _ in range(2):
        record_view(stories["C"].pk, at=NOW)
    record_view(stories["A"].pk, at=NOW - timedelta(minutes=5))
    assert trending_headlines(at=NOW) == ["B", "C", "A"]
    # An hour later B's reads have left the window.
    assert trending_headlines(at=NOW + timedelta(hours=1)) == ["C", "A"]


def test_trending_per_section_includes_its_subsections(backend: str) -> None:
    world, sport = SectionFactory(name="World"), SectionFactory(name="Sport")
    europe = SectionFactory(name="Europe", parent=world)
    stories = [
        ArticleFactory(headline="In Europe", section=europe),
        ArticleFactory(headline="In World", section=world),
        ArticleFactory(headline="In Sport", section=sport),
    ]
    for n, story in enumerate(stories):
        for _ in range(n + 1):
            record_view(story.pk)
    assert trending_headlines(section=world) == ["In World", "In Europe"]
    assert trending_headlines(section=sport) == ["In Sport"]
    assert trending_headlines() == ["In Sport", "In World", "In Europe"]


def test_the_page_leaves_out_stories_it_already_shows(backend: str) -> None:
    first, second = ArticleFactory(headline="First"), ArticleFactory(headline="Second")
    record_view(first.pk)
    record_view(second.pk)
    assert trending_headlines(exclude=[first.pk]) == ["Second"]


@pytest.mark.parametrize("state", HIDDEN_STATES)
def test_a_beacon_for_a_story_that_is_not_live_is_ignored(client: Client, backend: str, state: str) -> None:
    hidden = ArticleFactory(**{state: True}, headline="Hidden")
    assert beacon(client, hidden) == 204
    assert not record_view(hidden.pk)
    assert trending_headlines() == []
    assert not ArticleViewCount.objects.exists()


@pytest.mark.parametrize("article_id", [0, 999999, 10**30])
def test_a_beacon_for_an_unknown_story_is_ignored(client: Client, backend: str, article_id: int) -> None:
    response = client.post(f"/beacon/{article_id}/", headers={"User-Agent": BROWSER})
    assert response.status_code == 204
    assert trending_headlines() == []


@pytest.mark.parametrize(
    "headers",
    [
        {"User-Agent": "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"},
        {"User-Agent": "facebookexternalhit/1.1"},
        {"User-Agent": "curl/8.5.0"},
        {"User-Agent": ""},
        {"Sec-Purpose": "prefetch;prerender"},
        {"Purpose": "prefetch"},
    ],
)
def test_bots_and_prefetches_are_not_counted(client: Client, backend: str, headers: dict) -> None:
    story = ArticleFactory()
    assert beacon(client, story, **headers) == 204
    assert trending_headlines() == []


def test_staff_reads_are_not_counted(client: Client, backend: str) -> None:
    client.force_login(UserFactory(is_staff=True))
    assert beacon(client, ArticleFactory()) == 204
    assert trending_headlines() == []


def test_the_beacon_only_accepts_posts_and_sets_no_cookie(client: Client) -> None:
    story = ArticleFactory()
    assert client.get(reverse("articles:beacon", args=[story.pk])).status_code == 405
    response = client.post(reverse("articles:beacon", args=[story.pk]), headers={"User-Agent": BROWSER})
    assert response.status_code == 204
    assert not response.cookies
    assert response["Cache-Control"] == "no-store"


def test_a_story_withdrawn_or_expired_drops_out_at_once(backend: str) -> None:
    withdrawn, expiring = ArticleFactory(headline="Withdrawn"), ArticleFactory(headline="Expiring")
    ArticleFactory(headline="Steady")
    for story in Article.objects.all():
        record_view(story.pk)
    assert len(trending_headlines()) == 3
    # Changed as a bulk update would: nothing else is told, the read still filters on live.
    Article.objects.filter(pk=withdrawn.pk).update(status=Article.Status.WITHDRAWN)
    Article.objects.filter(pk=expiring.pk).update(expire_at=datetime.now(UTC) - timedelta(seconds=1))
    assert trending_headlines() == ["Steady"]


def test_database_counts_are_one_row_per_story_and_hour_and_old_hours_are_pruned(client: Client, settings) -> None:
    settings.REDIS_URL = ""
    story = ArticleFactory(headline="Busy")
    with time_machine.travel(NOW - timedelta(hours=RETENTION_HOURS + 2), tick=False):
        old = ArticleFactory(headline="Old")
        record_view(old.pk)
    for _ in range(50):
        assert beacon(client, story) == 204
    assert list(ArticleViewCount.objects.values_list("article__headline", "count")) == [("Busy", 50)]


def test_redis_buckets_expire(backend: str, settings) -> None:
    if backend != "redis":
        pytest.skip("Redis only")
    story = ArticleFactory()
    record_view(story.pk)
    client = redis.Redis.from_url(TEST_REDIS_URL)
    keys = list(client.scan_iter(f"{settings.NEWSROOM['TRENDING_KEY_PREFIX']}trending:*"))
    assert len(keys) == 2  # the site's bucket and the section's, for this hour
    assert all(0 < client.ttl(key) <= RETENTION_HOURS * 3600 for key in keys)


def test_when_redis_is_down_pages_still_render_and_beacons_still_answer(client: Client, settings) -> None:
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens there
    story = ArticleFactory()
    assert beacon(client, story) == 204
    response = client.get(story.get_absolute_url())
    assert response.status_code == 200
    assert b'class="trending"' not in response.content


def test_a_redis_that_stops_answering_is_left_alone_for_a_while(client: Client, settings) -> None:
    link = RedisLink()
    try:
        settings.REDIS_URL = link.url(4)
        settings.NEWSROOM = {**settings.NEWSROOM, "TRENDING_KEY_PREFIX": f"newsroom-test-{uuid4().hex}:"}
        story = ArticleFactory()
        record_view(story.pk)
        assert [s.pk for s in trending_articles(limit=5)] == [story.pk]
        link.cut()
        assert beacon(client, story) == 204  # not counted
        tried = link.connections_tried
        for _ in range(10):
            assert beacon(client, story) == 204
            assert trending_articles(limit=5) == []
        # Neither the beacons nor the pages waited on Redis again (packets dropped would cost a timeout each).
        assert link.connections_tried == tried
    finally:
        link.close()
        keys = list(redis.Redis.from_url(TEST_REDIS_URL).scan_iter(f"{settings.NEWSROOM['TRENDING_KEY_PREFIX']}*"))
        if keys:
            redis.Redis.from_url(TEST_REDIS_URL).delete(*keys)


def test_article_pages_carry_the_beacon_for_readers_only(client: Client) -> None:
    story = ArticleFactory()
    soup = BeautifulSoup(client.get(story.get_absolute_url()).content, "html.parser")
    assert soup.select_one("article[data-beacon]")["data-beacon"] == f"/beacon/{story.pk}/"
    assert soup.select_one("script[src$='js/beacon.js']") is not None
    assert not soup.select("script:not([src]):not([type='application/ld+json'])")  # no inline script (CSP)
    client.force_login(UserFactory(is_staff=True))
    soup = BeautifulSoup(client.get(story.get_absolute_url()).content, "html.parser")
    assert soup.select_one("[data-beacon]") is None
    assert soup.select_one("script[src$='js/beacon.js']") is None


def test_a_section_cannot_take_the_beacons_address() -> None:
    with pytest.raises(ValidationError):
        Section(name="Beacon", slug="beacon").full_clean()
