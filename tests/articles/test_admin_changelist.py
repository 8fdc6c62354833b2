"""
The article list in the admin stays cheap with a million articles: a fixed number of queries whatever the numbers of
articles, authors and topics, no count past a cap (nor at all, on PostgreSQL, for the unfiltered list), filters that
don't read every article, and a date hierarchy from the first and last dates.
"""

import re
from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from articles import pagination
from articles.admin import RecentlyUsedFilter
from articles.roles import EDITORS
from tests.factories import HIDDEN_STATES, ArticleFactory, AuthorFactory, SectionFactory, TopicFactory, UserFactory

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:articles_article_changelist")


@pytest.fixture
def editor(client: Client) -> Client:
    user = UserFactory(username="editor", is_staff=True)
    user.groups.add(Group.objects.get(name=EDITORS))
    client.force_login(user)
    return client


def headlines(response) -> list[str]:
    return re.findall(r'<th class="field-headline"><a [^>]*>([^<]+)</a>', response.content.decode())


def build(size: int) -> None:
    sections = [SectionFactory(name=f"Section {n}") for n in range(size)]
    topics = [TopicFactory(name=f"Topic {n}") for n in range(size)]
    authors = [AuthorFactory(name=f"Author {n}") for n in range(size)]
    for n in range(size * 3):
        ArticleFactory(section=sections[n % size], topics=topics, authors=authors)


@pytest.mark.parametrize("size", [2, 6])
def test_the_list_has_a_fixed_query_budget(editor: Client, django_assert_num_queries: Callable, size: int) -> None:
    build(size)
    editor.get(CHANGELIST)  # the session and permissions, as any later page has them
    # session; user; user's and group's permissions; the filters' sections, recent authors, agencies and recent
    # topics; count (capped; on PostgreSQL the table's estimate first); page of articles with their sections and last
    # editors; bylines with authors; agencies; first and last dates; the days of the one month they span
    with django_assert_num_queries(15 if connection.vendor == "postgresql" else 14):
        response = editor.get(CHANGELIST)
    assert response.status_code == 200
    assert len(headlines(response)) == size * 3


def test_a_filtered_list_is_counted_only_up_to_the_cap(editor: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pagination, "COUNT_CAP", 3)
    section = SectionFactory(name="World")
    for n in range(5):
        ArticleFactory(headline=f"Story {n}", section=section)
    ArticleFactory(headline="Elsewhere", section=SectionFactory(name="Sport"))
    content = editor.get(CHANGELIST, {"section__id__exact": section.pk}).content.decode()
    assert "more than 3 articles" in content
    assert len(headlines(editor.get(CHANGELIST, {"section__id__exact": section.pk}))) == 5
    assert "1 article" in editor.get(CHANGELIST, {"q": "Elsewhere"}).content.decode()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's table statistics")
def test_the_unfiltered_list_takes_postgresqls_estimate_of_its_size(
    editor: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pagination, "COUNT_CAP", 3)
    for _ in range(6):
        ArticleFactory()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE articles_article")
        cursor.execute("SELECT reltuples FROM pg_class WHERE relname = 'articles_article'")
        estimate = int(cursor.fetchone()[0])
    assert f"about {estimate} articles" in editor.get(CHANGELIST).content.decode()


def test_the_topic_filter_offers_the_newest_articles_topics_and_the_chosen_one(
    editor: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(RecentlyUsedFilter, "newest_articles", 2)
    old_topic, recent_topic = TopicFactory(name="Old topic"), TopicFactory(name="Recent topic")
    ArticleFactory(headline="Old story", topics=[old_topic], publish_at=datetime(2020, 1, 1, tzinfo=UTC))
    ArticleFactory(headline="New story", topics=[recent_topic])
    ArticleFactory(headline="Newer story")
    content = editor.get(CHANGELIST).content.decode()
    assert "Recent topic" in content and "Old topic" not in content
    # An older topic can still be chosen by its address, and then shows as chosen.
    response = editor.get(CHANGELIST, {"topics__id__exact": old_topic.pk})
    assert headlines(response) == ["Old story"]
    assert re.search(r'<li class="selected">\s*<a [^>]*>Old topic</a>', response.content.decode())


def test_the_author_filter_lists_the_newest_articles_authors(editor: Client) -> None:
    jane, joe = AuthorFactory(name="Jane Doe"), AuthorFactory(name="Joe Bloggs")
    ArticleFactory(headline="By Jane", authors=[jane])
    AuthorFactory(name="Never credited")
    content = editor.get(CHANGELIST).content.decode()
    assert "Jane Doe" in content and "Never credited" not in content
    assert headlines(editor.get(CHANGELIST, {"bylines__author__id__exact": joe.pk})) == []


def test_the_date_hierarchy_runs_from_the_first_to_the_last_year_and_month(editor: Client) -> None:
    ArticleFactory(headline="Old", publish_at=datetime(2022, 3, 10, tzinfo=UTC))
    ArticleFactory(headline="New", publish_at=datetime(2024, 5, 10, tzinfo=UTC))
    content = editor.get(CHANGELIST).content.decode()
    assert re.findall(r"publish_at__year=(\d{4})", content) == ["2022", "2023", "2024"]
    year = editor.get(CHANGELIST, {"publish_at__year": "2024"}).content.decode()
    assert re.findall(r"publish_at__month=(\d+)", year) == ["5"]
    month = editor.get(CHANGELIST, {"publish_at__year": "2024", "publish_at__month": "5"})
    assert headlines(month) == ["New"]
    assert re.findall(r"publish_at__day=(\d+)", month.content.decode()) == ["10"]


@pytest.mark.parametrize("state", HIDDEN_STATES)
def test_the_live_filter_lists_only_what_readers_see(editor: Client, state: str) -> None:
    ArticleFactory(headline="Live story")
    ArticleFactory(**{state: True}, headline="Hidden story")
    assert headlines(editor.get(CHANGELIST, {"state": "live"})) == ["Live story"]


def test_every_row_can_be_selected_for_an_action(editor: Client) -> None:
    article = ArticleFactory(headline="Storm")
    content = editor.get(CHANGELIST).content.decode()
    checkbox = (
        f'<input type="checkbox" name="_selected_action" value="{article.pk}" class="action-select" '
        'aria-label="Select this object for an action - Storm">'
    )
    assert checkbox in content


def test_the_list_shows_every_headline_without_reading_the_bodies(editor: Client) -> None:
    build(2)
    with CaptureQueriesContext(connection) as queries:
        response = editor.get(CHANGELIST)
    assert len(headlines(response)) == 6
    page_reads = [query["sql"] for query in queries if query["sql"].startswith('SELECT "articles_article"."id"')]
    assert page_reads
    assert not [sql for sql in page_reads if '"articles_article"."body"' in sql]
