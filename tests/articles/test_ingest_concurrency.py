"""
Concurrent ingests of the same item make one article: the database's unique wire_uri decides, and the ingest that
loses the race finds the winner's article instead of failing. Real concurrency needs PostgreSQL; SQLite serializes
every writer on one database lock, so there is no race to lose there.
"""

import json
import threading
import time
from pathlib import Path

import pytest
from django.db import connection, transaction

from articles.ingest.service import IngestReport, Outcome, ingest
from articles.models import Article
from tests.factories import SectionFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent writers (PostgreSQL)"),
]


def items(path: Path, count: int) -> Path:
    path.write_text(
        "\n".join(
            json.dumps({"uri": f"urn:race:{n}", "headline": f"Race {n}", "copyrightholder": "AFP", "version": "1"})
            for n in range(count)
        )
    )
    return path


def in_thread(target, results: dict, key: str) -> threading.Thread:
    def run() -> None:
        try:
            results[key] = target()
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def test_the_ingest_that_loses_the_race_for_an_item_finds_the_winners_article(tmp_path: Path) -> None:
    SectionFactory(name="World", slug="world")
    path = items(tmp_path / "one.jsonl", 1)
    inserted = threading.Event()
    results: dict[str, object] = {}

    def winner() -> IngestReport:
        # Inserted but not committed for a second: the other ingest cannot see the row, only collide with it.
        with transaction.atomic():
            report = ingest(sources=[str(path)])
            inserted.set()
            time.sleep(1)
        return report

    def loser() -> tuple[IngestReport, float]:
        inserted.wait(5)
        started = time.monotonic()
        report = ingest(sources=[str(path)])
        return report, time.monotonic() - started

    threads = [in_thread(winner, results, "winner"), in_thread(loser, results, "loser")]
    for thread in threads:
        thread.join(20)
    loser_report, waited = results["loser"]
    assert results["winner"].counts[Outcome.CREATED] == 1
    assert waited > 0.5  # it really did wait on the winner's row
    assert loser_report.failed == []
    assert loser_report.counts[Outcome.UNCHANGED] == 1 and loser_report.counts[Outcome.CREATED] == 0
    assert Article.objects.filter(wire_uri="urn:race:0").count() == 1


def test_two_ingests_of_the_same_feed_at_once_make_one_article_per_item(tmp_path: Path) -> None:
    SectionFactory(name="World", slug="world")
    path = items(tmp_path / "many.jsonl", 40)
    barrier = threading.Barrier(2)
    results: dict[str, IngestReport] = {}

    def run() -> IngestReport:
        barrier.wait(5)
        return ingest(sources=[str(path)])

    threads = [in_thread(run, results, "a"), in_thread(run, results, "b")]
    for thread in threads:
        thread.join(30)
    assert Article.objects.count() == 40
    assert results["a"].failed == [] and results["b"].failed == []
    created = results["a"].counts[Outcome.CREATED] + results["b"].counts[Outcome.CREATED]
    unchanged = results["a"].counts[Outcome.UNCHANGED] + results["b"].counts[Outcome.UNCHANGED]
    assert (created, unchanged) == (40, 40)
