"""
Trending: the most-read live stories of the last WINDOW_HOURS, site-wide and per section, from our own counts.

Counting. Article pages carry a beacon (static/js/beacon.js posts to /beacon/<id>/ with `navigator.sendBeacon`), so
a read counts even when the page itself came from a cache. The beacon sets no cookie and nothing about the reader is
stored: no IP address, no user agent, only "story X was read during hour H". Reads by staff, by obvious bots (judged
by User-Agent), browser prefetches, and of anything that is not live are ignored.

Storage is bucketed by clock hour, so it stays bounded (stories read per hour × hours kept) however many beacons
arrive:
- with REDIS_URL set, in Redis: a sorted set per hour for the site and per hour for each section (the story's own and
  its parents'), updated by one Lua call per read (ZINCRBY and EXPIRE on each), expiring after RETENTION_HOURS;
- otherwise in the database: ArticleViewCount rows (story, hour) incremented with F(); rows older than
  RETENTION_HOURS are deleted whenever a new hour's first row is written, so no job is needed.

Reading. With Redis, the ranking (story ids by reads over the window) is computed with one ZUNION and cached in Redis
for RANKING_TTL seconds; one query then fetches those of them that are live. Without Redis, one query sums the
window's rows (indexed by hour) and joins the RANKING_DEPTH most read to `Article.objects.live()`: its cost grows with
the stories read in a day, so a busy site should set REDIS_URL. Either way, a story that expires or is
withdrawn drops out at once, and a story is counted in the hour bucket it was read in, so the window is the current
hour plus the WINDOW_HOURS - 1 before it.
"""

import functools
import json
import logging
import re
from collections.abc import Collection, Mapping
from datetime import UTC, datetime, timedelta

import redis
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, OuterRef, Q, QuerySet, Subquery, Sum
from django.http import HttpRequest
from django.utils import timezone

from sections.models import Section

from .models import Article, ArticleViewCount
from .redis_cache import Outage

WINDOW_HOURS = 24
RETENTION_HOURS = 48
RANKING_TTL = 60
# How many of the most-read ids a cached ranking keeps: enough for a page that leaves out a few already shown.
RANKING_DEPTH = 100

# Crawlers, link previews, monitors and scripts: any of these words in the User-Agent (or none at all) is not a reader.
BOT_USER_AGENT = re.compile(
    r"bot|crawl|spider|slurp|archiver|fetch|monitor|preview|scanner|headless|lighthouse|phantom|curl|wget|python|"
    r"java/|go-http|httpclient|okhttp|axios|node|facebookexternalhit|embedly|whatsapp|pinterest|bitly",
    re.IGNORECASE,
)

logger = logging.getLogger(__name__)

_STORY_FIELDS = ("headline", "slug", "publish_at", "section__name", "section__slug")


def counts_as_read(request: HttpRequest) -> bool:
    """Whether a beacon request is a reader's: not a bot, not a prefetch, not a member of staff."""
    if BOT_USER_AGENT.search(request.headers.get("User-Agent", "")) or not request.headers.get("User-Agent"):
        return False
    if "prefetch" in request.headers.get("Sec-Purpose", "") or request.headers.get("Purpose") == "prefetch":
        return False
    # Only reads a session when the request carries one; readers have none.
    return not request.user.is_staff


def record_view(article_id: int, *, at: datetime | None = None) -> bool:
    """Count one read of a live story; returns whether it counted (nothing is counted for any other id)."""
    at = at or timezone.now()
    story = (
        Article.objects.live(at)
        .filter(pk=article_id)
        .values_list("section_id", "section__parent_id", "section__parent__parent_id")
        .first()
    )
    if story is None:
        return False
    sections = [section_id for section_id in story if section_id is not None]
    _counter().add({article_id: 1}, sections={article_id: sections}, hour=hour_of(at))
    return True


def trending_articles(
    *, limit: int, exclude: Collection[int] = (), section: Section | None = None, at: datetime | None = None
) -> list[Article]:
    """
    Up to `limit` live stories most read over the window (in `section` and its subsections, if given), never those
    in `exclude` (already on the page). One query, plus one cache hit with Redis.
    """
    if limit <= 0:
        return []
    at = at or timezone.now()
    return _counter().trending(limit=limit, exclude=list(exclude), section=section, at=at)


def seed_views(reads: Mapping[int, int], *, at: datetime | None = None) -> None:
    """Set the reads of live stories in the hour before `at` (for the demo); rerunning sets the same counts."""
    at = at or timezone.now()
    stories = Article.objects.live(at).filter(pk__in=list(reads))
    sections = {
        pk: [section_id for section_id in ids if section_id is not None]
        for pk, *ids in stories.values_list("pk", "section_id", "section__parent_id", "section__parent__parent_id")
    }
    counter = _counter()
    counter.set({pk: reads[pk] for pk in sections}, sections=sections, hour=hour_of(at) - timedelta(hours=1))


