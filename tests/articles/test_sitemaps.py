import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.test import Client

from tests.factories import ArticleFactory, SectionFactory, TopicFactory

pytestmark = pytest.mark.django_db

SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
NEWS = "{http://www.google.com/schemas/sitemap-news/0.9}"
NOW = datetime(2025, 9, 5, 12, 0, tzinfo=UTC)


def xml(client: Client, url: str) -> ET.Element:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    assert response["Content-Type"] == "application/xml"
    return ET.fromstring(response.content)


def locations(root: ET.Element) -> list[str]:
    return [loc.text for loc in root.iter(f"{SITEMAP}loc")]


@pytest.fixture
def newsroom() -> None:
    with time_machine.travel(NOW - timedelta(hours=3), tick=False):
        # Written three hours ago, scheduled to go live half an hour ago: nothing records its first publication.
        ArticleFactory(
            headline="Scheduled",
            slug="scheduled",
            section=SectionFactory(name="World", position=1),
            publish_at=NOW - timedelta(minutes=30),
            first_published_at=None,
        )
    with time_machine.travel(NOW, tick=False):
        world = SectionFactory(name="World", position=1)
        SectionFactory(name="Europe", parent=world, position=2)
        oil = TopicFactory(name="Oil")
        ArticleFactory(
            headline="Fresh", slug="fresh", section=world, topics=[oil], publish_at=NOW - timedelta(hours=1)
        )
        ArticleFactory(
            headline="Republished",
            slug="republished",
            section=world,
            publish_at=NOW - timedelta(hours=2),
            first_published_at=NOW - timedelta(days=5),
        )
        ArticleFactory(headline="Old", slug="old", section=world, publish_at=NOW - timedelta(hours=49))
        ArticleFactory(headline="Secret", slug="secret", draft=True, topics=[TopicFactory(name="Unpublished topic")])
        yield


def test_sitemap_index_lists_every_sitemap(client: Client, newsroom: None) -> None:
    with time_machine.travel(NOW, tick=False):
        root = xml(client, "/sitemap.xml")
    assert root.tag == f"{SITEMAP}sitemapindex"
    assert locations(root) == [
        "http://testserver/sitemap-articles.xml",
        "http://testserver/sitemap-sections.xml",
        "http://testserver/sitemap-topics.xml",
        "http://testserver/sitemap-news.xml",
    ]
    lastmods = [sitemap.findtext(f"{SITEMAP}lastmod") for sitemap in root.iter(f"{SITEMAP}sitemap")]
    assert lastmods[0] == datetime.fromisoformat(lastmods[0]).isoformat()  # a W3C datetime
    for url in locations(root):
        assert client.get(url.removeprefix("http://testserver")).status_code == 200


def test_articles_sitemap_lists_live_articles_with_their_last_change(client: Client, newsroom: None) -> None:
    with time_machine.travel(NOW, tick=False):
        root = xml(client, "/sitemap-articles.xml")
    assert root.tag == f"{SITEMAP}urlset"
    urls = {url.findtext(f"{SITEMAP}loc"): url.findtext(f"{SITEMAP}lastmod") for url in root.iter(f"{SITEMAP}url")}
    assert list(urls) == [
        "http://testserver/world/scheduled/",
        "http://testserver/world/fresh/",
        "http://testserver/world/republished/",
        "http://testserver/world/old/",
    ]
    assert urls["http://testserver/world/fresh/"] == "2025-09-05T12:00:00+00:00"  # last edited now
    assert urls["http://testserver/world/scheduled/"] == "2025-09-05T11:30:00+00:00"  # edited before it went live


def test_sections_and_topics_sitemaps(client: Client, newsroom: None) -> None:
    with time_machine.travel(NOW, tick=False):
        assert locations(xml(client, "/sitemap-sections.xml")) == [
            "http://testserver/world/",
            "http://testserver/europe/",
        ]
        # Only topics readers can see: not one only an unpublished story uses.
        assert locations(xml(client, "/sitemap-topics.xml")) == ["http://testserver/topics/oil/"]


def test_google_news_sitemap_lists_stories_first_published_in_the_last_48_hours(
    client: Client, newsroom: None
) -> None:
    with time_machine.travel(NOW, tick=False):
        root = xml(client, "/sitemap-news.xml")
    assert root.tag == f"{SITEMAP}urlset"
    urls = root.findall(f"{SITEMAP}url")
    # Not "Old" (49 hours), nor "Republished" (first out 5 days ago).
    assert [url.findtext(f"{SITEMAP}loc") for url in urls] == [
        "http://testserver/world/scheduled/",
        "http://testserver/world/fresh/",
    ]
    assert urls[0].findtext(f"{NEWS}news/{NEWS}publication_date") == "2025-09-05T11:30:00+00:00"
    news = urls[1].find(f"{NEWS}news")
    assert news.findtext(f"{NEWS}publication/{NEWS}name") == "The Newsroom"
    assert news.findtext(f"{NEWS}publication/{NEWS}language") == "en"
    assert news.findtext(f"{NEWS}publication_date") == "2025-09-05T11:00:00+00:00"
    assert news.findtext(f"{NEWS}title") == "Fresh"


def test_google_news_sitemap_holds_at_most_1000_stories_and_drops_them_after_48_hours(client: Client) -> None:
    with time_machine.travel(NOW, tick=False):
        ArticleFactory.create_batch(1001, section=SectionFactory(name="World"))
        assert len(xml(client, "/sitemap-news.xml").findall(f"{SITEMAP}url")) == 1000
    with time_machine.travel(NOW + timedelta(hours=48, minutes=10), tick=False):
        assert xml(client, "/sitemap-news.xml").findall(f"{SITEMAP}url") == []


def test_robots_txt_names_the_sitemaps(client: Client) -> None:
    response = client.get("/robots.txt")
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    lines = response.content.decode().splitlines()
    assert "User-agent: *" in lines and "Disallow: /admin/" in lines
    sitemaps = [line.removeprefix("Sitemap: ") for line in lines if line.startswith("Sitemap: ")]
    assert sitemaps == ["http://testserver/sitemap.xml", "http://testserver/sitemap-news.xml"]


@pytest.mark.parametrize(
    "url", ["/sitemap-pages.xml", "/sitemap-articles.xml?p=2", "/sitemap-articles.xml?p=abc", "/sitemap-.xml"]
)
def test_unknown_sitemaps_and_pages_are_404(client: Client, url: str) -> None:
    ArticleFactory()
    assert client.get(url).status_code == 404
