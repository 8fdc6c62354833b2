"""
Listing pages (section, topic, author, agency): a page of stories at a time, as fast at page 500 as at page 1.

Newest-first listings link their pages by keyset: "Older" is `?page=3&before=<cursor>`, the stories published
before the last one shown (publish time, then id: the listing's order), which the database finds from an index at
any depth, where an OFFSET would read and throw away every story before the page; "Newer" is `?after=<cursor>`.
`page` only numbers the page for the reader. Nothing is counted: fetching one story more than a page says whether
there is an older page, so no request ever counts a large section.

`?page=N` alone (old links, typed addresses) is still answered, by position, down to `MAX_POSITION` stories; from
there on the Older links go deeper. Listings in another order (by relevance, say) are paged by position only.
"""

import base64
import binascii
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django import forms
from django.conf import settings
from django.core.paginator import Paginator
from django.db import connections
from django.db.models import Model, Q, QuerySet
from django.http import Http404, HttpRequest
from django.utils.functional import cached_property
from django.utils.http import urlencode

from .http_cache import TRACKING_PARAMETERS

NEWEST_FIRST = ("-publish_at", "-pk")
# The deepest story a page number alone may reach: answering `?page=N` reads and skips (N - 1) pages of stories.
MAX_POSITION = 10_000
PAGE, BEFORE, AFTER = "page", "before", "after"


class Cursor:
    """Where a page ends: a story's (publish time, id), the listings' order. Opaque to readers and API clients."""

    @staticmethod
    def encode(article: Model) -> str:
        raw = f"{article.publish_at.isoformat()}|{article.pk}".encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @staticmethod
    def decode(value: str) -> tuple[datetime, int]:
        try:
            raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)).decode()
            moment, pk = raw.split("|")
            publish_at = datetime.fromisoformat(moment)
            if publish_at.tzinfo is None:
                raise ValueError("naive time")
            return publish_at, int(pk)
        except (binascii.Error, UnicodeDecodeError, ValueError) as error:
            raise forms.ValidationError("Not a cursor this site gave out.", code="invalid") from error


def older_than(cursor: tuple[datetime, int]) -> Q:
    """Stories after `cursor` in newest-first order. The `publish_at <=` bound is where an index scan starts."""
    publish_at, pk = cursor
    return Q(publish_at__lte=publish_at) & (Q(publish_at__lt=publish_at) | Q(pk__lt=pk))


def newer_than(cursor: tuple[datetime, int]) -> Q:
    publish_at, pk = cursor
    return Q(publish_at__gte=publish_at) & (Q(publish_at__gt=publish_at) | Q(pk__gt=pk))


@dataclass(frozen=True)
class ListingPage:
    """One page of a listing, with the addresses of its neighbours (None where there is none)."""

    object_list: Sequence[Any]
    number: int | None
    newer_url: str | None
    older_url: str | None

    @property
    def has_previous(self) -> bool:
        return self.newer_url is not None

    @property
    def has_next(self) -> bool:
        return self.older_url is not None

    @property
    def has_other_pages(self) -> bool:
        return self.has_previous or self.has_next


def paginate(request: HttpRequest, queryset: QuerySet, per_page: int | None = None) -> ListingPage:
    """
    The page the request asks for. A page number or cursor that is not one, or a page past the end, is a 404 (as in
    Django's ListView); the first page of an empty listing is an empty page.
    """
    per_page = per_page or settings.NEWSROOM["ARTICLES_PER_PAGE"]
    number = _page_number(request)
    before, after = _cursor(request, BEFORE), _cursor(request, AFTER)
    keyset = _ordering(queryset) == NEWEST_FIRST
    if (before and after) or ((before or after) and not keyset):
        raise Http404("Not a page of this listing.")
    if before:
        found = list(queryset.filter(older_than(before))[: per_page + 1])
        stories, more = found[:per_page], len(found) > per_page
        newer = _newer_url(request, stories, number) if stories else None
        older = _url(request, page=number and number + 1, before=stories[-1]) if more else None
    elif after:
        found = list(queryset.filter(newer_than(after)).order_by("publish_at", "pk")[: per_page + 1])
        stories, more = found[:per_page][::-1], len(found) > per_page
        # Nothing newer beyond: whatever its number said, this is the top of the listing.
        number = number if more else 1
        newer = _newer_url(request, stories, number) if more else None
        older = _url(request, page=number and number + 1, before=stories[-1]) if stories else None
    else:
        number = number or 1
        offset = (number - 1) * per_page
        if offset > MAX_POSITION:
            raise Http404("Pages this deep are reached with the Older links.")
        found = list(queryset[offset : offset + per_page + 1])
        stories, more = found[:per_page], len(found) > per_page
        if keyset:
            newer = _newer_url(request, stories, number) if number > 1 and stories else None
            older = _url(request, page=number + 1, before=stories[-1]) if more else None
        else:
            newer = _url(request, page=number - 1) if number > 1 else None
            older = _url(request, page=number + 1) if more else None
    if not stories and (before or after or (number or 1) > 1):
        raise Http404("That page contains no stories.")
    return ListingPage(stories, number, newer, older)


