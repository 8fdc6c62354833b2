"""
From a `WireItem` (any format) to an article's fields: the house's rules for agency copy.

- The dateline: a lead such as "PARIS, Sept 5 (AFP) - " or "GROSSETO, Italy (AP) -- " opening the body is moved out
  of the body into the dateline (the page prints the dateline itself); otherwise the item's `located`, its first
  part in capitals as the house writes datelines ("Paris" -> "PARIS").
- The byline is split into its names ("Von Christian Hollmann, dpa" -> "Christian Hollmann", "dpa"); which of them
  are agencies is decided against the database later.
- The body is sanitized here, through the newsroom's one allowlist, so that with `--jobs` it happens in the workers.

Runs in worker processes: no database, no settings.
"""

import html
import re
from collections.abc import Iterable

from articles.sanitizer import sanitize_html, without_control_characters

from .item import ItemError, MappedItem, WireItem

# Field sizes of Article: longer values are cut rather than refused, so the editor can still save the form.
HEADLINE_MAX = 255
STANDFIRST_MAX = 600
DATELINE_MAX = 100
URI_MAX = 500
TOPIC_MAX = 100
TOPICS_PER_ITEM = 20

JOB_TITLE_WORDS = frozenset(
    {
        "staff",
        "writer",
        "correspondent",
        "reporter",
        "editor",
        "photographer",
        "senior",
        "chief",
        "special",
        "business",
        "sports",
    }
)
WITHDRAWN_STATUSES = frozenset({"canceled", "cancelled", "withdrawn", "killed"})

_MONTH = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.?"
# A word of a place name: letters, perhaps joined by . ' ’ - ("D.C.", "Val-d'Oise").
_WORD = r"[^\W\d_]+(?:[.'’-][^\W\d_]+)*\.?"
_PLACE = rf"{_WORD}(?:[ ]+{_WORD}){{0,3}}"
# "PARIS, Sept 5 (AFP) - ", "GROSSETO, Italy (AP) -- ", "Berlin (dpa) - ", "WASHINGTON (Reuters) — ".
DATELINE_LEAD = re.compile(
    rf"""
    (?P<place>{_PLACE}(?:,[ ]*{_PLACE}){{0,2}}?)
    (?:,[ ]*{_MONTH}[ ]+\d{{1,2}})?
    [ ]*\((?P<agency>[^()<>\n]{{1,30}})\)
    [ ]*(?:--|-|–|—)[ ]*
    """,
    re.VERBOSE,
)
# Wrappers and the first paragraph's opening tag before the text a dateline lead starts.
_BODY_OPENING = re.compile(r"\s*(?:<(?:section|div|article|body)\b[^>]*>\s*)*(?:<p\b[^>]*>\s*)?")

_BYLINE_PREFIX = re.compile(r"^\s*(?:by|von|av|par|por|door|af)\s+", re.IGNORECASE)
# Reuters-style credits: "Reporting by Jane Doe; Editing by John Roe". Editors are not bylined.
_REPORTING_BY = re.compile(r"^(?:(?:additional\s+)?reporting|writing|written|text)\s+by\s+", re.IGNORECASE)
_EDITING_BY = re.compile(r"^(?:editing|edited|compiled|translated)\s+by\b", re.IGNORECASE)
_BYLINE_SEPARATORS = re.compile(r"\s*(?:,|/|&|\band\b|\bund\b|\bog\b|\bet\b)\s*", re.IGNORECASE)
_SPACE = re.compile(r"\s+")
_TAG = re.compile(r"<[^>]*>")
_COPYRIGHT_HOLDER = re.compile(
    r"(?:copyright|\(c\)|©)\s*(?:\d{4}\s*)?,?\s*([^,.\d(-][^,(]*?)\s*(?:\d{4}\s*)?(?:[,.(]|-|$)", re.IGNORECASE
)


def map_item(item: WireItem, *, max_item_bytes: int) -> MappedItem:
    """The article fields for `item`, or ItemError saying what is wrong with it."""
    mapped = map_fields(item, max_item_bytes=max_item_bytes)
    mapped.body = sanitize_html(mapped.body)
    return mapped


