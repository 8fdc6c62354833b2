"""
`manage.py generate_articles --articles N`: fill the database quickly with realistic generated content, for
benchmarks and for trying the site at scale.

What it makes: about 30 sections of very different sizes (World takes about a fifth of the stories, Obituaries a
fraction of a percent), 5,000 topics whose popularity falls off as in Zipf's law (the commonest on about 40% of
stories, most on a few dozen, and the rarer ones clustered in time like the coverage of one event), 2-6 topics per
story, a few hundred authors and the wire agencies, ~5 kB bodies, publish times spread over the last YEARS years,
and a few percent of drafts, stories in review, scheduled, expired and withdrawn ones.

How: the generated HTML is trusted (built here from escaped text), so rows skip `save()` and the sanitizer and go in
with COPY on PostgreSQL (bulk inserts elsewhere) in batches, search documents are written per batch, and at the end
every related list is recomputed in one pass and PostgreSQL's statistics are refreshed (ANALYZE). Rerunning adds more
stories; the output is deterministic for a given --seed and database state.
"""

import math
import random
import time
from bisect import bisect_left
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from html import escape
from itertools import accumulate, batched
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import connection, connections, transaction
from django.utils import timezone
from django.utils.text import slugify

from articles.bulk_insert import insert_rows, reserve_ids
from articles.models import Agency, Article, Author, Byline, TaggedArticle, Topic
from articles.related import recompute_all_related
from articles.search import update_search_documents
from sections.models import Section

BATCH = 5000
TOPICS = 5000
AUTHORS = 300
# Chances that a story carries each of the five commonest topics (the rest follow Zipf's law).
HEAD_TOPIC_SHARES = (0.40, 0.22, 0.12, 0.08, 0.05)
# The rarer topics belong to events: each has a date, and a story picks among those nearest its own date.
EVENT_TOPICS_FROM_RANK = 300
EVENT_NEIGHBOURS = 40
# Share of stories in each state besides live; the rest are live.
STATES = (("draft", 0.02), ("in_review", 0.005), ("scheduled", 0.015), ("expired", 0.015), ("withdrawn", 0.005))
SENTENCES = 4000
BODY_SENTENCES = (33, 46)  # ~5 kB of HTML
# Body text draws on this many words by Zipf's law: the commonest (VOCABULARY's first HEAD_WORDS) are in nearly every
# story, the other real words somewhere in the top COMMON_RANKS (in 3-70% of stories), made-up words fill the long
# tail (mostly under 1%), much as a real archive's words are spread.
VOCABULARY_SIZE = 20000
HEAD_WORDS = 60
COMMON_RANKS = 3000
SYLLABLES = (
    "ba be bi bo bu da de di do du fa fe fi fo ga ge go gu ka ke ki ko la le li lo lu ma me mi mo mu na ne ni no nu "
    "pa pe pi po ra re ri ro ru sa se si so ta te ti to va ve vi vo za ze zi zo"
).split()

# (name, slug, parent slug), biggest first: section sizes follow 1/rank.
SECTIONS = (
    ("World", "world", None),
    ("Politics", "politics", None),
    ("Economy", "economy", None),
    ("Sport", "sport", None),
    ("Business", "business", None),
    ("Europe", "europe", "world"),
    ("Opinion", "opinion", None),
    ("Technology", "technology", None),
    ("Culture", "culture", None),
    ("Middle East", "middle-east", "world"),
    ("Asia", "asia", "world"),
    ("Science", "science", None),
    ("Health", "health", None),
    ("Environment", "environment", None),
    ("Football", "football", "sport"),
    ("Markets", "markets", "business"),
    ("Africa", "africa", "world"),
    ("Americas", "americas", "world"),
    ("Film", "film", "culture"),
    ("Music", "music", "culture"),
    ("Books", "books", "culture"),
    ("Tennis", "tennis", "sport"),
    ("Education", "education", None),
    ("Media", "media", None),
    ("Travel", "travel", None),
    ("Food", "food", None),
    ("Cricket", "cricket", "sport"),
    ("Property", "property", None),
    ("Motoring", "motoring", None),
    ("Obituaries", "obituaries", None),
)
AGENCIES = (
    ("Agencies", "Agencies", "agencies"),
    ("Agence France-Presse", "AFP", "afp"),
    ("Reuters", "Reuters", "reuters"),
    ("Al Jazeera", "Al Jazeera", "al-jazeera"),
    ("Associated Press", "AP", "ap"),
)

