"""
The Redis cache backend (against the real Redis the suite runs next to): Django's, with one client per pool, and
a site that stays up, and shows nothing stale, when Redis stops answering and comes back.
"""

import time
from collections.abc import Iterator

import pytest
from bs4 import BeautifulSoup
from django.core.cache import caches
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from articles import redis_cache as backend
from articles.http_cache import forget_local_copies
from tests.factories import ArticleFactory
from tests.redis_link import RedisLink

TEST_REDIS_URL = "redis://127.0.0.1:6379/5"


@pytest.fixture
def redis_cache(settings):
    settings.CACHES = {
        **settings.CACHES,
        "redis_test": {"BACKEND": "articles.redis_cache.RedisCache", "LOCATION": TEST_REDIS_URL},
    }
    cache = caches["redis_test"]
    cache.clear()
    yield cache
    cache.clear()


def test_it_stores_reads_and_forgets_like_django_s(redis_cache) -> None:
    redis_cache.set("page", (200, [("Content-Type", "text/html")], b"<p>Hello</p>"), 60)
    assert redis_cache.get("page") == (200, [("Content-Type", "text/html")], b"<p>Hello</p>")
    assert redis_cache.add("page", "other") is False
    redis_cache.delete("page")
    assert redis_cache.get("page") is None


def test_every_call_shares_one_client(redis_cache) -> None:
    redis_cache.set("a", 1)
    client = redis_cache._cache.get_client("a", write=True)
    redis_cache.get("a")
    assert redis_cache._cache.get_client("a") is client


# --- Up without Redis ------------------------------------------------------------------------------------------------


@pytest.fixture
def link() -> Iterator[RedisLink]:
    relay = RedisLink()
    yield relay
    relay.close()


def cache_through(link: RedisLink, db: int = 5) -> dict:
    return {
        "BACKEND": "articles.redis_cache.RedisCache",
        "LOCATION": link.url(db),
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
    }


@pytest.fixture
def linked_cache(settings, link):
    settings.CACHES = {**settings.CACHES, "redis_test": cache_through(link)}
    cache = caches["redis_test"]
    cache.clear()
    yield cache
    link.restore()
    backend.RedisCache.clear(cache)  # whatever the test left the backend thinking


def test_a_redis_that_does_not_answer_is_a_cache_that_misses(linked_cache, link) -> None:
    linked_cache.set("kept", "value")
    link.cut()
    started = time.monotonic()
    assert linked_cache.get("kept") is None
    assert linked_cache.get("kept", "fallback") == "fallback"
    assert linked_cache.add("new", 1) is False
    assert linked_cache.set("new", 1) is None
    assert linked_cache.delete("kept") is False
    assert linked_cache.get_many(["kept", "new"]) == {}
    assert linked_cache.set_many({"a": 1}) == ["a"]
    assert linked_cache.get_or_set("computed", 42) == 42
    assert time.monotonic() - started < 3


def test_after_a_failure_redis_is_left_alone_for_a_while(linked_cache, link, monkeypatch) -> None:
    linked_cache.get("warm")
    link.cut()
    linked_cache.get("first")  # fails
    tried = link.connections_tried
    for _ in range(50):
        assert linked_cache.get("page") is None
    assert link.connections_tried == tried  # readers did not wait on a dead server 50 times
    link.restore()
    assert linked_cache.get("page") is None  # still within RETRY_SECONDS: not tried yet
    monkeypatch.setattr(backend, "RETRY_SECONDS", 0)
    linked_cache.set("page", "made again")
    assert linked_cache.get("page") == "made again"


def test_once_back_it_forgets_what_may_have_gone_stale_before_answering(linked_cache, link, monkeypatch) -> None:
    heard = []

    def receiver(sender, **kwargs):
        heard.append(kwargs["cache"].get("kept-from-before"))

    backend.recovered.connect(receiver)
    try:
        linked_cache.set("kept-from-before", "old")
        link.cut()
        linked_cache.get("kept-from-before")
        link.restore()
        monkeypatch.setattr(backend, "RETRY_SECONDS", 0)
        assert linked_cache.get("kept-from-before") == "old"
        assert linked_cache.get("kept-from-before") == "old"
    finally:
        backend.recovered.disconnect(receiver)
    assert heard == ["old"]  # once, and before the call that found Redis back


@pytest.mark.django_db
def test_the_site_stays_up_without_redis_and_serves_no_stale_page_when_it_is_back(
    client: Client, settings, link, monkeypatch
) -> None:
    settings.CACHES = {"default": cache_through(link, db=6)}
    caches["default"].clear()
    story = ArticleFactory(headline="Harbour reopens")
    section = story.section
    url = story.get_absolute_url()
    assert "Harbour reopens" in client.get(url).content.decode()
    with CaptureQueriesContext(connection) as queries:
        assert "Harbour reopens" in client.get(url).content.decode()
    assert len(queries) == 0  # from the page cache in Redis

    link.cut()
    story.headline = "Harbour stays shut"
    story.save()  # the editor's save goes through
    section.name = "Ports"
    section.save()
    for address in (url, "/", section.get_absolute_url()):
        assert client.get(address).status_code == 200, address
    page = BeautifulSoup(client.get(url).content, "html.parser")
    assert page.h1.get_text(strip=True) == "Harbour stays shut"
    assert "Ports" in page.select_one(".site-nav").get_text()

    link.restore()
    monkeypatch.setattr(backend, "RETRY_SECONDS", 0)
    forget_local_copies()  # another process, which never saw the change: only Redis can tell it
    page = BeautifulSoup(client.get(url).content, "html.parser")
    assert page.h1.get_text(strip=True) == "Harbour stays shut"
    assert "Ports" in page.select_one(".site-nav").get_text()  # the navigation, cached under the tree's version
    caches["default"].clear()
