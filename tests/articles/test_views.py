from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from bs4 import BeautifulSoup
from django.test import Client

from articles.models import Article
from articles.trending import seed_views
from tests.factories import (
    HIDDEN_STATES,
    AgencyFactory,
    ArticleFactory,
    AuthorFactory,
    SectionFactory,
    TopicFactory,
)

pytestmark = pytest.mark.django_db

SEVEN_PARAGRAPHS = "".join(f"<p>Paragraph {n}.</p>" for n in range(1, 8))


def page(client: Client, url: str) -> BeautifulSoup:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return BeautifulSoup(response.content, "html.parser")


def texts(soup: BeautifulSoup, selector: str) -> list[str]:
    return [" ".join(element.get_text(" ", strip=True).split()) for element in soup.select(selector)]


@pytest.fixture
def reference_article() -> Article:
    """The shape of the reference page: WORLD, By Agencies, Paris dateline, related stories and trending."""
    world, economy = SectionFactory(name="World"), SectionFactory(name="Economy")
    war = TopicFactory(name="Russia-Ukraine war")
    macron = TopicFactory(name="Emmanuel Macron")
    article = ArticleFactory(
        headline="Macron banks on US backing as 26 Nations pledge troops for Ukraine",
        standfirst="The Paris gathering drew European leaders.",
        body=SEVEN_PARAGRAPHS,
        section=world,
        dateline="PARIS",
        publish_at=datetime(2025, 9, 5, 10, 0, tzinfo=UTC),
        agencies=[AgencyFactory(name="Agencies")],
        topics=[war, macron],
    )
    ArticleFactory(
        headline="Lending slows as banks focus on recovery of loans at fiscal year end",
        section=economy,
        topics=[war, macron],
        publish_at=datetime(2025, 9, 4, 18, 0, tzinfo=UTC),
    )
    related = [
        ArticleFactory(headline=f"Related story {n}", topics=[war], publish_at=datetime(2025, 9, 1 + n, tzinfo=UTC))
        for n in range(5)
    ]
    others = [ArticleFactory(headline=f"Other news {n}", section=economy) for n in range(6)]
    # Readers read the related stories most, so Trending has to leave them out to show each story once.
    seed_views({story.pk: 100 + n for n, story in enumerate([*others, *related])})
    return article


def test_article_page_shows_every_part_of_the_reference_page(client: Client, reference_article: Article) -> None:
    soup = page(client, reference_article.get_absolute_url())

    assert soup.select_one("[data-ad-slot=header-banner]") is not None
    label = soup.select_one(".article__header .section-label a")
    assert (label.get_text(strip=True), label["href"]) == ("World", "/world/")
    assert texts(soup, "h1") == ["Macron banks on US backing as 26 Nations pledge troops for Ukraine"]
    assert texts(soup, ".standfirst") == ["The Paris gathering drew European leaders."]
    assert texts(soup, ".article__header .byline") == ["By Agencies"]
    first_paragraph = soup.select_one(".article__body p")
    assert first_paragraph.get_text(" ", strip=True).startswith("PARIS, Sept 5: Paragraph 1.")
    # The inline box follows the third paragraph.
    inline = soup.select_one(".article__body .inline-related")
    previous = inline.find_previous_sibling("p")
    assert previous.get_text(strip=True) == "Paragraph 3."
    assert "Related story" in inline.get_text()
    assert "Lending slows as banks focus on recovery of loans at fiscal year end" in inline.get_text()
    assert texts(soup, ".see-more a") == ["Russia-Ukraine war", "Emmanuel Macron"]  # main topic first
    assert len(soup.select(".related-stories li")) == 5
    assert texts(soup, ".related-stories li .section-label") == ["World"] * 5
    assert len(soup.select(".trending li")) == 5


def test_no_story_appears_twice_on_an_article_page(client: Client, reference_article: Article) -> None:
    soup = page(client, reference_article.get_absolute_url())
    links = [a["href"] for a in soup.select(".inline-related a, .related-stories a, .trending a")]
    assert len(links) == len(set(links)) == 11
    assert reference_article.get_absolute_url() not in links


def test_related_stories_share_the_most_topics_then_are_newest(client: Client) -> None:
    a, b = TopicFactory(name="Alpha"), TopicFactory(name="Beta")
    article = ArticleFactory(topics=[a, b])
    both = ArticleFactory(headline="Shares both", topics=[a, b], publish_at=datetime(2020, 1, 1, tzinfo=UTC))
    older = ArticleFactory(headline="Shares one, older", topics=[a], publish_at=datetime(2021, 1, 1, tzinfo=UTC))
    newer = ArticleFactory(headline="Shares one, newer", topics=[b], publish_at=datetime(2022, 1, 1, tzinfo=UTC))
    ArticleFactory(headline="Shares nothing", topics=[TopicFactory(name="Gamma")])
    soup = page(client, article.get_absolute_url())
    assert texts(soup, ".inline-related__headline") == [both.headline]
    assert texts(soup, ".related-stories .story-links__headline") == [newer.headline, older.headline]


