"""
The plain data that wire ingest passes around: an item as a format reader found it, the same item mapped to an
article's fields, and a failure with its reason. Plain dataclasses, so they cross process boundaries with `--jobs`.
"""

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(slots=True)
class Subject:
    """A subject or category: the agency's code (may be empty) and its name."""

    code: str
    name: str


@dataclass(slots=True)
class WireItem:
    """One agency item as read from ninjs, NITF or a feed, before it is mapped to an article."""

    source: str
    uri: str
    headline: str
    version: str = ""
    standfirst: str = ""
    body_html: str = ""
    byline: str = ""
    located: str = ""
    subjects: list[Subject] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)
    first_created: datetime | None = None
    version_created: datetime | None = None
    embargoed: datetime | None = None
    pubstatus: str = ""
    # Who delivered it, most authoritative first: provider, copyright holder, ...
    providers: list[str] = field(default_factory=list)
    # Clues to the agency weaker than `providers` (a copyright notice): used only when nothing else names one.
    provider_hints: list[str] = field(default_factory=list)


@dataclass(slots=True)
class MappedItem:
    """An item mapped to an article's fields, its body already sanitized. Credits and section are resolved later."""

    source: str
    uri: str
    version: str
    headline: str
    standfirst: str
    body: str
    dateline: str
    byline_parts: list[str]
    providers: list[str]
    subjects: list[Subject]
    topics: list[str]
    first_created: datetime | None
    version_created: datetime | None
    embargo_until: datetime | None
    withdrawn: bool


@dataclass(slots=True)
class Failure:
    """
    An item (or a whole document) that could not be read, and why, in words an editor can act on. `skipped` marks
    one that was read but is not for us (a picture item), which is no failure of the run.
    """

    source: str
    reason: str
    uri: str = ""
    skipped: bool = False


class ItemError(ValueError):
    """Raised by format readers and the mapping for one item; becomes a `Failure`."""


class NotAStory(ItemError):
    """Raised for an item that is fine but not a story (a picture, a video): skipped, not failed."""
