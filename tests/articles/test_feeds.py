import xml.etree.ElementTree as ET
from datetime import UTC, datetime

import pytest
from bs4 import BeautifulSoup
from django.test import Client

from tests.factories import AgencyFactory, ArticleFactory, AuthorFactory, SectionFactory, TopicFactory

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
DC = "{http://purl.org/dc/elements/1.1/}"


def feed(client: Client, url: str) -> ET.Element:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return ET.fromstring(response.content)


def rss_titles(root: ET.Element) -> list[str]:
    return [item.findtext("title") for item in root.iter("item")]


def atom_titles(root: ET.Element) -> list[str]:
    return [entry.findtext(f"{ATOM}title") for entry in root.iter(f"{ATOM}entry")]


@pytest.fixture
def story() -> dict:
    world = SectionFactory(name="World")
    article = ArticleFactory(
        headline="Rock & roll returns to Paris",
        standfirst="Fans <3 it.",
        body='<p>First.</p><script>alert("x")</script><p onclick="x()">Second.</p>',
        section=world,
        dateline="PARIS",
        publish_at=datetime(2025, 9, 5, 10, 0, tzinfo=UTC),
        topics=[TopicFactory(name="Music"), TopicFactory(name="France")],
        authors=[AuthorFactory(name="Jane Doe")],
        agencies=[AgencyFactory(name="Agence France-Presse", short_name="AFP")],
    )
    return {"article": article, "section": world}


def test_rss_feed_is_rss_2_with_every_part_of_an_item(client: Client, story: dict) -> None:
    root = feed(client, "/feeds/rss/")
    assert root.tag == "rss" and root.get("version") == "2.0"
    channel = root.find("channel")
    assert channel.findtext("title") == "The Newsroom"
    assert channel.find(f"{ATOM}link").get("href") == "http://testserver/feeds/rss/"
    assert channel.findtext("language") == "en"
    (item,) = channel.findall("item")
    article = story["article"]
    # RSS titles and descriptions are HTML to readers: escaped once more than the text.
    assert item.findtext("title") == "Rock &amp; roll returns to Paris"
    assert item.findtext("description") == "Fans &lt;3 it."
    assert item.findtext("link") == f"http://testserver{article.get_absolute_url()}"
    assert item.findtext(f"{DC}creator") == "Jane Doe and AFP"
    assert item.findtext("pubDate") == "Fri, 05 Sep 2025 10:00:00 +0000"
    assert item.find("guid").get("isPermaLink") == "false"
    assert item.findtext("guid") == f"tag:testserver,{article.created_at:%Y-%m-%d}:article:{article.pk}"
    assert [category.text for category in item.findall("category")] == ["World", "Music", "France"]


def test_atom_feed_carries_the_full_sanitized_body(client: Client, story: dict) -> None:
    root = feed(client, "/feeds/atom/")
    assert root.tag == f"{ATOM}feed"
    assert root.findtext(f"{ATOM}author/{ATOM}name") == "The Newsroom"
    (entry,) = root.findall(f"{ATOM}entry")
    assert entry.findtext(f"{ATOM}title") == "Rock & roll returns to Paris"
    assert entry.find(f"{ATOM}summary").get("type") == "html"
    assert entry.findtext(f"{ATOM}published") == "2025-09-05T10:00:00+00:00"
    assert entry.findtext(f"{ATOM}updated") >= "2025-09-05T10:00:00+00:00"
    assert [author.text for author in entry.iter(f"{ATOM}name")] == ["Jane Doe and AFP"]
    assert entry.findtext(f"{ATOM}id").startswith("tag:testserver,")
    content = entry.find(f"{ATOM}content")
    assert content.get("type") == "html"
    body = BeautifulSoup(content.text, "html.parser")
    assert body.get_text(" ", strip=True) == "PARIS, Sept 5: First. Second."
    assert body.find("script") is None and body.find(attrs={"onclick": True}) is None


