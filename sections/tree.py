"""
The section tree, read through the cache.

Every public page shows the navigation, section pages and feeds need a section's subsections, yet sections change a
few times a year: reading them on each request would be a query per page for nothing. The whole tree (a few dozen
rows) is read once, kept in the cache under a version, and a new version is drawn when a section is saved or deleted:
at once, so that this process stops using the old tree, and again when the transaction commits, so that a tree read
by another connection before the commit (from the old rows) is left under a version nobody asks for any more.
"""

import secrets
from collections import defaultdict
from typing import Any

from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.locmem import LocMemCache
from django.db import transaction
from django.db.models.signals import post_delete, post_migrate, post_save
from django.dispatch import receiver

from articles.redis_cache import recovered

from .models import Section

VERSION_KEY = "newsroom:section-tree:version"
TREE_KEY = "newsroom:section-tree:{version}"
# How long a shared cache (Redis) keeps the tree with no change: any longer only costs one query.
TREE_TIMEOUT = 24 * 60 * 60


class SectionTree:
    """Every section, in navigation order, each knowing its parent (no query to follow `section.parent`)."""

    def __init__(self, sections: list[Section], *, version: str = "") -> None:
        self.version = version  # the cache version it was read under, which also keys the navigation's markup
        self.by_pk = {section.pk: section for section in sections}
        self.by_slug = {section.slug: section for section in sections}
        self.children: dict[int | None, list[Section]] = defaultdict(list)
        for section in sections:
            self.children[section.parent_id].append(section)
            if section.parent_id is not None:
                section.parent = self.by_pk[section.parent_id]

    def top_level(self) -> list[Section]:
        """The sections in the site's navigation."""
        return self.children.get(None, [])

    def get(self, slug: str) -> Section | None:
        return self.by_slug.get(slug)

    def subsections(self, section: Section) -> list[Section]:
        return self.children.get(section.pk, [])

    def descendant_ids(self, section: Section) -> list[int]:
        """The section's id and those of all its subsections, at any depth."""
        found, pending = [], [section.pk]
        while pending:
            pk = pending.pop()
            found.append(pk)
            pending.extend(child.pk for child in self.children.get(pk, []))
        return found


def section_tree() -> SectionTree:
    """The current tree: two cache reads, and one query after each change to the sections."""
    version = tree_version()
    if (tree := cache.get(TREE_KEY.format(version=version))) is not None:
        return tree
    tree = SectionTree(list(Section.objects.order_by("position", "name", "pk")), version=version)
    cache.set(TREE_KEY.format(version=version), tree, _timeout())
    return tree


def tree_version() -> str:
    """The version of the current tree, new whenever a section changes: one cache read."""
    version = cache.get(VERSION_KEY)
    if version is None:
        version = secrets.token_hex(8)
        # Two processes may get here at once: the first to store its version wins, and the other adopts it.
        if not cache.add(VERSION_KEY, version, _timeout()):
            version = cache.get(VERSION_KEY) or version
    return version


def sections_changed() -> None:
    """Sections have changed: a new version now, and another once the transaction commits."""
    _new_version()
    transaction.on_commit(_new_version, robust=True)


def _new_version() -> None:
    cache.set(VERSION_KEY, secrets.token_hex(8), _timeout())


@receiver(recovered, dispatch_uid="sections_tree_cache_recovered")
def _cache_recovered(sender: type, **kwargs: Any) -> None:
    # A section saved while Redis was away could not draw a new version there: the one it kept may be stale.
    kwargs["cache"].delete(VERSION_KEY)


def _timeout() -> int:
    # A per-process cache (the default without REDIS_URL) can't hear of a change saved by another process, so there
    # the tree lives no longer than a CDN keeps a page, as the HTTP content state does (articles/http_cache.py).
    if isinstance(caches["default"], LocMemCache):
        return settings.NEWSROOM["CACHE_S_MAXAGE"]
    return TREE_TIMEOUT


@receiver([post_save, post_delete], sender=Section, dispatch_uid="sections_tree_changed")
def _section_changed(sender: type[Section], **kwargs: Any) -> None:
    sections_changed()


@receiver(post_migrate, dispatch_uid="sections_tree_migrated")
def _migrated(**kwargs: Any) -> None:
    # The cached tree holds pickled sections: after a migration their fields may differ from the model's.
    sections_changed()
