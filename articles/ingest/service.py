"""
Wire ingest: documents in, attributed articles out, and a report of what happened to every item.

Reading (parse, map, sanitize) runs in this process or, with `jobs` > 1, in that many worker processes. Writing runs
here. New items are inserted a batch at a time (a few queries for the whole batch, whatever its size); if anything
in a batch fails, the batch is rolled back and its items are written one transaction each, so a bad item never takes
good ones with it and nothing is left half-written. Items already in the database always go one at a time:

- the same content again: unchanged;
- an older version than the one ingested: skipped;
- a newer version, and nobody has edited the article since ingest (its fingerprint matches): the article is updated;
- a newer version of an article someone has edited: kept as a `WireUpdate` for an editor, the edit untouched;
- an agency kill (pubstatus canceled/withdrawn): the article is withdrawn, edited or not.

Concurrent ingests of the same item make one article: the database refuses a second row with the same `wire_uri`,
and the loser of that race treats the winner's article as already there.
"""

import functools
import gc
import hashlib
import multiprocessing
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from enum import StrEnum

from django.conf import settings
from django.db import DatabaseError, IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify

from articles.models import Agency, Article, Author, Byline, TaggedArticle, Topic
from sections.models import Section

from ..http_cache import content_changed
from ..related import deferred_refresh, schedule_refresh
from ..search import update_search_documents
from . import sources as wire_sources
from .bulk_insert import insert_articles, insert_rows, new_instance
from .fingerprint import article_fingerprint, copy_fingerprint
from .item import Failure, ItemError, MappedItem
from .mapping import JOB_TITLE_WORDS
from .models import AgencyFeed, SubjectRule, WireUpdate, apply_wire_fields
from .reading import Document, ReadOptions, prepare_worker, read_documents

BATCH_SIZE = 250
DOCUMENTS_PER_TASK = 32
# Byline words that credit the wires in general: "By Agencies".
GENERIC_AGENCY_NAMES = frozenset({"agencies", "agency", "wires", "wire services", "news agencies", "agency reports"})
GENERIC_AGENCY = "Agencies"