PLACES = (
    "Africa Arctic Argentina Asia Athens Australia Baltic Bangladesh Beijing Berlin Brazil Brussels Cairo Canada "
    "Caribbean Chile China Colombia Congo Delhi Denmark Egypt Ethiopia Europe Finland France Gaza Geneva Germany "
    "Ghana Greece Gulf Himalaya Hungary India Indonesia Iran Iraq Ireland Israel Istanbul Italy Japan Jordan Kenya "
    "Korea Kyiv Lagos Lebanon Libya Lisbon London Madrid Malaysia Mali Mexico Moscow Myanmar Nairobi Nepal "
    "Netherlands Nigeria Norway Pacific Pakistan Paris Peru Philippines Poland Portugal Qatar Romania Russia Rwanda "
    "Sahel Scotland Senegal Serbia Seoul Singapore Somalia Spain Sudan Sweden Syria Taiwan Tehran Texas Thailand "
    "Tokyo Turkey Uganda Ukraine Venezuela Vietnam Wales Washington Yemen Zambia Zimbabwe"
).split()
SUBJECTS = (
    "elections|economy|inflation|budget|protests|floods|drought|wildfires|earthquake|ceasefire|sanctions|trade|"
    "tariffs|strikes|banking|housing|energy|oil|gas|mining|shipping|farming|fisheries|tourism|migration|refugees|"
    "healthcare|vaccines|schools|universities|courts|corruption|police|prisons|army|navy|security|diplomacy|"
    "summit|treaty|cyberattack|telecoms|startups|railways|airlines|ports|water|pollution|climate|forests|wildlife|"
    "football|cricket|athletics|cinema|music|festival|heatwave"
).split("|")
FIRST_NAMES = (
    "Ada Amara Ana Ben Carlos Chen Clara Daniel David Elena Emma Farah Fatima Hana Hugo Ines Ivan Jade James Jonas "
    "Julia Kemal Kofi Lea Leila Lucas Maria Marta Mei Nadia Nina Omar Oscar Paul Priya Rafael Rosa Sam Sara Sofia "
    "Tariq Tom Yara Yusuf Zoe"
).split()
LAST_NAMES = (
    "Abara Ahmed Almeida Bauer Bianchi Brandt Costa Dubois Eriksen Fischer Garcia Haddad Hansen Ibrahim Ito Jensen "
    "Kaplan Khan Kim Kowalski Larsen Lopez Martin Mensah Moreau Muller Nakamura Novak Okafor Olsen Park Petrov Quinn "
    "Rahman Rossi Santos Schmidt Silva Singh Smith Suzuki Tanaka Torres Varga Wagner Walsh Weber Yilmaz Zhang"
).split()
DATELINES = (
    "LONDON PARIS BERLIN BRUSSELS WASHINGTON NEW-YORK BEIJING TOKYO DELHI NAIROBI LAGOS CAIRO KYIV MOSCOW "
    "SYDNEY SAO-PAULO MEXICO-CITY ISTANBUL GENEVA SINGAPORE"
).split()
# The words body text is made of; earlier ones are used more often (Zipf), as in real prose.
VOCABULARY = (
    "the of and to in a said that for on is was with by as it at from government his he have be are has minister "
    "year new after people not but its their an were officials which who will been they more told would also "
    "president country than last about two over week police state up one could had this some first other into "
    "percent market month years added against since talks under million three plan report around before while "
    "agreement economy talks public prices growth company workers party leaders support companies energy security "
    "national billion increase region spokesperson sources deal local increase pressure tuesday wednesday "
    "thursday friday monday analysts statement expected despite crisis measures decision court investigation rules "
    "rising costs budget election campaign voters opposition coalition parliament central bank interest rates "
    "inflation exports imports shipping ports harvest farmers drought rainfall emissions climate forest wildlife "
    "scientists researchers study hospital patients doctors vaccine schools teachers students university housing "
    "rents mortgage transport railway airline airport fuel oil gas electricity grid solar wind nuclear mining "
    "copper lithium steel factory jobs unemployment wages strike union protest demonstrators troops ceasefire "
    "border refugees aid humanitarian negotiations sanctions tariffs trade summit treaty ambassador embassy "
    "foreign ministry defence missile drone attack civilians casualties rescue flood earthquake storm heatwave "
    "wildfire evacuation damage insurance investors shares profit revenue quarter forecast outlook recovery "
    "recession debt bonds currency reserves fund lending loans credit regulators watchdog fine privacy data "
    "software chips telecoms network startup platform users streaming film festival album tour museum exhibition "
    "novel award prize match season league championship coach striker goal victory defeat final tournament "
    "marathon record injury transfer stadium fans tickets broadcast"
).split()


