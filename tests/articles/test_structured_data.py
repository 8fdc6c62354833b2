import json
from datetime import UTC, datetime

import pytest
from bs4 import BeautifulSoup
from django.contrib.staticfiles import finders
from django.test import Client

from articles.images.models import Rendition
from articles.models import Article
from tests.factories import AgencyFactory, ArticleFactory, AuthorFactory, ImageFactory, SectionFactory, TopicFactory

pytestmark = pytest.mark.django_db


def head(client: Client, article: Article) -> BeautifulSoup:
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    return BeautifulSoup(response.content, "html.parser").head


def json_ld(soup: BeautifulSoup) -> dict:
    (script,) = soup.select('script[type="application/ld+json"]')
    return json.loads(script.string)


def meta(soup: BeautifulSoup, key: str) -> list[str]:
    return [tag["content"] for tag in soup.select(f'meta[property="{key}"], meta[name="{key}"]')]


@pytest.fixture
def article() -> Article:
    return ArticleFactory(
        headline="Macron banks on US backing",
        standfirst="The Paris gathering drew European leaders.",
        section=SectionFactory(name="World"),
        dateline="PARIS",
        publish_at=datetime(2025, 9, 5, 10, 0, tzinfo=UTC),
        topics=[TopicFactory(name="Russia-Ukraine war"), TopicFactory(name="Emmanuel Macron")],
        authors=[AuthorFactory(name="Nadia Rahman")],
        agencies=[AgencyFactory(name="Agence France-Presse", short_name="AFP", website="https://www.afp.com/")],
    )


def test_json_ld_is_a_news_article_with_googles_required_and_recommended_properties(
    client: Client, article: Article
) -> None:
    data = json_ld(head(client, article))
    url = f"http://testserver{article.get_absolute_url()}"
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "NewsArticle"
    assert data["mainEntityOfPage"] == {"@type": "WebPage", "@id": url}
    assert data["url"] == url
    assert data["headline"] == "Macron banks on US backing"
    assert data["description"] == "The Paris gathering drew European leaders."
    assert data["datePublished"] == "2025-09-05T10:00:00+00:00"
    assert datetime.fromisoformat(data["dateModified"]) >= datetime.fromisoformat(data["datePublished"])
    assert data["articleSection"] == "World"
    assert data["keywords"] == ["Russia-Ukraine war", "Emmanuel Macron"]
    assert data["inLanguage"] == "en"
    assert data["dateline"] == "PARIS, Sept 5"
    assert data["locationCreated"] == {"@type": "Place", "name": "PARIS"}
    assert "image" not in data  # articles have no images yet; an empty list would be invalid


def test_json_ld_credits_staff_as_people_and_agencies_as_organizations(client: Client, article: Article) -> None:
    assert json_ld(head(client, article))["author"] == [
        {"@type": "Person", "name": "Nadia Rahman", "url": "http://testserver/authors/nadia-rahman/"},
        {
            "@type": "Organization",
            "name": "Agence France-Presse",
            "url": "http://testserver/agencies/agence-france-presse/",
            "sameAs": "https://www.afp.com/",
        },
    ]


def test_by_agencies_is_an_organization_author(client: Client) -> None:
    article = ArticleFactory(agencies=[AgencyFactory(name="Agencies")])
    assert json_ld(head(client, article))["author"] == [
        {"@type": "Organization", "name": "Agencies", "url": "http://testserver/agencies/agencies/"}
    ]


def test_json_ld_publisher_is_the_newsroom_with_a_logo_that_exists(client: Client, article: Article) -> None:
    publisher = json_ld(head(client, article))["publisher"]
    assert publisher["@type"] == "Organization"
    assert publisher["name"] == "The Newsroom"
    assert publisher["url"] == "http://testserver/"
    logo = publisher["logo"]
    assert logo["@type"] == "ImageObject" and (logo["width"], logo["height"]) == (600, 60)
    assert logo["url"].startswith("http://testserver/static/")
    assert finders.find(logo["url"].removeprefix("http://testserver/static/")) is not None


def test_json_ld_cannot_be_broken_out_of_by_a_headline(client: Client) -> None:
    headline = 'Spies </script><script>alert("pwned")</script> & <!-- friends'
    soup = head(client, ArticleFactory(headline=headline))
    assert len(soup.find_all("script", type="application/ld+json")) == 1
    assert json_ld(soup)["headline"] == headline


def test_social_cards_canonical_and_description(client: Client, article: Article) -> None:
    soup = head(client, article)
    url = f"http://testserver{article.get_absolute_url()}"
    assert soup.select_one('link[rel="canonical"]')["href"] == url
    assert meta(soup, "description") == ["The Paris gathering drew European leaders."]
    assert meta(soup, "og:type") == ["article"]
    assert meta(soup, "og:title") == ["Macron banks on US backing"]
    assert meta(soup, "og:description") == ["The Paris gathering drew European leaders."]
    assert meta(soup, "og:url") == [url]
    assert meta(soup, "og:site_name") == ["The Newsroom"]
    assert meta(soup, "article:published_time") == ["2025-09-05T10:00:00+00:00"]
    assert meta(soup, "article:section") == ["World"]
    assert meta(soup, "article:tag") == ["Russia-Ukraine war", "Emmanuel Macron"]
    assert meta(soup, "og:image") == []
    assert meta(soup, "twitter:card") == ["summary"]  # "summary_large_image" once articles have images
    assert meta(soup, "twitter:title") == ["Macron banks on US backing"]


def test_an_article_without_standfirst_credits_or_dateline_leaves_those_out(client: Client) -> None:
    soup = head(client, ArticleFactory(standfirst="", dateline=""))
    data = json_ld(soup)
    assert not {"author", "description", "dateline", "locationCreated", "keywords"} & set(data)
    assert meta(soup, "description") == [] and meta(soup, "og:description") == []


def test_lead_image_appears_in_json_ld_and_social_cards_in_three_shapes(client: Client, settings) -> None:
    settings.NEWSROOM = {**settings.NEWSROOM, "IMAGE_AVIF": False}
    article = ArticleFactory(lead_image=ImageFactory(renditions=True))
    soup = BeautifulSoup(client.get(article.get_absolute_url()).content, "html.parser")
    images = json_ld(soup)["image"]
    by_url = {f"http://testserver{r.file.url}": r for r in Rendition.objects.filter(image=article.lead_image)}
    assert [(by_url[url].crop, by_url[url].format) for url in images] == [
        ("16x9", "jpeg"),
        ("4x3", "jpeg"),
        ("1x1", "jpeg"),
    ]
    assert all(
        by_url[url].width == max(r.width for r in by_url.values() if r.crop == by_url[url].crop) for url in images
    )
    assert [meta["content"] for meta in soup.select('meta[property="og:image"]')] == images
    assert soup.select_one('meta[name="twitter:card"]')["content"] == "summary_large_image"


def test_no_image_in_json_ld_without_a_lead_image(client: Client) -> None:
    soup = BeautifulSoup(client.get(ArticleFactory().get_absolute_url()).content, "html.parser")
    assert "image" not in json_ld(soup)
    assert soup.select_one('meta[name="twitter:card"]')["content"] == "summary"
