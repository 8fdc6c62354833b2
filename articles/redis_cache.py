"""
Django's Redis cache backend, keeping one Redis client per connection pool, and keeping the site up when Redis is not.

One client per pool: Django's `RedisCacheClient.get_client()` builds a new `redis.Redis` for every cache call, and
building one fills a table of some 170 response callbacks: about a third of a millisecond each time, more than the
round trip to Redis on loopback. A page-cache hit makes two calls, so that was most of its cost. `redis.Redis` is
safe to share between threads (it takes a connection from its pool for each command), and the pool starts afresh in
a forked process, so a client per pool is enough.

Up without Redis: everything this project keeps in the cache can be made again from the database, so a cache that
does not answer is a cache that misses. A failed call is logged and answered as a miss would be (`get` gives the
default, `add` False, `set` nothing), and for RETRY_SECONDS after a failure no call is tried at all, so that readers'
pages don't each wait out a dead server's timeout (settings.py sets short ones). Pages are then made from the
database, as they are for a logged-in editor.

What Redis still holds when it answers again may be stale: a change saved while it was away could not retire the
pages and versions kept there. So the first call after a failure sends `recovered` before anything is read, and its
receivers forget those (http_cache.py: the content state, which retires every stored page; sections/tree.py: the
section tree's version). A process that saw Redis fail and then ended before Redis came back can't do this; every
process serving readers during an outage sees it fail, so one that lives on will.
"""

import functools
import logging
import time
from collections.abc import Callable
from typing import Any

import redis
from django.core.cache.backends import redis as django_redis
from django.dispatch import Signal

logger = logging.getLogger(__name__)

# After a failed call, how long calls are answered as misses without trying Redis.
RETRY_SECONDS = 5.0

# Sent (with `cache`, the backend) when Redis answers again after failing, before the call that found it back.
recovered = Signal()


class Outage:
    """When a Redis client last failed, and whether Redis is still left alone (for RETRY_SECONDS after that)."""

    def __init__(self) -> None:
        self.failed_at: float | None = None

    def begin(self) -> None:
        self.failed_at = time.monotonic()

    def end(self) -> None:
        self.failed_at = None

    @property
    def ongoing(self) -> bool:
        return self.failed_at is not None

    @property
    def leave_alone(self) -> bool:
        return self.failed_at is not None and time.monotonic() - self.failed_at < RETRY_SECONDS


class RedisCacheClient(django_redis.RedisCacheClient):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, Any] = {}

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


def _or_miss(answer: Callable[..., Any]) -> Callable[[Callable], Callable]:
    """Run the cache call if Redis is thought to be up; else, or if it fails, return `answer(*args, **kwargs)`."""

    def decorator(method: Callable) -> Callable:
        @functools.wraps(method)
        def guarded(self: "RedisCache", *args: Any, **kwargs: Any) -> Any:
            if self._outage.ongoing and not self._back():
                return answer(*args, **kwargs)
            try:
                return method(self, *args, **kwargs)
            except redis.RedisError as exc:
                self._fail(exc)
                return answer(*args, **kwargs)

        return guarded

    return decorator


def _default(key: Any, default: Any = None, *args: Any, **kwargs: Any) -> Any:
    return kwargs.get("default", default)


def _false(*args: Any, **kwargs: Any) -> bool:
    return False


def _none(*args: Any, **kwargs: Any) -> None:
    return None


def _nothing_found(*args: Any, **kwargs: Any) -> dict:
    return {}


def _every_key_failed(data: dict, *args: Any, **kwargs: Any) -> list:
    return list(data)


def _incremented(key: Any, delta: int = 1, *args: Any, **kwargs: Any) -> int:
    # What an increment of a new counter gives: a counter kept nowhere counts from nothing.
    return kwargs.get("delta", delta)


class RedisCache(django_redis.RedisCache):
    def __init__(self, server: str, params: dict) -> None:
        super().__init__(server, params)
        self._class = RedisCacheClient
        self._outage = Outage()

    def _fail(self, exc: Exception) -> None:
        if not self._outage.ongoing:
            logger.warning("The Redis cache is not answering (%s): pages are made without it until it is back.", exc)
        self._outage.begin()

    def _back(self) -> bool:
        """After a failure: whether Redis answers again (and what it kept that may be stale is forgotten)."""
        if self._outage.leave_alone:
            return False
        self._outage.end()
        # The receivers' own calls go through these methods: if Redis is still away, they fail and begin another.
        recovered.send(sender=type(self), cache=self)
        if self._outage.ongoing:
            return False
        logger.warning("The Redis cache is answering again; what it kept from before is forgotten.")
        return True

    add = _or_miss(_false)(django_redis.RedisCache.add)
    get = _or_miss(_default)(django_redis.RedisCache.get)
    set = _or_miss(_none)(django_redis.RedisCache.set)
    touch = _or_miss(_false)(django_redis.RedisCache.touch)
    delete = _or_miss(_false)(django_redis.RedisCache.delete)
    get_many = _or_miss(_nothing_found)(django_redis.RedisCache.get_many)
    has_key = _or_miss(_false)(django_redis.RedisCache.has_key)
    incr = _or_miss(_incremented)(django_redis.RedisCache.incr)
    set_many = _or_miss(_every_key_failed)(django_redis.RedisCache.set_many)
    delete_many = _or_miss(_none)(django_redis.RedisCache.delete_many)
    clear = _or_miss(_false)(django_redis.RedisCache.clear)
