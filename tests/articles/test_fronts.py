from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from bs4 import BeautifulSoup
from django.contrib.auth.models import Group
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse

from articles.models import FrontSlot
from articles.roles import EDITORS
from tests.factories import HIDDEN_STATES, ArticleFactory, SectionFactory, UserFactory

pytestmark = pytest.mark.django_db


def headlines(client: Client, url: str, selector: str) -> list[str]:
    response = client.get(url)
    assert response.status_code == 200
    soup = BeautifulSoup(response.content, "html.parser")
    return [element.get_text(strip=True) for element in soup.select(selector)]


def home_top(client: Client) -> list[str]:
    return headlines(client, "/", ".lead-story h2, .top-stories h2")


@pytest.fixture
def newest() -> list:
    """Eight stories, newest first: "Story 7" … "Story 0"."""
    stories = [
        ArticleFactory(headline=f"Story {n}", publish_at=datetime(2026, 1, 1 + n, tzinfo=UTC)) for n in range(8)
    ]
    return stories[::-1]


def test_without_slots_the_home_front_shows_the_newest_stories(client: Client, newest: list) -> None:
    assert home_top(client) == ["Story 7", "Story 6", "Story 5", "Story 4", "Story 3"]


def test_editors_slots_lead_in_their_order_and_the_newest_fill_the_rest(client: Client, newest: list) -> None:
    FrontSlot.objects.create(article=newest[6], position=2)  # Story 1
    FrontSlot.objects.create(article=newest[4], position=1)  # Story 3
    # A slot on a section front is not on the home page.
    FrontSlot.objects.create(section=newest[0].section, article=newest[7])
    assert home_top(client) == ["Story 3", "Story 1", "Story 7", "Story 6", "Story 5"]


def test_no_story_appears_twice_on_the_home_page(client: Client, newest: list) -> None:
    FrontSlot.objects.create(article=newest[0], position=0)  # the newest story, curated
    response = client.get("/")
    soup = BeautifulSoup(response.content, "html.parser")
    links = [a["href"] for a in soup.select(".teaser__headline a, .story-links a")]
    assert len(links) == len(set(links)) == 8


def test_a_scheduled_slot_shows_only_from_its_start_until_its_end(client: Client, newest: list) -> None:
    starts, ends = datetime(2026, 3, 1, 8, tzinfo=UTC), datetime(2026, 3, 1, 20, tzinfo=UTC)
    FrontSlot.objects.create(article=newest[7], starts_at=starts, ends_at=ends)  # Story 0
    for moment, leads in [
        (starts - timedelta(seconds=1), "Story 7"),
        (starts, "Story 0"),
        (ends - timedelta(seconds=1), "Story 0"),
        (ends, "Story 7"),
    ]:
        with time_machine.travel(moment, tick=False):
            assert home_top(client)[0] == leads, moment


@pytest.mark.parametrize("state", HIDDEN_STATES)
def test_a_slot_whose_story_is_not_live_is_skipped(client: Client, newest: list, state: str) -> None:
    hidden = ArticleFactory(**{state: True}, headline="Canary zebra")
    FrontSlot.objects.create(article=hidden, position=0)
    FrontSlot.objects.create(section=hidden.section, article=hidden, position=0)
    assert home_top(client)[0] == "Story 7"
    assert b"zebra" not in client.get("/").content
    assert b"zebra" not in client.get(hidden.section.get_absolute_url()).content


def test_a_scheduled_story_in_a_slot_leads_exactly_at_its_publish_time(client: Client, newest: list) -> None:
    publish_at = datetime(2026, 6, 1, 6, tzinfo=UTC)
    story = ArticleFactory(headline="Scheduled lead", publish_at=publish_at, first_published_at=None)
    FrontSlot.objects.create(article=story)
    with time_machine.travel(publish_at - timedelta(seconds=1), tick=False):
        assert home_top(client)[0] == "Story 7"
    with time_machine.travel(publish_at, tick=False):
        assert home_top(client)[0] == "Scheduled lead"


def test_a_section_front_is_curated_then_backfilled_from_its_subsections(client: Client) -> None:
    world = SectionFactory(name="World")
    europe = SectionFactory(name="Europe", parent=world)
    for n in range(6):
        ArticleFactory(headline=f"Europe {n}", section=europe, publish_at=datetime(2026, 2, 1 + n, tzinfo=UTC))
    analysis = ArticleFactory(headline="Analysis", section=world, publish_at=datetime(2025, 1, 1, tzinfo=UTC))
    FrontSlot.objects.create(section=world, article=analysis)
    assert headlines(client, "/world/", ".section-top h2") == ["Analysis", "Europe 5", "Europe 4", "Europe 3"]
    # The list below leaves the front's stories out.
    assert headlines(client, "/world/", ".section-stories h2") == ["Europe 2", "Europe 1", "Europe 0"]


def test_a_story_has_one_slot_per_front() -> None:
    story = ArticleFactory()
    FrontSlot.objects.create(article=story)
    FrontSlot.objects.create(section=story.section, article=story)  # another front: fine
    with pytest.raises(IntegrityError), transaction.atomic():
        FrontSlot.objects.create(article=story, position=3)


def test_editors_fill_and_order_fronts_in_the_admin(client: Client) -> None:
    editor = UserFactory(username="editor", is_staff=True)
    editor.groups.add(Group.objects.get(name=EDITORS))
    client.force_login(editor)
    story = ArticleFactory(headline="Chosen")
    response = client.post(
        reverse("admin:articles_frontslot_add"), {"section": "", "article": story.pk, "position": "0"}
    )
    assert response.status_code == 302
    changelist = client.get(reverse("admin:articles_frontslot_changelist")).content.decode()
    assert "Home page" in changelist and "Chosen" in changelist
    assert home_top(client)[0] == "Chosen"
