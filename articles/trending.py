"""
Trending stories.

For now a stand-in ordering (the newest live stories); the reader-count engine replaces the internals of
`trending_articles` without touching the pages.
"""

from collections.abc import Collection

from .models import Article


def trending_articles(*, limit: int, exclude: Collection[int] = ()) -> list[Article]:
    """Up to `limit` live stories, never those in `exclude` (already on the page), in one query."""
    if limit <= 0:
        return []
    return list(
        Article.objects.live()
        .exclude(pk__in=list(exclude))
        .select_related("section")
        .only("headline", "slug", "publish_at", "section__name", "section__slug")
        .newest_first()[:limit]
    )