def test_long_headlines_are_complete_in_the_html(client: Client) -> None:
    topic = TopicFactory()
    long_headline = "A very long headline " * 8
    article = ArticleFactory(topics=[topic])
    ArticleFactory(topics=[topic])
    ArticleFactory(headline=long_headline.strip(), topics=[topic], publish_at=datetime(2020, 1, 1, tzinfo=UTC))
    assert long_headline.strip() in texts(page(client, article.get_absolute_url()), ".related-stories a")


@pytest.mark.parametrize("state", HIDDEN_STATES)
def test_unpublished_article_is_a_404_like_an_address_never_used(client: Client, state: str) -> None:
    article = ArticleFactory(**{state: True}, headline="Canary zebra headline")
    hidden = client.get(article.get_absolute_url())
    never = client.get(f"/{article.section.slug}/never-existed/")
    assert hidden.status_code == never.status_code == 404
    assert b"zebra" not in hidden.content
    assert hidden.content == never.content


@pytest.mark.parametrize("state", HIDDEN_STATES)
def test_unpublished_article_appears_on_no_public_page(client: Client, state: str) -> None:
    topic = TopicFactory(name="Shared topic")
    author, agency = AuthorFactory(), AgencyFactory()
    live = ArticleFactory(topics=[topic], authors=[author], agencies=[agency])
    ArticleFactory(**{state: True}, headline="Canary zebra", topics=[topic], authors=[author], agencies=[agency])
    for url in [
        "/",
        live.section.get_absolute_url(),
        topic.get_absolute_url(),
        author.get_absolute_url(),
        agency.get_absolute_url(),
        live.get_absolute_url(),  # related stories and trending
    ]:
        response = client.get(url)
        assert response.status_code == 200
        assert b"zebra" not in response.content, url


def test_topic_used_only_by_unpublished_stories_has_no_public_page(client: Client) -> None:
    topic = TopicFactory(name="Canary topic")
    ArticleFactory(draft=True, topics=[topic])
    assert client.get(topic.get_absolute_url()).status_code == 404


def test_scheduled_article_appears_everywhere_at_its_publish_time(client: Client) -> None:
    publish_at = datetime(2026, 6, 1, 10, 0, tzinfo=UTC)
    topic = TopicFactory()
    article = ArticleFactory(headline="Scheduled scoop", publish_at=publish_at, topics=[topic])
    urls = ["/", article.section.get_absolute_url(), topic.get_absolute_url()]
    with time_machine.travel(publish_at - timedelta(seconds=1), tick=False):
        assert client.get(article.get_absolute_url()).status_code == 404
        assert b"Scheduled scoop" not in client.get("/").content
    with time_machine.travel(publish_at, tick=False):
        assert client.get(article.get_absolute_url()).status_code == 200
        for url in urls:
            assert b"Scheduled scoop" in client.get(url).content, url


def test_old_slug_redirects_permanently_to_the_current_address(client: Client) -> None:
    article = Article.objects.get(pk=ArticleFactory(slug="old-slug").pk)
    old_url = article.get_absolute_url()
    article.slug = "new-slug"
    article.save()
    response = client.get(old_url)
    assert response.status_code == 301
    assert response["Location"] == "/world/new-slug/"


def test_article_moved_to_another_section_redirects_from_its_old_address(client: Client) -> None:
    article = Article.objects.get(pk=ArticleFactory(slug="story").pk)
    article.section = SectionFactory(name="Europe")
    article.save()
    response = client.get("/world/story/")
    assert (response.status_code, response["Location"]) == (301, "/europe/story/")


def test_old_address_of_an_article_no_longer_live_is_a_plain_404(client: Client) -> None:
    article = Article.objects.get(pk=ArticleFactory(slug="before").pk)
    article.slug = "after-canary"
    article.status = Article.Status.WITHDRAWN
    article.save()
    response = client.get("/world/before/")
    assert response.status_code == 404
    assert b"after-canary" not in response.content


def test_renamed_section_redirects_its_articles(client: Client) -> None:
    article = ArticleFactory(slug="story")
    section = article.section.__class__.objects.get(pk=article.section_id)
    section.slug = "international"
    section.save()
    response = client.get("/world/story/", follow=True)
    assert response.redirect_chain == [("/international/story/", 301)]
    assert response.status_code == 200


