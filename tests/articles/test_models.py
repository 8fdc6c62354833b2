from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import IntegrityError, transaction

from articles import models
from articles.house_style import format_dateline, join_names
from articles.models import Article, ArticleRedirect
from articles.sanitizer import sanitize_html
from tests.factories import HIDDEN_STATES, AgencyFactory, ArticleFactory, AuthorFactory, SectionFactory

pytestmark = pytest.mark.django_db


def test_published_article_whose_time_has_come_is_live() -> None:
    article = ArticleFactory()
    assert list(Article.objects.live()) == [article]


@pytest.mark.parametrize("state", HIDDEN_STATES)
def test_unpublished_article_is_not_live(state: str) -> None:
    ArticleFactory(**{state: True})
    assert not Article.objects.live().exists()


def test_scheduled_article_goes_live_exactly_at_its_publish_time() -> None:
    publish_at = datetime(2026, 3, 1, 10, 0, tzinfo=UTC)
    ArticleFactory(publish_at=publish_at)
    with time_machine.travel(publish_at - timedelta(seconds=1), tick=False):
        assert not Article.objects.live().exists()
    with time_machine.travel(publish_at, tick=False):
        assert Article.objects.live().exists()


def test_article_leaves_the_site_at_its_expiry_time() -> None:
    expire_at = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
    ArticleFactory(publish_at=expire_at - timedelta(days=1), expire_at=expire_at)
    with time_machine.travel(expire_at - timedelta(seconds=1), tick=False):
        assert Article.objects.live().exists()
    with time_machine.travel(expire_at, tick=False):
        assert not Article.objects.live().exists()


def test_embargo_holds_an_article_back_whatever_its_publish_time() -> None:
    embargo = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    ArticleFactory(publish_at=embargo - timedelta(hours=2), embargo_until=embargo)
    with time_machine.travel(embargo - timedelta(seconds=1), tick=False):
        assert not Article.objects.live().exists()
    with time_machine.travel(embargo, tick=False):
        assert Article.objects.live().exists()


def test_publish_now_records_the_first_publication() -> None:
    article = ArticleFactory(draft=True)
    with time_machine.travel(datetime(2026, 3, 1, 9, 0, tzinfo=UTC), tick=False):
        article.publish()
    article.refresh_from_db()
    assert article.status == Article.Status.PUBLISHED
    assert article.first_published_at == datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def test_scheduling_does_not_record_a_publication_that_has_not_happened() -> None:
    article = ArticleFactory(draft=True)
    article.publish(at=datetime(2099, 1, 1, tzinfo=UTC))
    article.refresh_from_db()
    assert article.first_published_at is None
    assert not Article.objects.live().exists()


@pytest.mark.parametrize(
    ("authors", "agencies", "byline"),
    [
        ([], ["Agencies"], "By Agencies"),
        (["Jane Doe"], [], "By Jane Doe"),
        (["Jane Doe"], ["AFP"], "By Jane Doe and AFP"),
        (["Jane Doe", "Ali Khan"], ["Reuters"], "By Jane Doe, Ali Khan and Reuters"),
        ([], [], ""),
    ],
)
def test_byline_names_staff_in_order_then_agencies(authors: list[str], agencies: list[str], byline: str) -> None:
    article = ArticleFactory(
        authors=[AuthorFactory(name=name) for name in authors],
        agencies=[AgencyFactory(name=f"{name} full name", short_name=name) for name in agencies],
    )
    article = Article.objects.for_listing().get(pk=article.pk)
    assert article.byline == byline


def test_byline_follows_the_editors_order_not_the_alphabet() -> None:
    article = ArticleFactory(authors=[AuthorFactory(name="Zoe Zed"), AuthorFactory(name="Adam Ant")])
    assert Article.objects.for_listing().get(pk=article.pk).byline == "By Zoe Zed and Adam Ant"


def test_agency_is_credited_by_its_short_name() -> None:
    agency = AgencyFactory(name="Agence France-Presse", short_name="AFP")
    assert ArticleFactory(agencies=[agency]).byline == "By AFP"


def test_join_names() -> None:
    assert join_names([]) == ""
    assert join_names(["A"]) == "A"
    assert join_names(["A", "B", "C"]) == "A, B and C"


def test_dateline_is_dated_in_the_newsrooms_time_zone(settings) -> None:
    settings.TIME_ZONE = "Europe/Paris"
    # 23:30 UTC on 4 September is already 5 September in Paris.
    assert format_dateline("PARIS", datetime(2025, 9, 4, 23, 30, tzinfo=UTC)) == "PARIS, Sept 5:"
    settings.TIME_ZONE = "America/New_York"
    assert format_dateline("PARIS", datetime(2025, 9, 4, 23, 30, tzinfo=UTC)) == "PARIS, Sept 4:"