class Outcome(StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    PENDING = "held for an editor"


@dataclass
class Problem:
    source: str
    reason: str
    uri: str = ""

    def __str__(self) -> str:
        where = f"{self.source} ({self.uri})" if self.uri and self.uri not in self.source else self.source
        return f"{where}: {self.reason}"


@dataclass
class IngestReport:
    counts: dict[Outcome, int] = field(default_factory=lambda: dict.fromkeys(Outcome, 0))
    skipped: list[Problem] = field(default_factory=list)
    failed: list[Problem] = field(default_factory=list)
    dry_run: bool = False

    def count(self, outcome: Outcome) -> None:
        self.counts[outcome] += 1

    def skip(self, source: str, reason: str, uri: str = "") -> None:
        self.skipped.append(Problem(source, reason, uri))

    def fail(self, source: str, reason: str, uri: str = "") -> None:
        self.failed.append(Problem(source, reason, uri))

    def add(self, other: "IngestReport") -> None:
        for outcome, number in other.counts.items():
            self.counts[outcome] += number
        self.skipped.extend(other.skipped)
        self.failed.extend(other.failed)

    @property
    def ok(self) -> bool:
        return not self.failed

    def summary(self) -> str:
        counts = self.counts
        text = (
            f"{counts[Outcome.CREATED]} created, {counts[Outcome.UPDATED]} updated, "
            f"{counts[Outcome.UNCHANGED]} unchanged, {counts[Outcome.PENDING]} held for an editor, "
            f"{len(self.skipped)} skipped, {len(self.failed)} failed"
        )
        return f"{text} (dry run: nothing was saved)" if self.dry_run else text

    def details(self) -> list[str]:
        return [f"failed: {problem}" for problem in self.failed] + [f"skipped: {problem}" for problem in self.skipped]


def ingest(
    *,
    sources: Sequence[str],
    agency: Agency | None = None,
    section: Section | None = None,
    default_section: Section | None = None,
    format: str = "auto",
    publish: bool = False,
    dry_run: bool = False,
    jobs: int = 1,
    timeout: float = 10.0,
) -> IngestReport:
    """
    Import every item in `sources` (files, directories, feed URLs). `agency` and `section` override what the items
    say; `default_section` is used when no subject rule of the agency places an item. Drafts unless `publish`.
    """
    report = IngestReport(dry_run=dry_run)
    documents = []
    for source in sources:
        for document in wire_sources.documents(source, format=format, timeout=timeout):
            if isinstance(document, Failure):
                report.fail(document.source, document.reason)
            else:
                documents.append(document)
    options = ReadOptions(max_item_bytes=settings.NEWSROOM["WIRE_MAX_ITEM_BYTES"])
    # An article written on its own (an update, or a retry after a failed batch) sends the signals of saving and
    # re-tagging; its related stories are refreshed once, at the end, not once per topic row replaced.
    with _collector_spared(), _rolled_back(dry_run), deferred_refresh():
        writer = _Writer(
            agency=agency, section=section, default_section=default_section, publish=publish, report=report
        )
        batch: list[MappedItem] = []
        for results in _read(documents, options, jobs=jobs):
            for result in results:
                if isinstance(result, Failure):
                    (report.skip if result.skipped else report.fail)(result.source, result.reason, result.uri)
                    continue
                batch.append(result)
                if len(batch) >= BATCH_SIZE:
                    writer.write(batch)
                    batch = []
        if batch:
            writer.write(batch)
    return report


def poll_feeds(
    *,
    feeds: Iterable[AgencyFeed] | None = None,
    publish: bool = False,
    dry_run: bool = False,
    jobs: int = 1,
    timeout: float = 10.0,
) -> IngestReport:
    """Ingest every active feed (or `feeds`) for its agency, recording each feed's time and result on it."""
    if feeds is None:
        feeds = AgencyFeed.objects.filter(active=True).select_related("agency", "default_section")
    total = IngestReport(dry_run=dry_run)
    for feed in feeds:
        report = ingest(
            sources=[feed.url],
            agency=feed.agency,
            default_section=feed.default_section,
            format=feed.format,
            publish=publish,
            dry_run=dry_run,
            jobs=jobs,
            timeout=timeout,
        )
        total.add(report)
        if not dry_run:
            feed.last_ingest_at = timezone.now()
            feed.last_result = "\n".join([report.summary(), *report.details()])
            feed.save(update_fields=["last_ingest_at", "last_result"])
    return total


@contextmanager
def _collector_spared() -> Iterator[None]:
    """
    Leave what is alive when the run starts (Django, the documents to read) out of garbage collection until it ends.
    Reading copy makes millions of short-lived objects (bleach's tokens), and every collection they trigger would
    walk the long-lived ones again: 0.2 ms of CPU per benchmark item, a tenth of the run.
    """
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


@contextmanager
def _rolled_back(active: bool) -> Iterator[None]:
    """With `--dry-run`, everything happens as for real inside one transaction that is then rolled back."""
    if not active:
        yield
        return
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def _read(documents: list[Document], options: ReadOptions, *, jobs: int) -> Iterator[list[MappedItem | Failure]]:
    """Read documents in order, in this process or in `jobs` worker processes (a few tasks ahead of the writer)."""
    tasks = [documents[start : start + DOCUMENTS_PER_TASK] for start in range(0, len(documents), DOCUMENTS_PER_TASK)]
    if jobs <= 1 or len(tasks) <= 1:
        for task in tasks:
            yield read_documents(task, options)
        return
    # "spawn": workers start clean (no copy of this process's database connections or threads) on every platform.
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context, initializer=prepare_worker) as pool:
        window: deque[tuple[list[Document], Future]] = deque()
        for task in tasks:
            window.append((task, pool.submit(read_documents, task, options)))
            # Enough tasks ahead that the workers keep busy while this process writes a batch.
            if len(window) >= jobs * 8:
                yield _task_results(*window.popleft())
        while window:
            yield _task_results(*window.popleft())


