"""
The fingerprint of an article's editable fields, stored when agency copy is written in. If the article's current
fingerprint differs, a person has edited it since, and a newer version of the item must not overwrite it.

Timestamps can't tell that: saving without a change, publishing or a redirect moves `updated_at` too.
"""

import hashlib
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from articles.models import Article


def _text(value: str) -> str:
    # Browsers submit textareas with CRLF line ends: saving a form unchanged is not an edit.
    return (value or "").replace("\r\n", "\n").strip()


class Copy(Protocol):
    """An agency's text or an article's: what the fingerprint covers besides topics and credits."""

    headline: str
    standfirst: str
    body: str
    dateline: str
    embargo_until: datetime | None


def content_fingerprint(copy: Copy, *, topics: Sequence[str], authors: Sequence[str], agencies: Iterable[str]) -> str:
    """Topics and authors are slugs in their order on the page; agencies are slugs in any order."""
    parts = [
        _text(copy.headline),
        _text(copy.standfirst),
        _text(copy.body),
        _text(copy.dateline),
        str(copy.embargo_until.timestamp()) if copy.embargo_until else "",
        "\n".join(topics),
        "\n".join(authors),
        "\n".join(sorted(agencies)),
    ]
    # Each part prefixed with its length, so no text can pass for another split of the fields.
    return hashlib.sha256("".join(f"{len(part)}:{part}" for part in parts).encode()).hexdigest()


def copy_fingerprint(copy: Copy, *, topics: Sequence[Any], authors: Sequence[Any], agencies: Iterable[Any]) -> str:
    """The fingerprint of an article once `copy` is written into it with these topics, authors and agencies."""
    return content_fingerprint(
        copy,
        topics=[topic.slug for topic in topics],
        authors=[author.slug for author in authors],
        agencies=[agency.slug for agency in agencies],
    )


def article_fingerprint(article: "Article") -> str:
    """The fingerprint of the article as it is in the database now (three small queries for its relations)."""
    return content_fingerprint(
        article,
        topics=list(article.tagged_items.order_by("pk").values_list("tag__slug", flat=True)),
        authors=list(article.bylines.order_by("position", "pk").values_list("author__slug", flat=True)),
        agencies=list(article.agencies.values_list("slug", flat=True)),
    )
