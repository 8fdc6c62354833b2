"""
The leak matrix: a story readers may not see (each hidden state) never shows on any public surface
(tests/surfaces.py), fresh or from the page cache, and its own addresses answer exactly as addresses never used.

Each hidden story carries a canary (a unique word) in its headline, slug, topic, lead image's alt text and old slug;
its pictures' file names are canaries too. A live control story, planted the same way beside it, must show on every
surface that lists stories: the checks can fail. Then the clock is pinned across a publish time, an embargo's end and
an expiry (one second before, at, one second after), and a story is withdrawn from pages already cached.
"""

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from django.test import Client

from articles.models import Article, ArticleRedirect
from tests.factories import (
    HIDDEN_STATES,
    AgencyFactory,
    ArticleFactory,
    AuthorFactory,
    ImageFactory,
    SectionFactory,
    TopicFactory,
)
from tests.surfaces import ARTICLE_ADDRESSES, PUBLIC_SURFACES, Subjects

pytestmark = pytest.mark.django_db

NOW = datetime(2025, 9, 5, 12, 0, tzinfo=UTC)
CONTROL = "ctrlcanaryq7"


@pytest.fixture(autouse=True)
def _quick_pictures(settings) -> None:
    # AVIF encoding is most of a rendition's cost and adds nothing here.
    settings.NEWSROOM = {**settings.NEWSROOM, "IMAGE_AVIF": False}


@pytest.fixture(autouse=True)
def _pinned_clock() -> None:
    # Stories are dated from NOW (the news sitemap lists only the last 48 hours'); tests travel on from it.
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def subjects() -> Subjects:
    """A section, topic, author and agency every planted story shares, and a live story whose page lists others."""
    shared = {
        "section": SectionFactory(name="World"),
        "topic": TopicFactory(name="Shared topic"),
        "author": AuthorFactory(name="Ann Lee"),
        "agency": AgencyFactory(name="AFP"),
    }
    neighbour = ArticleFactory(
        headline="Neighbour story",
        section=shared["section"],
        topics=[shared["topic"]],
        authors=[shared["author"]],
        agencies=[shared["agency"]],
        publish_at=NOW - timedelta(days=2),
    )
    return Subjects(**shared, article=neighbour)


def plant(canary: str, subjects: Subjects, **fields) -> Article:
    """A story with `canary` in its headline, slug, own topic, lead image's alt text and an old address."""
    image = ImageFactory(alt_text=f"{canary} picture", caption="A caption.", renditions=True)
    article = ArticleFactory(
        headline=f"{canary} headline",
        slug=f"{canary}-slug",
        body=f"<p>One.</p><p>[image {image.pk}]</p><p>Two.</p><p>Three.</p>",
        section=subjects.section,
        topics=[subjects.topic, TopicFactory(name=f"{canary} topic")],
        authors=[subjects.author],
        agencies=[subjects.agency],
        lead_image=image,
        **fields,
    )
    ArticleRedirect.objects.create(section=subjects.section, old_slug=f"{canary}-old-slug", article=article)
    return article


def markers(article: Article) -> list[str]:
    """What betrays the story: its canary (headline, slug, topic, alt text) and its pictures' file names."""
    image = article.lead_image
    files = [image.file.name, *(rendition.file.name for rendition in image.renditions.all())]
    return [article.slug.split("-")[0], *(Path(name).name for name in files)]


def fetch_all(client: Client, subjects: Subjects) -> dict[str, tuple[int, str]]:
    found = {}
    for surface in PUBLIC_SURFACES:
        response = client.get(surface.url(subjects))
        found[surface.name] = (response.status_code, response.content.decode().lower())
    return found


def leaks(found: dict[str, tuple[int, str]], story: Article) -> list[str]:
    problems = []
    for name, (status, body) in found.items():
        if status != 200:
            problems.append(f"{name}: answered {status}")
        problems.extend(f"{name}: shows {marker}" for marker in markers(story) if marker.lower() in body)
    return problems


