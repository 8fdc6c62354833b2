"""The Redis cache backend (against the real Redis the suite runs next to): Django's, with one client per pool."""

import pytest
from django.core.cache import caches

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
