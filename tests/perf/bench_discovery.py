"""
Benchmark of reader discovery at scale: related-stories reads, search, trending and the whole article page, timed
in-process against a generated data set. Not a test (pytest does not collect it): run it by hand on PostgreSQL.

    createdb bench_discovery   # or any empty database of your own
    export DATABASE_URL=postgres://root@127.0.0.1:5432/bench_discovery SECRET_KEY=bench
    .venv/bin/python manage.py migrate
    .venv/bin/python manage.py generate_articles --articles 100000
    .venv/bin/python -m tests.perf.bench_discovery            # --json results.json to keep the figures

Targets (issue 4): related read <= 2 ms p99 and <= 1 query; search p95 <= 50 ms. Timings are wall-clock on a shared
machine: the load average is printed before and after so that noise can be judged.
"""

import argparse
import json
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import django

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")
django.setup()

from django.conf import settings  # noqa: E402

# Pages render static URLs; without `collectstatic` there is no manifest to hash them from (as in tests/conftest.py).
settings.STORAGES = {
    **settings.STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from articles.models import Article, TaggedArticle, Topic  # noqa: E402
from articles.related import related_articles  # noqa: E402
from articles.search import hits, search_articles  # noqa: E402
from articles.trending import seed_views, trending_articles  # noqa: E402


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def measure(name: str, calls: list[Callable[[], object]], rounds: int = 1) -> dict:
    """
    Wall time in ms, this process's CPU time in ms (wall time minus waiting for the database and for a turn on a busy
    machine) and queries per call. Queries are counted in the warm-up pass: recording them costs time too.
    """
    queries = []
    for call in calls:
        with CaptureQueriesContext(connection) as captured:
            call()
        queries.append(len(captured.captured_queries))
    timings, cpu = [], []
    for _ in range(rounds):
        for call in calls:
            started, started_cpu = time.perf_counter(), time.process_time()
            call()
            timings.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
    return {
        "name": name,
        "calls": len(timings),
        "p50_ms": round(percentile(timings, 0.50), 3),
        "p95_ms": round(percentile(timings, 0.95), 3),
        "p99_ms": round(percentile(timings, 0.99), 3),
        "max_ms": round(max(timings), 3),
        "cpu_p50_ms": round(percentile(cpu, 0.50), 3),
        "queries_per_call": round(statistics.mean(queries), 2),
        "max_queries": max(queries),
    }


def topic_by_rank(ranks: list[int]) -> list[str]:
    by_use = list(Topic.objects.annotate(uses=Count("tagged_articles")).filter(uses__gt=0).order_by("-uses", "pk"))
    return [by_use[min(rank, len(by_use) - 1)].name for rank in ranks]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reads", type=int, default=3000, help="related-list reads to time")
    parser.add_argument("--pages", type=int, default=300, help="article pages to render")
    parser.add_argument("--seed", type=int, default=4)
    parser.add_argument("--json", type=Path, help="also write the results here")
    options = parser.parse_args()
    rng = random.Random(options.seed)
    if connection.vendor != "postgresql":
        print("Note: not PostgreSQL; the targets are for PostgreSQL.")
    total = Article.objects.count()
    live_ids = list(Article.objects.live().values_list("pk", flat=True))
    load_before = os.getloadavg()
    print(f"{total:,} articles ({len(live_ids):,} live) on {connection.vendor}; load average {load_before[0]:.2f}")

    # Related: random live stories, and separately stories carrying the commonest topic, to show the cost does not
    # depend on how common an article's topics are.
    commonest = (
        TaggedArticle.objects.values("tag_id").annotate(n=Count("pk")).order_by("-n").values_list("tag_id", "n")[0]
    )
    sample = [Article(pk=pk) for pk in rng.sample(live_ids, min(options.reads, len(live_ids)))]
    popular_ids = list(
        Article.objects.live().filter(tagged_items__tag_id=commonest[0]).values_list("pk", flat=True)[:50000]
    )
    popular = [Article(pk=pk) for pk in rng.sample(popular_ids, min(options.reads, len(popular_ids)))]
    results = [
        measure("related read (random live story)", [lambda a=a: related_articles(a, limit=6) for a in sample]),
        measure(
            f"related read (stories on a topic on {commonest[1] / total:.0%})",
            [lambda a=a: related_articles(a, limit=6) for a in popular],
        ),
    ]

    # Search: topic names from the commonest to the rarest, everyday words, a phrase, a minus, filters.
    common, middling, rare = topic_by_rank([0, 300, 3000])
    queries = [
        {"text": common},
        {"text": middling},
        {"text": rare},
        {"text": "government minister"},
        {"text": "inflation"},
        {"text": '"central bank"'},
        {"text": "election -protest"},
        {"text": f"{middling} security"},
        {"text": "climate drought farmers"},
        {"text": "market", "section_ids": list(Article.objects.values_list("section_id", flat=True)[:1])},
        {"text": "strike", "since": timezone.localdate() - timedelta(days=365)},
        {"text": "quixotic"},
    ]

    def run_search(query: dict) -> None:
        # What the search view does: a page of ranked results with its count, then whether there were more.
        page = search_articles(**query).page(1)
        hits(page.object_list, query["text"])
        assert page.paginator.capped in (True, False)

    results.append(measure("search, page 1 with snippets", [lambda q=q: run_search(q) for q in queries], rounds=5))

    # Trending over the database counters (seeded for 2,000 stories if none are counted yet).
    if not trending_articles(limit=5):
        seed_views({pk: rng.randint(1, 500) for pk in rng.sample(live_ids, min(2000, len(live_ids)))})
    results.append(measure("trending read", [lambda: trending_articles(limit=5, exclude=[1, 2, 3])] * 200))

    # The whole article page, rendered in-process (no HTTP, no page cache).
    client = Client()
    pages = list(Article.objects.filter(pk__in=rng.sample(live_ids, options.pages)).select_related("section"))
    urls = [article.get_absolute_url() for article in pages]
    # Over HTTPS, as production serves it: a plain-HTTP request would only measure the redirect to it.
    assert client.get(urls[0], secure=True).status_code == 200
    results.append(
        measure("article page (in-process, uncached)", [lambda u=u: client.get(u, secure=True) for u in urls[1:]])
    )

    load_after = os.getloadavg()
    header = f"{'measure':<46} {'calls':>6} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8}"
    print(f"\n{header} {'CPU p50':>8} {'queries':>8}")
    for row in results:
        print(
            f"{row['name']:<46} {row['calls']:>6} {row['p50_ms']:>8.2f} {row['p95_ms']:>8.2f} {row['p99_ms']:>8.2f}"
            f" {row['max_ms']:>8.2f} {row['cpu_p50_ms']:>8.2f} {row['queries_per_call']:>8}"
        )
    print(f"\nload average before {load_before[0]:.2f}, after {load_after[0]:.2f} ({os.cpu_count()} CPUs)")
    # The plan of one related read, to show it is one index lookup on the precomputed list.
    with CaptureQueriesContext(connection) as captured:
        related_articles(sample[0], limit=6)
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN ANALYZE " + captured.captured_queries[0]["sql"])
        print("\nPlan of a related read:\n  " + "\n  ".join(row[0] for row in cursor.fetchall()))
    if options.json:
        payload = {
            "articles": total,
            "vendor": connection.vendor,
            "load": [load_before, load_after],
            "results": results,
        }
        options.json.write_text(json.dumps(payload, indent=2))
        print(f"Saved to {options.json}")


if __name__ == "__main__":
    main()