def map_fields(item: WireItem, *, max_item_bytes: int) -> MappedItem:
    """
    `map_item` but for sanitizing: the body is left as the item had it (without its dateline lead), for a caller that
    sanitizes the bodies of many items one after another (`reading.read_documents`), which keeps bleach's code and
    tables in the processor's caches. Never store what this returns before its body is sanitized.
    """
    headline = clean_text(item.headline)
    if not headline:
        raise ItemError("the item has no headline")
    if not item.uri.strip():
        raise ItemError("the item has no identifier (uri, doc-id or guid)")
    if len(item.uri) > URI_MAX:
        raise ItemError(f"the item's identifier is longer than {URI_MAX} characters")
    size = len(item.headline.encode()) + len(item.standfirst.encode()) + len(item.body_html.encode())
    if size > max_item_bytes:
        raise ItemError(f"the item is {size:,} bytes, over the limit of {max_item_bytes:,}")

    body, lead = remove_dateline_lead(item.body_html)
    dateline = lead[0] if lead else house_dateline(item.located)
    providers = [name for name in (clean_text(p) for p in item.providers) if name]
    if lead:
        providers.append(lead[1])
    providers.extend(name for name in (clean_text(p) for p in item.provider_hints) if name)

    topics: list[str] = []
    seen: set[str] = set()
    for name in [subject.name for subject in item.subjects] + item.keywords:
        name = clean_text(name)[:TOPIC_MAX]
        if name and name.casefold() not in seen:
            seen.add(name.casefold())
            topics.append(name)

    return MappedItem(
        source=item.source,
        uri=item.uri.strip(),
        version=str(item.version).strip()[:40],
        headline=truncate(headline, HEADLINE_MAX),
        standfirst=truncate(clean_text(item.standfirst), STANDFIRST_MAX),
        body=body,
        dateline=dateline[:DATELINE_MAX],
        byline_parts=split_byline(item.byline),
        providers=providers,
        subjects=item.subjects,
        topics=topics[:TOPICS_PER_ITEM],
        first_created=item.first_created,
        version_created=item.version_created,
        embargo_until=item.embargoed,
        withdrawn=item.pubstatus.strip().lower() in WITHDRAWN_STATUSES,
    )


def sanitize_bodies(items: Iterable[object]) -> None:
    """Sanitize, one after another, the bodies that `map_fields` left as they came (other entries are passed over)."""
    for item in items:
        if isinstance(item, MappedItem):
            item.body = sanitize_html(item.body)


def clean_text(value: str | None) -> str:
    """Plain text on one line: tags removed, entities decoded, runs of whitespace collapsed."""
    if not value:
        return ""
    # Most values are plain already: string methods rather than regexes for them (this runs for every field).
    if "<" in value:
        value = _TAG.sub(" ", value)
    if "&" in value:
        value = html.unescape(value)
    return " ".join(without_control_characters(value).split())


def truncate(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0]
    return f"{cut}…"


def text_to_html(text: str) -> str:
    """Plain-text copy as paragraphs: a blank line (or, failing that, a line break) separates them."""
    text = text.replace("\r\n", "\n").strip()
    separator = "\n\n" if "\n\n" in text else "\n"
    paragraphs = [_SPACE.sub(" ", part).strip() for part in text.split(separator)]
    return "".join(f"<p>{html.escape(part, quote=False)}</p>" for part in paragraphs if part)


def remove_dateline_lead(body: str) -> tuple[str, tuple[str, str] | None]:
    """The body without its opening dateline lead, and (place, agency) from the lead if it had one."""
    opening = _BODY_OPENING.match(body)
    start = opening.end() if opening else 0
    match = DATELINE_LEAD.match(body, start)
    # A place name starts with a capital: "the captain (AP) - " is a sentence, not a dateline.
    if not match or not match["place"][0].isupper():
        return body, None
    place = _SPACE.sub(" ", match["place"]).strip()
    return body[:start] + body[match.end() :], (place, match["agency"].strip())


def house_dateline(located: str) -> str:
    """ "Paris" -> "PARIS", "Grosseto, Italy" -> "GROSSETO, Italy": the place in capitals, its region as written."""
    located = clean_text(located)
    if not located:
        return ""
    place, comma, rest = located.partition(",")
    return f"{place.upper()}{comma}{rest}"


def split_byline(byline: str) -> list[str]:
    """The names in a byline, in order: "By Jane Doe and Ali Khan, AFP" -> ["Jane Doe", "Ali Khan", "AFP"]."""
    byline = clean_text(byline)
    if not byline:
        return []
    byline = _BYLINE_PREFIX.sub("", byline)
    parts: list[str] = []
    for credit in byline.split(";"):
        credit = _REPORTING_BY.sub("", credit.strip())
        if _EDITING_BY.match(credit):
            continue
        for part in _BYLINE_SEPARATORS.split(credit):
            part = part.strip(" .")
            # "Jane Doe, Staff Writer": a job title is not a name.
            if all(word in JOB_TITLE_WORDS for word in part.casefold().split()):
                continue
            if part.casefold() not in {name.casefold() for name in parts}:
                parts.append(part)
    return parts


def copyright_holder(notice: str) -> str:
    """ "Copyright 2013 The News Agency, www.tna.org - all rights reserved." -> "The News Agency"."""
    match = _COPYRIGHT_HOLDER.search(clean_text(notice))
    return match[1].strip() if match else ""
