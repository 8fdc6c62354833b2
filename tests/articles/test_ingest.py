"""
`manage.py ingest` end to end: attribution, datelines, the rendered page, drafts never public, idempotency and
versions, agency kills, embargoes, section rules, dry runs, worker processes, feed URLs and every kind of bad input.
"""

import gc
import json
import shutil
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from io import StringIO
from pathlib import Path

import pytest
import time_machine
from bs4 import BeautifulSoup
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from articles import revisions
from articles.ingest import service
from articles.models import (
    Agency,
    AgencyFeed,
    Article,
    ArticleSearch,
    ArticleSearchTitle,
    Author,
    Topic,
    WireUpdate,
)
from articles.related import related_articles
from tests.factories import (
    AgencyFactory,
    AgencyFeedFactory,
    ArticleFactory,
    SectionFactory,
    SubjectRuleFactory,
    TopicFactory,
)

pytestmark = pytest.mark.django_db

DATA = Path(__file__).parent / "data"
NINJS_SAMPLES = sorted((DATA / "ninjs").glob("*.json"))
REFERENCE = DATA / "wire" / "reference-page.ninjs.json"


@dataclass
class Run:
    code: int
    out: str
    err: str


def ingest(*args: str | Path) -> Run:
    out, err = StringIO(), StringIO()
    try:
        call_command("ingest", *map(str, args), stdout=out, stderr=err)
    except CommandError as exc:
        return Run(exc.returncode, out.getvalue(), err.getvalue() + str(exc))
    return Run(0, out.getvalue(), err.getvalue())


def ninjs(uri: str = "urn:test:1", version: str = "1", **fields: object) -> dict:
    item = {
        "uri": uri,
        "version": version,
        "versioncreated": f"2025-09-05T0{version}:00:00Z",
        "copyrightholder": "AFP",
        "headline": "Storm hits Brittany",
        "body_html": "<p>PARIS, Sept 5 (AFP) - A storm hit Brittany.</p><p>Power was cut.</p>",
        "byline": "Claire Martin",
    }
    return item | fields


def write(path: Path, *items: dict) -> Path:
    path.write_text(json.dumps(list(items) if len(items) > 1 else items[0]))
    return path


@pytest.fixture(autouse=True)
def world() -> None:
    # The default wire section (settings.NEWSROOM["WIRE_SECTION"]).
    return SectionFactory(name="World", slug="world")


@pytest.fixture
def ap() -> Agency:
    return AgencyFactory(name="Associated Press", short_name="AP", slug="ap")


# --- attribution and mapping ----------------------------------------------------------------------------------------


def test_every_real_ninjs_sample_ingests_attributed_to_its_agency(ap: Agency) -> None:
    run = ingest(*NINJS_SAMPLES)
    assert run.code == 0, run.err
    assert "4 created, 0 updated, 0 unchanged, 0 held for an editor, 0 skipped, 0 failed" in run.out
    articles = {article.wire_uri: article for article in Article.objects.for_listing()}

    dpa = articles["urn:newsml:dpa.com:20090101:190510-99-167362"]
    assert (dpa.wire_agency.slug, dpa.byline) == ("dpa", "By Christian Hollmann and dpa")
    assert dpa.body.count("<p>") == 9 and "«nie und nimmer ein Elfmeter»" in dpa.body

    ntb = articles["8d19cf88-b3ab-4972-8fec-1207599f2872"]
    assert (ntb.wire_agency.slug, ntb.byline, ntb.wire_version) == ("ntb", "By NTB", "6")
    assert ntb.topic_list and [topic.name for topic in ntb.topic_list][:2] == ["Innenriks", "Teknologi"]

    for uri in (
        "http://ninjs.example.com/newsitems/20130709cplx123",
        "http://ninjs.example.com/newsitems/20130709simp123",
    ):
        story = articles[uri]
        assert story.wire_agency == ap
        assert story.byline == "By Paulo Santalucia, Frances d'Emilio and AP"
        assert story.dateline == "GROSSETO, Italy"
        assert story.body.startswith("<p>The trial of the captain of the shipwrecked Costa Concordia")
        assert "Schettino has denied wrongdoing." in story.body
    # Staff names became authors; agencies never did.
    assert sorted(Author.objects.values_list("name", flat=True)) == [
        "Christian Hollmann",
        "Frances d'Emilio",
        "Paulo Santalucia",
    ]
    assert all(article.status == Article.Status.DRAFT for article in articles.values())


