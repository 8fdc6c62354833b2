"""
HTTP caching of public pages, feeds, sitemaps and the API, for browsers and CDNs.

A view marked with `@cache_public` sends anonymous readers `Cache-Control: public, max-age, s-maxage,
stale-while-revalidate`, and with a 200 the validators `ETag` and `Last-Modified`; a conditional GET whose validators
still hold is answered 304 by `HttpCacheMiddleware` before the view runs. A logged-in user gets `private, no-store`
(a page may one day show them things readers don't see; previews and the admin send it too, with `never_cache`).

The validators describe the public content of the whole site rather than of one page: a page shows other stories
(related, trending, navigation), so any change may change it. They come from a small `ContentState` kept in the cache:

- a token, replaced whenever public content changes: saving or deleting any model of the articles or sections apps
  forgets the state at once and again when the transaction commits (`content_changed`); a migration (as on every
  deploy, when templates may have changed) does too. Code that changes content without model signals
  (`QuerySet.update()`, raw SQL) must call `content_changed()` itself;
- the next time the live set changes by itself (a publish time, embargo or expiry reached): no cache may keep a
  page past it, so every max-age is cut short before it, and once it has passed the state moves on.

So a 304 costs no database query at all while the state is cached; the state itself costs two indexed queries, after
each change and each scheduled event (`next_scheduled_change`).

The same token validates a **page cache** for anonymous readers: a public response is stored under its scheme, host
and address (less `utm_*`-style tracking parameters, so campaigns don't fragment it) with the token it was made
under, and served again, with no query, while that is still the token. A change invalidates every page at once,
exactly when its transaction commits, and a scheduled publish or expiry does so at its very second, so a cached page
is never stale after an event nor early before one. Logged-in users, previews (not `@cache_public`), other methods
than GET/HEAD, and responses that set a cookie are never stored or served from it; other cookies a reader carries
don't matter. Stored pages are served by `PageCacheMiddleware`, near the top of the stack, so a hit costs one cache
round trip (the page; the state is this process's copy, see LocalTier), or none for a page the process served
recently, and none of the rest of Django.
"""

import hashlib
import math
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.locmem import LocMemCache
from django.db import transaction
from django.db.models import Min, Q
from django.db.models.signals import m2m_changed, post_delete, post_migrate, post_save
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.test.signals import setting_changed
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date, urlencode

from .models import Article, FrontSlot
from .redis_cache import recovered

STATE_KEY = "newsroom:content-state"
# The apps whose models readers see, on pages or in what pages say about them (names, addresses, redirects).
PUBLIC_APPS = frozenset({"articles", "sections"})
# Responses that depend only on the address and the content, so a shared cache may keep them. Not 412 (it depends
# on the request's headers) nor 5xx (a passing failure).
CACHEABLE_STATUSES = frozenset({200, 301, 304, 308, 400, 404, 410})
# How long the state may stay in a shared cache (Redis) with no change: any longer only costs two queries.
STATE_TIMEOUT = 24 * 60 * 60
# Query parameters that only track where a reader came from: they never change a page.
TRACKING_PARAMETERS = ("utm_", "fbclid", "gclid", "mc_cid", "mc_eid")
# Statuses worth keeping in the page cache: pages, redirects and "not found" (a crawler's favourite).
STORED_STATUSES = frozenset({200, 301, 404})
# How long a process trusts its own copy of the content state before it asks the shared cache again: how late it
# may notice a change saved by another process (scheduled changes it always sees at their second).
LOCAL_STATE_SECONDS = 0.5
# How much of its most-read pages a process keeps in its own memory, in front of the shared cache.
LOCAL_PAGE_BYTES = 4 * 1024 * 1024
# Headers a stored page is kept without: each serving computes its own freshness and validators.
PER_SERVING_HEADERS = frozenset({"cache-control", "etag", "last-modified", "expires", "vary"})


@dataclass(frozen=True)
class ContentState:
    token: str
    changed_at: datetime
    next_event_at: datetime | None

    def is_current(self, now: datetime) -> bool:
        return self.next_event_at is None or now < self.next_event_at


@dataclass(frozen=True)
class CachePolicy:
    # For views whose output also changes as time passes, with no event to mark it (the Google News sitemap's
    # 48 hours): their validators change, and cached copies expire, at least this often (seconds).
    refresh_every: int | None = None


@dataclass(frozen=True)
class PublicHeaders:
    etag: str
    last_modified: int  # a Unix time, in whole seconds as HTTP dates have them
    max_age: int
    s_maxage: int
    stale_while_revalidate: int


PRIVATE = "private"