@dataclass(frozen=True)
class Catalogue:
    """The rows stories draw on, with the weights of the draws."""

    sections: list[int]
    section_weights: list[float]
    topics: list[int]  # by popularity rank
    topic_names: list[str]
    topic_weights: list[float]  # cumulative, ranks after the head
    event_topics: list[int]  # ranks, in order of their event date
    event_days: list[float]  # days ago, in the same order
    authors: list[int]
    author_weights: list[float]  # cumulative
    agencies: list[int]
    sentences: list[str]  # body text is drawn from these


class Command(BaseCommand):
    help = "Fill the database quickly with realistic generated stories (sections, Zipf-popular topics, credits)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--articles", type=int, required=True, help="How many stories to add.")
        parser.add_argument("--years", type=float, default=6, help="Publish times spread over this many years.")
        parser.add_argument("--seed", type=int, default=20260905, help="Seed of the random choices.")

    def handle(self, *args: Any, **options: Any) -> None:
        count, years = options["articles"], options["years"]
        rng = random.Random(options["seed"])
        started = time.monotonic()
        now = timezone.now().replace(microsecond=0)
        catalogue = load_catalogue(rng, years=years)
        ids = reserve_ids(Article, count)
        written = 0
        with SearchIndexer() as indexer:
            for batch_ids in batched(ids, BATCH):
                stories = [make_story(pk, rng, catalogue, now=now, years=years) for pk in batch_ids]
                with transaction.atomic():
                    insert_rows(Article, (story.article for story in stories))
                    insert_rows(TaggedArticle, (tag for story in stories for tag in story.topics))
                    insert_rows(Byline, (byline for story in stories for byline in story.bylines))
                    insert_rows(Article.agencies.through, (link for story in stories for link in story.agencies))
                indexer.index(batch_ids)
                written += len(stories)
                self.stdout.write(f"  {written:>9,} stories  ({time.monotonic() - started:.0f} s)")
        self.stdout.write("Recomputing related stories…")
        rows = recompute_all_related()
        if connection.vendor == "postgresql":
            # Fresh statistics for the tables just filled, or the first queries get plans made for empty tables. And,
            # outside a transaction (VACUUM can't run in one), what autovacuum would do within minutes: the search
            # index's pending entries merged (while they are there, the planner may prefer reading every document to
            # a search index it thinks costly: 0.5 s instead of 5 ms for a rare word at 100,000 stories) and the
            # visibility map set (index-only scans that don't visit the table).
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE")
        self.stdout.write(
            self.style.SUCCESS(
                f"Added {written:,} stories; {rows:,} related-story rows in {time.monotonic() - started:.0f} s."
            )
        )


class SearchIndexer:
    """
    Writes search documents for each batch on a second connection while the next batch is generated: the database
    spends about as long stemming a batch as Python spends making it. Inside a surrounding transaction (tests),
    whose rows another connection cannot see, it writes them in line instead.
    """

    def __enter__(self) -> "SearchIndexer":
        self.inline = connection.in_atomic_block
        self.worker = ThreadPoolExecutor(max_workers=1)
        self.pending: Future | None = None
        return self

    def index(self, article_ids: tuple[int, ...]) -> None:
        if self.inline:
            update_search_documents(article_ids=article_ids)
            return
        self.wait()  # one batch in flight at most
        self.pending = self.worker.submit(update_search_documents, article_ids=article_ids)

    def wait(self) -> None:
        if self.pending is not None:
            self.pending.result()
            self.pending = None

    def __exit__(self, *exc_info: object) -> None:
        try:
            self.wait()
        finally:
            self.worker.submit(connections.close_all).result()
            self.worker.shutdown()


# --- The catalogue: sections, topics, people -------------------------------------------------------------------------


