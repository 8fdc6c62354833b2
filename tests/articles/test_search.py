import random
from datetime import UTC, date, datetime, time, timedelta

import pytest
import time_machine
from bs4 import BeautifulSoup
from django.contrib.postgres.search import SearchQuery
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles.models import Article, ArticleSearch, ArticleSearchTitle
from articles.search import search_articles
from articles.search_document import PENDING_LIST_KB
from tests.factories import HIDDEN_STATES, ArticleFactory, SectionFactory

pytestmark = pytest.mark.django_db

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="stemming and web-search syntax need PostgreSQL's full-text search"
)


def search(client: Client, **params: str) -> BeautifulSoup:
    response = client.get("/search/", params)
    assert response.status_code == 200, params
    return BeautifulSoup(response.content, "html.parser")


def found(client: Client, q: str, **params: str) -> list[str]:
    return [h.get_text(strip=True) for h in search(client, q=q, **params).select(".search-hit h3")]


def test_headline_matches_rank_above_standfirst_matches_above_body_matches(client: Client) -> None:
    ArticleFactory(headline="Harbour news", body="<p>The zanzibar ferry sailed.</p>")
    ArticleFactory(headline="Ferry news", standfirst="The zanzibar ferry sailed.")
    ArticleFactory(headline="Zanzibar ferry sails")
    ArticleFactory(headline="Unrelated")
    assert found(client, "zanzibar") == ["Zanzibar ferry sails", "Ferry news", "Harbour news"]


@pytest.mark.parametrize("state", HIDDEN_STATES)
def test_stories_that_are_not_live_are_never_found(client: Client, state: str) -> None:
    ArticleFactory(**{state: True}, headline="Zanzibar canary zebra")
    ArticleFactory(headline="Zanzibar live story")
    soup = search(client, q="zanzibar")
    assert [h.get_text(strip=True) for h in soup.select(".search-hit h3")] == ["Zanzibar live story"]
    assert "zebra" not in soup.get_text()


def test_a_scheduled_story_is_found_exactly_from_its_publish_time(client: Client) -> None:
    publish_at = datetime(2030, 1, 1, tzinfo=UTC)
    ArticleFactory(headline="Zanzibar scoop", publish_at=publish_at, first_published_at=None)
    with time_machine.travel(publish_at - timedelta(seconds=1), tick=False):
        assert found(client, "zanzibar") == []
    with time_machine.travel(publish_at, tick=False):
        assert found(client, "zanzibar") == ["Zanzibar scoop"]


def test_filters_by_section_with_its_subsections_and_by_date(client: Client) -> None:
    world, sport = SectionFactory(name="World"), SectionFactory(name="Sport")
    europe = SectionFactory(name="Europe", parent=world)
    ArticleFactory(headline="Zanzibar in Europe", section=europe, publish_at=datetime(2025, 3, 10, tzinfo=UTC))
    ArticleFactory(headline="Zanzibar in World", section=world, publish_at=datetime(2025, 3, 20, tzinfo=UTC))
    ArticleFactory(headline="Zanzibar in Sport", section=sport, publish_at=datetime(2025, 3, 15, tzinfo=UTC))
    assert found(client, "zanzibar", section="world") == ["Zanzibar in World", "Zanzibar in Europe"]
    assert found(client, "zanzibar", since="2025-03-11", until="2025-03-15") == ["Zanzibar in Sport"]
    assert found(client, "zanzibar", section="world", until="2025-03-10") == ["Zanzibar in Europe"]


def test_results_are_paginated_and_the_pages_keep_the_search(client: Client) -> None:
    for n in range(23):
        ArticleFactory(headline=f"Zanzibar story {n}", publish_at=datetime(2025, 1, 1, tzinfo=UTC) + timedelta(n))
    first = search(client, q="zanzibar", section="world")
    assert len(first.select(".search-hit")) == 10
    assert "23 stories match" in first.select_one("#results-heading").get_text()
    next_link = first.select_one("a[rel=next]")["href"]
    assert "q=zanzibar" in next_link and "section=world" in next_link and "page=2" in next_link
    last = search(client, q="zanzibar", section="world", page="3")
    assert len(last.select(".search-hit")) == 3
    assert client.get("/search/", {"q": "zanzibar", "page": "9"}).status_code == 404


