"""
Fronts: the editor-curated top of the home page and of each section page.

Editors place stories in front slots (admin: "Front slots"; a slot without a section is on the home page), ordered by
position and optionally scheduled: a slot shows from `starts_at` until `ends_at`. A front shows its current slots
whose stories are live, in order, then fills the remaining places with the newest live stories of the page (the
section and its subsections, for a section front), so it is never empty and never shows a story twice. The page lists
its other stories without those on the front.
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Q, QuerySet
from django.utils import timezone

from sections.models import Section

from .models import Article


@dataclass(frozen=True)
class Front:
    stories: list[Article]  # editors' choices first, then the newest
    curated: int  # how many of `stories` editors chose
    following: list[Article] = field(default_factory=list)  # the next newest, for the page's own list

    @property
    def lead(self) -> Article | None:
        return self.stories[0] if self.stories else None

    @property
    def story_ids(self) -> list[int]:
        return [story.pk for story in self.stories]


def build_front(
    *,
    section: Section | None,
    stories: QuerySet[Article],
    size: int,
    following: int = 0,
    at: datetime | None = None,
) -> Front:
    """
    The front of `section` (None: the home page): up to `size` stories, its current live slots first, then the newest
    of `stories` (live stories, shaped as the caller wants them), and the `following` newest after those. Two queries.
    """
    at = at or timezone.now()
    curated = list(
        _curated(section=section, at=at).teasers().order_by("front_slots__position", "front_slots__pk")[:size]
    )
    newest = list(
        stories.exclude(pk__in=[story.pk for story in curated]).newest_first()[: size - len(curated) + following]
    )
    backfill = size - len(curated)
    return Front(stories=curated + newest[:backfill], curated=len(curated), following=newest[backfill:])


def _curated(*, section: Section | None, at: datetime) -> QuerySet[Article]:
    slot_is_current = (Q(front_slots__starts_at__isnull=True) | Q(front_slots__starts_at__lte=at)) & (
        Q(front_slots__ends_at__isnull=True) | Q(front_slots__ends_at__gt=at)
    )
    # The home page's slots are those without a section; `isnull=False` keeps stories with no slot at all out.
    on_front = (
        Q(front_slots__isnull=False, front_slots__section__isnull=True)
        if section is None
        else Q(front_slots__section=section)
    )
    return Article.objects.live(at).filter(on_front & slot_is_current)
