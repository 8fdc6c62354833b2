"""
Django's Redis cache backend, keeping one Redis client per connection pool.

Django's `RedisCacheClient.get_client()` builds a new `redis.Redis` for every cache call, and building one fills a
table of some 170 response callbacks: about a third of a millisecond each time, more than the round trip to Redis on
loopback. A page-cache hit makes two calls, so that was most of its cost. `redis.Redis` is safe to share between
threads (it takes a connection from its pool for each command), and the pool starts afresh in a forked process, so a
client per pool is enough.
"""

from typing import Any

from django.core.cache.backends import redis as django_redis


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


class RedisCache(django_redis.RedisCache):
    def __init__(self, server: str, params: dict) -> None:
        super().__init__(server, params)
        self._class = RedisCacheClient
