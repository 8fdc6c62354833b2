"""
Related stories: the editor's pins first, then the stories that share the most *telling* topics, close in time.

Score of story B for article A (symmetric: score(A, B) == score(B, A)):

    score = topical × boost × recency
    topical = Σ idf(t) over the topics A and B share
    idf(t)  = ln(1 + (N − n_t + 0.5) / (n_t + 0.5))        N articles in all, n_t of them tagged t (Lucene's BM25 idf)
    boost   = 1 + SECTION_BOOST × [same section] + CREDIT_BOOST × min(shared authors/agencies, MAX_SHARED_CREDITS)
    recency = RECENCY_FLOOR + (1 − RECENCY_FLOOR) × 0.5 ^ (days between their publish times / HALF_LIFE_DAYS)

So a topic on 30 of 100,000 stories weighs about 8, one on 40% of them 0.9 and one on every story almost 0. Only
topics make a story related: section and credits multiply (by 1.4 at most), they never qualify a story on their own.
A story from the same week as A beats an otherwise identical one from five years before by 2 to 1, but no amount of
freshness lets a story sharing only a topic on 40% of stories beat one sharing a topic on fewer than about 5%
(0.9 × 1.4 < 3.0 × 0.5). A draft counts from the present moment.

Candidates for A are, for each of its topics, every story with that topic when it has at most
CANDIDATES_PER_TOPIC stories, otherwise the CANDIDATES_PER_TOPIC / 2 nearest in time on each side: the work per
article stays bounded however common its topics are. Only published, unexpired stories are candidates (scheduled ones
included, so they appear when they go live); the editor's exclusions and the article itself never are.

Storage: each article's list is precomputed into RelatedStory (its pins, then the KEEP best automatic matches), so
an article page reads it with one indexed query joined to `Article.objects.live()`: a story that expires, or is
withdrawn, drops off at once, and KEEP leaves room for the page's inline box and list after such losses.

Freshness: `refresh_related(article)` recomputes one article's list and, since the score is symmetric, offers the
article to each of its candidates' lists (taking the place of their weakest automatic match when it scores higher).
It runs from signals (below) whenever an article is saved with a change to its state, times or section, re-tagged,
or given pins or exclusions, so `publish()`, `withdraw()`, the admin and ingest all keep lists fresh without calling
it; wrap many changes in `deferred_refresh()` to refresh each article once at the end. Topic popularity drifts as
the archive grows: `manage.py recompute_related` (`recompute_all_related`) rebuilds every list from scratch and
belongs in a nightly job; the data generator runs it too.
"""

import heapq
import math
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from operator import itemgetter
from typing import Any

from django.db import connection, connections, router, transaction
from django.db.models import Count, F, Min, Q, QuerySet, Window
from django.db.models.functions import RowNumber
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone

from .compiled_sql import ARTICLE, ARTICLE_MARKER, AT_MARKER, NOW, Compiled, compile_queryset
from .http_cache import content_changed
from .ingest.bulk_insert import insert_rows as insert_values
from .models import (
    Article,
    Byline,
    RelatedExclusion,
    RelatedPin,
    RelatedStory,
    TaggedArticle,
    Topic,
    article_path,
)

SECTION_BOOST = 0.2
CREDIT_BOOST = 0.1
MAX_SHARED_CREDITS = 2
RECENCY_FLOOR = 0.5
HALF_LIFE_DAYS = 30
# Automatic matches stored per article; the article page shows at most RELATED_STORIES + 1 of them.
KEEP = 12
CANDIDATES_PER_TOPIC = 100
RECOMPUTE_ALL_RATIO = 50
# The most section and credits can multiply a topical score by.
MAX_BOOST = 1 + SECTION_BOOST + CREDIT_BOOST * MAX_SHARED_CREDITS

SECONDS_PER_DAY = 86400
AgencyLink = Article.agencies.through


# --- Reading --------------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SectionLabel:
    """The section of a related story, as much of it as a link shows."""

    pk: int
    name: str
    slug: str


@dataclass(frozen=True, slots=True)
class RelatedLink:
    """
    A related story as the article page links to it: what the templates read of an Article (`headline`,
    `section.name`, `get_absolute_url`, `publish_at`), without building a model instance for each.
    """

    pk: int
    headline: str
    slug: str
    publish_at: datetime
    section: SectionLabel

    def get_absolute_url(self) -> str:
        return article_path(self.section.slug, self.slug)


