"""
The fingerprint of an article's editable fields, stored when agency copy is written in. If the article's current
fingerprint differs, a person has edited it since, and a newer version of the item must not overwrite it.

Timestamps can't tell that: saving without a change, publishing or a redirect moves `updated_at` too.
"""

import hashlib
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from articles.models import Article


def _text(value: str) -> str:
    # Browsers submit textareas with CRLF line ends: saving a form unchanged is not an edit.
    return (value or "").replace("\r\n", "\n").strip()


def content_fingerprint(
    *,
    headline: str,
    standfirst: str,
    body: str,
    dateline: str,
    embargo_until: datetime | None,
    topics: Sequence[str],
    authors: Sequence[str],
    agencies: Iterable[str],
) -> str:
    """Topics and authors are slugs in their order on the page; agencies are slugs in any order."""
    parts = [
        _text(headline),
        _text(standfirst),
        _text(body),
        _text(dateline),
        str(embargo_until.timestamp()) if embargo_until else "",
        "\n".join(topics),
        "\n".join(authors),
        "\n".join(sorted(agencies)),
    ]
    # Each part prefixed with its length, so no text can pass for another split of the fields.
    return hashlib.sha256("".join(f"{len(part)}:{part}" for part in parts).encode()).hexdigest()


def article_fingerprint(article: "Article") -> str:
    """The fingerprint of the article as it is in the database now (three small queries for its relations)."""
    return content_fingerprint(
        headline=article.headline,
        standfirst=article.standfirst,
        body=article.body,
        dateline=article.dateline,
        embargo_until=article.embargo_until,
        topics=list(article.tagged_items.order_by("pk").values_list("tag__slug", flat=True)),
        authors=list(article.bylines.order_by("position", "pk").values_list("author__slug", flat=True)),
        agencies=list(article.agencies.values_list("slug", flat=True)),
    )