def test_reference_page_published_from_the_wire_reads_by_agencies_paris_sept_5(client: Client) -> None:
    run = ingest(REFERENCE, "--publish")
    assert run.code == 0, run.err
    article = Article.objects.get()
    assert article.publish_at == datetime(2025, 9, 5, 9, 0, tzinfo=UTC)
    assert article.wire_agency.name == "Al Jazeera"
    assert [agency.name for agency in article.agencies.all()] == ["Agencies"]
    assert not Author.objects.exists()  # "Agencies" is credited to the agency, not to a made-up author

    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    soup = BeautifulSoup(response.content, "html.parser")
    assert " ".join(soup.select_one(".byline").get_text(" ", strip=True).split()) == "By Agencies"
    assert soup.select_one(".dateline").get_text(strip=True) == "PARIS, Sept 5:"
    first_paragraph = " ".join(soup.select_one(".dateline").parent.get_text(" ", strip=True).split())
    assert first_paragraph.startswith("PARIS, Sept 5: French President Emmanuel Macron expressed confidence")
    assert "Macron banks on US backing as 26 Nations pledge troops for Ukraine" in soup.h1.get_text()
    assert "Russia-Ukraine war" in response.content.decode()


def test_a_default_ingest_lands_drafts_that_readers_never_see(client: Client) -> None:
    assert ingest(REFERENCE).code == 0
    article = Article.objects.get()
    assert article.status == Article.Status.DRAFT
    assert not Article.objects.live().exists()
    assert article.headline not in client.get("/").content.decode()
    assert client.get(article.get_absolute_url()).status_code == 404
    assert client.get("/topics/russia-ukraine-war/").status_code == 404
    assert article.headline not in client.get("/agencies/agencies/").content.decode()
    assert article.headline not in client.get("/world/").content.decode()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="search documents are stored on PostgreSQL only")
def test_only_published_wire_copy_is_indexed_for_search(client: Client) -> None:
    sources = [REFERENCE, DATA / "wire" / "afp-ninjs-1.x.json"]
    assert ingest(*sources).code == 0
    assert not ArticleSearch.objects.exists() and not ArticleSearchTitle.objects.exists()
    Article.objects.all().delete()
    assert ingest(*sources, "--publish").code == 0
    published = Article.objects.filter(status=Article.Status.PUBLISHED)
    assert published.exists()
    indexed = set(ArticleSearch.objects.values_list("article_id", flat=True))
    assert indexed == set(published.values_list("pk", flat=True))
    assert ArticleSearchTitle.objects.count() == published.count()
    results = BeautifulSoup(client.get("/search/", {"q": "Macron troops"}).content, "html.parser")
    assert "Macron banks on US backing" in results.select_one(".search-hit h3").get_text()


def test_a_published_ingest_is_on_the_home_page(client: Client) -> None:
    assert ingest(REFERENCE, "--publish").code == 0
    assert "Macron banks on US backing" in client.get("/").content.decode()


def test_nitf_rss_and_atom_samples_ingest_with_their_agencies() -> None:
    run = ingest(
        DATA / "wire" / "lisbon-storm.nitf.xml", DATA / "wire" / "world-news.rss", DATA / "wire" / "science.atom"
    )
    assert run.code == 0, run.err
    assert "5 created" in run.out
    lisbon = Article.objects.get(wire_uri="urn:newsml:lusa.pt:20250905:lisbon-storm-0042")
    assert (lisbon.wire_agency.name, lisbon.byline, lisbon.dateline) == ("Lusa", "By João Silva and Lusa", "LISBON")
    fiji = Article.objects.get(wire_uri="ppa-2025-09-05-0017")
    assert (fiji.wire_agency.name, fiji.byline, fiji.dateline) == (
        "Pacific Press Agency",
        "By Mere Tuilagi and Pacific Press Agency",
        "SUVA",
    )
    assert "<script" not in fiji.body and "alert" not in fiji.body
    vault = Article.objects.get(wire_uri="tag:nsw.example.org,2025:item-5512")
    assert vault.byline == "By Ingrid Hansen and Nordic Science Wire"
    assert list(vault.topics.names()) == ["Climate", "Agriculture"]