def related_articles(article: Article, *, limit: int, exclude: Collection[int] = ()) -> list[RelatedLink]:
    """
    Up to `limit` live stories related to `article`, pinned ones first, never itself nor those in `exclude`
    (already on the page). One indexed query on the precomputed list, whatever the size of the archive.

    Every article page makes this read, so it skips the ORM's per-call work (building and compiling a queryset,
    making model instances: most of its cost): `related_queryset()`, `live()` included, is compiled once per database
    (compiled_sql.py) and each call fills in the time, the article and the number of rows. `exclude` is left out in
    Python from as many more rows, so that the statement's text never changes.
    """
    if limit <= 0:
        return []
    skip = set(exclude)
    connection = connections[router.db_for_read(Article)]
    statement = _read_statement(connection.alias)
    params = statement.fill(connection, {NOW: timezone.now(), ARTICLE: article.pk})
    with connection.cursor() as cursor:
        cursor.execute(statement.sql, [*params, limit + len(skip)])
        rows = cursor.fetchall()
    convert_time = _time_converter(connection)
    links = []
    for pk, headline, slug, publish_at, section_id, section_name, section_slug in rows:
        if pk in skip:
            continue
        section = SectionLabel(section_id, section_name, section_slug)
        links.append(RelatedLink(pk, headline, slug, convert_time(publish_at), section))
        if len(links) == limit:
            break
    return links


def related_queryset(article_id: int, *, at: datetime | None = None) -> QuerySet[Article]:
    """
    The related read as a queryset (all of `article_id`'s live related stories, in order, as the columns
    `related_articles` reads): the one definition that read is compiled from.
    """
    return (
        Article.objects.live(at)
        .filter(related_to__article_id=article_id)
        .exclude(pk=article_id)
        .order_by(F("related_to__pin_position").asc(nulls_last=True), "-related_to__score", "-pk")
        .values_list("pk", "headline", "slug", "publish_at", "section_id", "section__name", "section__slug")
    )


@cache
def _read_statement(alias: str) -> Compiled:
    compiled = compile_queryset(
        related_queryset(ARTICLE_MARKER, at=AT_MARKER), alias, {NOW: AT_MARKER, ARTICLE: ARTICLE_MARKER}
    )
    # The number of rows is a parameter too, appended to the statement rather than compiled into it.
    return Compiled(f"{compiled.sql} LIMIT %s", compiled.template)


_PUBLISH_AT = Article._meta.get_field("publish_at")


def _time_converter(connection: Any) -> Callable[[Any], Any]:
    """What turns the database's publish time into an aware datetime, as a queryset would (nothing on PostgreSQL)."""
    column = _PUBLISH_AT.get_col(Article._meta.db_table)
    converters = connection.ops.get_db_converters(column) + _PUBLISH_AT.get_db_converters(connection)
    if not converters:
        return _unchanged

    def convert(value: Any) -> Any:
        for converter in converters:
            value = converter(value, column, connection)
        return value

    return convert


def _unchanged(value: Any) -> Any:
    return value


# --- Scoring --------------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Profile:
    """What the score looks at in one article."""

    pk: int
    section_id: int
    day: float  # publish time (the present for an unpublished story), in days since the epoch
    topics: frozenset[int]
    credits: frozenset[tuple[str, int]]  # ("author", id) and ("agency", id)


def idf(tagged: int, total: int) -> float:
    # The smoothed form stays positive, so a small newsroom where most stories share a topic still finds relations.
    return math.log(1 + max(0.0, total - tagged + 0.5) / (tagged + 0.5))


def recency(days_apart: float) -> float:
    return RECENCY_FLOOR + (1 - RECENCY_FLOOR) * 0.5 ** (days_apart / HALF_LIFE_DAYS)


def score(a: Profile, b: Profile, weights: Mapping[int, float]) -> float:
    topical = sum(weights.get(topic, 0.0) for topic in a.topics & b.topics)
    if topical <= 0:
        return 0.0
    shared_credits = min(len(a.credits & b.credits), MAX_SHARED_CREDITS)
    boost = 1 + SECTION_BOOST * (a.section_id == b.section_id) + CREDIT_BOOST * shared_credits
    return topical * boost * recency(abs(a.day - b.day))


