"""
Every feed, sitemap and API endpoint costs a fixed number of queries however many stories, topics, credits and
sections there are (measured with a small and a larger newsroom), and a 304 costs none.

As in test_query_budgets.py, the HTTP cache's content state is warm, as it is between content changes.
"""

from collections.abc import Callable

import pytest
from django.test import Client

from articles.http_cache import content_state
from tests.factories import AgencyFactory, ArticleFactory, AuthorFactory, SectionFactory, TopicFactory

pytestmark = pytest.mark.django_db


def build_newsroom(size: int) -> None:
    """Sections, subsections, topics, authors and agencies all grow with `size`; "first" ones exist in each."""
    sections = [SectionFactory(name="First section" if n == 0 else f"Section {n}") for n in range(size)]
    for n, section in enumerate(sections):
        SectionFactory(name=f"Subsection {n}", parent=section)
    topics = [TopicFactory(name="First topic" if n == 0 else f"Topic {n}") for n in range(size)]
    authors = [AuthorFactory(name="First author" if n == 0 else f"Author {n}") for n in range(size)]
    agencies = [AgencyFactory(name="First agency" if n == 0 else f"Agency {n}") for n in range(size)]
    for n in range(size * 3):
        ArticleFactory(section=sections[n % size], topics=topics, authors=authors, agencies=agencies)


# address -> (queries, what they are)
BUDGETS = {
    # stories with their sections; bylines with authors; agencies; topics
    "/feeds/rss/": 4,
    "/feeds/atom/": 4,
    # section; section tree; stories; bylines; agencies; topics
    "/feeds/sections/first-section/rss/": 6,
    # topic (with a live story); stories; bylines; agencies; topics
    "/feeds/topics/first-topic/atom/": 5,
    # author; stories; bylines; agencies; topics
    "/feeds/authors/first-author/rss/": 5,
    # agency; stories; bylines; agencies; topics
    "/feeds/agencies/first-agency/atom/": 5,
    # articles' latest change, count; sections count; topics count; news stories (for their latest change), count
    "/sitemap.xml": 6,
    # count; page of articles with their sections
    "/sitemap-articles.xml": 2,
    # count; page of sections
    "/sitemap-sections.xml": 2,
    # count; page of topics with a live story
    "/sitemap-topics.xml": 2,
    # count; stories with their sections
    "/sitemap-news.xml": 2,
    "/robots.txt": 0,
    # stories with their sections; bylines with authors; agencies; topics
    "/api/articles/": 4,
    # section; section tree; stories; bylines; agencies; topics
    "/api/articles/?section=first-section&limit=100": 6,
    # stories joined to the topic, author and agency; bylines; agencies; topics
    "/api/articles/?topic=first-topic&author=first-author&agency=first-agency&since=2000-01-01": 4,
    # the article with its section; bylines; agencies; topics
    "/api/articles/1/": 4,
}


@pytest.mark.parametrize("url", BUDGETS)
@pytest.mark.parametrize("size", [2, 6])
def test_distribution_endpoint_has_a_fixed_query_budget(
    client: Client, django_assert_num_queries: Callable, url: str, size: int
) -> None:
    build_newsroom(size)
    budget = BUDGETS[url]
    if url == "/api/articles/1/":
        url = f"/api/articles/{ArticleFactory().pk}/"
    content_state()
    with django_assert_num_queries(budget):
        response = client.get(url)
    assert response.status_code == 200


@pytest.mark.parametrize("url", [*BUDGETS, "/", "/first-section/", "/topics/first-topic/"])
def test_a_304_costs_no_query(client: Client, django_assert_num_queries: Callable, url: str) -> None:
    build_newsroom(2)
    if url == "/api/articles/1/":
        url = f"/api/articles/{ArticleFactory().pk}/"
    etag = client.get(url)["ETag"]
    with django_assert_num_queries(0):
        response = client.get(url, headers={"if-none-match": etag})
    assert response.status_code == 304