def test_an_agency_code_in_a_byline_is_credited_as_an_agency_not_an_author(tmp_path: Path) -> None:
    items = [ninjs("urn:test:1", byline="Claire Martin, ANSA"), ninjs("urn:test:2", byline="By Reuters staff")]
    assert ingest(write(tmp_path / "items.json", *items)).code == 0
    assert sorted(Article.objects.for_listing(), key=lambda article: article.wire_uri)[0].byline == (
        "By Claire Martin and ANSA"
    )
    assert Article.objects.for_listing().get(wire_uri="urn:test:2").byline == "By Reuters"
    assert list(Author.objects.values_list("name", flat=True)) == ["Claire Martin"]


def test_topics_and_authors_are_created_once_and_reused(tmp_path: Path) -> None:
    TopicFactory_name = "Weather"
    existing = Topic.objects.create(name=TopicFactory_name, slug="weather")
    items = [
        ninjs(f"urn:test:{n}", subjects=[{"name": "Weather"}, {"name": "Brittany"}], byline="Claire Martin")
        for n in range(3)
    ]
    assert ingest(write(tmp_path / "items.json", *items)).code == 0
    assert Topic.objects.filter(name="Weather").get() == existing
    assert Topic.objects.filter(name="Brittany").count() == 1
    assert Author.objects.filter(name="Claire Martin").count() == 1
    # Same headline, same section: each gets its own address.
    assert len(set(Article.objects.values_list("slug", flat=True))) == 3


def test_writing_new_items_costs_the_same_queries_for_five_items_as_for_twenty_five(tmp_path: Path) -> None:
    def queries_for(count: int, prefix: str) -> int:
        items = [
            ninjs(f"urn:{prefix}:{n}", headline=f"Story {prefix} {n}", subjects=[{"name": f"Topic {prefix} {n}"}])
            for n in range(count)
        ]
        path = write(tmp_path / f"{prefix}.json", *items)
        with CaptureQueriesContext(connection) as queries:
            assert ingest(path).code == 0
        return len(queries)

    queries_for(1, "warm")  # the agency and author rows exist from here on
    # 16 for a whole batch, whatever its size: agencies, subject rules, default section; topics by slug, by name,
    # insert, re-read; authors; existing URIs; savepoint, taken slugs, articles, bylines, agencies, topics, release.
    # (On PostgreSQL, article ids come from one nextval() query and the four inserts are COPYs, which the query log
    # does not see.)
    assert queries_for(5, "small") == queries_for(25, "large")


# --- idempotency, versions, human edits -----------------------------------------------------------------------------


def test_reingesting_the_same_items_changes_nothing() -> None:
    wire = DATA / "wire"
    first = ingest(wire)
    assert first.code == 0, first.err
    before = {article.pk: (article.updated_at, article.body) for article in Article.objects.all()}
    second = ingest(wire)
    assert second.code == 0
    assert f"0 created, 0 updated, {len(before)} unchanged" in second.out
    assert {article.pk: (article.updated_at, article.body) for article in Article.objects.all()} == before
    assert not WireUpdate.objects.exists()


def test_a_newer_version_updates_an_article_nobody_has_edited(tmp_path: Path) -> None:
    ingest(write(tmp_path / "v1.json", ninjs(version="1")))
    article = Article.objects.get()
    article.save()  # saved without a change: a newer updated_at is not an edit
    run = ingest(write(tmp_path / "v2.json", ninjs(version="2", headline="Storm kills two in Brittany")))
    assert "1 updated" in run.out
    article.refresh_from_db()
    assert article.headline == "Storm kills two in Brittany"
    assert (article.wire_version, Article.objects.count()) == ("2", 1)