def _day(moment: datetime | None, now: datetime) -> float:
    return (moment or now).timestamp() / SECONDS_PER_DAY


def _candidate_articles(*, now: datetime) -> QuerySet[Article]:
    """Stories that may be related: published and not expired (scheduled ones too; the page filters on live)."""
    return Article.objects.filter(Q(expire_at__isnull=True) | Q(expire_at__gt=now), status=Article.Status.PUBLISHED)


def _best(
    a: Profile, candidates: Iterable[Profile], weights: Mapping[int, float], skip: Collection[int]
) -> list[tuple[float, int]]:
    """
    The KEEP best (score, pk) pairs among `candidates`, best first; ties go to the newer (higher) id. `score()`
    written out, because this runs for every candidate of every article in the batch: a candidate whose shared
    topics could not lift it into the current best even with every boost and no decay is skipped after one sum.
    """
    mine = [(topic, weight) for topic in a.topics if (weight := weights.get(topic, 0.0)) > 0]
    best: list[tuple[float, int]] = []
    for b in candidates:
        if b.pk == a.pk or b.pk in skip:
            continue
        topical = 0.0
        for topic, weight in mine:
            if topic in b.topics:
                topical += weight
        if topical <= 0 or (len(best) == KEEP and topical * MAX_BOOST < best[0][0]):
            continue
        shared_credits = min(len(a.credits & b.credits), MAX_SHARED_CREDITS) if a.credits and b.credits else 0
        boost = 1 + SECTION_BOOST * (a.section_id == b.section_id) + CREDIT_BOOST * shared_credits
        value = topical * boost * recency(abs(a.day - b.day))
        if len(best) < KEEP:
            heapq.heappush(best, (value, b.pk))
        elif (value, b.pk) > best[0]:
            heapq.heapreplace(best, (value, b.pk))
    return sorted(best, reverse=True)


def _rows(article_id: int, pins: list[int], best: list[tuple[float, int]]) -> list[RelatedStory]:
    rows = [RelatedStory(article_id=article_id, related_id=pk, score=0, pin_position=n) for n, pk in enumerate(pins)]
    rows += [RelatedStory(article_id=article_id, related_id=pk, score=value) for value, pk in best]
    return rows


# --- Recomputing one article (on publish, re-tag, withdraw, pins) ---------------------------------------------------


def refresh_related(article: Article | int) -> None:
    """
    Recompute `article`'s related list, and offer it to the lists of the stories it is related to (or take it out of
    them when it is no longer a candidate: unpublished, withdrawn, expired). A few dozen indexed queries.
    """
    pk = article if isinstance(article, int) else article.pk
    now = timezone.now()
    with transaction.atomic():
        state = Article.objects.filter(pk=pk).values("section_id", "publish_at", "status", "expire_at").first()
        if state is None:
            return
        topics = set(TaggedArticle.objects.filter(content_object_id=pk).values_list("tag_id", flat=True))
        weights, tagged = _topic_counts(topics)
        me = Profile(pk, state["section_id"], _day(state["publish_at"], now), frozenset(topics), _credits_of([pk])[pk])
        candidate_ids = _candidates_of(me, weights, tagged, now=now) - {pk}
        candidates = _profiles(candidate_ids, topics, now=now)
        pins = list(RelatedPin.objects.filter(article_id=pk).values_list("related_id", flat=True))
        excluded = set(RelatedExclusion.objects.filter(article_id=pk).values_list("excluded_id", flat=True))
        RelatedStory.objects.filter(article_id=pk).delete()
        RelatedStory.objects.bulk_create(
            _rows(pk, pins, _best(me, candidates, weights, skip={*pins, *excluded})), ignore_conflicts=True
        )
        # Where this article stood in other lists, it stands no more; then it is offered afresh if it may be related.
        RelatedStory.objects.filter(related_id=pk, pin_position__isnull=True).delete()
        is_candidate = state["status"] == Article.Status.PUBLISHED and (
            state["expire_at"] is None or state["expire_at"] > now
        )
        if is_candidate and candidates:
            _offer(me, candidates, weights)


