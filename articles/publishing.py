"""
Going live. Readers never wait for this module: `Article.objects.live()` decides visibility at query time. What it
does is the bookkeeping that should follow an article's first appearance (recording the first-published time, and
telling listeners such as caches through `article_went_live`), idempotently and safely under concurrency.

Run `python manage.py publish_due` every minute (cron, a systemd timer) or enqueue `articles.tasks.publish_due_task`
when a Django task backend is configured.
"""

from datetime import datetime

from django.dispatch import Signal
from django.utils import timezone

# Sent once per article, with `article_id`, when it first became visible to readers.
article_went_live = Signal()


def publish_due(*, now: datetime | None = None) -> list[int]:
    """
    Record the first publication of every article that has become live but was not yet recorded, and announce it.
    Each article is claimed with a conditional UPDATE, so concurrent runs never handle the same article twice.
    """
    from .models import Article

    now = now or timezone.now()
    due = Article.objects.live(at=now).filter(first_published_at__isnull=True)
    went_live = []
    for pk, publish_at, embargo_until in due.values_list("pk", "publish_at", "embargo_until"):
        first_published_at = max(publish_at, embargo_until or publish_at)
        if Article.objects.filter(pk=pk, first_published_at__isnull=True).update(
            first_published_at=first_published_at
        ):
            went_live.append(pk)
    for pk in went_live:
        article_went_live.send(sender=Article, article_id=pk)
    return went_live
