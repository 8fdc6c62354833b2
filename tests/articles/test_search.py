from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from bs4 import BeautifulSoup
from django.db import connection
from django.test import Client

from articles.models import Article
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