def _topic_counts(topics: Collection[int]) -> tuple[dict[int, float], dict[int, int]]:
    """Each topic's weight, and how many articles carry it."""
    if not topics:
        return {}, {}
    total = Article.objects.count()
    tagged = dict(
        TaggedArticle.objects.filter(tag_id__in=topics)
        .values("tag_id")
        .annotate(n=Count("pk"))
        .values_list("tag_id", "n")
    )
    return {topic: idf(tagged.get(topic, 0), total) for topic in topics}, tagged


def _candidates_of(me: Profile, weights: Mapping[int, float], tagged: Mapping[int, int], *, now: datetime) -> set[int]:
    useful = [topic for topic in me.topics if weights.get(topic, 0) > 0]
    if not useful:
        return set()
    pool = _candidate_articles(now=now)
    rare = [topic for topic in useful if tagged.get(topic, 0) <= CANDIDATES_PER_TOPIC]
    found = set(pool.filter(tagged_items__tag_id__in=rare).values_list("pk", flat=True)) if rare else set()
    moment = datetime.fromtimestamp(me.day * SECONDS_PER_DAY, tz=UTC)
    half = CANDIDATES_PER_TOPIC // 2
    for topic in set(useful) - set(rare):
        on_topic = pool.filter(tagged_items__tag_id=topic).values_list("pk", flat=True)
        found.update(on_topic.filter(publish_at__lt=moment).order_by("-publish_at", "-pk")[:half])
        found.update(on_topic.filter(publish_at__gte=moment).order_by("publish_at", "pk")[:half])
    return found


def _profiles(pks: Collection[int], topics: Collection[int], *, now: datetime) -> list[Profile]:
    """Profiles of `pks`, with only those of their topics that are among `topics` (all the score needs)."""
    if not pks:
        return []
    shared: dict[int, set[int]] = defaultdict(set)
    for article_id, topic in TaggedArticle.objects.filter(content_object_id__in=pks, tag_id__in=topics).values_list(
        "content_object_id", "tag_id"
    ):
        shared[article_id].add(topic)
    credits = _credits_of(pks)
    return [
        Profile(pk, section_id, _day(publish_at, now), frozenset(shared[pk]), credits[pk])
        for pk, section_id, publish_at in Article.objects.filter(pk__in=pks).values_list(
            "pk", "section_id", "publish_at"
        )
    ]


def _credits_of(pks: Collection[int]) -> defaultdict[int, frozenset[tuple[str, int]]]:
    credits: defaultdict[int, set[tuple[str, int]]] = defaultdict(set)
    for article_id, author_id in Byline.objects.filter(article_id__in=pks).values_list("article_id", "author_id"):
        credits[article_id].add(("author", author_id))
    for article_id, agency_id in AgencyLink.objects.filter(article_id__in=pks).values_list("article_id", "agency_id"):
        credits[article_id].add(("agency", agency_id))
    return defaultdict(frozenset, {pk: frozenset(found) for pk, found in credits.items()})


def _offer(me: Profile, candidates: list[Profile], weights: Mapping[int, float]) -> None:
    """Put `me` into each candidate's list where it beats that list's weakest automatic match, or the list has room."""
    scores = {b.pk: value for b in candidates if (value := score(b, me, weights)) > 0}
    lists = {
        article_id: (size, weakest)
        for article_id, size, weakest in RelatedStory.objects.filter(article_id__in=scores, pin_position__isnull=True)
        .values_list("article_id")
        .annotate(size=Count("pk"), weakest=Min("score"))
    }
    vetoed = set(
        RelatedExclusion.objects.filter(article_id__in=scores, excluded_id=me.pk).values_list("article_id", flat=True)
    )
    taken = []
    for article_id, value in scores.items():
        size, weakest = lists.get(article_id, (0, 0.0))
        if article_id not in vetoed and (size < KEEP or value > weakest):
            taken.append(RelatedStory(article_id=article_id, related_id=me.pk, score=value))
    # A pin of `me` already in a list wins over the automatic row (same pair): ignore_conflicts keeps the pin.
    RelatedStory.objects.bulk_create(taken, ignore_conflicts=True)
    overflow = (
        RelatedStory.objects.filter(article_id__in=[row.article_id for row in taken], pin_position__isnull=True)
        .annotate(
            rank=Window(
                RowNumber(), partition_by=[F("article_id")], order_by=[F("score").desc(), F("related_id").desc()]
            )
        )
        .filter(rank__gt=KEEP)
        .values_list("pk", flat=True)
    )
    if taken and (surplus := list(overflow)):
        RelatedStory.objects.filter(pk__in=surplus).delete()