def cache_public(view: Callable | None = None, *, refresh_every: int | None = None) -> Callable:
    """Mark a view as public: `@cache_public` or `@cache_public(refresh_every=600)`."""
    policy = CachePolicy(refresh_every=refresh_every)

    def mark(view: Callable) -> Callable:
        @wraps(view)
        def public_view(*args: Any, **kwargs: Any) -> HttpResponse:
            return view(*args, **kwargs)

        public_view.http_cache = policy
        return public_view

    return mark(view) if view is not None else mark


def next_scheduled_change(now: datetime) -> datetime | None:
    """
    The first moment after `now` at which public pages change with no one saving anything: a published story's
    publish time or embargo reached (it appears) or its expiry (it disappears), or an editor's front slot starting or
    ending. Two queries, on indexes.
    """
    events = Article.objects.filter(
        Q(publish_at__gt=now) | Q(embargo_until__gt=now) | Q(expire_at__gt=now), status=Article.Status.PUBLISHED
    ).aggregate(
        publish=Min("publish_at", filter=Q(publish_at__gt=now)),
        embargo=Min("embargo_until", filter=Q(embargo_until__gt=now)),
        expiry=Min("expire_at", filter=Q(expire_at__gt=now)),
    )
    slots = FrontSlot.objects.filter(Q(starts_at__gt=now) | Q(ends_at__gt=now)).aggregate(
        starts=Min("starts_at", filter=Q(starts_at__gt=now)), ends=Min("ends_at", filter=Q(ends_at__gt=now))
    )
    return min((moment for moment in (*events.values(), *slots.values()) if moment is not None), default=None)


def content_state(now: datetime | None = None) -> ContentState:
    """
    The current state: this process's copy for up to LOCAL_STATE_SECONDS, else the shared cache's while it holds,
    else recomputed (two queries) and cached.
    """
    now = now or timezone.now()
    if (state := _local.state()) is not None and state.is_current(now):
        return state
    state = _shared_content_state(now)
    _local.keep_state(state)
    return state


def _shared_content_state(now: datetime) -> ContentState:
    state = cache.get(STATE_KEY)
    if state is not None and state.is_current(now):
        return state
    next_event_at = next_scheduled_change(now)
    if state is None:
        fresh = ContentState(token=secrets.token_hex(8), changed_at=now, next_event_at=next_event_at)
        # Two processes may get here at once: the first to store its state wins, and the other adopts it.
        if not cache.add(STATE_KEY, fresh, _state_timeout()):
            return cache.get(STATE_KEY) or fresh
        return fresh
    # A scheduled change has happened. Every process that notices derives the same token, so their validators agree.
    seed = f"{state.token}|{state.next_event_at.isoformat()}|{next_event_at}"
    fresh = ContentState(
        token=hashlib.sha256(seed.encode()).hexdigest()[:16], changed_at=now, next_event_at=next_event_at
    )
    cache.set(STATE_KEY, fresh, _state_timeout())
    return fresh


def content_changed() -> None:
    """
    Public content has changed: forget the state now, so that this process stops answering from it, and again once
    the transaction commits. A request served in between, by another connection, still read the old rows: whatever it
    cached went under a token that the second forgetting discards.
    """
    _forget_state()
    transaction.on_commit(_forget_state, robust=True)


def _forget_state() -> None:
    _local.forget_state()
    cache.delete(STATE_KEY)


@receiver(recovered, dispatch_uid="http_cache_cache_recovered")
def _cache_recovered(sender: type, **kwargs: Any) -> None:
    # A change saved while Redis was away could not forget the state there: every page kept under it may be stale.
    _local.forget_state()
    kwargs["cache"].delete(STATE_KEY)


class LocalTier:
    """
    This process's copies, in front of the shared cache: the content state, for LOCAL_STATE_SECONDS (a change saved
    by another process is seen that much later; one saved here at once), and the pages it served last, up to
    LOCAL_PAGE_BYTES, each still checked against the state before it is served. A hit on both costs no round trip.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._state: tuple[float, ContentState] | None = None
        self._pages: OrderedDict[str, StoredPage] = OrderedDict()
        self._bytes = 0

    def state(self) -> ContentState | None:
        kept = self._state
        return kept[1] if kept is not None and time.monotonic() < kept[0] else None

    def keep_state(self, state: ContentState) -> None:
        self._state = (time.monotonic() + LOCAL_STATE_SECONDS, state)

    def forget_state(self) -> None:
        self._state = None

    def page(self, key: str) -> "StoredPage | None":
        with self._lock:
            page = self._pages.get(key)
            if page is not None:
                self._pages.move_to_end(key)
            return page

    def keep_page(self, key: str, page: "StoredPage") -> None:
        with self._lock:
            if (old := self._pages.pop(key, None)) is not None:
                self._bytes -= len(old.content)
            self._pages[key] = page
            self._bytes += len(page.content)
            while self._bytes > LOCAL_PAGE_BYTES and self._pages:
                _, dropped = self._pages.popitem(last=False)
                self._bytes -= len(dropped.content)

    def clear(self) -> None:
        with self._lock:
            self._state, self._pages, self._bytes = None, OrderedDict(), 0


_local = LocalTier()


def forget_local_copies() -> None:
    """For whoever empties the shared cache behind the process's back (the test suite between tests)."""
    _local.clear()


