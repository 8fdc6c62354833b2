"""
Listing pages link each other by keyset ("older than this story"), so a deep page is found from an index like the
first one, never by skipping rows; `?page=N` addresses keep working down to a bounded depth.
"""

from datetime import UTC, datetime, timedelta

import pytest
from bs4 import BeautifulSoup
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from articles import pagination
from articles.models import Article
from tests.factories import (
    HIDDEN_STATES,
    AgencyFactory,
    ArticleFactory,
    AuthorFactory,
    SectionFactory,
    TopicFactory,
)

pytestmark = pytest.mark.django_db

START = datetime(2025, 1, 1, 12, 0, tzinfo=UTC)


def soup(client: Client, url: str) -> BeautifulSoup:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return BeautifulSoup(response.content, "html.parser")


def headlines(page: BeautifulSoup) -> list[str]:
    return [h.get_text(strip=True) for h in page.select(".teaser h2")]


def link(page: BeautifulSoup, rel: str) -> str | None:
    found = page.select_one(f'.pagination a[rel="{rel}"]')
    return found["href"] if found else None


def label(page: BeautifulSoup) -> str:
    return page.select_one('.pagination [aria-current="page"]').get_text(strip=True)


@pytest.fixture
def per_page(settings) -> int:
    # No editors' front above the list: these tests walk the list alone.
    settings.NEWSROOM = {**settings.NEWSROOM, "ARTICLES_PER_PAGE": 3, "SECTION_FRONT_STORIES": 0}
    return 3


@pytest.fixture
def listing() -> dict:
    """Eight live stories on a topic, by an author and an agency, in World; two share a publish time."""
    topic, author, agency = TopicFactory(name="Storms"), AuthorFactory(name="Jane Doe"), AgencyFactory(name="AFP")
    times = [START + timedelta(hours=n) for n in range(7)] + [START + timedelta(hours=6)]
    for n, publish_at in enumerate(times):
        ArticleFactory(
            headline=f"Story {n}", publish_at=publish_at, topics=[topic], authors=[author], agencies=[agency]
        )
    return {"section": "/world/", "topic": topic.get_absolute_url(), "author": author.get_absolute_url(),
            "agency": agency.get_absolute_url()}  # fmt: skip


def walk_older(client: Client, url: str) -> list[list[str]]:
    """Every page's headlines, following the Older links from `url`."""
    pages = []
    while url:
        page = soup(client, url)
        pages.append(headlines(page))
        url = link(page, "next")
    return pages


@pytest.mark.parametrize("kind", ["section", "topic", "author", "agency"])
def test_older_links_walk_every_story_once_newest_first(
    client: Client, per_page: int, listing: dict, kind: str
) -> None:
    pages = walk_older(client, listing[kind])
    # Story 7 and Story 6 share a publish time: the newer id comes first, and neither is lost at a page boundary.
    assert pages == [["Story 7", "Story 6", "Story 5"], ["Story 4", "Story 3", "Story 2"], ["Story 1", "Story 0"]]


def test_newer_links_walk_back_to_the_first_page(client: Client, per_page: int, listing: dict) -> None:
    first = soup(client, "/world/")
    second = soup(client, link(first, "next"))
    third = soup(client, link(second, "next"))
    assert (label(first), label(second), label(third)) == ("Page 1", "Page 2", "Page 3")
    back_to_second = soup(client, link(third, "prev"))
    assert headlines(back_to_second) == headlines(second)
    assert label(back_to_second) == "Page 2"
    # The first page has its own address, with no cursor, and no Newer link.
    assert link(back_to_second, "prev") == "/world/"
    assert link(first, "prev") is None


def test_a_page_keeps_its_stories_when_newer_ones_are_published(client: Client, per_page: int, listing: dict) -> None:
    second_page = link(soup(client, "/world/"), "next")
    before = headlines(soup(client, second_page))
    ArticleFactory(headline="Breaking", publish_at=START + timedelta(days=1))
    assert headlines(soup(client, second_page)) == before


@pytest.mark.parametrize("state", HIDDEN_STATES)
def test_no_page_lists_a_story_readers_may_not_see(client: Client, per_page: int, state: str) -> None:
    for n in range(5):
        ArticleFactory(headline=f"Story {n}", publish_at=START + timedelta(hours=n))
    ArticleFactory(**{state: True}, headline="Canary zebra")
    pages = walk_older(client, "/world/")
    assert sum(pages, []) == ["Story 4", "Story 3", "Story 2", "Story 1", "Story 0"]


def test_a_deep_page_is_found_without_skipping_rows(client: Client, per_page: int, listing: dict) -> None:
    third = link(soup(client, link(soup(client, "/world/"), "next")), "next")
    with CaptureQueriesContext(connection) as queries:
        assert headlines(soup(client, third)) == ["Story 1", "Story 0"]
    assert not [query["sql"] for query in queries if "OFFSET" in query["sql"].upper()]


@pytest.mark.parametrize(
    "query",
    [
        "?before=not-a-cursor",
        "?after=bm9wZQ",  # base64, but not a cursor
        "?page=2&before=MjAyNS0wMS0wMVQxMjowMDowMCswMDowMHwx&after=MjAyNS0wMS0wMVQxMjowMDowMCswMDowMHwx",
        "?page=0&before=MjAyNS0wMS0wMVQxMjowMDowMCswMDowMHwx",
    ],
)
def test_a_cursor_that_is_not_one_is_a_404(client: Client, listing: dict, query: str) -> None:
    assert client.get(f"/world/{query}").status_code == 404


def test_a_page_older_than_the_oldest_story_is_a_404(client: Client, listing: dict) -> None:
    oldest = Article.objects.order_by("publish_at", "pk").first()
    cursor = pagination.Cursor.encode(oldest)
    assert client.get(f"/world/?page=9&before={cursor}").status_code == 404


def test_a_page_number_alone_still_works_to_a_bounded_depth(
    client: Client, per_page: int, listing: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = soup(client, "/world/?page=2")
    assert headlines(page) == ["Story 4", "Story 3", "Story 2"]
    # Its neighbours are linked by keyset, like any page's.
    assert headlines(soup(client, link(page, "next"))) == ["Story 1", "Story 0"]
    assert headlines(soup(client, link(page, "prev"))) == ["Story 7", "Story 6", "Story 5"]
    monkeypatch.setattr(pagination, "MAX_POSITION", 3)
    assert client.get("/world/?page=3").status_code == 404  # 6 stories in: deeper than allowed


def test_links_keep_other_parameters_but_not_tracking_ones(client: Client, per_page: int, listing: dict) -> None:
    older = link(soup(client, "/world/?utm_source=newsletter&fbclid=abc"), "next")
    assert older.startswith("/world/?page=2&before=")
    assert "utm_" not in older and "fbclid" not in older


def test_a_listing_that_fits_one_page_shows_no_pagination(client: Client) -> None:
    ArticleFactory(section=SectionFactory(name="Science"))
    assert soup(client, "/science/").select_one(".pagination") is None