# --- Recomputing everything (nightly, after bulk loads) -------------------------------------------------------------


def recompute_all_related() -> int:
    """Rebuild every article's related list from scratch, in memory and in one pass; returns the rows written."""
    now = timezone.now()
    articles = list(Article.objects.values_list("pk", "section_id", "publish_at"))
    topics: defaultdict[int, set[int]] = defaultdict(set)
    tagged: defaultdict[int, int] = defaultdict(int)
    for article_id, topic in TaggedArticle.objects.values_list("content_object_id", "tag_id").iterator(
        chunk_size=20000
    ):
        topics[article_id].add(topic)
        tagged[topic] += 1
    weights = {topic: idf(n, len(articles)) for topic, n in tagged.items()}
    credits = _credits_of_all()
    profiles = {
        pk: Profile(pk, section_id, _day(publish_at, now), frozenset(topics[pk]), credits[pk])
        for pk, section_id, publish_at in articles
    }
    eligible = set(_candidate_articles(now=now).values_list("pk", flat=True))
    postings = _postings(profiles, eligible)
    pins: defaultdict[int, list[int]] = defaultdict(list)
    for article_id, related_id in RelatedPin.objects.order_by("position", "pk").values_list(
        "article_id", "related_id"
    ):
        pins[article_id].append(related_id)
    excluded: defaultdict[int, set[int]] = defaultdict(set)
    for article_id, excluded_id in RelatedExclusion.objects.values_list("article_id", "excluded_id"):
        excluded[article_id].add(excluded_id)

    carriers = {topic: frozenset(posting.pks) for topic, posting in postings.items()}
    traits = {pk: (profile.section_id, profile.day, profile.credits) for pk, profile in profiles.items()}

    def rows() -> Iterator[tuple[int, int, float, int | None]]:
        for me in profiles.values():
            skip = {*pins[me.pk], *excluded[me.pk]}
            best = _best_in_windows(me, traits, postings, carriers, weights, skip=skip)
            yield from ((me.pk, pk, 0.0, position) for position, pk in enumerate(pins[me.pk]))
            yield from ((me.pk, pk, value, None) for value, pk in best)

    with transaction.atomic():
        # A plain DELETE: the ORM's would load every row to send its post_delete (hundreds of thousands of page-cache
        # invalidations); the lists change once, and the cache is told so once, below.
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {connection.ops.quote_name(RelatedStory._meta.db_table)}")  # noqa: S608
        written = insert_values(RelatedStory, ["article_id", "related_id", "score", "pin_position"], rows())
        content_changed()
    return written


def _best_in_windows(
    me: Profile,
    traits: Mapping[int, tuple[int, float, frozenset[tuple[str, int]]]],
    postings: Mapping[int, "_Postings"],
    carriers: Mapping[int, frozenset[int]],
    weights: Mapping[int, float],
    *,
    skip: Collection[int],
) -> list[tuple[float, int]]:
    """
    `_best(me, _windowed_candidates(me, ...))`, to the last bit, at a fraction of the cost: it runs for every
    candidate of every article in the rebuild (millions). Each candidate's topical sum is built topic by topic from
    set intersections, adding the weights in the order `_best` does; candidates are then visited heaviest first, so
    that once even the best boost could not lift one into the list, the rest are skipped at once. `traits` holds each
    candidate's section, day and credits, as `score()` reads them from its Profile.
    """
    found = _windowed_candidates(me, postings, weights)
    found.discard(me.pk)
    found.difference_update(skip)
    if not found:
        return []
    mine = [(topic, weight) for topic in me.topics if (weight := weights.get(topic, 0.0)) > 0]
    if len(mine) == 1:
        heaviest_first = [(pk, mine[0][1]) for pk in found]
    else:
        topical = dict.fromkeys(found, 0.0)
        for topic, weight in mine:
            for pk in found.intersection(carriers.get(topic, ())):
                topical[pk] += weight
        heaviest_first = sorted(topical.items(), key=itemgetter(1), reverse=True)
    section_id, day, credits = me.section_id, me.day, me.credits
    best: list[tuple[float, int]] = []
    weakest = -1.0  # the lowest score in `best` once it holds KEEP
    for pk, topical_score in heaviest_first:
        if topical_score * MAX_BOOST < weakest:
            break  # and so would every lighter candidate after this one
        b_section, b_day, b_credits = traits[pk]
        shared_credits = min(len(credits & b_credits), MAX_SHARED_CREDITS) if credits and b_credits else 0
        boost = 1 + SECTION_BOOST * (section_id == b_section) + CREDIT_BOOST * shared_credits
        value = topical_score * boost * recency(abs(day - b_day))
        if value < weakest:
            continue
        if len(best) < KEEP:
            heapq.heappush(best, (value, pk))
            if len(best) == KEEP:
                weakest = best[0][0]
        elif (value, pk) > best[0]:
            heapq.heapreplace(best, (value, pk))
            weakest = best[0][0]
    return sorted(best, reverse=True)