def load_catalogue(rng: random.Random, *, years: float) -> Catalogue:
    sections = load_sections()
    topics, names = load_topics(rng)
    ranks_after_head = range(len(HEAD_TOPIC_SHARES), len(topics))
    event_ranks = list(range(EVENT_TOPICS_FROM_RANK, len(topics)))
    event_days = {rank: rng.uniform(0, years * 365) for rank in event_ranks}
    event_ranks.sort(key=event_days.__getitem__)
    authors = load_authors(rng)
    return Catalogue(
        sections=sections,
        section_weights=[1 / rank for rank in range(1, len(sections) + 1)],
        topics=topics,
        topic_names=names,
        topic_weights=list(accumulate(1 / (rank + 1) for rank in ranks_after_head)),
        event_topics=event_ranks,
        event_days=[event_days[rank] for rank in event_ranks],
        authors=authors,
        author_weights=list(accumulate(1 / rank for rank in range(1, len(authors) + 1))),
        agencies=[
            Agency.objects.get_or_create(slug=slug, defaults={"name": name, "short_name": short})[0].pk
            for name, short, slug in AGENCIES
        ],
        sentences=make_sentences(rng, make_vocabulary(rng)),
    )


def load_sections() -> list[int]:
    found: dict[str, Section] = {}
    for position, (name, slug, parent) in enumerate(SECTIONS, start=1):
        found[slug], _ = Section.objects.get_or_create(
            slug=slug, defaults={"name": name, "parent": found.get(parent), "position": position * 10}
        )
    return [found[slug].pk for _, slug, _ in SECTIONS]


def load_topics(rng: random.Random) -> tuple[list[int], list[str]]:
    """TOPICS topics, most popular first; the head gets broad names ("Politics"), the rest place and subject."""
    names = ["Politics", "Economy", "World news", "Business", "Sport"]
    combinations = [f"{place} {subject}" for place in PLACES for subject in SUBJECTS]
    rng.shuffle(combinations)
    names += combinations[: TOPICS - len(names)]
    slugs = [slugify(name) for name in names]
    Topic.objects.bulk_create(
        [Topic(name=name, slug=slug) for name, slug in zip(names, slugs, strict=True)], ignore_conflicts=True
    )
    ids = dict(Topic.objects.filter(slug__in=slugs).values_list("slug", "pk"))
    return [ids[slug] for slug in slugs], names


def load_authors(rng: random.Random) -> list[int]:
    names = sorted({f"{first} {last}" for first in FIRST_NAMES for last in LAST_NAMES})
    chosen = rng.sample(names, AUTHORS)
    Author.objects.bulk_create([Author(name=name, slug=slugify(name)) for name in chosen], ignore_conflicts=True)
    ids = dict(Author.objects.filter(slug__in=[slugify(name) for name in chosen]).values_list("slug", "pk"))
    return [ids[slugify(name)] for name in chosen]


# --- Stories ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Story:
    article: Article
    topics: list[TaggedArticle]
    bylines: list[Byline]
    agencies: list[Any]


def make_vocabulary(rng: random.Random) -> list[str]:
    """VOCABULARY_SIZE words, commonest first (see VOCABULARY_SIZE)."""
    made_up: set[str] = set()
    while len(made_up) < VOCABULARY_SIZE - len(VOCABULARY):
        made_up.add("".join(rng.choices(SYLLABLES, k=rng.randint(2, 4))) + rng.choice(("", "n", "r", "s", "t")))
    words = sorted(made_up - set(VOCABULARY))
    rng.shuffle(words)
    for word in VOCABULARY[HEAD_WORDS:]:
        words.insert(rng.randint(0, COMMON_RANKS), word)
    return VOCABULARY[:HEAD_WORDS] + words


def make_sentences(rng: random.Random, vocabulary: list[str]) -> list[str]:
    """SENTENCES sentences of words drawn by Zipf's law, so that some words are everywhere and most are not."""
    weights = list(accumulate(1 / rank for rank in range(1, len(vocabulary) + 1)))
    return [
        " ".join(rng.choices(vocabulary, cum_weights=weights, k=rng.randint(12, 26))).capitalize() + "."
        for _ in range(SENTENCES)
    ]


