"""Readers for the wire formats. Each turns a document's bytes into `WireItem`s (or `Failure`s for bad items)."""

from datetime import UTC, datetime

from ..item import ItemError


def parse_date(value: object, *, field: str) -> datetime | None:
    """An ISO 8601 time ("2019-05-10T16:02:28+02:00", "20250905T090000Z"); naive times are taken as UTC."""
    if value in (None, ""):
        return None
    text = str(value).strip()
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise ItemError(f"{field} “{text[:40]}” is not an ISO 8601 date and time") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