@dataclass(frozen=True, slots=True)
class _Postings:
    days: list[float]
    pks: list[int]


def _postings(profiles: Mapping[int, Profile], eligible: Collection[int]) -> dict[int, _Postings]:
    """For each topic, the candidate stories carrying it in order of publication."""
    by_topic: defaultdict[int, list[tuple[float, int]]] = defaultdict(list)
    for pk in eligible:
        profile = profiles[pk]
        for topic in profile.topics:
            by_topic[topic].append((profile.day, pk))
    postings = {}
    for topic, entries in by_topic.items():
        entries.sort()
        postings[topic] = _Postings([day for day, _ in entries], [pk for _, pk in entries])
    return postings


def _windowed_candidates(me: Profile, postings: Mapping[int, _Postings], weights: Mapping[int, float]) -> set[int]:
    """The same candidates `_candidates_of` finds with queries, from the in-memory postings."""
    found: set[int] = set()
    half = CANDIDATES_PER_TOPIC // 2
    for topic in me.topics:
        posting = postings.get(topic)
        if posting is None or weights.get(topic, 0) <= 0:
            continue
        if len(posting.pks) <= CANDIDATES_PER_TOPIC:
            found.update(posting.pks)
        else:
            middle = bisect_left(posting.days, me.day)
            found.update(posting.pks[max(0, middle - half) : middle + half])
    return found


def _credits_of_all() -> defaultdict[int, frozenset[tuple[str, int]]]:
    credits: defaultdict[int, set[tuple[str, int]]] = defaultdict(set)
    for article_id, author_id in Byline.objects.values_list("article_id", "author_id").iterator(chunk_size=20000):
        credits[article_id].add(("author", author_id))
    for article_id, agency_id in AgencyLink.objects.values_list("article_id", "agency_id").iterator(chunk_size=20000):
        credits[article_id].add(("agency", agency_id))
    return defaultdict(frozenset, {pk: frozenset(found) for pk, found in credits.items()})


# --- Explaining (the admin's preview) -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Explanation:
    """Why a story is in an article's related list, as the admin shows it."""

    story: Article
    pinned: bool
    live: bool
    score: float
    shared_topics: list[tuple[Topic, float]]  # with each topic's weight, heaviest first
    same_section: bool
    shared_credits: int
    days_apart: float


def explain_related(article: Article) -> list[Explanation]:
    """The stored list, pins first, each story with what makes it related (recomputed from today's data)."""
    now = timezone.now()
    rows = list(
        RelatedStory.objects.filter(article=article)
        .select_related("related__section")
        .order_by(F("pin_position").asc(nulls_last=True), "-score", "-related_id")
    )
    if not rows:
        return []
    pks = [row.related_id for row in rows]
    live = set(Article.objects.live().filter(pk__in=pks).values_list("pk", flat=True))
    topic_names = {}
    topics_of: defaultdict[int, set[int]] = defaultdict(set)
    for tagged in TaggedArticle.objects.filter(content_object_id__in=[article.pk, *pks]).select_related("tag"):
        topics_of[tagged.content_object_id].add(tagged.tag_id)
        topic_names[tagged.tag_id] = tagged.tag
    weights, _ = _topic_counts(topics_of[article.pk])
    credits = _credits_of([article.pk, *pks])
    me_day = _day(article.publish_at, now)
    explanations = []
    for row in rows:
        story = row.related
        shared = sorted(topics_of[story.pk] & topics_of[article.pk], key=lambda topic: -weights.get(topic, 0))
        explanations.append(
            Explanation(
                story=story,
                pinned=row.pin_position is not None,
                live=story.pk in live,
                score=row.score,
                shared_topics=[(topic_names[topic], weights.get(topic, 0.0)) for topic in shared],
                same_section=story.section_id == article.section_id,
                shared_credits=len(credits[article.pk] & credits[story.pk]),
                days_apart=abs(me_day - _day(story.publish_at, now)),
            )
        )
    return explanations


