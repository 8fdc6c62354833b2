"""Wire ingest in the admin: feeds and subject rules on the agency, the Wire list, versions waiting for an editor."""

from datetime import UTC, datetime
from pathlib import Path

import pytest
import time_machine
from bs4 import BeautifulSoup
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from articles.models import Article, WireUpdate
from articles.roles import EDITORS, JOURNALISTS
from tests.articles import test_workflow as workflow
from tests.articles.test_ingest import ingest, ninjs, wire_server, write  # noqa: F401  (wire_server: a fixture)
from tests.factories import AgencyFactory, AgencyFeedFactory, ArticleFactory, SectionFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def world() -> None:
    SectionFactory(name="World", slug="world")


def client_for(client: Client, group: str) -> Client:
    user = UserFactory(username=group.lower(), is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    client.force_login(user)
    return client


@pytest.fixture
def editor(client: Client) -> Client:
    return client_for(client, EDITORS)


def rows(response) -> list[str]:
    soup = BeautifulSoup(response.content, "html.parser")
    return [" ".join(row.get_text(" ", strip=True).split()) for row in soup.select("#result_list tbody tr")]


def test_an_agency_page_has_its_feeds_and_subject_rules(editor: Client) -> None:
    agency = AgencyFactory(name="AFP", slug="afp")
    AgencyFeedFactory(agency=agency, url="https://wire.example.org/afp/world.xml")
    response = editor.get(reverse("admin:articles_agency_change", args=[agency.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "https://wire.example.org/afp/world.xml" in page
    assert "subject rules (an item about this subject goes to this section)" in page.lower()


def test_the_wire_lists_ingested_stories_newest_first_filterable_by_agency(editor: Client, tmp_path: Path) -> None:
    ArticleFactory(headline="Written in the newsroom")
    with time_machine.travel(datetime(2025, 9, 5, 9, tzinfo=UTC), tick=False):
        ingest(write(tmp_path / "afp.json", ninjs("urn:afp:1", headline="Older AFP story")))
    with time_machine.travel(datetime(2025, 9, 5, 10, tzinfo=UTC), tick=False):
        ingest(
            write(
                tmp_path / "reuters.json",
                ninjs("urn:reuters:1", headline="Newer Reuters story", copyrightholder="Reuters"),
            )
        )
    url = reverse("admin:articles_wirearticle_changelist")

    listed = rows(editor.get(url))
    assert len(listed) == 2  # not the story written in the newsroom
    assert listed[0].startswith("Newer Reuters story Reuters") and listed[1].startswith("Older AFP story AFP")
    reuters = Article.objects.get(wire_uri="urn:reuters:1").wire_agency
    filtered = rows(editor.get(url, {"wire_agency__id__exact": reuters.pk}))
    assert len(filtered) == 1 and filtered[0].startswith("Newer Reuters story")


def test_an_editor_accepts_a_waiting_version_from_the_admin(editor: Client, tmp_path: Path) -> None:
    ingest(write(tmp_path / "v1.json", ninjs(version="1")))
    article = Article.objects.get()
    article.headline = "Storm batters Brittany"
    article.save()
    ingest(write(tmp_path / "v2.json", ninjs(version="2", headline="Storm kills two")))
    update = WireUpdate.objects.get()

    detail = editor.get(reverse("admin:articles_wireupdate_change", args=[update.pk])).content.decode()
    assert "-Storm batters Brittany" in detail and "+Storm kills two" in detail
    listed = rows(editor.get(reverse("admin:articles_wireupdate_changelist"), {"pending": "yes"}))
    assert len(listed) == 1 and "waiting for an editor" in listed[0]

    response = editor.post(
        reverse("admin:articles_wireupdate_changelist"), {"action": "accept", "_selected_action": [update.pk]}
    )
    assert response.status_code == 302
    article.refresh_from_db()
    update.refresh_from_db()
    assert article.headline == "Storm kills two"
    assert update.accepted_at is not None


def test_a_journalist_sees_the_wire_but_cannot_accept_wire_versions(client: Client, tmp_path: Path) -> None:
    ingest(write(tmp_path / "v1.json", ninjs(version="1")))
    Article.objects.update(headline="Edited")
    ingest(write(tmp_path / "v2.json", ninjs(version="2", headline="From the wire")))
    journalist = client_for(client, JOURNALISTS)
    assert len(rows(journalist.get(reverse("admin:articles_wirearticle_changelist")))) == 1
    response = journalist.post(
        reverse("admin:articles_wireupdate_changelist"),
        {"action": "accept", "_selected_action": [WireUpdate.objects.get().pk]},
    )
    assert response.status_code == 403
    assert Article.objects.get().headline == "Edited"


def test_ingest_now_polls_the_selected_feeds(editor: Client, wire_server: str) -> None:  # noqa: F811
    feed = AgencyFeedFactory(agency=AgencyFactory(name="PPA", slug="ppa"), url=f"{wire_server}/world-news.rss")
    response = editor.post(
        reverse("admin:articles_agencyfeed_changelist"), {"action": "ingest_now", "_selected_action": [feed.pk]}
    )
    assert response.status_code == 302
    feed.refresh_from_db()
    assert feed.last_result.startswith("2 created")
    assert Article.objects.filter(wire_agency=feed.agency, status=Article.Status.DRAFT).count() == 2


def form_data(html: bytes, form_id: str) -> dict:
    """What a browser would submit for the form as rendered: textareas with CRLF line ends, as browsers send them."""
    form = BeautifulSoup(html, "html.parser").find("form", id=form_id)
    data: dict[str, str | list[str]] = {}
    for element in form.find_all(["input", "textarea", "select"]):
        name = element.get("name")
        if not name:
            continue
        if element.name == "textarea":
            data[name] = element.text.removeprefix("\n").replace("\n", "\r\n")
        elif element.name == "select":
            chosen = [option.get("value", "") for option in element.find_all("option") if option.has_attr("selected")]
            data[name] = chosen if element.has_attr("multiple") else (chosen[0] if chosen else "")
        elif element.get("type") in ("checkbox", "radio"):
            if element.has_attr("checked"):
                data[name] = element.get("value", "on")
        elif element.get("type") not in ("submit", "button", "file"):
            data[name] = element.get("value", "")
    return data


def test_saving_a_wire_story_unchanged_in_the_admin_is_not_an_edit(editor: Client, tmp_path: Path) -> None:
    body = "<p>PARIS, Sept 5 (AFP) - A storm hit Brittany.</p>\n<p>Power was cut.</p>\n<p>Trains stopped.</p>"
    ingest(write(tmp_path / "v1.json", ninjs(version="1", body_html=body, subjects=[{"name": "Weather"}])))
    article = Article.objects.get()
    url = reverse("admin:articles_article_change", args=[article.pk])
    page = editor.get(url)
    assert article.wire_uri in page.content.decode()  # the "Agency copy" fieldset

    response = editor.post(url, form_data(page.content, "article_form"))
    assert response.status_code == 302, response.context["adminform"].form.errors
    run = ingest(write(tmp_path / "v2.json", ninjs(version="2", headline="Storm kills two", body_html=body)))
    assert "1 updated" in run.out
    article.refresh_from_db()
    assert article.headline == "Storm kills two"


def test_an_ingested_storys_agency_copy_becomes_its_first_revision_when_an_editor_changes_it(
    editor: Client, tmp_path: Path
) -> None:
    ingest(write(tmp_path / "v1.json", ninjs(subjects=[{"name": "Storms"}])))
    article = Article.objects.get()
    revisions_url = reverse("admin:articles_article_revisions", args=[article.pk])
    assert editor.get(revisions_url).context["versions"] == []  # untouched, it is the agency's copy

    editor.post(workflow.change_url(article), workflow.form_data(article, headline="Storm batters Brittany"))
    versions = editor.get(revisions_url).context["versions"]
    assert [version.revision.get_comment() for version in versions] == [
        "Edited",
        "Agency copy from AFP (version 1), as ingested.",
    ]
    comparison = editor.get(revisions_url, {"from": versions[1].pk, "to": versions[0].pk}).content.decode()
    assert "<del>hits</del>" in comparison and "<ins>batters</ins>" in comparison

    editor.post(reverse("admin:articles_article_restore", args=[article.pk, versions[1].pk]))
    article.refresh_from_db()
    assert (article.headline, [topic.name for topic in article.topic_list]) == ("Storm hits Brittany", ["Storms"])
