"""
Library images on the public site: the lead image and body images as `<picture>` elements, and nothing of an image
leaking from a story readers may not see.
"""

import pytest
from bs4 import BeautifulSoup
from django.core.files.base import ContentFile
from django.test import Client
from PIL import features

from articles.models import Rendition
from tests.factories import HIDDEN_STATES, AgencyFactory, ArticleFactory, ImageFactory, TopicFactory, picture_bytes

pytestmark = pytest.mark.django_db

MODERN_TYPES = ["image/avif", "image/webp"] if features.check("avif") else ["image/webp"]


def page(client: Client, url: str) -> BeautifulSoup:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return BeautifulSoup(response.content, "html.parser")


def srcset_widths(srcset: str) -> list[int]:
    return [int(candidate.split()[1].removesuffix("w")) for candidate in srcset.split(", ")]


@pytest.fixture
def lead_image():
    return ImageFactory(
        file=ContentFile(picture_bytes(1600, 1000), name="lead.jpg"),
        alt_text="Leaders on the steps of the Élysée Palace",
        caption="Leaders met in Paris on Thursday.",
        photographer="Ludovic Marin",
        agency=AgencyFactory(name="Agence France-Presse", short_name="AFP"),
        renditions=True,
    )


def test_lead_image_is_a_responsive_picture_cropped_to_16_9(client: Client, lead_image) -> None:
    article = ArticleFactory(lead_image=lead_image)
    figure = page(client, article.get_absolute_url()).select_one(".article > figure.picture")
    sources = figure.select("picture > source")
    assert [source["type"] for source in sources] == MODERN_TYPES
    for source in sources:
        assert srcset_widths(source["srcset"]) == [320, 640, 960, 1280, 1600]
        assert "/16x9-" in source["srcset"] and "/original-" not in source["srcset"]
    img = figure.select_one("picture > img")
    assert srcset_widths(img["srcset"]) == [320, 640, 960, 1280, 1600]
    assert "/16x9-960-" in img["src"] and img["src"].endswith(".jpg")
    assert (img["width"], img["height"]) == ("1600", "900")
    assert img["alt"] == "Leaders on the steps of the Élysée Palace"
    assert img["sizes"]
    # In view as the page opens: fetched first and painted with the page, never lazily.
    assert "loading" not in img.attrs and "decoding" not in img.attrs and img["fetchpriority"] == "high"
    caption = " ".join(figure.figcaption.get_text(" ", strip=True).split())
    assert caption == "Leaders met in Paris on Thursday. Photo: Ludovic Marin/AFP"


def test_an_article_can_give_its_lead_image_its_own_caption_and_credit(client: Client, lead_image) -> None:
    article = ArticleFactory(
        lead_image=lead_image, lead_image_caption="The French president greets guests.", lead_image_credit="Pool"
    )
    figure = page(client, article.get_absolute_url()).select_one(".article > figure.picture")
    assert " ".join(figure.figcaption.get_text(" ", strip=True).split()) == (
        "The French president greets guests. Photo: Pool"
    )


def test_body_shortcode_shows_the_library_image_uncropped_and_lazily(client: Client) -> None:
    image = ImageFactory(
        file=ContentFile(picture_bytes(1000, 500), name="chart.jpg"), alt_text="Map of the front line", renditions=True
    )
    article = ArticleFactory(body=f"<p>Before.</p><p>[image {image.pk}]</p><p>After.</p><p>[image 999999]</p>")
    soup = page(client, article.get_absolute_url())
    [figure] = soup.select(".article__body figure.picture")
    img = figure.select_one("img")
    assert img["alt"] == "Map of the front line"
    assert (img["loading"], img["decoding"]) == ("lazy", "async")
    assert (img["width"], img["height"]) == ("960", "480")  # the picture's own 2:1 shape
    assert "/original-" in img["src"]
    assert [p.get_text() for p in soup.select(".article__body > p")] == ["Before.", "After."]
    assert "[image" not in soup.select_one(".article__body").get_text()