@pytest.mark.parametrize(
    "url", ["/no-such-section/", "/topics/no-such-topic/", "/world/no-such-story/", "/authors/nobody/", "/agencies/x/"]
)
def test_unknown_addresses_are_404(client: Client, url: str) -> None:
    SectionFactory(name="World")
    assert client.get(url).status_code == 404


def test_home_page_lists_latest_stories_and_section_fronts(client: Client) -> None:
    world, sport = SectionFactory(name="World", position=1), SectionFactory(name="Sport", position=2)
    europe = SectionFactory(name="Europe", parent=world)
    for n in range(14):
        ArticleFactory(headline=f"World story {n}", section=world, publish_at=datetime(2025, 1, 1 + n, tzinfo=UTC))
    ArticleFactory(headline="Europe story", section=europe, publish_at=datetime(2024, 12, 1, tzinfo=UTC))
    ArticleFactory(headline="Sport story", section=sport, publish_at=datetime(2024, 1, 1, tzinfo=UTC))
    soup = page(client, "/")
    # With no front slots filled, the newest stories lead and fill the top stories, then the latest list.
    assert texts(soup, ".lead-story h2") == ["World story 13"]
    assert texts(soup, ".top-stories h2") == [f"World story {n}" for n in (12, 11, 10, 9)]
    assert texts(soup, ".latest h3") == [f"World story {n}" for n in range(8, 1, -1)]
    fronts = {
        front.select_one("h2").get_text(strip=True): texts(front, ".story-links__headline")
        for front in soup.select(".section-front")
    }
    # The World front rolls up its subsections and repeats nothing from the latest list.
    assert fronts == {"World": ["World story 1", "World story 0", "Europe story"], "Sport": ["Sport story"]}


def test_topic_author_and_agency_pages_list_their_live_stories(client: Client) -> None:
    topic, author, agency = TopicFactory(name="Oil prices"), AuthorFactory(name="Jane Doe"), AgencyFactory(name="AFP")
    ArticleFactory(headline="On topic", topics=[topic])
    ArticleFactory(headline="By Jane", authors=[author])
    ArticleFactory(headline="From AFP", agencies=[agency])
    assert texts(page(client, topic.get_absolute_url()), ".teaser h2") == ["On topic"]
    assert texts(page(client, author.get_absolute_url()), ".teaser h2") == ["By Jane"]
    assert texts(page(client, agency.get_absolute_url()), ".teaser h2") == ["From AFP"]


def test_byline_links_each_credit_to_its_page(client: Client) -> None:
    author, agency = AuthorFactory(name="Jane Doe"), AgencyFactory(name="Agence France-Presse", short_name="AFP")
    article = ArticleFactory(authors=[author], agencies=[agency])
    byline = page(client, article.get_absolute_url()).select_one(".article__header .byline")
    assert " ".join(byline.get_text().split()) == "By Jane Doe and AFP"
    assert [a["href"] for a in byline.select("a")] == [author.get_absolute_url(), agency.get_absolute_url()]


def test_headline_and_standfirst_are_escaped(client: Client) -> None:
    article = ArticleFactory(headline="<script>alert('h')</script>", standfirst="<img src=x onerror=alert(1)>")
    content = client.get(article.get_absolute_url()).content
    assert b"<script>alert" not in content
    assert b"<img src=x" not in content
    assert b"&lt;script&gt;" in content


class TestPagination:
    @pytest.fixture(autouse=True)
    def stories(self, settings) -> None:
        settings.NEWSROOM = {**settings.NEWSROOM, "ARTICLES_PER_PAGE": 2, "SECTION_FRONT_STORIES": 4}
        for n in range(9):
            ArticleFactory(headline=f"Story {n}", publish_at=datetime(2025, 1, 1 + n, tzinfo=UTC))

    def test_pages_run_newest_first(self, client: Client) -> None:
        # The four newest make up the section's front, on the first page only; the list pages through the rest.
        first = page(client, "/world/")
        assert texts(first, ".section-top h2") == ["Story 8", "Story 7", "Story 6", "Story 5"]
        assert texts(first, ".section-stories h2") == ["Story 4", "Story 3"]
        last = page(client, "/world/?page=3")
        assert texts(last, ".section-stories h2") == ["Story 0"]
        assert not last.select(".section-top")

    @pytest.mark.parametrize("number", ["abc", "0", "-1", "4", "99999999999999999999", "1.5"])
    def test_a_page_that_does_not_exist_is_a_404(self, client: Client, number: str) -> None:
        assert client.get(f"/world/?page={number}").status_code == 404


def test_empty_section_shows_an_empty_first_page(client: Client) -> None:
    SectionFactory(name="Science")
    assert "No stories here yet." in page(client, "/science/").get_text()