def test_a_newer_version_of_an_edited_article_waits_for_an_editor_and_can_be_accepted(tmp_path: Path) -> None:
    ingest(write(tmp_path / "v1.json", ninjs(version="1")))
    article = Article.objects.get()
    article.headline = "Storm batters Brittany"  # a sub-editor's headline
    article.save()
    v2 = write(tmp_path / "v2.json", ninjs(version="2", headline="Storm kills two", body_html="<p>Two died.</p>"))

    run = ingest(v2)
    assert "1 held for an editor" in run.out
    article.refresh_from_db()
    assert (article.headline, article.wire_version) == ("Storm batters Brittany", "1")
    update = WireUpdate.objects.pending().get()
    assert (update.headline, update.body, update.version) == ("Storm kills two", "<p>Two died.</p>", "2")

    assert "1 unchanged" in ingest(v2).out  # the same version again is the same pending update
    assert WireUpdate.objects.count() == 1

    update.accept()
    article.refresh_from_db()
    assert (article.headline, article.body, article.wire_version) == ("Storm kills two", "<p>Two died.</p>", "2")
    assert article.byline == "By Claire Martin and AFP"
    assert not WireUpdate.objects.pending().exists()
    # Accepted, the article is the agency's copy again: the next version applies by itself.
    assert "1 updated" in ingest(write(tmp_path / "v3.json", ninjs(version="3", headline="Storm: three dead"))).out
    article.refresh_from_db()
    assert article.headline == "Storm: three dead"


def test_a_newer_version_replaces_topics_and_credits_and_the_next_version_still_applies(tmp_path: Path) -> None:
    ingest(write(tmp_path / "v1.json", ninjs(version="1", subjects=[{"name": "Weather"}])))
    v2 = ninjs(version="2", subjects=[{"name": "Storms"}, {"name": "Brittany"}], byline="Jean Dupont")
    assert "1 updated" in ingest(write(tmp_path / "v2.json", v2)).out
    article = Article.objects.get()
    assert [topic.name for topic in article.topic_list] == ["Storms", "Brittany"]
    assert Article.objects.for_listing().get().byline == "By Jean Dupont and AFP"
    # Written as the agency's copy: still unedited, so version 3 applies by itself too.
    v3 = ninjs(version="3", headline="Storm: three dead", subjects=[{"name": "Storms"}], byline="Jean Dupont")
    assert "1 updated" in ingest(write(tmp_path / "v3.json", v3)).out
    article.refresh_from_db()
    assert (article.headline, [topic.name for topic in article.topic_list]) == ("Storm: three dead", ["Storms"])


def test_each_agency_version_written_into_an_article_is_in_its_history(tmp_path: Path) -> None:
    ingest(write(tmp_path / "v1.json", ninjs(version="1")))
    article = Article.objects.get()
    assert revisions.history(article) == []  # a new article is its agency copy: nothing recorded yet
    ingest(write(tmp_path / "v2.json", ninjs(version="2", headline="Storm kills two in Brittany")))
    history = revisions.history(article)
    assert [version.revision.get_comment() for version in history] == [
        "Agency version 2 written in.",
        "Agency copy from AFP (version 1), as ingested.",
    ]
    assert [version.field_dict["headline"] for version in history] == [
        "Storm kills two in Brittany",
        "Storm hits Brittany",
    ]


def test_an_accepted_version_leaves_out_a_topic_deleted_since_it_arrived(tmp_path: Path) -> None:
    ingest(write(tmp_path / "v1.json", ninjs(version="1")))
    article = Article.objects.get()
    article.headline = "Storm batters Brittany"
    article.save()
    ingest(write(tmp_path / "v2.json", ninjs(version="2", subjects=[{"name": "Storms"}, {"name": "Floods"}])))
    Topic.objects.filter(name="Floods").delete()

    WireUpdate.objects.get().accept()
    assert [topic.name for topic in Article.objects.get().topic_list] == ["Storms"]
    # What was written counts as the agency's copy, not as an edit: the next version applies by itself.
    assert "1 updated" in ingest(write(tmp_path / "v3.json", ninjs(version="3", headline="Storm: three dead"))).out


