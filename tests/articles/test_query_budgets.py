"""
Every public page costs a fixed number of queries, however many topics, credits, related stories, front slots,
trending stories, sections or pictures there are. Each budget is measured twice, with a small and a larger data set,
and must be the same.

Budgets are for a warm HTTP cache state (articles/http_cache.py) and section tree (sections/tree.py), as between
content changes; computing the state costs one query after each change, measured in tests/articles/test_http_cache.py,
and the tree one query after each change to the sections (tests/sections/test_tree.py).
"""

from collections.abc import Callable

import pytest
from bs4 import BeautifulSoup
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from articles.http_cache import content_state
from articles.models import Article, Correction, FrontSlot, RelatedPin
from articles.trending import seed_views
from sections.tree import section_tree
from tests.factories import (
    AgencyFactory,
    ArticleFactory,
    AuthorFactory,
    ImageFactory,
    SectionFactory,
    TopicFactory,
)

pytestmark = pytest.mark.django_db


def build_newsroom(size: int) -> dict:
    """A newsroom where everything (topics, credits, related stories, sections, pictures) grows with `size`."""
    sections = [SectionFactory(name=f"Section {n}", position=n) for n in range(size)]
    for n, section in enumerate(sections[1:]):
        SectionFactory(name=f"Subsection {n}", parent=section)
    topics = [TopicFactory(name=f"Topic {n}") for n in range(size)]
    authors = [AuthorFactory(name=f"Author {n}") for n in range(size)]
    agencies = [AgencyFactory(name=f"Agency {n}") for n in range(size)]
    # Each article has a lead image; the first also has `size` pictures in its body. All have their renditions.
    pictures = [ImageFactory(agency=agencies[n % size], renditions=True) for n in range(size + 1)]
    body = "".join(f"<p>Paragraph {n}.</p><p>[image {picture.pk}]</p>" for n, picture in enumerate(pictures[1:]))
    articles = [
        ArticleFactory(
            section=sections[n % size],
            topics=topics,
            authors=authors,
            agencies=agencies,
            lead_image=pictures[0],
            body=body if n == 0 else "<p>Text.</p>",
        )
        for n in range(size * 3)
    ]
    for n, story in enumerate(articles[1 : size + 1]):
        RelatedPin.objects.create(article=articles[0], related=story, position=n)
        FrontSlot.objects.create(section=None, article=story, position=n)
        FrontSlot.objects.create(section=sections[0], article=story, position=n)
    seed_views({story.pk: n + 1 for n, story in enumerate(articles)})
    return {
        "article": articles[0].get_absolute_url(),
        "home": "/",
        "section": sections[0].get_absolute_url(),
        "topic": topics[0].get_absolute_url(),
        "author": authors[0].get_absolute_url(),
        "agency": agencies[0].get_absolute_url(),
        "search": "/search/?q=headline+number",
    }


# page -> (queries, what they are). The navigation and the section tree come from the cache; listings count nothing.
BUDGETS = {
    # article with its section; bylines with authors; agencies; topics; corrections (a corrected story only); related
    # stories (pins and automatic, one query on the precomputed list); trending (one aggregate over the hourly
    # counts); the page's pictures (lead and body) with their credit agencies and renditions. Navigation is cached.
    "article": 8,
    # front slots; newest stories (backfill and latest); their bylines; their agencies; stories per section front
    "home": 5,
    # front slots; front backfill; page of stories; bylines (front and page); agencies (front and page); trending in
    # the section
    "section": 6,
    # topic; page of stories; bylines; agencies
    "topic": 4,
    # author; page of stories; bylines; agencies
    "author": 4,
    # agency; page of stories; bylines; agencies
    "agency": 4,
    # sections for the filter; page of ranked results with their snippets and the count of matches (one statement on
    # PostgreSQL, see articles/search_sql.py)
    "search": 2,
}


@pytest.mark.parametrize("page", BUDGETS)
@pytest.mark.parametrize("size", [2, 6])
def test_public_page_has_a_fixed_query_budget(
    client: Client, django_assert_max_num_queries: Callable, page: str, size: int
) -> None:
    url = build_newsroom(size)[page]
    content_state()
    section_tree()
    # At most the budget: a section whose front is all editors' slots skips the backfill query.
    with django_assert_max_num_queries(BUDGETS[page]):
        response = client.get(url)
    assert response.status_code == 200
    if page == "article":
        assert response.content.count(b'<figure class="picture">') == size + 1


@pytest.mark.parametrize("page", ["section", "topic", "author", "agency"])
@pytest.mark.parametrize("size", [2, 6])
def test_a_deeper_listing_page_costs_what_the_first_costs(
    client: Client, django_assert_max_num_queries: Callable, settings, page: str, size: int
) -> None:
    # No editors' front (it tops a section's first page only), so that page 1 and page 3 show the same list.
    settings.NEWSROOM = {**settings.NEWSROOM, "ARTICLES_PER_PAGE": 1, "SECTION_FRONT_STORIES": 0}
    url = build_newsroom(size)[page]
    content_state()
    section_tree()
    older = BeautifulSoup(client.get(url).content, "html.parser").select_one('.pagination a[rel="next"]')["href"]
    older = BeautifulSoup(client.get(older).content, "html.parser").select_one('.pagination a[rel="next"]')["href"]
    with django_assert_max_num_queries(BUDGETS[page]):
        response = client.get(older)
    assert response.status_code == 200
    assert response.content.count(b'class="teaser"') == 1


@pytest.mark.parametrize("page", ["home", "section", "topic", "author", "agency"])
def test_a_listing_page_never_reads_a_story_body(client: Client, page: str) -> None:
    # A list shows headlines and standfirsts; the bodies (about 5 kB each at scale) would be read for nothing.
    url = build_newsroom(2)[page]
    content_state()
    section_tree()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    assert response.content.count(b'class="teaser"') >= 2
    story_reads = [query["sql"] for query in queries if 'FROM "articles_article"' in query["sql"]]
    assert story_reads
    assert not [sql for sql in story_reads if '"articles_article"."body"' in sql]


@pytest.mark.parametrize("corrections", [1, 4])
def test_corrections_cost_one_query_and_only_on_a_corrected_story(
    client: Client, django_assert_num_queries: Callable, corrections: int
) -> None:
    urls = build_newsroom(2)
    article = Article.objects.get(slug=urls["article"].rstrip("/").rsplit("/", 1)[1])
    content_state()
    section_tree()
    with CaptureQueriesContext(connection) as uncorrected:
        assert b"Corrections and clarifications" not in client.get(urls["article"]).content
    uncorrected_queries = len(uncorrected)  # now: the next request empties the connection's log
    for n in range(corrections):
        Correction.objects.create(article=article, text=f"Correction number {n}.")
    content_state()
    with django_assert_num_queries(uncorrected_queries + 1):
        content = client.get(urls["article"]).content.decode()
    assert uncorrected_queries + 1 <= BUDGETS["article"]
    assert [f"Correction number {n}." in content for n in range(corrections)] == [True] * corrections