def test_dateline_follows_the_house_style_settings(settings) -> None:
    settings.NEWSROOM = {**settings.NEWSROOM, "DATELINE_FORMAT": "{place} ({day} {month} {year}) –"}
    assert format_dateline("LONDON", datetime(2025, 3, 7, 12, tzinfo=UTC)) == "LONDON (7 March 2025) –"


def test_no_dateline_without_a_place() -> None:
    assert ArticleFactory(dateline="").dateline_text == ""


@pytest.mark.parametrize(
    "hostile",
    [
        "<script>alert(1)</script>",
        '<img src="x" onerror="alert(1)">',
        '<a href="javascript:alert(1)">click</a>',
        "<style>body { display: none }</style>",
        '<iframe src="https://evil.example/"></iframe>',
        '<p onclick="alert(1)" style="color:red">x</p>',
    ],
)
def test_hostile_html_is_stripped_from_the_body_on_save(hostile: str) -> None:
    article = ArticleFactory(body=f"<p>Safe text.</p>{hostile}")
    article.refresh_from_db()
    for needle in ["<script", "alert(1)", "onerror", "javascript:", "<style", "display: none", "<iframe", "onclick"]:
        assert needle not in article.body
    assert "<p>Safe text.</p>" in article.body


def test_saving_some_fields_sanitizes_the_body_only_when_it_is_among_them(monkeypatch) -> None:
    article = ArticleFactory(body="<p>Filed copy.</p>")
    bodies_sanitized = []

    def counting_sanitize(html: str) -> str:
        bodies_sanitized.append(html)
        return sanitize_html(html)

    monkeypatch.setattr(models, "sanitize_html", counting_sanitize)
    article.status = Article.Status.WITHDRAWN
    article.save(update_fields=["status"])
    assert bodies_sanitized == []  # a status change does not run bleach over the body

    article.body = "<p>Corrected copy.</p><script>alert(1)</script>"
    article.save(update_fields=["body"])
    article.refresh_from_db()
    assert bodies_sanitized == ["<p>Corrected copy.</p><script>alert(1)</script>"]
    assert article.body == "<p>Corrected copy.</p>"
    assert article.status == Article.Status.WITHDRAWN


def test_sanitizing_keeps_the_newsrooms_markup() -> None:
    body = (
        '<h2>Sub</h2><p>A <strong>bold</strong> and <em>em</em> <a href="https://example.org/a?b=1&amp;c=2">link</a>'
        '</p><blockquote><p>Quote</p></blockquote><ul><li>one</li></ul><p><a href="mailto:desk@example.org">m</a></p>'
    )
    assert ArticleFactory(body=body).body == body


def test_slug_is_derived_from_the_headline_when_left_empty() -> None:
    assert ArticleFactory(headline="Storm hits Lisbon", slug="").slug == "storm-hits-lisbon"


def test_the_same_slug_twice_in_one_section_is_refused_by_the_database() -> None:
    world = SectionFactory(name="World")
    ArticleFactory(slug="same", section=world)
    with pytest.raises(IntegrityError), transaction.atomic():
        ArticleFactory(slug="same", section=world)
    ArticleFactory(slug="same", section=SectionFactory(name="Sport"))  # another section is fine


def test_an_expiry_before_the_publish_time_is_refused_by_the_database() -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        ArticleFactory(publish_at=datetime(2026, 1, 2, tzinfo=UTC), expire_at=datetime(2026, 1, 1, tzinfo=UTC))


def test_changing_slug_or_section_leaves_a_redirect_behind() -> None:
    world, europe = SectionFactory(name="World"), SectionFactory(name="Europe")
    article = Article.objects.get(pk=ArticleFactory(slug="first", section=world).pk)
    article.slug = "second"
    article.save()
    article.section = europe
    article.save()
    assert set(ArticleRedirect.objects.values_list("section__slug", "old_slug", "article")) == {
        ("world", "first", article.pk),
        ("world", "second", article.pk),
    }


def test_moving_back_to_an_old_address_drops_its_redirect() -> None:
    article = Article.objects.get(pk=ArticleFactory(slug="first").pk)
    article.slug = "second"
    article.save()
    article.slug = "first"
    article.save()
    assert list(ArticleRedirect.objects.values_list("old_slug", flat=True)) == ["second"]