def test_editing_the_topics_counts_as_an_edit(tmp_path: Path) -> None:
    ingest(write(tmp_path / "v1.json", ninjs(version="1", subjects=[{"name": "Weather"}])))
    Article.objects.get().topics.add("Brittany")
    assert "1 held for an editor" in ingest(write(tmp_path / "v2.json", ninjs(version="2"))).out


def test_an_older_version_is_skipped_with_its_reason(tmp_path: Path) -> None:
    ingest(write(tmp_path / "v2.json", ninjs(version="2", headline="Newer")))
    run = ingest(write(tmp_path / "v1.json", ninjs(version="1", headline="Older")))
    assert run.code == 0
    assert "1 skipped" in run.out and "version 1 is older than the one already ingested (2)" in run.out
    assert Article.objects.get().headline == "Newer"


def test_an_agency_kill_withdraws_the_article_even_after_an_edit(tmp_path: Path, client: Client) -> None:
    ingest(write(tmp_path / "v1.json", ninjs(version="1")), "--publish")
    article = Article.objects.get()
    article.headline = "Edited"
    article.save()
    assert client.get(article.get_absolute_url()).status_code == 200
    run = ingest(write(tmp_path / "kill.json", ninjs(version="2", pubstatus="canceled")))
    assert run.code == 0
    article.refresh_from_db()
    assert article.status == Article.Status.WITHDRAWN
    assert client.get(article.get_absolute_url()).status_code == 404


def test_an_item_canceled_before_we_had_it_arrives_withdrawn(tmp_path: Path) -> None:
    ingest(write(tmp_path / "kill.json", ninjs(pubstatus="withdrawn")), "--publish")
    assert Article.objects.get().status == Article.Status.WITHDRAWN
    assert not Article.objects.live().exists()


def test_an_embargoed_item_published_appears_exactly_when_the_embargo_lifts(client: Client) -> None:
    assert ingest(DATA / "wire" / "afp-ninjs-1.x.json", "--publish").code == 0
    budget = Article.objects.get(wire_uri="urn:newsml:afp.com:20250905:EU-budget-embargo")
    assert budget.embargo_until == datetime(2099, 1, 1, 10, 0, tzinfo=UTC)
    assert budget.status == Article.Status.PUBLISHED
    with time_machine.travel(datetime(2099, 1, 1, 9, 59, 59, tzinfo=UTC), tick=False):
        assert budget not in Article.objects.live()
        assert client.get(budget.get_absolute_url()).status_code == 404
    with time_machine.travel(datetime(2099, 1, 1, 10, 0, tzinfo=UTC), tick=False):
        assert budget in Article.objects.live()
        assert client.get(budget.get_absolute_url()).status_code == 200


# --- sections and options -------------------------------------------------------------------------------------------


def test_subject_rules_place_items_in_sections_and_the_rest_go_to_the_default() -> None:
    afp = AgencyFactory(name="AFP", slug="afp")
    environment = SectionFactory(name="Environment", slug="environment")
    politics = SectionFactory(name="Politics", slug="politics")
    SubjectRuleFactory(agency=afp, subject="17000000", section=environment)  # IPTC subject code: weather
    SubjectRuleFactory(agency=afp, subject="POLITICS", section=politics)  # a name, in any case
    assert ingest(DATA / "wire" / "afp-ninjs-1.x.json").code == 0
    sections = dict(Article.objects.values_list("wire_uri", "section__slug"))
    assert sections == {
        "urn:newsml:afp.com:20250905:FR-storm-brittany": "environment",
        "urn:newsml:afp.com:20250905:EU-budget-embargo": "politics",
    }
    assert "1 skipped" in ingest(DATA / "wire" / "afp-ninjs-1.x.json").out  # the picture item


def test_agency_and_section_options_override_what_the_items_say() -> None:
    reuters = AgencyFactory(name="Reuters", slug="reuters")
    opinion = SectionFactory(name="Opinion", slug="opinion")
    assert ingest(REFERENCE, "--agency", "reuters", "--section", "opinion").code == 0
    article = Article.objects.get()
    assert (article.wire_agency, article.section) == (reuters, opinion)
    assert article.byline == "By Agencies"