def test_image_shortcodes_survive_the_sanitizer() -> None:
    article = ArticleFactory(body='<p>[image 12]</p><p><img src="x" onerror="alert(1)">Text</p>')
    assert article.body == "<p>[image 12]</p><p>Text</p>"


def test_a_body_opening_with_a_picture_keeps_its_dateline_on_the_first_paragraph(client: Client) -> None:
    image = ImageFactory(renditions=True)
    article = ArticleFactory(dateline="KYIV", body=f"<p>[image {image.pk}]</p><p>Shelling continued overnight.</p>")
    body = page(client, article.get_absolute_url()).select_one(".article__body")
    assert body.find().name == "figure"
    assert body.select_one("p").get_text(" ", strip=True).startswith("KYIV, ")
    assert body.select_one("p").get_text(" ", strip=True).endswith(": Shelling continued overnight.")


def test_image_text_is_escaped(client: Client) -> None:
    image = ImageFactory(alt_text='"><script>alert(1)</script>', caption="<b>bold</b>", renditions=True)
    response = client.get(ArticleFactory(lead_image=image).get_absolute_url())
    assert b"<script>alert(1)" not in response.content and b"<b>bold</b>" not in response.content
    soup = BeautifulSoup(response.content, "html.parser")
    assert soup.select_one(".article picture img")["alt"] == '"><script>alert(1)</script>'


def test_a_page_never_makes_renditions_and_shows_the_original_until_they_exist(client: Client) -> None:
    image = ImageFactory(file=ContentFile(picture_bytes(800, 600), name="fresh.jpg"))
    article = ArticleFactory(lead_image=image)
    img = page(client, article.get_absolute_url()).select_one(".article picture img")
    assert img["src"] == image.file.url and (img["width"], img["height"]) == ("800", "600")
    assert not Rendition.objects.exists()


CANARY = "Canary-7f3a: the unpublished picture"


@pytest.mark.parametrize("state", HIDDEN_STATES)
def test_pictures_of_unpublished_articles_appear_on_no_public_page(client: Client, state: str) -> None:
    topic = TopicFactory(name="Floods")
    live = ArticleFactory(headline="Rivers rise", topics=[topic])
    hidden_image = ImageFactory(alt_text=CANARY, caption=f"{CANARY} (caption)", renditions=True)
    body_image = ImageFactory(alt_text=f"{CANARY} (body)", renditions=True)
    hidden = ArticleFactory(
        **{state: True},
        section=live.section,
        topics=[topic],
        lead_image=hidden_image,
        body=f"<p>Text.</p><p>[image {body_image.pk}]</p>",
    )
    for url in ["/", live.section.get_absolute_url(), topic.get_absolute_url(), live.get_absolute_url()]:
        response = client.get(url)
        assert response.status_code == 200
        assert CANARY not in response.content.decode(), url
        assert hidden_image.file.url not in response.content.decode(), url
    response = client.get(hidden.get_absolute_url())
    assert response.status_code == 404 and CANARY not in response.content.decode()


def test_unpublished_article_pictures_have_unguessable_addresses(lead_image) -> None:
    article = ArticleFactory(draft=True, lead_image=lead_image)
    for name in [article.lead_image.file.name, *lead_image.renditions.values_list("file", flat=True)]:
        assert article.slug not in name and "lead" not in name.rsplit("/", 1)[-1]
        assert len(name.rsplit("/", 1)[-1].split("-")[-1].split(".")[0]) >= 16  # at least 64 random bits


def test_feeds_and_the_api_carry_the_text_without_picture_shortcodes(client: Client) -> None:
    image = ImageFactory()
    article = ArticleFactory(body=f"<p>Before.</p><p>[image {image.pk}]</p><p>After.</p>")
    atom = client.get("/feeds/atom/").content.decode()
    item = client.get(f"/api/articles/{article.pk}/").json()
    for text in (atom, item["bodies"][0]["value"]):
        assert "Before." in text and "After." in text
        assert "[image" not in text
    assert item["bodies"][0]["wordcount"] == 2