@receiver(setting_changed, dispatch_uid="http_cache_settings_changed")
def _settings_changed(setting: str, **kwargs: Any) -> None:
    # Tests override settings the way Django REST framework's settings listen for: a new cache has other content.
    if setting in ("CACHES", "NEWSROOM"):
        _local.clear()


def _state_timeout() -> int:
    # A per-process cache (the default without REDIS_URL) can't hear of a change saved by another process, so there
    # the state lives no longer than a CDN keeps a page. Run more than one process with a shared cache (REDIS_URL).
    if isinstance(caches["default"], LocMemCache):
        return settings.NEWSROOM["CACHE_S_MAXAGE"]
    return STATE_TIMEOUT


@receiver([post_save, post_delete, m2m_changed], dispatch_uid="http_cache_public_content_changed")
def _public_content_changed(sender: type, **kwargs: Any) -> None:
    if kwargs.get("action", "post_").startswith("pre_"):
        return  # m2m_changed says it twice; the "post_" signal is enough
    if sender._meta.app_label in PUBLIC_APPS:
        content_changed()


@receiver(post_migrate, dispatch_uid="http_cache_migrated")
def _migrated(**kwargs: Any) -> None:
    # Deploys migrate: new code may render the same content differently.
    content_changed()


def public_headers(state: ContentState, now: datetime, policy: CachePolicy) -> PublicHeaders:
    """The validators and freshness lifetimes of a public response made at `now` from `state`."""
    tag, last_modified, horizon = state.token, state.changed_at, state.next_event_at
    if policy.refresh_every:
        period_start = math.floor(now.timestamp() / policy.refresh_every) * policy.refresh_every
        period_end = datetime.fromtimestamp(period_start + policy.refresh_every, tz=UTC)
        tag = f"{tag}-{period_start}"
        last_modified = max(last_modified, datetime.fromtimestamp(period_start, tz=UTC))
        horizon = min(horizon or period_end, period_end)
    house = settings.NEWSROOM
    max_age, s_maxage, swr = (
        house["CACHE_MAX_AGE"],
        house["CACHE_S_MAXAGE"],
        house["CACHE_STALE_WHILE_REVALIDATE"],
    )
    if horizon is not None:
        # Whole seconds, rounded down, so no copy outlives the change; a stale copy served while revalidating counts.
        seconds_left = max(0, math.floor((horizon - now).total_seconds()))
        max_age, s_maxage = min(max_age, seconds_left), min(s_maxage, seconds_left)
        swr = max(0, min(swr, seconds_left - max(max_age, s_maxage)))
    return PublicHeaders(
        etag=f'"{tag}"',
        last_modified=math.floor(last_modified.timestamp()),
        max_age=max_age,
        s_maxage=s_maxage,
        stale_while_revalidate=swr,
    )


def is_personal(request: HttpRequest) -> bool:
    """Whether the response is for a logged-in user. Without a session cookie, known without a query."""
    if settings.SESSION_COOKIE_NAME not in request.COOKIES:
        return False
    return request.user.is_authenticated


def page_cache_key(request: HttpRequest) -> str:
    """
    The page cache's key: what identifies the page (tracking parameters left out). The content token it was made
    under is kept with the page, so that a page and the state it must match are read in one round trip.
    """
    query = sorted(
        (name, value)
        for name, values in request.GET.lists()
        for value in values
        if not name.lower().startswith(TRACKING_PARAMETERS)
    )
    address = f"{request.method}:{request.scheme}://{request.get_host()}{request.path}?{urlencode(query)}"
    return f"newsroom:page:{hashlib.sha256(address.encode()).hexdigest()}"


@dataclass(frozen=True)
class StoredPage:
    status: int
    headers: list[tuple[str, str]]
    content: bytes
    policy: CachePolicy
    # The ETag it was made under: the content token (and, for pages that change with the clock too, the period).
    etag: str


def cached_page(stored: object, state: ContentState, now: datetime) -> tuple[HttpResponse, PublicHeaders] | None:
    """A page read from the cache, as a response with this serving's caching headers, if it is still good."""
    if not isinstance(stored, StoredPage):
        return None  # none, or stored by an older release
    headers = public_headers(state, now, stored.policy)
    if headers.etag != stored.etag:
        return None  # made under an earlier content state (or period, for a page that changes with the clock)
    response = HttpResponse(stored.content, status=stored.status)
    for name, value in stored.headers:
        response.headers[name] = value
    return response, headers


