from io import StringIO

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client

from articles.models import Article, Image, Rendition, Topic
from sections.models import Section

pytestmark = pytest.mark.django_db

REFERENCE_SLUG = "macron-banks-on-us-backing-as-26-nations-pledge-troops-for-ukraine"


@pytest.fixture(autouse=True)
def without_avif(settings) -> None:
    # The demo draws its pictures and makes their renditions on every first load; AVIF encoding is most of that time
    # and is tested on its own (test_image_renditions.py).
    settings.NEWSROOM = settings.NEWSROOM | {"IMAGE_AVIF": False}


def load_demo() -> None:
    call_command("demo", stdout=StringIO())


def test_demo_loads_a_newsroom_and_loading_it_again_changes_nothing(settings) -> None:
    settings.DEBUG = True
    load_demo()
    counts = (Section.objects.count(), Article.objects.count(), Topic.objects.count())
    assert counts[0] >= 12 and Article.objects.live().count() >= 55
    assert Article.objects.exclude(pk__in=Article.objects.live()).count() >= 4  # drafts etc. for the admin
    pictures = set(Rendition.objects.values_list("file", flat=True))
    assert Image.objects.count() >= 6 and len(pictures) >= 6 * 20
    load_demo()
    assert (Section.objects.count(), Article.objects.count(), Topic.objects.count()) == counts
    assert set(Rendition.objects.values_list("file", flat=True)) == pictures  # nothing drawn or rendered again


def test_demo_accounts_are_only_created_with_debug_on(settings) -> None:
    settings.DEBUG = False
    load_demo()
    assert not get_user_model().objects.exists()
    settings.DEBUG = True
    load_demo()
    journalist = get_user_model().objects.get(username="journalist")
    assert journalist.check_password("journalist-demo-2026")
    assert journalist.groups.filter(name="Journalists").exists()
    assert get_user_model().objects.get(username="editor").groups.filter(name="Editors").exists()


def test_demo_reproduces_the_reference_article_page(client: Client) -> None:
    load_demo()
    article = Article.objects.get(slug=REFERENCE_SLUG)
    soup = BeautifulSoup(client.get(article.get_absolute_url()).content, "html.parser")
    assert soup.select_one(".article__header .section-label").get_text(strip=True) == "World"
    assert soup.select_one(".byline").get_text(" ", strip=True) == "By Agencies"
    assert soup.select_one(".article__body p").get_text(" ", strip=True).startswith("PARIS, Sept 5: French President")
    assert "Lending slows as banks focus on recovery of loans" in soup.select_one(".inline-related").get_text()
    assert soup.select_one(".see-more a").get_text(strip=True) == "Russia-Ukraine war"
    related = [" ".join(li.get_text(" ", strip=True).split()) for li in soup.select(".related-stories li")]
    assert related[0].startswith("Economy Trump attacks Ford Motor")
    assert len(related) == 5
    assert len(soup.select(".trending li")) == 5
    assert soup.select_one("[data-ad-slot=header-banner]") is not None
    lead = soup.select_one(".article > figure.picture")
    assert lead.select_one("img")["alt"].startswith("Drawing of a Paris skyline")
    assert "Photo: Ludovic Marin/AFP" in lead.figcaption.get_text()


def test_demo_stories_have_pictures(client: Client) -> None:
    load_demo()
    live = Article.objects.live()
    assert live.filter(lead_image__isnull=True).count() == 0
    story = live.get(body__contains="[image ")
    soup = BeautifulSoup(client.get(story.get_absolute_url()).content, "html.parser")
    assert len(soup.select(".article__body figure.picture img[loading=lazy]")) == 1


def test_demo_shows_curated_fronts_and_trending(client: Client) -> None:
    load_demo()
    home = BeautifulSoup(client.get("/").content, "html.parser")
    lead = home.select_one(".lead-story h2").get_text(strip=True)
    assert lead == "EU leaders agree new sanctions package targeting Russian oil revenues"
    world = BeautifulSoup(client.get("/world/").content, "html.parser")
    assert world.select_one(".section-top h2").get_text(strip=True).startswith("Ukraine-Russia crisis")
    article = Article.objects.get(slug=REFERENCE_SLUG)
    page = BeautifulSoup(client.get(article.get_absolute_url()).content, "html.parser")
    trending = [a.get_text(strip=True) for a in page.select(".trending .story-links__headline")]
    assert trending[:2] == [
        "Arsenal go five points clear after derby win at Tottenham",
        "Weight-loss drug prices to fall under new US deal",
    ]