def test_unknown_agency_or_section_is_refused_before_anything_is_read() -> None:
    assert "No agency with the slug “nope”" in ingest(REFERENCE, "--agency", "nope").err
    assert "No section with the slug “nope”" in ingest(REFERENCE, "--section", "nope").err
    assert "Give files, directories or URLs" in ingest().err
    assert not Article.objects.exists()


def test_without_a_section_to_go_to_the_item_fails_with_the_reason(world, settings) -> None:
    settings.NEWSROOM = {**settings.NEWSROOM, "WIRE_SECTION": "wires"}
    run = ingest(REFERENCE)
    assert run.code == 1
    assert "no section: no subject rule of Al Jazeera matches" in run.err
    assert "“wires” (NEWSROOM_WIRE_SECTION) does not exist; give --section" in run.err


def test_a_dry_run_reports_and_saves_nothing() -> None:
    run = ingest(*NINJS_SAMPLES, "--dry-run")
    assert "4 created" in run.out and "dry run: nothing was saved" in run.out
    assert not Article.objects.exists() and not Agency.objects.exists() and not Author.objects.exists()


def test_worker_processes_give_the_same_articles_as_one_process(monkeypatch: pytest.MonkeyPatch) -> None:
    # Two documents per task, so the samples spread over several tasks and both workers.
    monkeypatch.setattr(service, "DOCUMENTS_PER_TASK", 2)
    sources = [*NINJS_SAMPLES, DATA / "wire"]
    run = ingest(*sources, "--jobs", "2", "--dry-run")
    parallel = run.out
    assert "15 created" in parallel and "1 skipped" in parallel, run.err
    ingest(*sources)
    single = {(a.wire_uri, a.headline, a.dateline, a.body, a.byline) for a in Article.objects.for_listing()}
    Article.objects.all().delete()
    assert ingest(*sources, "--jobs", "2").code == 0
    assert {(a.wire_uri, a.headline, a.dateline, a.body, a.byline) for a in Article.objects.for_listing()} == single


def test_a_run_leaves_garbage_collection_as_it_found_it(monkeypatch: pytest.MonkeyPatch) -> None:
    # Ingest keeps what outlives it out of collection while it runs (service._collector_spared); a caller's objects
    # must be collectable again afterwards, after a run that failed too.
    assert gc.get_freeze_count() == 0
    seen_frozen = []
    original = service._Writer.write

    def write(self, items):
        seen_frozen.append(gc.get_freeze_count())
        return original(self, items)

    monkeypatch.setattr(service._Writer, "write", write)
    assert ingest(*NINJS_SAMPLES).code == 0
    assert seen_frozen and seen_frozen[0] > 0
    assert gc.get_freeze_count() == 0

    def fail(self, items):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(service._Writer, "write", fail)
    with pytest.raises(RuntimeError):
        service.ingest(sources=[str(path) for path in NINJS_SAMPLES])
    assert gc.get_freeze_count() == 0


# --- bad input ------------------------------------------------------------------------------------------------------

BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
<nitf><body><body.head><hedline><hl1>&lol2;</hl1></hedline></body.head></body></nitf>"""
XXE = """<?xml version="1.0"?>
<!DOCTYPE nitf [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<nitf><head><docdata><doc-id id-string="xxe"/></docdata></head>
<body><body.head><hedline><hl1>&secret;</hl1></hedline></body.head></body></nitf>"""


def test_every_kind_of_bad_input_is_reported_and_the_good_items_still_land(tmp_path: Path, settings) -> None:
    settings.NEWSROOM = {**settings.NEWSROOM, "WIRE_MAX_ITEM_BYTES": 10_000}
    drop = tmp_path / "drop"
    drop.mkdir()
    write(drop / "good.json", ninjs("urn:good:1"))
    (drop / "malformed.json").write_text('{"uri": "urn:bad:1", "headline": ')
    (drop / "malformed.xml").write_text("<nitf><head></nitf>")
    (drop / "unknown.xml").write_text("<html><body>Not wire copy</body></html>")
    (drop / "notes").write_text("Call the desk about the storm")
    (drop / "latin1.json").write_bytes('{"uri": "urn:bad:2", "headline": "Café"}'.encode("latin-1"))
    write(drop / "no-headline.json", {"uri": "urn:bad:3", "body_html": "<p>Text</p>"})
    write(drop / "huge.json", ninjs("urn:bad:4", body_html="<p>" + "x" * 20_000 + "</p>"))
    (drop / "laughs.xml").write_text(BILLION_LAUGHS)
    (drop / "xxe.xml").write_text(XXE)
    lines = [json.dumps(ninjs("urn:good:2")), "{not json", json.dumps(ninjs("urn:good:3"))]
    (drop / "batch.jsonl").write_text("\n".join(lines))
    (drop / "README.md").write_text("Not read: not a wire file's extension.")

    run = ingest(drop, tmp_path / "missing.json")
    assert run.code == 1
    assert "3 created" in run.out and "11 failed" in run.out
    expected = {
        "malformed.json": "malformed JSON",
        "malformed.xml": "malformed XML: mismatched tag",
        "unknown.xml": "unknown format: XML whose root element <html> is not NITF, RSS or Atom",
        "notes": "unknown format: not ninjs (JSON), NITF, RSS or Atom",
        "latin1.json": "not UTF-8 text (byte 0xe9",
        "no-headline.json": "the item has no headline",
        "huge.json": "over the limit of 10,000",
        "laughs.xml": "refused: the XML declares entities",
        "xxe.xml": "refused: the XML",
        "batch.jsonl:2": "malformed JSON",
        "missing.json": "no such file or directory",
    }
    failures = [line for line in run.err.splitlines() if line.startswith("failed: ")]
    assert len(failures) == len(expected)
    for name, reason in expected.items():
        assert any(f"{name}" in line and reason in line for line in failures), (name, reason, failures)
    assert "README.md" not in run.out + run.err
    assert sorted(Article.objects.values_list("wire_uri", flat=True)) == ["urn:good:1", "urn:good:2", "urn:good:3"]
    assert "passwd" not in str(list(Article.objects.values_list("headline", "body")))


# Payloads in the style of ../shared/security/xss-public.txt (OWASP XSS Filter Evasion Cheat Sheet, CC BY-SA 4.0;
# mozilla/bleach tests, Apache-2.0), plus mutation XSS through SVG and MathML.
HOSTILE = (
    '<p>Text<a onmouseover="alert(document.cookie)">xxs link</a></p>'
    "<IMG SRC=javascript:alert(String.fromCharCode(88,83,83))>"
    '<p><a href="jav&#x09;ascript:alert(1)">tab</a></p>'
    "<svg><p><style><img src=x onerror=alert(2)></style></p></svg>"
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(3)></style></mglyph></table></mtext></math>"
    "<script>alert(4)</script><iframe src=//evil></iframe>"
)


def test_hostile_html_is_sanitized_on_the_batch_the_update_and_the_held_version_paths(tmp_path: Path) -> None:
    ingest(write(tmp_path / "v1.json", ninjs(version="1", body_html=HOSTILE)))
    ingest(write(tmp_path / "v2.json", ninjs(version="2", body_html=HOSTILE + "<p>v2</p>")))
    article = Article.objects.get()
    article.headline = "Edited"
    article.save()
    ingest(write(tmp_path / "v3.json", ninjs(version="3", body_html=HOSTILE + "<p>v3</p>")))
    bodies = [article.body for article in Article.objects.all()] + [update.body for update in WireUpdate.objects.all()]
    assert len(bodies) == 2 and "<p>v2</p>" in bodies[0] and "<p>v3</p>" in bodies[1]
    for body in bodies:
        lowered = body.lower()
        for needle in ("<script", "onerror", "onmouseover", "javascript", "<svg", "<math", "<img", "<iframe", "alert"):
            assert needle not in lowered, (needle, body)


# --- feeds over HTTP ------------------------------------------------------------------------------------------------


@pytest.fixture
def wire_server() -> Iterator[str]:
    """A local HTTP server serving tests/articles/data/wire/ (the only network the tests may use)."""
    handler = partial(SimpleHTTPRequestHandler, directory=str(DATA / "wire"))
    handler.log_message = lambda *args: None
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def silent_server() -> Iterator[str]:
    """Accepts connections and never answers: a feed that hangs."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)
    yield f"http://127.0.0.1:{sock.getsockname()[1]}/feed.xml"
    sock.close()


def test_feed_urls_are_fetched_and_a_hanging_or_missing_feed_fails_alone(wire_server: str, silent_server: str) -> None:
    run = ingest(f"{wire_server}/world-news.rss", silent_server, f"{wire_server}/nope.xml", "--timeout", "0.5")
    assert run.code == 1
    assert "2 created" in run.out and "2 failed" in run.out
    assert f"{silent_server}: no answer within 0.5 s (timed out)" in run.err
    assert f"{wire_server}/nope.xml: the server answered HTTP 404" in run.err
    assert Article.objects.filter(wire_agency__name="Pacific Press Agency").count() == 2


def test_polling_feeds_ingests_each_active_feed_for_its_agency_and_records_the_result(
    wire_server: str, silent_server: str
) -> None:
    science = SectionFactory(name="Science", slug="science")
    nsw = AgencyFactory(name="NSW", slug="nsw")
    feed = AgencyFeedFactory(agency=nsw, url=f"{wire_server}/science.atom", format="feed", default_section=science)
    hanging = AgencyFeedFactory(agency=nsw, url=silent_server)
    inactive = AgencyFeedFactory(agency=nsw, url=f"{wire_server}/world-news.rss", active=False)

    run = ingest("--feeds", "--timeout", "0.5")
    assert run.code == 1
    assert {(a.wire_agency, a.section) for a in Article.objects.all()} == {(nsw, science)}
    assert Article.objects.count() == 2
    feed.refresh_from_db()
    hanging.refresh_from_db()
    inactive.refresh_from_db()
    assert feed.last_ingest_at is not None and feed.last_result.startswith("2 created")
    assert "timed out" in hanging.last_result and "1 failed" in hanging.last_result
    assert inactive.last_ingest_at is None
    assert AgencyFeed.objects.count() == 3


def test_copying_the_samples_directory_ingests_everything_but_its_readme(tmp_path: Path) -> None:
    copy = shutil.copytree(DATA / "ninjs", tmp_path / "ninjs")
    run = ingest(copy)
    assert run.code == 0 and "4 created" in run.out and "README" not in run.out + run.err


def test_published_wire_copy_shows_on_cached_pages_at_once(tmp_path: Path, client: Client) -> None:
    # A first ingest creates what the copy refers to (agency, author), so the second writes articles only.
    ingest(write(tmp_path / "first.json", ninjs(uri="urn:test:first")), "--publish")
    assert client.get("/").status_code == 200  # the home page is now in the page cache
    ingest(write(tmp_path / "story.json", ninjs(uri="urn:test:scoop", headline="Wire scoop")), "--publish")
    assert b"Wire scoop" in client.get("/").content


def test_published_wire_copy_is_found_by_search_and_gets_related_stories(tmp_path: Path, client: Client) -> None:
    # Bulk inserts send no model signals: the search document and the related lists are written by ingest itself.
    floods = TopicFactory(name="Brittany floods")
    earlier = ArticleFactory(headline="Brittany braces for floods", topics=[floods])
    ingest(
        write(
            tmp_path / "wire.json",
            ninjs(uri="urn:test:storm", headline="Zephyrine storm floods Brittany", keywords=["Brittany floods"]),
        ),
        "--publish",
    )
    story = Article.objects.get(wire_uri="urn:test:storm")
    assert story.topics.filter(pk=floods.pk).exists()
    results = client.get("/search/", {"q": "Zephyrine"}).content.decode()
    assert "Zephyrine storm floods Brittany" in results
    assert [related.pk for related in related_articles(story, limit=5)] == [earlier.pk]
    assert [related.pk for related in related_articles(earlier, limit=5)] == [story.pk]
