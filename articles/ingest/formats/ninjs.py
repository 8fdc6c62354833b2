"""
IPTC ninjs (News in JSON), versions 1.x, 2.x and 3.0, as one object, an array of objects, or JSON lines.

The versions differ mostly in names: 1.x has `headline`, `body_html`/`body_xhtml`/`body_text`, `description_text`,
`byline`, `subject`; 2.x has `headlines[]`, `bodies[]`, `descriptions[]`, `by`, `subjects[]`; 3.0 writes the same keys
in camelCase (`versionCreated`, `contentType`). Keys are read case-insensitively, so one reader takes all three.
"""

import json
from collections.abc import Iterator
from typing import Any

from ..item import Failure, ItemError, NotAStory, Subject, WireItem
from ..mapping import copyright_holder, text_to_html
from . import parse_date

# Item types that are not stories in their own right.
NON_TEXT_TYPES = frozenset({"picture", "graphic", "video", "audio"})


def read(data: bytes, *, source: str, max_item_bytes: int) -> Iterator[WireItem | Failure]:
    try:
        document = json.loads(data)
    except UnicodeDecodeError as exc:
        byte = exc.object[exc.start]
        yield Failure(source, f"not UTF-8 text (byte 0x{byte:02x} at offset {exc.start}); ninjs is UTF-8")
        return
    except json.JSONDecodeError as exc:
        lines = data.splitlines()
        objects = [line for line in lines if line.strip()]
        if len(objects) > 1 and all(line.lstrip().startswith(b"{") for line in objects):
            yield from _read_lines(lines, source=source, max_item_bytes=max_item_bytes)
        else:
            yield Failure(source, f"malformed JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})")
        return
    if isinstance(document, list):
        for number, obj in enumerate(document, 1):
            yield _item_or_failure(obj, source=f"{source}#{number}")
    else:
        yield _item_or_failure(document, source=source)


def _read_lines(lines: list[bytes], *, source: str, max_item_bytes: int) -> Iterator[WireItem | Failure]:
    """JSON lines: one item per line, each on its own, so a bad line costs only itself."""
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        where = f"{source}:{number}"
        if len(line) > max_item_bytes:
            yield Failure(where, f"the item is {len(line):,} bytes, over the limit of {max_item_bytes:,}")
            continue
        try:
            obj = json.loads(line)
        except UnicodeDecodeError as exc:
            yield Failure(where, f"not UTF-8 text (byte 0x{exc.object[exc.start]:02x}); ninjs is UTF-8")
            continue
        except json.JSONDecodeError as exc:
            yield Failure(where, f"malformed JSON: {exc.msg} (column {exc.colno})")
            continue
        yield _item_or_failure(obj, source=where)


def _item_or_failure(obj: Any, *, source: str) -> WireItem | Failure:
    try:
        return parse_item(obj, source=source)
    except ItemError as exc:
        uri = obj.get("uri", "") if isinstance(obj, dict) else ""
        return Failure(source, str(exc), uri=str(uri), skipped=isinstance(exc, NotAStory))


def parse_item(obj: Any, *, source: str) -> WireItem:
    if not isinstance(obj, dict):
        raise ItemError(f"not a ninjs item: expected a JSON object, found {type(obj).__name__}")
    item = {key.lower(): value for key, value in obj.items()}
    if str(item.get("type", "")).lower() in NON_TEXT_TYPES:
        raise NotAStory(f"a {item['type']} item, not a story")
    return WireItem(
        source=source,
        uri=_text(item.get("uri") or item.get("guid")),
        version=_text(item.get("version")),
        headline=_text(item.get("headline")) or _by_role(item.get("headlines"), ("main", "default", "")),
        standfirst=_standfirst(item),
        body_html=_body(item),
        byline=_text(item.get("byline") or item.get("by")),
        located=_text(item.get("located")),
        subjects=_subjects(item.get("subjects") or item.get("subject")),
        keywords=[_text(keyword) for keyword in item.get("keywords") or [] if _text(keyword)],
        first_created=parse_date(item.get("firstcreated"), field="firstcreated"),
        version_created=parse_date(item.get("versioncreated"), field="versioncreated"),
        embargoed=parse_date(item.get("embargoed"), field="embargoed"),
        pubstatus=_text(item.get("pubstatus")),
        providers=[name for name in (_name(item.get("provider")), _name(item.get("copyrightholder"))) if name],
        provider_hints=[copyright_holder(_text(item.get("copyrightnotice")))],
    )


def _text(value: Any) -> str:
    if value is None or isinstance(value, (dict, list)):
        return ""
    return str(value).strip()


def _name(value: Any) -> str:
    """ninjs 3.0 gives some parties as objects ({"name": ...}), earlier versions as strings."""
    if isinstance(value, dict):
        value = value.get("name") or value.get("literal")
    return _text(value)


def _entries(value: Any) -> list[dict]:
    return [{key.lower(): v for key, v in entry.items()} for entry in value or [] if isinstance(entry, dict)]


def _by_role(value: Any, roles: tuple[str, ...]) -> str:
    entries = _entries(value)
    for role in roles:
        for entry in entries:
            if str(entry.get("role", "")).lower() == role and _text(entry.get("value")):
                return _text(entry.get("value"))
    return next((_text(entry.get("value")) for entry in entries if _text(entry.get("value"))), "")


def _standfirst(item: dict) -> str:
    return (
        _text(item.get("description_text"))
        or _text(item.get("description_html"))
        or _by_role(item.get("descriptions"), ("summary", "description", "text", "default", "main", ""))
    )


def _is_html(entry: dict) -> bool:
    kind = str(entry.get("contenttype") or entry.get("role") or "").lower()
    return "html" in kind


def _body(item: dict) -> str:
    for key in ("body_html", "body_xhtml"):
        if _text(item.get(key)):
            return _text(item.get(key))
    bodies = [entry for entry in _entries(item.get("bodies")) if _text(entry.get("value"))]
    rich = next((entry for entry in bodies if _is_html(entry)), None)
    if rich is not None:
        return _text(rich["value"])
    plain = _text(item.get("body_text")) or (_text(bodies[0]["value"]) if bodies else "")
    return text_to_html(plain)


def _subjects(value: Any) -> list[Subject]:
    subjects = []
    for entry in _entries(value):
        code = _text(entry.get("code") or entry.get("qcode") or entry.get("literal") or entry.get("uri"))
        name = _text(entry.get("name"))
        if code or name:
            subjects.append(Subject(code=code, name=name))
    return subjects
