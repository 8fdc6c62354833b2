"""
Nothing unpublished reaches a feed, a sitemap or the API: a story in any hidden state is absent from every one of
them (and from its filters), and a scheduled or embargoed story appears in all of them exactly at its time, as an
expiring one disappears at its time.
"""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.test import Client

from articles.models import Article
from tests.factories import HIDDEN_STATES, AgencyFactory, ArticleFactory, AuthorFactory, SectionFactory, TopicFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2025, 9, 5, 12, 0, tzinfo=UTC)

DISTRIBUTION_URLS = [
    "/feeds/rss/",
    "/feeds/atom/",
    "/feeds/sections/world/rss/",
    "/feeds/sections/world/atom/",
    "/feeds/topics/shared/rss/",
    "/feeds/topics/shared/atom/",
    "/feeds/authors/ann-lee/rss/",
    "/feeds/authors/ann-lee/atom/",
    "/feeds/agencies/afp/rss/",
    "/feeds/agencies/afp/atom/",
    "/sitemap.xml",
    "/sitemap-articles.xml",
    "/sitemap-news.xml",
    "/sitemap-topics.xml",
    "/api/articles/",
    "/api/articles/?section=world",
    "/api/articles/?topic=shared",
    "/api/articles/?author=ann-lee",
    "/api/articles/?agency=afp",
    "/api/articles/?since=2025-01-01",
]
# Where a story shows in each: its address (feeds, sitemaps, API) or its headline.
ARTICLE_URLS = [url for url in DISTRIBUTION_URLS if url != "/sitemap.xml" and url != "/sitemap-topics.xml"]


def credits() -> dict:
    return {
        "section": SectionFactory(name="World"),
        "topics": [TopicFactory(name="Shared")],
        "authors": [AuthorFactory(name="Ann Lee")],
        "agencies": [AgencyFactory(name="AFP")],
    }


def hidden_story(**kwargs) -> Article:
    story = ArticleFactory(headline="Hidden story", slug="hidden-story", **credits(), **kwargs)
    story.topics.add(TopicFactory(name="Hidden topic"))
    return story


def bodies(client: Client, urls: list[str]) -> dict[str, str]:
    found = {}
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        found[url] = response.content.decode()
    return found


def shows(body: str, story: Article) -> bool:
    return "hidden-story" in body or "Hidden story" in body or f":article:{story.pk}<" in body


@pytest.mark.parametrize("state", HIDDEN_STATES)
def test_hidden_stories_are_in_no_feed_sitemap_or_api_response(client: Client, state: str) -> None:
    ArticleFactory(headline="Visible story", slug="visible-story", **credits())
    story = hidden_story(**{state: True})
    for url, body in bodies(client, DISTRIBUTION_URLS).items():
        assert not shows(body, story), (state, url)
        assert "hidden-topic" not in body, (state, url)
        if url in ARTICLE_URLS:
            assert "visible-story" in body, url  # the check above can fail: live stories do show
    assert client.get(f"/api/articles/{story.pk}/").status_code == 404
    assert client.get("/feeds/topics/hidden-topic/rss/").status_code == 404


@pytest.mark.parametrize("timing", ["publish_at", "embargo_until"])
def test_a_scheduled_or_embargoed_story_appears_everywhere_exactly_at_its_time(client: Client, timing: str) -> None:
    goes_live = NOW + timedelta(hours=1)
    with time_machine.travel(NOW, tick=False):
        ArticleFactory(headline="Visible story", slug="visible-story", **credits())
        if timing == "publish_at":
            story = hidden_story(publish_at=goes_live, first_published_at=None)
        else:
            story = hidden_story(embargo_until=goes_live)
    with time_machine.travel(goes_live - timedelta(seconds=1), tick=False):
        assert not any(shows(body, story) for body in bodies(client, DISTRIBUTION_URLS).values())
        assert client.get(f"/api/articles/{story.pk}/").status_code == 404
    with time_machine.travel(goes_live, tick=False):
        for url, body in bodies(client, ARTICLE_URLS).items():
            assert shows(body, story), url
        assert "hidden-topic" in bodies(client, ["/sitemap-topics.xml"])["/sitemap-topics.xml"]
        assert client.get(f"/api/articles/{story.pk}/").status_code == 200
        assert client.get("/feeds/topics/hidden-topic/rss/").status_code == 200


def test_an_expiring_story_disappears_everywhere_exactly_at_its_time(client: Client) -> None:
    expires = NOW + timedelta(hours=1)
    with time_machine.travel(NOW, tick=False):
        ArticleFactory(headline="Visible story", slug="visible-story", **credits())
        story = hidden_story(expire_at=expires)
    with time_machine.travel(expires - timedelta(seconds=1), tick=False):
        for url, body in bodies(client, ARTICLE_URLS).items():
            assert shows(body, story), url
    with time_machine.travel(expires, tick=False):
        assert not any(shows(body, story) for body in bodies(client, DISTRIBUTION_URLS).values())
        assert client.get(f"/api/articles/{story.pk}/").status_code == 404