def _task_results(task: list[Document], future: Future) -> list[MappedItem | Failure]:
    try:
        return future.result()
    except Exception as exc:  # a crashed worker fails its documents, not the run
        return [Failure(document.source, f"the reading process failed: {exc!r}") for document in task]


@dataclass
class _Resolved:
    """A mapped item with its database objects found (or created) and its fingerprint computed."""

    item: MappedItem
    wire_agency: Agency
    agencies: list[Agency]
    author_names: list[str]
    section: Section
    topics: list[Topic] = field(default_factory=list)
    authors: list[Author] = field(default_factory=list)
    fingerprint: str = ""

    @property
    def uri(self) -> str:
        return self.item.uri


@functools.lru_cache(maxsize=65536)
def _topic_slug(name: str) -> str:
    # Topics and authors recur across thousands of items: slugify (several regexes) once per name.
    return slugify(name, allow_unicode=True)[:100]


@functools.lru_cache(maxsize=65536)
def _author_slug(name: str) -> str:
    return slugify(name)[:120]


def _agency_key(name: str) -> str:
    key = " ".join(name.split()).casefold()
    return key.removeprefix("the ")


class _Writer:
    """Writes mapped items, caching agencies, rules, sections, topics and authors for the whole run."""

    def __init__(
        self,
        *,
        agency: Agency | None,
        section: Section | None,
        default_section: Section | None,
        publish: bool,
        report: IngestReport,
    ) -> None:
        self.forced_agency = agency
        self.forced_section = section
        self.default_section = default_section
        self.publish = publish
        self.report = report
        self.agencies: dict[str, Agency] = {}
        for known in Agency.objects.all():
            self._remember(known)
        self.rules: dict[int, list[tuple[str, Section]]] = {}
        self.settings_section: Section | None = None
        self.topics: dict[str, Topic] = {}
        self.authors: dict[str, Author] = {}

    # --- resolving names to rows ------------------------------------------------------------------------------------

    def _remember(self, agency: Agency) -> None:
        for name in (agency.slug, agency.name, agency.short_name):
            if name:
                self.agencies.setdefault(_agency_key(name), agency)

    def _agency_named(self, name: str) -> Agency | None:
        key = _agency_key(name)
        if key in GENERIC_AGENCY_NAMES:
            name, key = GENERIC_AGENCY, _agency_key(GENERIC_AGENCY)
        if key in self.agencies:
            return self.agencies[key]
        slug = slugify(name)[:120]
        if not slug:
            return None
        agency, _ = Agency.objects.get_or_create(
            slug=slug, defaults={"name": name[:120], "short_name": name if len(name) <= 40 else ""}
        )
        self._remember(agency)
        self.agencies[key] = agency
        return agency

    def _credited_agency(self, part: str, item: MappedItem) -> Agency | None:
        """The agency a byline name stands for ("dpa", "AP Business Writer", "Agencies"), if it is one."""
        words = part.split()
        staff = words[-1].casefold() == "staff"
        # "AP Business Writer", "Reuters correspondent": a job title after an agency's name.
        while len(words) > 1 and words[-1].casefold() in JOB_TITLE_WORDS:
            words.pop()
        name = " ".join(words)
        key = _agency_key(name)
        if key in self.agencies:
            return self.agencies[key]
        if key in GENERIC_AGENCY_NAMES or key in {_agency_key(provider) for provider in item.providers}:
            return self._agency_named(name)
        # A single word in capitals ("AFP", "ANSA", "EFE") is an agency's code: no byline prints a person that way.
        # "Reuters staff" is the agency too.
        if staff or (" " not in name and name.isupper() and 2 <= len(name) <= 6):
            return self._agency_named(name)
        return None

    def _rules_for(self, agency: Agency) -> list[tuple[str, Section]]:
        if agency.pk not in self.rules:
            self.rules[agency.pk] = [
                (rule.subject.strip().casefold(), rule.section)
                for rule in SubjectRule.objects.filter(agency=agency).select_related("section")
            ]
        return self.rules[agency.pk]

    def _section_for(self, item: MappedItem, agency: Agency) -> Section:
        if self.forced_section is not None:
            return self.forced_section
        keys = {value.casefold() for subject in item.subjects for value in (subject.code, subject.name) if value}
        keys.update(topic.casefold() for topic in item.topics)
        for subject, section in self._rules_for(agency):
            if subject in keys:
                return section
        if self.default_section is not None:
            return self.default_section
        slug = settings.NEWSROOM["WIRE_SECTION"]
        if self.settings_section is None:
            self.settings_section = Section.objects.filter(slug=slug).first()
        if self.settings_section is None:
            raise ItemError(
                f"no section: no subject rule of {agency.byline_name} matches and the default wire section "
                f"“{slug}” (NEWSROOM_WIRE_SECTION) does not exist; give --section"
            )
        return self.settings_section

    def _resolve(self, item: MappedItem) -> _Resolved:
        wire_agency = self.forced_agency
        for provider in item.providers:
            if wire_agency is not None:
                break
            wire_agency = self._agency_named(provider)
        if wire_agency is None:
            raise ItemError("no agency: the item names no provider or copyright holder; give --agency")
        agencies: list[Agency] = []
        author_names: list[str] = []
        for part in item.byline_parts:
            credited = self._credited_agency(part, item)
            if credited is not None:
                if credited not in agencies:
                    agencies.append(credited)
            else:
                author_names.append(part.title() if part.isupper() and len(part) > 3 else part)
        return _Resolved(
            item=item,
            wire_agency=wire_agency,
            # A byline of staff names only is the agency's staff: "By Jane Doe and AP".
            agencies=agencies or [wire_agency],
            author_names=author_names,
            section=self._section_for(item, wire_agency),
        )

    def _load_topics(self, batch: list[_Resolved]) -> None:
        wanted: dict[str, str] = {}
        for resolved in batch:
            for name in resolved.item.topics:
                slug = _topic_slug(name)
                if slug and slug not in self.topics:
                    wanted.setdefault(slug, name)
        if wanted:
            for topic in Topic.objects.filter(slug__in=list(wanted)):
                self.topics[topic.slug] = topic
            missing = {slug: name for slug, name in wanted.items() if slug not in self.topics}
            if missing:
                # A topic an editor created with another slug keeps its own.
                for topic in Topic.objects.filter(name__in=list(missing.values())):
                    self.topics[_topic_slug(topic.name)] = topic
                missing = {slug: name for slug, name in missing.items() if slug not in self.topics}
            if missing:
                Topic.objects.bulk_create(
                    [Topic(name=name, slug=slug) for slug, name in missing.items()], ignore_conflicts=True
                )
                for topic in Topic.objects.filter(slug__in=list(missing)):
                    self.topics[topic.slug] = topic
        for resolved in batch:
            topics: list[Topic] = []
            for name in resolved.item.topics:
                topic = self.topics.get(_topic_slug(name))
                if topic is not None and topic not in topics:
                    topics.append(topic)
            resolved.topics = topics

    def _load_authors(self, batch: list[_Resolved]) -> None:
        wanted = {
            slug: name
            for resolved in batch
            for name in resolved.author_names
            if (slug := _author_slug(name)) and slug not in self.authors
        }
        if wanted:
            for author in Author.objects.filter(slug__in=list(wanted)):
                self.authors[author.slug] = author
            missing = {slug: name for slug, name in wanted.items() if slug not in self.authors}
            if missing:
                Author.objects.bulk_create(
                    [Author(name=name[:120], slug=slug) for slug, name in missing.items()], ignore_conflicts=True
                )
                for author in Author.objects.filter(slug__in=list(missing)):
                    self.authors[author.slug] = author
        for resolved in batch:
            authors: list[Author] = []
            for name in resolved.author_names:
                author = self.authors.get(_author_slug(name))
                if author is not None and author not in authors:
                    authors.append(author)
            resolved.authors = authors

    # --- writing --------------------------------------------------------------------------------------------------

    def write(self, items: list[MappedItem]) -> None:
        batch: list[_Resolved] = []
        for item in items:
            try:
                batch.append(self._resolve(item))
            except ItemError as exc:
                self.report.fail(item.source, str(exc), item.uri)
        self._load_topics(batch)
        self._load_authors(batch)
        for resolved in batch:
            resolved.fingerprint = copy_fingerprint(
                resolved.item, topics=resolved.topics, authors=resolved.authors, agencies=resolved.agencies
            )
        known = set(
            Article.objects.filter(wire_uri__in=[resolved.uri for resolved in batch]).values_list(
                "wire_uri", flat=True
            )
        )
        new: list[_Resolved] = []
        one_by_one: list[_Resolved] = []
        for resolved in batch:
            if resolved.uri in known:
                one_by_one.append(resolved)
            else:
                # A second version of an item new in this batch is written after the first one exists.
                known.add(resolved.uri)
                new.append(resolved)
        self._create_many(new)
        for resolved in one_by_one:
            self._write_one(resolved)

    def _new_article(self, resolved: _Resolved) -> Article:
        item = resolved.item
        article = new_instance(
            Article,
            headline=item.headline,
            standfirst=item.standfirst,
            body=item.body,
            # Ids rather than instances: cheaper per row, which counts at thousands of rows a batch.
            section_id=resolved.section.pk,
            dateline=item.dateline,
            embargo_until=item.embargo_until,
            wire_uri=item.uri,
            wire_agency_id=resolved.wire_agency.pk,
            wire_version=item.version,
            wire_first_created_at=item.first_created,
            wire_version_created_at=item.version_created,
            wire_fingerprint=resolved.fingerprint,
        )
        if item.withdrawn:
            article.status = Article.Status.WITHDRAWN
        elif self.publish:
            # Dated as the agency dated it, but never before its embargo (which publish() refuses).
            published_at = item.first_created or item.version_created
            if published_at and item.embargo_until:
                published_at = max(published_at, item.embargo_until)
            article.publish(at=published_at, commit=False)
        return article

    def _add_relations(self, pairs: list[tuple[Article, _Resolved]]) -> None:
        """Bylines, agencies and topics of new articles: one insert each for the whole batch."""
        insert_rows(
            Byline,
            ["article_id", "author_id", "position"],
            (
                (article.pk, author.pk, position)
                for article, resolved in pairs
                for position, author in enumerate(resolved.authors)
            ),
        )
        insert_rows(
            Article.agencies.through,
            ["article_id", "agency_id"],
            ((article.pk, agency.pk) for article, resolved in pairs for agency in resolved.agencies),
        )
        insert_rows(
            TaggedArticle,
            ["content_object_id", "tag_id"],
            ((article.pk, topic.pk) for article, resolved in pairs for topic in resolved.topics),
        )

    def _create_many(self, batch: list[_Resolved]) -> None:
        if not batch:
            return
        articles = [self._new_article(resolved) for resolved in batch]
        try:
            with transaction.atomic():
                self._assign_slugs(articles)
                # The bodies were sanitized by the reader, through the same allowlist Article.save() applies.
                insert_articles(articles)
                self._add_relations(list(zip(articles, batch, strict=True)))
                # Bulk inserts send no model signals: what saving would keep in step for published stories is
                # written here, search documents now and related lists at the end of the run. Drafts have neither
                # until an editor publishes them.
                published = [article.pk for article in articles if article.status == Article.Status.PUBLISHED]
                if published:
                    update_search_documents(article_ids=published)
                    for pk in published:
                        schedule_refresh(pk)
                    # Bulk inserts send no model signals: retire cached pages and validators ourselves.
                    content_changed()
        except DatabaseError:
            # Another ingest got there first, a slug clashed or one row is bad: each item on its own decides.
            for resolved in batch:
                self._write_one(resolved)
            return
        self.report.counts[Outcome.CREATED] += len(batch)

    def _assign_slugs(self, articles: list[Article]) -> None:
        bases = [slugify(article.headline, allow_unicode=True)[:255] or "story" for article in articles]
        taken = set(
            Article.objects.filter(
                section__in={article.section_id for article in articles}, slug__in=set(bases)
            ).values_list("section_id", "slug")
        )
        for article, slug in zip(articles, bases, strict=True):
            if (article.section_id, slug) in taken:
                slug = f"{slug[:246]}-{hashlib.sha1(article.wire_uri.encode()).hexdigest()[:8]}"
            taken.add((article.section_id, slug))
            article.slug = slug

    def _free_slug(self, article: Article) -> str:
        base = slugify(article.headline, allow_unicode=True)[:255] or "story"
        slug, number = base, 1
        while Article.objects.filter(section_id=article.section_id, slug=slug).exists():
            number += 1
            slug = f"{base[:250]}-{number}"
        return slug

    def _write_one(self, resolved: _Resolved) -> None:
        item = resolved.item
        for attempt in (1, 2):
            try:
                with transaction.atomic():
                    outcome = self._write_one_atomic(resolved)
            except IntegrityError as exc:
                # Lost a race with another ingest creating the same item: once more, now that its article exists.
                if attempt == 2:
                    self.report.fail(item.source, f"could not be saved: {exc}", item.uri)
                continue
            except DatabaseError as exc:
                self.report.fail(item.source, f"could not be saved: {exc}", item.uri)
            except ItemError as exc:
                self.report.skip(item.source, str(exc), item.uri)
            else:
                self.report.count(outcome)
            return

    def _write_one_atomic(self, resolved: _Resolved) -> Outcome:
        item = resolved.item
        article = Article.objects.select_for_update().filter(wire_uri=item.uri).first()
        if article is None:
            article = self._new_article(resolved)
            article.slug = self._free_slug(article)
            article.save()
            self._add_relations([(article, resolved)])
            return Outcome.CREATED
        if _version_order(item, article) < 0:
            raise ItemError(
                f"version {item.version or item.version_created} is older than the one already ingested "
                f"({article.wire_version or article.wire_version_created_at})"
            )
        withdraw = item.withdrawn and article.status != Article.Status.WITHDRAWN
        if withdraw:
            # An agency kill applies even to an edited article: the story must come down.
            article.withdraw()
        if resolved.fingerprint == article.wire_fingerprint or (
            WireUpdate.objects.filter(article=article, fingerprint=resolved.fingerprint).exists()
        ):
            return Outcome.UPDATED if withdraw else Outcome.UNCHANGED
        if article_fingerprint(article) != article.wire_fingerprint:
            WireUpdate.objects.create(
                article=article,
                version=item.version,
                version_created_at=item.version_created,
                headline=item.headline,
                standfirst=item.standfirst,
                body=item.body,
                dateline=item.dateline,
                embargo_until=item.embargo_until,
                topics=[topic.slug for topic in resolved.topics],
                authors=[author.slug for author in resolved.authors],
                agencies=[agency.slug for agency in resolved.agencies],
                fingerprint=resolved.fingerprint,
            )
            return Outcome.PENDING
        apply_wire_fields(
            article,
            item,
            version_created_at=item.version_created,
            topics=resolved.topics,
            authors=resolved.authors,
            agencies=resolved.agencies,
        )
        return Outcome.UPDATED


def _version_order(item: MappedItem, article: Article) -> int:
    """-1 if `item` is older than the article's copy, 1 if newer, 0 if the same or not known."""
    new, old = item.version, article.wire_version
    if new.isdigit() and old.isdigit() and int(new) != int(old):
        return 1 if int(new) > int(old) else -1
    new_time, old_time = item.version_created, article.wire_version_created_at
    if new_time and old_time and new_time != old_time:
        return 1 if new_time > old_time else -1
    return 0