def _newer_url(request: HttpRequest, stories: list, number: int | None) -> str:
    if number == 2:
        return _url(request)  # the first page has an address of its own, without a cursor
    return _url(request, page=number and number - 1, after=stories[0])


def _url(
    request: HttpRequest, *, page: int | None = None, before: Model | None = None, after: Model | None = None
) -> str:
    """This listing's address for another page, keeping its other parameters but not tracking ones."""
    query = [
        (name, value)
        for name, values in request.GET.lists()
        for value in values
        if name not in (PAGE, BEFORE, AFTER) and not name.lower().startswith(TRACKING_PARAMETERS)
    ]
    if page and page > 1:
        query.append((PAGE, str(page)))
    if before is not None:
        query.append((BEFORE, Cursor.encode(before)))
    if after is not None:
        query.append((AFTER, Cursor.encode(after)))
    return f"{request.path}?{urlencode(query)}" if query else request.path


def _page_number(request: HttpRequest) -> int | None:
    value = request.GET.get(PAGE)
    if not value:
        return None
    if not value.isascii() or not value.isdigit() or len(value) > 6 or int(value) < 1:
        raise Http404("That page number is not a page number.")
    return int(value)


def _cursor(request: HttpRequest, name: str) -> tuple[datetime, int] | None:
    value = request.GET.get(name)
    if not value:
        return None
    try:
        return Cursor.decode(value)
    except forms.ValidationError as error:
        raise Http404("Not a page of this listing.") from error


def _ordering(queryset: QuerySet) -> tuple[str, ...]:
    query = queryset.query
    if query.order_by:
        return tuple(query.order_by)
    return tuple(queryset.model._meta.ordering) if query.default_ordering else ()


# --- The admin's lists -----------------------------------------------------------------------------------------------

# A list larger than this is shown as "more than 10,000": counting further would cost a scan of all its rows.
COUNT_CAP = 10_000


class LargeTablePaginator(Paginator):
    """
    The admin's paginator for a table of a million rows, where Django's counts every row on every page load. An
    unfiltered list takes PostgreSQL's own estimate of the table's size (`pg_class.reltuples`, kept current by
    autovacuum) once the table is past `COUNT_CAP`; a filtered one is counted up to `COUNT_CAP` rows and no further.
    `count_qualifier` ("about ", "more than ") is for the page to say which.
    """

    count_qualifier = ""

    @cached_property
    def count(self) -> int:
        queryset = self.object_list
        if not queryset.query.where and (estimate := _estimated_rows(queryset)) > COUNT_CAP:
            self.count_qualifier = "about "
            return estimate
        counted = queryset.order_by()[: COUNT_CAP + 1].count()
        if counted > COUNT_CAP:
            self.count_qualifier = "more than "
        return min(counted, COUNT_CAP)


def _estimated_rows(queryset: QuerySet) -> int:
    connection = connections[queryset.db]
    if connection.vendor != "postgresql":
        return 0
    with connection.cursor() as cursor:
        # -1 for a table never vacuumed nor analyzed.
        cursor.execute("SELECT reltuples FROM pg_class WHERE oid = %s::regclass", [queryset.model._meta.db_table])
        row = cursor.fetchone()
    return int(row[0]) if row else 0
