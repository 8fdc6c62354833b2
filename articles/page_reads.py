"""
The article page's byline credits and topics, read as statements compiled once.

Every uncached article page shows who is credited (authors in byline order, then agencies) and its topics. Read
through the ORM (`prefetch_related`), each of those three queries costs most of a millisecond of Python building
and compiling it: several times what the database spends, and about a fifth of the page. As for the related read
(related.py), the queries are built as querysets, compiled once per database (compiled_sql.py), and each page only
fills in the article's id. They run as raw querysets: still model instances, so that templates and structured data
see Authors, Agencies and Topics as everywhere else, and still one counted query each.
"""

from functools import cache

from django.db import connections, router
from django.db.models import Model, QuerySet

from .compiled_sql import ARTICLE, ARTICLE_MARKER, Compiled, compile_queryset
from .models import Agency, Article, Author, Topic


def credit_and_topic_querysets(article_id: int) -> dict[type[Model], QuerySet]:
    """What `Article.credits` and `Article.topic_list` show, in their order, as the querysets compiled below."""
    return {
        Author: Author.objects.filter(bylines__article_id=article_id).order_by("bylines__position", "bylines__pk"),
        Agency: Agency.objects.filter(articles=article_id),
        Topic: Topic.objects.filter(tagged_articles__content_object_id=article_id).order_by("tagged_articles__pk"),
    }


@cache
def _statements(alias: str) -> tuple[tuple[type[Model], Compiled], ...]:
    querysets = credit_and_topic_querysets(ARTICLE_MARKER)
    return tuple(
        (model, compile_queryset(queryset, alias, {ARTICLE: ARTICLE_MARKER})) for model, queryset in querysets.items()
    )


def read_credits_and_topics(article: Article) -> None:
    """Fill in `article.credits` and `article.topic_list`: three indexed queries, whatever their numbers."""
    alias = router.db_for_read(Article)
    connection = connections[alias]
    found = {
        model: list(
            model.objects.db_manager(alias).raw(statement.sql, statement.fill(connection, {ARTICLE: article.pk}))
        )
        for model, statement in _statements(alias)
    }
    article.credits = [*found[Author], *found[Agency]]
    article.topic_list = found[Topic]
