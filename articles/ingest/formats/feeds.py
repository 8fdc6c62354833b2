"""
RSS (0.9x, 1.0, 2.0) and Atom, read by feedparser, which copes with the many dialects and date formats feeds use.

An entry's guid/id is its identifier; its content (or, without one, its summary) the body; the summary the
standfirst when there is content too; categories its topics; the feed's publisher (or title) its provider.
"""

import calendar
import time
from collections.abc import Iterator
from datetime import UTC, datetime

import feedparser

from ..item import Failure, ItemError, Subject, WireItem
from ..mapping import clean_text


def read(data: bytes, *, source: str) -> Iterator[WireItem | Failure]:
    # feedparser is given bytes, never a URL: it fetches nothing. The XML was already checked by defusedxml.
    parsed = feedparser.parse(data, resolve_relative_uris=False)
    if parsed.bozo and not parsed.entries:
        yield Failure(source, f"malformed feed: {parsed.bozo_exception}")
        return
    feed = parsed.feed
    publisher = feed.get("publisher_detail", {}).get("name") or feed.get("publisher")
    author = feed.get("author_detail", {}).get("name")
    providers = [name for name in (publisher, author) if name]
    # A feed's title ("Reuters: World News") names its agency less reliably than its publisher or author does.
    hints = [feed["title"]] if feed.get("title") else []
    for number, entry in enumerate(parsed.entries, 1):
        where = f"{source}#{number}"
        try:
            yield _item(entry, source=where, providers=providers, hints=hints)
        except ItemError as exc:
            yield Failure(where, str(exc), uri=entry.get("id", ""))


def _date(value: time.struct_time | None) -> datetime | None:
    # feedparser normalises every date it understands to a UTC struct_time.
    return datetime.fromtimestamp(calendar.timegm(value), tz=UTC) if value else None


def _item(entry: feedparser.FeedParserDict, *, source: str, providers: list[str], hints: list[str]) -> WireItem:
    content = next((part.value for part in entry.get("content", []) if part.get("value")), "")
    summary = entry.get("summary", "")
    # dict.get: feedparser's own get() maps a missing `updated` to `published`, with a deprecation warning.
    published, updated = _date(dict.get(entry, "published_parsed")), _date(dict.get(entry, "updated_parsed"))
    author = entry.get("author_detail", {}).get("name") or entry.get("author", "")
    return WireItem(
        source=source,
        uri=entry.get("id") or entry.get("link", ""),
        headline=entry.get("title", ""),
        standfirst=summary if content else "",
        body_html=content or summary,
        byline=author,
        subjects=[
            Subject(code=tag.get("term") or "", name=clean_text(tag.get("label") or tag.get("term")))
            for tag in entry.get("tags", [])
            if tag.get("term")
        ],
        first_created=published or updated,
        version_created=updated or published,
        providers=providers,
        provider_hints=hints,
    )