def hour_of(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def _window(at: datetime) -> list[datetime]:
    hour = hour_of(at)
    return [hour - timedelta(hours=n) for n in range(WINDOW_HOURS)]


def _live_stories(*, at: datetime, exclude: list[int]) -> QuerySet[Article]:
    return Article.objects.live(at).exclude(pk__in=exclude).select_related("section").only(*_STORY_FIELDS)


def _in_section(section: Section, prefix: str = "") -> Q:
    # Sections nest up to three levels deep (World > Europe > France), as the Redis counters do.
    return (
        Q(**{f"{prefix}section": section})
        | Q(**{f"{prefix}section__parent": section})
        | Q(**{f"{prefix}section__parent__parent": section})
    )


class DatabaseCounter:
    """Hourly rows in ArticleViewCount."""

    def add(self, reads: Mapping[int, int], *, sections: Mapping[int, list[int]], hour: datetime) -> None:
        for article_id, count in reads.items():
            rows = ArticleViewCount.objects.filter(article_id=article_id, hour=hour)
            if rows.update(count=F("count") + count):
                continue
            try:
                with transaction.atomic():
                    ArticleViewCount.objects.create(article_id=article_id, hour=hour, count=count)
            except IntegrityError:  # another request created the hour's row first
                rows.update(count=F("count") + count)
            else:
                ArticleViewCount.objects.filter(hour__lt=hour - timedelta(hours=RETENTION_HOURS)).delete()

    def set(self, reads: Mapping[int, int], *, sections: Mapping[int, list[int]], hour: datetime) -> None:
        for article_id, count in reads.items():
            ArticleViewCount.objects.update_or_create(article_id=article_id, hour=hour, defaults={"count": count})

    def trending(self, *, limit: int, exclude: list[int], section: Section | None, at: datetime) -> list[Article]:
        # The window's hourly rows are summed first (by the hour index) and only the most read are joined to live
        # stories, so the cost follows the stories read in a day, not the size of the archive.
        window = _window(at)
        counts = ArticleViewCount.objects.filter(hour__gte=window[-1], hour__lte=window[0])
        if section is not None:
            counts = counts.filter(_in_section(section, prefix="article__"))
        most_read = (
            counts.values("article_id").annotate(reads=Sum("count")).order_by("-reads", "-article_id")[:RANKING_DEPTH]
        )
        reads = Subquery(
            counts.filter(article_id=OuterRef("pk")).values("article_id").annotate(reads=Sum("count")).values("reads")
        )
        stories = _live_stories(at=at, exclude=exclude).filter(pk__in=most_read.values("article_id"))
        return list(stories.annotate(reads=reads).order_by("-reads", "-pk")[:limit])


# Adds ARGV[2] reads of story ARGV[1] to each bucket in KEYS and (re)sets its expiry to ARGV[3] seconds.
_INCREMENT = """
for _, key in ipairs(KEYS) do
  redis.call('ZINCRBY', key, ARGV[2], ARGV[1])
  redis.call('EXPIRE', key, ARGV[3])
end
"""


class RedisCounter:
    """Hourly sorted sets in Redis, one for the site and one per section."""

    def __init__(self, url: str, prefix: str) -> None:
        self.client = _redis_client(url)
        self.prefix = prefix
        self.increment = self.client.register_script(_INCREMENT)
        # After a failure Redis is left alone for a while, as the cache backend leaves it: a Redis that drops
        # packets would otherwise hold every page and beacon for its timeout.
        self._outage = Outage()

    def bucket(self, scope: str, hour: datetime) -> str:
        return f"{self.prefix}trending:{scope}:{hour:%Y%m%d%H}"

    def scopes(self, sections: list[int]) -> list[str]:
        return ["site", *(f"section{section_id}" for section_id in sections)]

    def add(self, reads: Mapping[int, int], *, sections: Mapping[int, list[int]], hour: datetime) -> None:
        ttl = RETENTION_HOURS * 3600
        if self._outage.leave_alone:
            return  # a lost read is better than a slow or failed request
        try:
            for article_id, count in reads.items():
                keys = [self.bucket(scope, hour) for scope in self.scopes(sections[article_id])]
                self.increment(keys=keys, args=[article_id, count, ttl])
        except redis.RedisError:
            self._outage.begin()
            logger.warning("Trending: Redis unavailable, reads are not counted", exc_info=True)

    def set(self, reads: Mapping[int, int], *, sections: Mapping[int, list[int]], hour: datetime) -> None:
        with self.client.pipeline(transaction=False) as pipe:
            for article_id, count in reads.items():
                for scope in self.scopes(sections[article_id]):
                    pipe.zadd(self.bucket(scope, hour), {str(article_id): count})
                    pipe.expire(self.bucket(scope, hour), RETENTION_HOURS * 3600)
            pipe.execute()

    def ranking(self, scope: str, at: datetime) -> list[int]:
        key = f"{self.prefix}trending:ranking:{scope}:{hour_of(at):%Y%m%d%H}"
        cached = self.client.get(key)
        if cached is not None:
            return json.loads(cached)
        totals = self.client.zunion([self.bucket(scope, hour) for hour in _window(at)], withscores=True)
        ranked = sorted(((-reads, -int(member)) for member, reads in totals))[:RANKING_DEPTH]
        ids = [-negative_id for _, negative_id in ranked]
        self.client.set(key, json.dumps(ids), ex=RANKING_TTL)
        return ids

    def trending(self, *, limit: int, exclude: list[int], section: Section | None, at: datetime) -> list[Article]:
        if self._outage.leave_alone:
            return []
        try:
            ids = self.ranking("site" if section is None else f"section{section.pk}", at)
        except redis.RedisError:
            # The page still renders, without its Trending box.
            self._outage.begin()
            logger.warning("Trending: Redis unavailable, showing no trending stories", exc_info=True)
            return []
        if not ids:
            return []
        found = {story.pk: story for story in _live_stories(at=at, exclude=exclude).filter(pk__in=ids)}
        return [found[pk] for pk in ids if pk in found][:limit]


@functools.cache
def _redis_client(url: str) -> redis.Redis:
    return redis.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1)


def _counter() -> DatabaseCounter | RedisCounter:
    if settings.REDIS_URL:
        return _redis_counter(settings.REDIS_URL, settings.NEWSROOM["TRENDING_KEY_PREFIX"])
    return DatabaseCounter()


@functools.cache
def _redis_counter(url: str, prefix: str) -> RedisCounter:
    return RedisCounter(url, prefix)
