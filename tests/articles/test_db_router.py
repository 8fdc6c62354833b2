"""
Read replicas: an anonymous reader's public page reads from a replica; writes, the admin, logged-in users, someone
who just wrote and everything right after a content change read the primary.

The replica is the test database under a second alias (tests/conftest.py). A replica's connection doesn't see the
primary's uncommitted rows, so the tests that read through it commit their data (`transaction=True`).
"""

from collections.abc import Iterator
from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.db import connections
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from articles.db_router import WROTE_COOKIE, PrimaryReplicaRouter, Routing, _routing
from articles.http_cache import content_state
from articles.models import Article
from articles.roles import EDITORS
from tests.conftest import REPLICA
from tests.factories import ArticleFactory, UserFactory

BOTH = ["default", REPLICA]


@pytest.fixture
def replicas(settings) -> None:
    settings.DATABASE_REPLICAS = [REPLICA]
    settings.DATABASE_ROUTERS = ["articles.db_router.PrimaryReplicaRouter"]
    settings.DATABASE_REPLICA_LAG = 5


class QueryLogs:
    """The queries each alias ran while a `with` block ran."""

    def __init__(self) -> None:
        self.captured = {alias: CaptureQueriesContext(connections[alias]) for alias in BOTH}

    def __enter__(self) -> "QueryLogs":
        for context in self.captured.values():
            context.__enter__()
        return self

    def __exit__(self, *exc_info: object) -> None:
        for context in self.captured.values():
            context.__exit__(*exc_info)

    def count(self, alias: str) -> int:
        return len(self.captured[alias])


@pytest.fixture
def settled() -> Iterator[None]:
    """The content state was renewed more than DATABASE_REPLICA_LAG seconds ago: replicas have caught up."""
    content_state()
    with time_machine.travel(timezone.now() + timedelta(seconds=10), tick=False):
        yield


def test_the_router_reads_the_primary_unless_a_request_is_routed_to_a_replica() -> None:
    router = PrimaryReplicaRouter()
    assert router.db_for_read(Article) == "default"  # management commands, tasks, the shell
    token = _routing.set(Routing(replica=REPLICA))
    try:
        assert router.db_for_read(Article) == REPLICA
        assert router.db_for_read(Article, instance=Article()) == REPLICA
        assert router.db_for_write(Article) == "default"
    finally:
        _routing.reset(token)
    routing = Routing()
    token = _routing.set(routing)
    try:
        loaded_from_replica = Article()
        loaded_from_replica._state.db = REPLICA
        # An object read from a replica (a cached section, say) doesn't pull a primary read back to it.
        assert router.db_for_read(Article, instance=loaded_from_replica) == "default"
        assert router.db_for_write(Article, instance=loaded_from_replica) == "default"
        assert routing.wrote
    finally:
        _routing.reset(token)
    assert router.allow_migrate("default", "articles") and not router.allow_migrate(REPLICA, "articles")


@pytest.mark.django_db(transaction=True, databases=BOTH)
@pytest.mark.parametrize("page", ["article", "home", "section", "feed", "api"])
def test_an_anonymous_public_read_goes_to_the_replica(client: Client, replicas: None, page: str) -> None:
    article = ArticleFactory(headline="Storm hits Lisbon")
    url = {
        "article": article.get_absolute_url(),
        "home": "/",
        "section": article.section.get_absolute_url(),
        "feed": "/feeds/rss/",
        "api": "/api/articles/",
    }[page]
    content_state()
    with time_machine.travel(timezone.now() + timedelta(seconds=10), tick=False), QueryLogs() as logs:
        response = client.get(url)
    assert response.status_code == 200
    assert b"Storm hits Lisbon" in response.content
    assert logs.count(REPLICA) > 0
    assert logs.count("default") == 0


@pytest.mark.django_db(transaction=True, databases=BOTH)
def test_reads_go_to_the_primary_right_after_a_content_change(client: Client, replicas: None) -> None:
    ArticleFactory()
    content_state()  # renewed now, as by the first request after a change
    with QueryLogs() as logs:
        assert client.get("/").status_code == 200
    assert logs.count(REPLICA) == 0 and logs.count("default") > 0


@pytest.mark.django_db(transaction=True, databases=BOTH)
def test_a_logged_in_user_reads_the_primary(client: Client, replicas: None, settled: None) -> None:
    article = ArticleFactory()
    client.force_login(UserFactory())
    with QueryLogs() as logs:
        assert client.get(article.get_absolute_url()).status_code == 200
    assert logs.count(REPLICA) == 0 and logs.count("default") > 0


@pytest.mark.django_db(transaction=True, databases=BOTH)
def test_the_admin_reads_and_writes_the_primary_and_its_writer_keeps_reading_it(
    client: Client, replicas: None, settled: None
) -> None:
    article = ArticleFactory(draft=True)
    editor = UserFactory(username="editor", is_staff=True)
    editor.groups.add(Group.objects.get(name=EDITORS))
    client.force_login(editor)
    with QueryLogs() as logs:
        response = client.post(reverse("admin:articles_article_share", args=[article.pk]))
    assert response.status_code == 302
    assert logs.count(REPLICA) == 0
    # Whoever wrote gets a short-lived cookie that keeps their reads on the primary even once logged out.
    assert response.cookies[WROTE_COOKIE]["max-age"] == 5
    client.logout()
    client.cookies[WROTE_COOKIE] = "1"
    with QueryLogs() as logs:
        client.get("/")
    assert logs.count(REPLICA) == 0 and logs.count("default") > 0


@pytest.mark.django_db(transaction=True, databases=BOTH)
def test_a_public_page_read_writes_nothing_and_sets_no_cookie(client: Client, replicas: None, settled: None) -> None:
    article = ArticleFactory()
    response = client.get(article.get_absolute_url())
    assert WROTE_COOKIE not in response.cookies
    assert "public" in response["Cache-Control"]


@pytest.mark.django_db
def test_without_replicas_every_read_goes_to_the_primary(client: Client) -> None:
    article = ArticleFactory()
    with CaptureQueriesContext(connections["default"]) as queries:
        assert client.get(article.get_absolute_url()).status_code == 200
    assert len(queries) > 0