def test_section_feed_has_its_subsections_stories_and_no_others(client: Client) -> None:
    world = SectionFactory(name="World")
    europe = SectionFactory(name="Europe", parent=world)
    ArticleFactory(headline="From the world desk", section=world)
    ArticleFactory(headline="From Europe", section=europe)
    ArticleFactory(headline="About sport", section=SectionFactory(name="Sport"))
    assert sorted(rss_titles(feed(client, "/feeds/sections/world/rss/"))) == ["From Europe", "From the world desk"]
    assert atom_titles(feed(client, "/feeds/sections/europe/atom/")) == ["From Europe"]


def test_topic_author_and_agency_feeds_have_only_their_stories(client: Client) -> None:
    topic, author, agency = TopicFactory(name="Oil"), AuthorFactory(name="Ann Lee"), AgencyFactory(name="Reuters")
    ArticleFactory(headline="On oil", topics=[topic])
    ArticleFactory(headline="By Ann", authors=[author])
    ArticleFactory(headline="From Reuters", agencies=[agency])
    assert rss_titles(feed(client, "/feeds/topics/oil/rss/")) == ["On oil"]
    assert atom_titles(feed(client, "/feeds/authors/ann-lee/atom/")) == ["By Ann"]
    assert rss_titles(feed(client, "/feeds/agencies/reuters/rss/")) == ["From Reuters"]


def test_feeds_list_the_newest_fifty_stories_newest_first(client: Client) -> None:
    for n in range(52):
        ArticleFactory(headline=f"Story {n}", publish_at=datetime(2025, 9, 1, 0, n, tzinfo=UTC))
    titles = rss_titles(feed(client, "/feeds/rss/"))
    assert len(titles) == 50
    assert titles[:2] == ["Story 51", "Story 50"] and titles[-1] == "Story 2"


@pytest.mark.parametrize(
    "url",
    [
        "/feeds/json/",
        "/feeds/sections/nowhere/rss/",
        "/feeds/topics/nothing/atom/",
        "/feeds/authors/nobody/rss/",
        "/feeds/agencies/none/atom/",
        "/feeds/sections/world/xml/",
        "/feeds/topics/secret-plans/rss/",
    ],
)
def test_unknown_feeds_are_404(client: Client, url: str) -> None:
    SectionFactory(name="World")
    # A topic only an unpublished story uses is not public yet: no feed, as no page.
    ArticleFactory(draft=True, topics=[TopicFactory(name="Secret plans")])
    assert client.get(url).status_code == 404


def test_pages_announce_their_feeds_to_feed_readers(client: Client) -> None:
    section = SectionFactory(name="World")
    topic, author, agency = TopicFactory(name="Oil"), AuthorFactory(name="Ann Lee"), AgencyFactory(name="Reuters")
    article = ArticleFactory(section=section, topics=[topic], authors=[author], agencies=[agency])
    pages = {
        "/": [],
        article.get_absolute_url(): [],
        "/world/": ["/feeds/sections/world/rss/", "/feeds/sections/world/atom/"],
        "/topics/oil/": ["/feeds/topics/oil/rss/", "/feeds/topics/oil/atom/"],
        "/authors/ann-lee/": ["/feeds/authors/ann-lee/rss/", "/feeds/authors/ann-lee/atom/"],
        "/agencies/reuters/": ["/feeds/agencies/reuters/rss/", "/feeds/agencies/reuters/atom/"],
    }
    for url, own_feeds in pages.items():
        soup = BeautifulSoup(client.get(url).content, "html.parser")
        links = soup.select("head link[rel=alternate]")
        assert [link["href"] for link in links] == ["/feeds/rss/", "/feeds/atom/", *own_feeds]
        assert [link["type"] for link in links[:2]] == ["application/rss+xml", "application/atom+xml"]
        for link in links:
            assert client.get(link["href"]).status_code == 200