def make_story(pk: int, rng: random.Random, catalogue: Catalogue, *, now: datetime, years: float) -> Story:
    days_ago = rng.uniform(0, years * 365)
    publish_at = (now - timedelta(days=days_ago)).replace(second=0)
    state = _state(rng)
    ranks = _topic_ranks(rng, catalogue, days_ago)
    names = [catalogue.topic_names[rank] for rank in ranks]
    section = rng.choices(catalogue.sections, weights=catalogue.section_weights)[0]
    pool = catalogue.sentences
    lede = f"{names[-1]}: {rng.choice(pool)[:-1].lower()}, with {names[0].lower()} in focus."
    paragraphs = [lede, *_paragraphs(rng.choices(pool, k=rng.randint(*BODY_SENTENCES)), rng)]
    headline = f"{names[-1]}: {' '.join(rng.choice(pool).split()[: rng.randint(5, 9)]).lower()}"
    article = Article(
        pk=pk,
        headline=headline,
        slug=f"{slugify(headline)[:200]}-{pk}",
        standfirst=rng.choice(pool),
        body="\n".join(f"<p>{escape(paragraph, quote=False)}</p>" for paragraph in paragraphs),
        section_id=section,
        dateline=rng.choice(DATELINES).replace("-", " "),
        status=Article.Status.PUBLISHED,
        publish_at=publish_at,
        first_published_at=publish_at,
        created_at=publish_at - timedelta(hours=1),
        updated_at=publish_at,
    )
    _apply_state(article, state, now=now, rng=rng)
    author_count = rng.choices((0, 1, 2), weights=(25, 65, 10))[0]
    authors = list(dict.fromkeys(rng.choices(catalogue.authors, cum_weights=catalogue.author_weights, k=author_count)))
    agency_count = 1 if author_count == 0 else rng.choices((0, 1), weights=(70, 30))[0]
    agencies = rng.sample(catalogue.agencies, agency_count)
    return Story(
        article=article,
        topics=[TaggedArticle(content_object_id=pk, tag_id=catalogue.topics[rank]) for rank in ranks],
        bylines=[Byline(article_id=pk, author_id=author, position=n) for n, author in enumerate(authors)],
        agencies=[Article.agencies.through(article_id=pk, agency_id=agency) for agency in agencies],
    )


def _topic_ranks(rng: random.Random, catalogue: Catalogue, days_ago: float) -> list[int]:
    """2-6 distinct topic ranks: the common head by its shares, a Zipf draw, and topics of events of the time."""
    wanted = rng.randint(2, 6)
    ranks = [rank for rank, share in enumerate(HEAD_TOPIC_SHARES) if rng.random() < share]
    head = len(HEAD_TOPIC_SHARES)
    # One or two draws over the whole long tail by popularity.
    ranks += [head + index for index in _zipf_draws(rng, catalogue.topic_weights, k=rng.randint(1, 2))]
    middle = bisect_left(catalogue.event_days, days_ago)
    nearby = catalogue.event_topics[max(0, middle - EVENT_NEIGHBOURS // 2) : middle + EVENT_NEIGHBOURS // 2]
    while len(set(ranks)) < wanted and nearby:
        ranks.append(rng.choices(nearby, weights=[1 / math.sqrt(rank) for rank in nearby])[0])
    return list(dict.fromkeys(ranks))[:6]


def _zipf_draws(rng: random.Random, cumulative: list[float], *, k: int) -> list[int]:
    return [bisect_left(cumulative, rng.random() * cumulative[-1]) for _ in range(k)]


def _paragraphs(picked: list[str], rng: random.Random) -> Iterator[str]:
    while picked:
        size = rng.randint(3, 5)
        yield " ".join(picked[:size])
        picked = picked[size:]


def _state(rng: random.Random) -> str:
    roll = rng.random()
    for state, share in STATES:
        if roll < share:
            return state
        roll -= share
    return "live"


def _apply_state(article: Article, state: str, *, now: datetime, rng: random.Random) -> None:
    match state:
        case "draft" | "in_review":
            article.status = Article.Status.DRAFT if state == "draft" else Article.Status.IN_REVIEW
            article.publish_at = article.first_published_at = None
        case "scheduled":
            article.publish_at = now + timedelta(hours=rng.randint(1, 24 * 14))
            article.first_published_at = None
        case "expired":
            article.expire_at = article.publish_at + timedelta(days=rng.randint(1, 30))
            if article.expire_at > now:
                article.expire_at = now - timedelta(hours=1)
                article.publish_at = article.first_published_at = article.expire_at - timedelta(days=1)
        case "withdrawn":
            article.status = Article.Status.WITHDRAWN
