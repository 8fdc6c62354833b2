"""
The stored full-text search vectors: a column type and an index that work on both databases we run on, and the
expressions that build the vectors.

On PostgreSQL the document is a `tsvector` (headline weighted A, standfirst B, body C, English stemming) behind a GIN
index, written from the article's own columns by the database (`document_expression`), so no vector is ever
computed at query time; a second, small vector of headline and standfirst (`title_expression`) ranks the matches.
SQLite has no `tsvector`: there the columns are plain text left empty, the index is an empty partial index, and
search.py falls back to matching the article's columns directly. One model and one migration serve both, instead of
a PostgreSQL-only migration that SQLite's table rebuilds would trip over.
"""

from zoneinfo import ZoneInfo

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.db.models import Index, Q
from django.db.models.functions import TruncDay

# The stemming dictionary for documents and queries alike.
SEARCH_CONFIG = "english"


class SearchDocumentField(SearchVectorField):
    """`tsvector` on PostgreSQL; a text column that stays empty elsewhere."""

    def db_type(self, connection) -> str:
        return "tsvector" if connection.vendor == "postgresql" else "text"


# How much of new entries the GIN index keeps in its unsorted pending list (kB) before merging them in. The default,
# 4 MB, is several thousand stories' words: while that many wait, PostgreSQL prices the index so high that it reads
# every stored document instead for a rare word (measured at 100,000 stories: 520-690 ms a search instead of 10-17,
# from about 400 pending pages on). A quarter of it keeps searches on the index, and costs ingest nothing measurable.
PENDING_LIST_KB = 1024


class SearchDocumentIndex(GinIndex):
    """
    A GIN index on PostgreSQL; elsewhere a b-tree on the document alone, limited to non-empty documents, i.e. an
    empty one (whatever else the GIN index holds: other databases may not be able to index those expressions).
    """

    def __init__(self, *expressions, **kwargs) -> None:
        kwargs.setdefault("condition", Q(document__isnull=False))
        kwargs.setdefault("gin_pending_list_limit", PENDING_LIST_KB)
        super().__init__(*expressions, **kwargs)

    def create_sql(self, model, schema_editor, using="", **kwargs):
        if schema_editor.connection.vendor == "postgresql":
            return super().create_sql(model, schema_editor, using=using, **kwargs)
        placeholder = Index(fields=["document"], name=self.name, condition=self.condition)
        return placeholder.create_sql(model, schema_editor, using=using, **kwargs)


def publish_day(field: str = "publish_at") -> TruncDay:
    """
    The UTC day of a publish time, as search's GIN index holds it next to the words (search_sql.py writes the same
    expression by hand, and must, for PostgreSQL to use the index).
    """
    return TruncDay(field, tzinfo=ZoneInfo("UTC"))


def document_expression(prefix: str = "") -> SearchVector:
    """The weighted document of an article, from its columns (`prefix` reaches them across a relation)."""
    return title_expression(prefix) + body_expression(prefix)


def title_expression(prefix: str = "") -> SearchVector:
    """Headline (A) and standfirst (B) only: what results are ranked by."""
    return SearchVector(f"{prefix}headline", weight="A", config=SEARCH_CONFIG) + SearchVector(
        f"{prefix}standfirst", weight="B", config=SEARCH_CONFIG
    )


def body_expression(prefix: str = "") -> SearchVector:
    """The body (C): the rest of the document after the title."""
    # Tags in the sanitized HTML are skipped by PostgreSQL's parser, so the body is indexed as it is stored.
    return SearchVector(f"{prefix}body", weight="C", config=SEARCH_CONFIG)
