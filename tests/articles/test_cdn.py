"""
The CDN purge hook: the addresses of a story that went live, changed while live or was withdrawn are POSTed to
CDN_PURGE_URL once the change commits, and a CDN that is down, failing or slow never fails the change.

The "CDN" is a small HTTP server on 127.0.0.1 that records what it is sent.
"""

import json
import logging
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import time_machine
from django.utils import timezone

from articles.models import Article
from articles.publishing import publish_due
from sections.models import Section
from tests.factories import AgencyFactory, ArticleFactory, AuthorFactory, SectionFactory, TopicFactory

pytestmark = pytest.mark.django_db


@dataclass
class FakeCDN:
    url: str
    settings: object
    received: list[dict] = field(default_factory=list)
    headers: list[dict] = field(default_factory=list)
    status: int = 200
    delay: float = 0.0

    def switch_on(self) -> None:
        """Point CDN_PURGE_URL here: after a test's own set-up, whose changes are not the ones it watches."""
        self.settings.CDN_PURGE_URL = self.url


@pytest.fixture
def cdn(settings) -> Iterator[FakeCDN]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    fake = FakeCDN(url=f"http://127.0.0.1:{server.server_address[1]}/purge", settings=settings)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            fake.received.append(json.loads(body))
            fake.headers.append(dict(self.headers))
            time.sleep(fake.delay)
            self.send_response(fake.status)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server.RequestHandlerClass = Handler
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.CDN_PURGE_TIMEOUT = 0.5
    yield fake
    server.shutdown()
    server.server_close()


def test_publishing_purges_the_pages_the_story_is_on_once_it_commits(
    cdn: FakeCDN, django_capture_on_commit_callbacks: Callable
) -> None:
    europe = SectionFactory(name="Europe", parent=SectionFactory(name="World"))
    article = ArticleFactory(
        draft=True,
        slug="storm",
        section=europe,
        topics=[TopicFactory(name="Storms")],
        authors=[AuthorFactory(name="Jane Doe")],
        agencies=[AgencyFactory(name="AFP")],
    )
    cdn.switch_on()
    with django_capture_on_commit_callbacks(execute=True):
        article.publish()
        assert cdn.received == []  # nothing before the commit: a rollback purges nothing
    assert len(cdn.received) == 1  # saved and went live: one request
    paths = cdn.received[0]["paths"]
    for path in [
        "/europe/storm/",
        "/",
        "/europe/",
        "/world/",
        "/topics/storms/",
        "/authors/jane-doe/",
        "/agencies/afp/",
        "/feeds/rss/",
        "/feeds/sections/europe/atom/",
        "/feeds/topics/storms/rss/",
        f"/api/articles/{article.pk}/",
        "/sitemap-news.xml",
    ]:
        assert path in paths
    assert cdn.received[0]["purge_all"] is False


def test_withdrawing_purges_the_story_and_editing_a_draft_purges_nothing(
    cdn: FakeCDN, django_capture_on_commit_callbacks: Callable
) -> None:
    draft = ArticleFactory(draft=True, slug="draft")
    live = ArticleFactory(slug="live")
    cdn.switch_on()
    with django_capture_on_commit_callbacks(execute=True):
        draft.headline = "Still a draft"
        draft.save()
    assert cdn.received == []
    with django_capture_on_commit_callbacks(execute=True):
        live.withdraw()
    assert "/world/live/" in cdn.received[0]["paths"]


def test_a_scheduled_story_is_purged_when_the_sweep_sees_it_go_live(
    cdn: FakeCDN, django_capture_on_commit_callbacks: Callable
) -> None:
    publish_at = (timezone.now() + timedelta(minutes=5)).replace(microsecond=0)
    article = ArticleFactory(slug="scoop", publish_at=publish_at, first_published_at=None)
    cdn.switch_on()
    with time_machine.travel(publish_at + timedelta(seconds=30), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            assert publish_due() == [article.pk]
    assert len(cdn.received) == 1 and "/world/scoop/" in cdn.received[0]["paths"]


def test_a_section_change_purges_everything(cdn: FakeCDN, django_capture_on_commit_callbacks: Callable) -> None:
    section = Section.objects.get(pk=SectionFactory(name="World").pk)
    cdn.switch_on()
    with django_capture_on_commit_callbacks(execute=True):
        section.name = "International"
        section.save()
    assert cdn.received == [{"paths": [], "purge_all": True}]


def test_a_deleted_live_story_is_purged(cdn: FakeCDN, django_capture_on_commit_callbacks: Callable) -> None:
    article = Article.objects.get(pk=ArticleFactory(slug="gone", topics=[TopicFactory(name="Floods")]).pk)
    cdn.switch_on()
    with django_capture_on_commit_callbacks(execute=True):
        article.delete()
    assert {"/world/gone/", "/topics/floods/"} <= set(cdn.received[0]["paths"])


def test_the_token_is_sent_as_a_bearer_token(
    cdn: FakeCDN, settings, django_capture_on_commit_callbacks: Callable
) -> None:
    settings.CDN_PURGE_TOKEN = "s3cret"
    article = ArticleFactory()
    cdn.switch_on()
    with django_capture_on_commit_callbacks(execute=True):
        article.withdraw()
    assert cdn.headers[0]["Authorization"] == "Bearer s3cret"
    assert cdn.headers[0]["Content-Type"] == "application/json"


@pytest.mark.parametrize("failure", ["error status", "timeout", "down"])
def test_a_failing_cdn_never_fails_the_change_and_is_logged(
    cdn: FakeCDN, settings, caplog, django_capture_on_commit_callbacks: Callable, failure: str
) -> None:
    draft = ArticleFactory(draft=True)
    cdn.switch_on()
    if failure == "error status":
        cdn.status = 503
    elif failure == "timeout":
        cdn.delay = 1.5  # longer than CDN_PURGE_TIMEOUT
    else:
        settings.CDN_PURGE_URL = "http://127.0.0.1:9/purge"  # the discard port: nothing listens
    started = time.monotonic()
    with caplog.at_level(logging.WARNING, logger="articles.cdn"):
        with django_capture_on_commit_callbacks(execute=True):
            draft.publish()
    assert time.monotonic() - started < 1.5
    assert Article.objects.live().filter(pk=draft.pk).exists()
    assert "CDN purge of" in caplog.text and "failed" in caplog.text


def test_without_a_purge_url_nothing_is_sent(cdn: FakeCDN, django_capture_on_commit_callbacks: Callable) -> None:
    article = ArticleFactory()
    with django_capture_on_commit_callbacks(execute=True):
        article.withdraw()
    assert cdn.received == []