def missing(found: dict[str, tuple[int, str]], story: Article) -> list[str]:
    """Surfaces that list stories but don't show `story` (a live one): each must, or its leak check proves nothing."""
    canary = markers(story)[0]
    listing = {surface.name for surface in PUBLIC_SURFACES if surface.lists_stories}
    return [name for name, (_status, body) in found.items() if name in listing and canary not in body]


def answers_as_never_used(client: Client, story: Article) -> list[str]:
    problems = []
    for address in ARTICLE_ADDRESSES:
        hidden, never = client.get(address.url(story)), client.get(address.never(story))
        if (hidden.status_code, hidden.content) != (never.status_code, never.content):
            problems.append(f"{address.name}: {hidden.status_code} differs from a never-used address")
        if any(marker.lower() in hidden.content.decode().lower() for marker in markers(story)):
            problems.append(f"{address.name}: shows the story")
    return problems


@pytest.mark.parametrize("state", HIDDEN_STATES)
def test_a_hidden_story_shows_on_no_public_surface(client: Client, subjects: Subjects, state: str) -> None:
    control = plant(CONTROL, subjects, publish_at=NOW - timedelta(hours=1))
    story = plant(f"{state.replace('_', '')}canaryq7", subjects, **{state: True})
    assert story.publication_state == state

    fresh = fetch_all(client, subjects)
    assert missing(fresh, control) == []
    assert leaks(fresh, story) == []
    assert answers_as_never_used(client, story) == []
    # Again, now from the page cache.
    assert leaks(fetch_all(client, subjects), story) == []
    assert answers_as_never_used(client, story) == []


@pytest.mark.parametrize("timing", ["publish_at", "embargo_until"])
def test_a_story_appears_everywhere_exactly_at_its_time_and_never_a_second_early(
    client: Client, subjects: Subjects, timing: str
) -> None:
    goes_live = NOW + timedelta(hours=1)
    fields = {"publish_at": goes_live, "first_published_at": None}
    if timing == "embargo_until":
        fields = {"publish_at": NOW - timedelta(minutes=5), "embargo_until": goes_live}
    story = plant("timedcanaryq7", subjects, **fields)
    with time_machine.travel(goes_live - timedelta(seconds=1), tick=False):
        # Cached a second before: what the cache holds must not outlive the moment.
        assert leaks(fetch_all(client, subjects), story) == []
        assert answers_as_never_used(client, story) == []
    for moment in (goes_live, goes_live + timedelta(seconds=1)):
        with time_machine.travel(moment, tick=False):
            assert missing(fetch_all(client, subjects), story) == [], moment
            assert client.get(story.get_absolute_url()).status_code == 200


def test_a_story_leaves_every_surface_exactly_at_its_expiry(client: Client, subjects: Subjects) -> None:
    expires = NOW + timedelta(hours=1)
    story = plant("expiringcanaryq7", subjects, publish_at=NOW - timedelta(hours=1), expire_at=expires)
    with time_machine.travel(expires - timedelta(seconds=1), tick=False):
        assert missing(fetch_all(client, subjects), story) == []
    for moment in (expires, expires + timedelta(seconds=1)):
        with time_machine.travel(moment, tick=False):
            assert leaks(fetch_all(client, subjects), story) == [], moment
            assert answers_as_never_used(client, story) == []


def test_a_withdrawn_story_leaves_every_cached_surface_at_once(
    client: Client, subjects: Subjects, django_capture_on_commit_callbacks: Callable
) -> None:
    story = plant("withdrawncanaryq7", subjects, publish_at=NOW - timedelta(hours=1))
    cached = fetch_all(client, subjects)
    assert missing(cached, story) == []
    for address in ARTICLE_ADDRESSES:
        client.get(address.url(story))  # its own page, topic page and feeds are in the cache too
    with django_capture_on_commit_callbacks(execute=True):
        story.withdraw()
    assert leaks(fetch_all(client, subjects), story) == []
    assert answers_as_never_used(client, story) == []