def store_page(key: str, response: HttpResponse, policy: CachePolicy, headers: PublicHeaders) -> None:
    # Kept as long as a CDN may keep it: the token changing is what retires a page early. A cookie set on the way
    # out (a CSRF token) makes the page one visitor's.
    if (
        response.status_code in STORED_STATUSES
        and not response.streaming
        and not response.cookies
        and headers.s_maxage > 0
    ):
        kept = [(name, value) for name, value in response.headers.items() if name.lower() not in PER_SERVING_HEADERS]
        page = StoredPage(response.status_code, kept, response.content, policy, headers.etag)
        cache.set(key, page, headers.s_maxage)


def patch_public_headers(response: HttpResponse, headers: PublicHeaders) -> None:
    cache_control = {"public": True, "max_age": headers.max_age, "s_maxage": headers.s_maxage}
    if headers.stale_while_revalidate:
        cache_control["stale_while_revalidate"] = headers.stale_while_revalidate
    patch_cache_control(response, **cache_control)
    if response.status_code in (200, 304):
        response.headers["ETag"] = headers.etag
        # Feeds and sitemaps set their own from their items' dates; the content state's is the one 304s agree with.
        response.headers["Last-Modified"] = http_date(headers.last_modified)


@dataclass(frozen=True)
class PageToStore:
    key: str
    policy: CachePolicy
    headers: PublicHeaders


class PageCacheMiddleware:
    """
    Serves stored pages to readers before the rest of the stack runs (no session, routing, view or query), and stores
    public pages as the rest of the stack made them.

    It sits just after the security and static-file middleware, so a stored page still gets this serving's security
    headers and keeps every header the middleware within it added. What may be stored is `HttpCacheMiddleware`'s
    call, deep inside, where the view is known: it marks the request. A request with a session cookie may be a
    signed-in user's, which only that middleware can tell (it looks the user up): it takes the long way.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (
            settings.NEWSROOM["PAGE_CACHE"]
            and request.method in ("GET", "HEAD")
            and settings.SESSION_COOKIE_NAME not in request.COOKIES
        ):
            now = timezone.now()
            state = content_state(now)
            request._page_cache_lookup = key = page_cache_key(request)
            if (hit := cached_page(_local.page(key), state, now)) is None:
                stored = cache.get(key)
                if (hit := cached_page(stored, state, now)) is not None:
                    _local.keep_page(key, stored)
            if hit is not None:
                page, headers = hit
                if conditional := get_conditional_response(
                    request, etag=headers.etag, last_modified=headers.last_modified
                ):
                    # With the headers the middleware within added to the page (CORS on the API): the 304 stands
                    # for it.
                    for name, value in page.headers.items():
                        if name.lower() not in ("content-type", "content-length"):
                            conditional.headers[name] = value
                    page = conditional
                patch_public_headers(page, headers)
                return page
        response = self.get_response(request)
        if (page := getattr(request, "_page_to_store", None)) is not None:
            store_page(page.key, response, page.policy, page.headers)
        return response


class HttpCacheMiddleware:
    """
    Answers conditional GETs to `@cache_public` views, serves and stores their pages for anonymous readers, and gives
    their responses caching headers.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        headers = getattr(request, "_http_cache", None)
        # PageCacheMiddleware stores the page only if it is public after all (below).
        page_to_store, request._page_to_store = getattr(request, "_page_to_store", None), None
        # A view that set its own Cache-Control (a preview's never_cache) knows better.
        if headers is None or response.has_header("Cache-Control"):
            return response
        # A response that sets a cookie (a CSRF token in a form) is one visitor's: a shared cache must not keep it.
        if headers == PRIVATE or response.cookies:
            patch_cache_control(response, private=True, no_store=True)
            return response
        if response.status_code not in CACHEABLE_STATUSES:
            return response
        request._page_to_store = page_to_store
        patch_public_headers(response, headers)
        return response

    def process_view(
        self, request: HttpRequest, view: Callable, view_args: tuple, view_kwargs: dict
    ) -> HttpResponse | None:
        policy = getattr(view, "http_cache", None)
        if policy is None or request.method not in ("GET", "HEAD"):
            return None
        if is_personal(request):
            request._http_cache = PRIVATE
            return None
        now = timezone.now()
        state = content_state(now)
        headers = public_headers(state, now, policy)
        request._http_cache = headers
        # A 304 (or a 412 for a failed If-Match) before the view runs.
        if conditional := get_conditional_response(request, etag=headers.etag, last_modified=headers.last_modified):
            return conditional
        if not settings.NEWSROOM["PAGE_CACHE"]:
            return None
        # PageCacheMiddleware looked already when the request had no session cookie.
        key = getattr(request, "_page_cache_lookup", None)
        if key is None:
            key = page_cache_key(request)
            if (hit := cached_page(cache.get(key), state, now)) is not None:
                return hit[0]
        request._page_to_store = PageToStore(key, policy, headers)
        return None