def test_snippets_mark_the_match_and_escape_the_text(client: Client) -> None:
    ArticleFactory(
        headline="Port news",
        standfirst="<b>Bold</b> claims & more",
        body="<p>Early paragraph.</p><p>The zanzibar ferry sailed at dawn &amp; returned.</p>",
    )
    snippet = search(client, q="zanzibar").select_one(".search-hit__snippet")
    assert [mark.get_text() for mark in snippet.select("mark")] == ["zanzibar"]
    assert snippet.select("b") == []  # the standfirst's text is shown as text
    assert "& returned" in snippet.get_text()


@pytest.mark.parametrize(
    "q",
    [
        "",
        " ",
        "x" * 10_000,
        "zanzibar\x00",
        '"',
        '""""',
        "-",
        "or",
        "-zanzibar",
        "&|!:*()<->",
        "\\",
        "'; DROP TABLE articles_article; --",
        "🙂",
        "\u202e\u200b",
    ],
)
def test_hostile_searches_get_a_friendly_page(client: Client, q: str) -> None:
    ArticleFactory(headline="Zanzibar ferry")
    response = client.get("/search/", {"q": q})
    assert response.status_code == 200
    assert b"Search" in response.content
    assert Article.objects.exists()


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"q": "x" * 10_000}, "Searches are limited to 200 characters"),
        ({"q": "zanzibar\x00"}, "Null characters are not allowed"),
        ({"q": '"'}, "Type at least one word"),
        ({"q": "-zanzibar"}, "Type at least one word"),
        ({"q": "zanzibar", "since": "yesterday"}, "Enter a valid date"),
        ({"q": "zanzibar", "since": "0001-01-01"}, "Choose a date after 1900"),
        ({"q": "zanzibar", "until": "9999-12-31"}, "Choose a date before 3000"),
        ({"q": "zanzibar", "since": "2025-02-01", "until": "2025-01-01"}, "The end date is before the start date"),
        ({"q": "zanzibar", "section": "no-such-section"}, "Select a valid choice"),
    ],
)
def test_bad_searches_say_what_is_wrong(client: Client, params: dict, message: str) -> None:
    soup = search(client, **params)
    assert message in " ".join(error.get_text() for error in soup.select(".form-error"))
    assert soup.select(".search-hit") == []


def test_no_match_says_so(client: Client) -> None:
    ArticleFactory(headline="Zanzibar ferry")
    assert "No stories match" in search(client, q="quixotic").get_text()


def test_an_edited_headline_is_found_by_its_new_words_only(client: Client) -> None:
    article = Article.objects.get(pk=ArticleFactory(headline="Zanzibar ferry").pk)
    article.headline = "Mombasa ferry"
    article.save()
    assert found(client, "mombasa") == ["Mombasa ferry"]
    assert found(client, "zanzibar") == []


def indexed(article: Article) -> bool:
    """Whether the article has stored search vectors (both of them, or neither: anything else is a bug)."""
    has_document = ArticleSearch.objects.filter(article=article).exists()
    has_title = ArticleSearchTitle.objects.filter(article=article).exists()
    assert has_document == has_title
    return has_document


@postgresql_only
def test_a_draft_is_indexed_when_it_is_published_as_it_then_reads(client: Client) -> None:
    story = ArticleFactory(draft=True, headline="Zanzibar draft")
    story.headline = "Kilimanjaro draft, rewritten"
    story.save()
    assert not indexed(story)
    story.publish()
    assert indexed(story)
    assert found(client, "kilimanjaro") == ["Kilimanjaro draft, rewritten"]
    assert found(client, "zanzibar") == []


@postgresql_only
@pytest.mark.parametrize("state", HIDDEN_STATES)
def test_only_published_stories_keep_search_documents(state: str) -> None:
    story = ArticleFactory(**{state: True}, headline="Zanzibar story")
    # Scheduled, embargoed and expired stories are published: indexed ahead of their time, checked when read.
    assert indexed(story) == (story.status == Article.Status.PUBLISHED)


@postgresql_only
def test_a_withdrawn_story_loses_its_search_documents(client: Client) -> None:
    story = ArticleFactory(headline="Zanzibar recall")
    assert found(client, "zanzibar") == ["Zanzibar recall"]
    story.withdraw()
    assert not indexed(story)
    assert found(client, "zanzibar") == []


