"""
Purging a CDN in front of the site when stories change.

A CDN keeps public pages for `NEWSROOM_CACHE_S_MAXAGE` seconds, never past a scheduled publish or expiry
(http_cache.py cuts every lifetime short before one). Changes nobody scheduled should not wait that long: with
`CDN_PURGE_URL` set, when a story goes live (`article_went_live`), is saved while live, is withdrawn or deleted, the
addresses it appears on are POSTed there as JSON once the change is committed, in one request per transaction:

    {"paths": ["/", "/world/", "/world/storm-hits-lisbon/", "/topics/storms/", "/feeds/rss/", ...], "purge_all": false}

and `{"paths": [], "purge_all": true}` when a section changes (the navigation is on every page). Paths, not URLs:
the receiving end (the CDN's purge API, or a small adapter for it) knows its hosts. `CDN_PURGE_TOKEN`, if set, is
sent as a bearer token. Other pages that show the story in passing (related, trending) refresh when their copies
expire.

The POST is sent by a task (`purge_task`): with Django's default immediate task backend, in the request that made the
change, with a short timeout (`CDN_PURGE_TIMEOUT`, 2 s); with a queue, by a worker. A failure is logged, never raised:
a publish never fails because the CDN is down, and its copies then expire on their own.
"""

import json
import logging
import urllib.request
from http.client import HTTPException
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models.signals import post_delete, post_save, pre_delete
from django.dispatch import receiver
from django.tasks import task
from django.urls import reverse

from sections.models import Section

from .models import Article
from .publishing import article_went_live

logger = logging.getLogger(__name__)
FEED_FORMATS = ("rss", "atom")


def article_paths(article: Article) -> list[str]:
    """The addresses that list or show `article`: its page, the home page, its sections, topics, credits, feeds."""
    section = article.section
    paths = {
        article.get_absolute_url(),
        reverse("articles:home"),
        reverse("articles:api_article_list"),
        reverse("articles:api_article_detail", kwargs={"pk": article.pk}),
        reverse("sitemap_news"),
        *(reverse("articles:feed_latest", kwargs={"feed_format": format}) for format in FEED_FORMATS),
    }
    listings = [("sections:detail", "articles:feed_section", s) for s in (section, section.parent) if s is not None]
    listings += [("articles:topic", "articles:feed_topic", tagged.tag) for tagged in article.tagged_items.all()]
    listings += [("articles:author", "articles:feed_author", byline.author) for byline in article.bylines.all()]
    listings += [("articles:agency", "articles:feed_agency", agency) for agency in article.agencies.all()]
    for page, feed, item in listings:
        paths.add(reverse(page, kwargs={"slug": item.slug}))
        paths.update(reverse(feed, kwargs={"slug": item.slug, "feed_format": format}) for format in FEED_FORMATS)
    return sorted(paths)


def purge_article(article_id: int) -> None:
    """Purge, once the transaction commits, the pages of an article as they are then."""
    _purge(article_ids={article_id})


def purge_paths(paths: list[str]) -> None:
    _purge(paths=set(paths))


def purge_everything() -> None:
    _purge(everything=True)


class PurgeBatch:
    """What a transaction changed: sent, in one request, when it commits (it is the transaction's on_commit hook)."""

    def __init__(self) -> None:
        self.article_ids: set[int] = set()
        self.paths: set[str] = set()
        self.everything = False

    def __call__(self) -> None:
        paths = set(self.paths)
        articles = Article.objects.filter(pk__in=self.article_ids).select_related("section__parent")
        for article in articles.prefetch_related("tagged_items__tag", "bylines__author", "agencies"):
            paths.update(article_paths(article))
        if paths or self.everything:
            purge_task.enqueue(paths=[] if self.everything else sorted(paths), purge_all=self.everything)


def _purge(*, article_ids: set[int] = frozenset(), paths: set[str] = frozenset(), everything: bool = False) -> None:
    if not settings.CDN_PURGE_URL:
        return
    batch = _pending_batch()
    new = batch is None
    batch = batch or PurgeBatch()
    batch.article_ids |= article_ids
    batch.paths |= paths
    batch.everything |= everything
    if new:
        transaction.on_commit(batch, robust=True)  # outside a transaction: at once


def _pending_batch() -> PurgeBatch | None:
    """The open transaction's batch, if it has one. A rolled-back transaction's hook is dropped, and its batch too."""
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        return None
    return next((hook for _, hook, _ in connection.run_on_commit if isinstance(hook, PurgeBatch)), None)


@task
def purge_task(*, paths: list[str], purge_all: bool) -> bool:
    """POST the paths (or "purge all") to `CDN_PURGE_URL`. True if the CDN accepted them; failures are logged."""
    headers = {"Content-Type": "application/json"}
    if settings.CDN_PURGE_TOKEN:
        headers["Authorization"] = f"Bearer {settings.CDN_PURGE_TOKEN}"
    body = json.dumps({"paths": paths, "purge_all": purge_all}).encode()
    request = urllib.request.Request(settings.CDN_PURGE_URL, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=settings.CDN_PURGE_TIMEOUT) as response:
            response.read()
    except (OSError, ValueError, HTTPException) as error:  # refused, timed out, an HTTP error status, a bad URL
        logger.warning("CDN purge of %s failed: %s", "everything" if purge_all else f"{len(paths)} paths", error)
        return False
    return True


@receiver(article_went_live, dispatch_uid="cdn_article_went_live")
def _went_live(sender: type, article_id: int, **kwargs: Any) -> None:
    if settings.CDN_PURGE_URL:
        purge_article(article_id)


@receiver(post_save, sender=Article, dispatch_uid="cdn_article_saved")
def _article_saved(sender: type[Article], instance: Article, **kwargs: Any) -> None:
    # Live: an edit readers should see. Withdrawn: gone from every page. Drafts and scheduled stories aren't on any.
    if settings.CDN_PURGE_URL and (
        instance.status == Article.Status.WITHDRAWN or instance.publication_state == "live"
    ):
        purge_article(instance.pk)


@receiver(pre_delete, sender=Article, dispatch_uid="cdn_article_deleted")
def _article_deleted(sender: type[Article], instance: Article, **kwargs: Any) -> None:
    # Its topics and credits are deleted with it: the addresses are taken now.
    if settings.CDN_PURGE_URL and instance.publication_state == "live":
        purge_paths(article_paths(instance))


@receiver([post_save, post_delete], sender=Section, dispatch_uid="cdn_section_changed")
def _section_changed(sender: type[Section], **kwargs: Any) -> None:
    if settings.CDN_PURGE_URL:
        purge_everything()
