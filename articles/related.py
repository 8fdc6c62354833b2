"""
Related stories for an article page.

For now: live articles sharing the most topics with the article, newest first. Every caller goes through
`related_articles`, so a better engine can replace its internals without touching the pages.
"""

from collections.abc import Collection

from django.db.models import Count

from .models import Article


def related_articles(article: Article, *, limit: int, exclude: Collection[int] = ()) -> list[Article]:
    """Up to `limit` live stories related to `article` (never itself nor `exclude`), in one query."""
    topic_ids = [topic.pk for topic in article.topic_list]
    if not topic_ids or limit <= 0:
        return []
    return list(
        Article.objects.live()
        .filter(tagged_items__tag_id__in=topic_ids)
        .exclude(pk__in=[article.pk, *exclude])
        .annotate(shared_topics=Count("tagged_items"))
        .select_related("section")
        .only("headline", "slug", "publish_at", "section__name", "section__slug")
        .order_by("-shared_topics", "-publish_at", "-pk")[:limit]
    )