@postgresql_only
def test_the_search_index_merges_new_entries_before_they_make_postgresql_avoid_it() -> None:
    # Measured at 100,000 stories: with the default 4 MB pending list, a rare word's search read every document
    # (0.5 s) once a few thousand stories had been saved since the last VACUUM (search_document.PENDING_LIST_KB).
    with connection.cursor() as cursor:
        cursor.execute("SELECT reloptions FROM pg_class WHERE relname = 'article_search_match_idx'")
        assert cursor.fetchone()[0] == [f"gin_pending_list_limit={PENDING_LIST_KB}"]
    assert PENDING_LIST_KB <= 1024


@postgresql_only
def test_search_stems_words(client: Client) -> None:
    ArticleFactory(headline="Election called in Zanzibar")
    assert found(client, "elections") == ["Election called in Zanzibar"]


@postgresql_only
def test_quotes_search_a_phrase_and_a_minus_leaves_a_word_out(client: Client) -> None:
    ArticleFactory(headline="Central bank raises rates")
    ArticleFactory(headline="Bank holiday in the central region")
    ArticleFactory(headline="Central bank of Zanzibar")
    assert found(client, '"central bank" -zanzibar') == ["Central bank raises rates"]
    assert sorted(found(client, "central bank")) == sorted(
        ["Central bank raises rates", "Bank holiday in the central region", "Central bank of Zanzibar"]
    )


def test_a_broad_search_ranks_the_newest_matches_and_says_there_are_more(client: Client, monkeypatch) -> None:
    monkeypatch.setattr("articles.search.MAX_RESULTS", 4)
    for n in range(6):
        ArticleFactory(headline=f"Zanzibar {n}", publish_at=datetime(2025, 1, 1 + n, tzinfo=UTC))
    ArticleFactory(headline="Older zanzibar headline", publish_at=datetime(2024, 1, 1, tzinfo=UTC))
    soup = search(client, q="zanzibar")
    assert "More than 4 stories match" in soup.select_one("#results-heading").get_text()
    assert [h.get_text(strip=True) for h in soup.select(".search-hit h3")] == [f"Zanzibar {n}" for n in (5, 4, 3, 2)]
    assert client.get("/search/", {"q": "zanzibar", "page": "2"}).status_code == 404


@pytest.mark.parametrize("state", ["withdrawn", "expired", "scheduled", "embargoed"])
def test_hidden_matches_do_not_count_towards_more_results_than_shown(client: Client, monkeypatch, state: str) -> None:
    monkeypatch.setattr("articles.search.MAX_RESULTS", 4)
    for n in range(4):
        ArticleFactory(headline=f"Zanzibar {n}", publish_at=datetime(2025, 1, 1 + n, tzinfo=UTC))
    for n in range(3):
        ArticleFactory(**{state: True}, headline=f"Hidden zanzibar {n}")
    heading = search(client, q="zanzibar").select_one("#results-heading").get_text()
    assert "4 stories match" in heading
    assert "More than" not in heading
    ArticleFactory(headline="Zanzibar 5", publish_at=datetime(2025, 2, 1, tzinfo=UTC))
    assert "More than 4 stories match" in search(client, q="zanzibar").select_one("#results-heading").get_text()


