"""
Read replicas: public pages read from a replica, everything else from the primary.

`DATABASE_REPLICA_URLS` (newsroom/settings.py) adds a database alias per replica (`replica_1`, `replica_2`, ...),
lists them in `DATABASE_REPLICAS` and installs `PrimaryReplicaRouter`. `ReplicaRoutingMiddleware` then decides, for
each request, where its reads go: to one replica, picked at random, for a GET or HEAD of a public page (a view marked
`@cache_public`) by a reader without a session; to the primary for everything else: writes, the admin and anyone
logged in, previews, management commands and tasks (which no middleware sees).

Replicas lag behind the primary, so two more rules keep readers from seeing, or caching, the past:

- a request that wrote to the database answers with a cookie that sends its visitor's reads to the primary for
  `DATABASE_REPLICA_LAG` seconds: they see what they just did;
- for `DATABASE_REPLICA_LAG` seconds after public content changed (the HTTP content state was renewed, see
  http_cache.py), every read goes to the primary: the change has just emptied the page cache, which must not be
  filled again from a replica that hasn't caught up yet.
"""

import random
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS
from django.db.models import Model
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from .http_cache import content_state

# Sent to a visitor whose request wrote something: their next reads go to the primary.
WROTE_COOKIE = "newsroom_wrote"
SAFE_METHODS = ("GET", "HEAD")


@dataclass
class Routing:
    """Where the current request reads from (None: the primary), and whether it has written anything."""

    replica: str | None = None
    wrote: bool = False


_routing: ContextVar[Routing | None] = ContextVar("newsroom_db_routing", default=None)


class PrimaryReplicaRouter:
    """Reads go where the request's `Routing` says (the primary unless told otherwise); writes go to the primary."""

    def db_for_read(self, model: type[Model], **hints: Any) -> str:
        routing = _routing.get()
        # Explicitly the primary, not None: Django would otherwise follow an instance hint back to the replica a
        # cached object (a pickled section, say) was once read from.
        return routing.replica if routing is not None and routing.replica else DEFAULT_DB_ALIAS

    def db_for_write(self, model: type[Model], **hints: Any) -> str:
        if (routing := _routing.get()) is not None:
            routing.wrote = True
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Model, obj2: Model, **hints: Any) -> bool:
        return True  # every alias holds the same data

    def allow_migrate(self, db: str, app_label: str, model_name: str | None = None, **hints: Any) -> bool:
        return db == DEFAULT_DB_ALIAS  # replicas follow the primary's schema by replication


class ReplicaRoutingMiddleware:
    """
    Sends a request's reads to a replica when it is a public read (see the module's docstring). Before the HTTP cache
    middleware, so that the content state it reads after a change comes from the primary.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not settings.DATABASE_REPLICAS:
            return self.get_response(request)
        routing = Routing()
        token = _routing.set(routing)
        try:
            response = self.get_response(request)
        finally:
            _routing.reset(token)
        # Only for a change a visitor asked for (a form sent): a public page is never given a cookie.
        if routing.wrote and request.method not in SAFE_METHODS:
            lag = settings.DATABASE_REPLICA_LAG
            response.set_cookie(
                WROTE_COOKIE, "1", max_age=lag, secure=settings.SESSION_COOKIE_SECURE, httponly=True, samesite="Lax"
            )
        return response

    def process_view(
        self, request: HttpRequest, view: Callable, view_args: tuple, view_kwargs: dict
    ) -> HttpResponse | None:
        routing = _routing.get()
        if routing is None or not self._is_public_read(request, view):
            return None
        now = timezone.now()
        if (now - content_state(now).changed_at).total_seconds() >= settings.DATABASE_REPLICA_LAG:
            routing.replica = random.choice(settings.DATABASE_REPLICAS)
        return None

    @staticmethod
    def _is_public_read(request: HttpRequest, view: Callable) -> bool:
        return (
            getattr(view, "http_cache", None) is not None
            and request.method in SAFE_METHODS
            and settings.SESSION_COOKIE_NAME not in request.COOKIES
            and WROTE_COOKIE not in request.COOKIES
        )