# --- Keeping lists fresh --------------------------------------------------------------------------------------------

_deferred: ContextVar[set[int] | None] = ContextVar("deferred_related_refresh", default=None)
# Saving any of these may change what an article is related to; other edits (a typo in the headline) don't.
_RELEVANT_FIELDS = frozenset({"status", "publish_at", "expire_at", "section", "section_id"})


@contextmanager
def deferred_refresh(*, recompute_all: bool = False) -> Iterator[None]:
    """
    Within the block, changes only note which articles need a refresh; each is refreshed once when it ends (or, with
    `recompute_all`, every list is rebuilt in one pass: cheaper when most articles changed, as in a bulk load).
    """
    if _deferred.get() is not None:  # an outer block refreshes
        yield
        return
    token = _deferred.set(set())
    try:
        yield
        pending = _deferred.get()
    finally:
        _deferred.reset(token)
    # A refresh costs about as much as rebuilding RECOMPUTE_ALL_RATIO articles' lists in one pass (measured: ~78 ms
    # against ~1.4 ms each), so past that share of the archive, one pass is cheaper (a wire archive loaded at once).
    if recompute_all or (pending and len(pending) * RECOMPUTE_ALL_RATIO > Article.objects.count()):
        recompute_all_related()
        return
    for pk in sorted(pending):
        refresh_related(pk)


def schedule_refresh(article_id: int) -> None:
    """Refresh now, or at the end of the enclosing `deferred_refresh()` block."""
    pending = _deferred.get()
    if pending is None:
        refresh_related(article_id)
    else:
        pending.add(article_id)


def _part_of_a_larger_deletion(origin: Any) -> bool:
    """
    Deleting an article (or a topic) deletes its tags, pins and exclusions too: refreshing the article then would
    write rows for an article on its way out (or refresh every story a popular topic was on, one by one).
    """
    model = origin.model if isinstance(origin, QuerySet) else type(origin)
    return issubclass(model, Article | Topic)


@receiver(post_save, sender=Article, dispatch_uid="related_article_saved")
def _article_saved(sender: type[Article], instance: Article, raw: bool, update_fields: Any, **kwargs: Any) -> None:
    if raw or (update_fields is not None and not _RELEVANT_FIELDS & set(update_fields)):
        return
    schedule_refresh(instance.pk)


@receiver(post_save, sender=TaggedArticle, dispatch_uid="related_topic_added")
@receiver(post_delete, sender=TaggedArticle, dispatch_uid="related_topic_removed")
def _topics_changed(sender: type[TaggedArticle], instance: TaggedArticle, **kwargs: Any) -> None:
    if kwargs.get("raw") or _part_of_a_larger_deletion(kwargs.get("origin", instance)):
        return
    schedule_refresh(instance.content_object_id)


@receiver(post_save, sender=RelatedPin, dispatch_uid="related_pin_saved")
@receiver(post_delete, sender=RelatedPin, dispatch_uid="related_pin_deleted")
@receiver(post_save, sender=RelatedExclusion, dispatch_uid="related_exclusion_saved")
@receiver(post_delete, sender=RelatedExclusion, dispatch_uid="related_exclusion_deleted")
def _editor_choice_changed(sender: type, instance: RelatedPin | RelatedExclusion, **kwargs: Any) -> None:
    if kwargs.get("raw") or _part_of_a_larger_deletion(kwargs.get("origin", instance)):
        return
    schedule_refresh(instance.article_id)