@postgresql_only
class TestNewestMatchesAtScale:
    """
    On PostgreSQL the newest matches are looked for among the newest stories first, in widening windows
    (search_sql.py). Whichever window finds them, the results must be those of ranking every live match.
    """

    LIMIT = 5

    @pytest.fixture(autouse=True)
    def corpus(self, monkeypatch) -> None:
        monkeypatch.setattr("articles.search.MAX_RESULTS", self.LIMIT)
        rng = random.Random(7)
        self.sections = [SectionFactory(name=f"Section {n}") for n in range(3)]
        states = [{}] * 8 + [{"withdrawn": True}, {"expired": True}, {"draft": True}]
        start = datetime(2025, 1, 1, tzinfo=UTC)
        # Words on about 90%, 40%, 8% and 2% of 150 stories: the first windows (18 and 90 of the newest stories at
        # this limit) are enough for the commonest, the others need wider ones or every match.
        for n in range(150):
            words = [word for word, share in self.SHARES.items() if rng.random() < share]
            in_headline = words[:1] if rng.random() < 0.3 else []
            state = rng.choice(states)
            publish_at = start + timedelta(days=rng.uniform(0, 400))
            if state.get("expired"):
                publish_at = min(publish_at, timezone.now() - timedelta(days=2))
            ArticleFactory(
                **{key: value for key, value in state.items() if key != "expired"},
                **({"publish_at": publish_at} if not state.get("draft") else {}),
                **({"expire_at": publish_at + timedelta(days=1)} if state.get("expired") else {}),
                headline=" ".join([f"Story {n}", *in_headline]),
                body=f"<p>Filler text {n}. {' '.join(words)} and more.</p>",
                section=rng.choice(self.sections),
            )

    SHARES = {"common": 0.9, "frequent": 0.4, "occasional": 0.08, "rare": 0.02}

    def reference(self, word: str, *, section_ids: list[int] | None = None, since: date | None = None) -> list[int]:
        """Every live match ranked the straightforward way: the newest LIMIT, headline matches first."""
        matches = Article.objects.live().filter(search__document=SearchQuery(word, config="english"))
        if section_ids:
            matches = matches.filter(section_id__in=section_ids)
        if since:
            matches = matches.filter(publish_at__gte=datetime.combine(since, time.min, tzinfo=UTC))
        newest = list(matches.order_by("-publish_at", "-pk")[: self.LIMIT + 1])
        shown = sorted(
            newest[: self.LIMIT],
            key=lambda article: (word in article.headline.lower(), article.publish_at, article.pk),
            reverse=True,
        )
        return [article.pk for article in shown], len(newest) > self.LIMIT

    def searched(self, word: str, **filters) -> tuple[list[int], bool]:
        paginator = search_articles(text=word, **filters)
        found, number = [], 1
        while True:
            page = paginator.page(number)
            found += [article.pk for article in page.object_list]
            if not page.has_next():
                return found, paginator.capped
            number += 1

    @pytest.mark.parametrize("word", list(SHARES))
    def test_the_results_are_those_of_ranking_every_match(self, word: str) -> None:
        assert self.searched(word) == self.reference(word)

    @pytest.mark.parametrize("word", ["common", "frequent"])
    def test_filters_give_the_same_results_too(self, word: str) -> None:
        section_ids = [self.sections[0].pk]
        assert self.searched(word, section_ids=section_ids) == self.reference(word, section_ids=section_ids)
        since = date(2025, 11, 1)
        assert self.searched(word, since=since) == self.reference(word, since=since)

    def test_the_windows_are_looked_up_in_the_index(self) -> None:
        # The day expression written into the SQL must be the index's, or every window would read every match.
        with CaptureQueriesContext(connection) as captured:
            search_articles(text="common").page(1)
        with connection.cursor() as cursor:
            # Only bitmap scans, so that the choice is between indexes by what they match, whatever the statistics of
            # a few test rows say of reading the newest stories in order instead.
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("SET LOCAL enable_indexscan = off")
            cursor.execute("EXPLAIN " + captured.captured_queries[-1]["sql"])
            plan = "\n".join(row[0] for row in cursor.fetchall())
        windowed = [line for line in plan.splitlines() if "Index Cond" in line and "date_trunc" in line]
        assert windowed, plan
        assert "article_search_match_idx" in plan


@postgresql_only
def test_a_snippet_shows_a_match_deep_in_a_long_story(client: Client) -> None:
    filler = "".join(f"<p>Paragraph {n} about harbours, ferries and the weather at sea.</p>" for n in range(60))
    ArticleFactory(headline="Port news", body=f"{filler}<p>The <b>Zanzibar</b> ferries sailed at dawn.</p>{filler}")
    snippet = search(client, q="zanzibar ferry").select_one(".search-hit__snippet")
    marked = [mark.get_text() for mark in snippet.select("mark")]
    assert "Zanzibar" in marked
    assert marked[marked.index("Zanzibar") + 1] == "ferries"


@postgresql_only
def test_a_snippet_skips_a_word_that_only_looks_like_a_match(client: Client) -> None:
    # "Ministry" begins like "minister" but is another word to the stemmer: the snippet must find the real one.
    filler = "".join(f"<p>Paragraph {n} on roads, rail and the ministry's budget.</p>" for n in range(60))
    ArticleFactory(headline="Transport", body=f"<p>The ministry spoke.</p>{filler}<p>The minister resigned.</p>")
    snippet = search(client, q="minister").select_one(".search-hit__snippet")
    assert [mark.get_text() for mark in snippet.select("mark")] == ["minister"]
