"""
Benchmark, not a test (pytest doesn't collect it): the admin's article list at scale, timed in-process.

    createdb bench_1m
    export DATABASE_URL=postgres://root@127.0.0.1:5432/bench_1m SECRET_KEY=bench
    .venv/bin/python manage.py migrate
    .venv/bin/python manage.py generate_articles --articles 1000000     # about half an hour here
    .venv/bin/python -m tests.perf.bench_admin                          # --json results.json to keep the figures

Renders the first page of /admin/articles/article/ as a superuser, as an editor opens it (the default list, newest
first) and with the filters editors use most, and prints wall-clock p50/p95 and the queries each view costs. Target
(issue 8): the default first page p95 <= 300 ms with 1,000,000 articles. The superuser is made on first use.
"""

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

import django

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
django.setup()

from django.conf import settings  # noqa: E402

# The admin renders static URLs; without `collectstatic` there is no manifest to hash them from.
settings.STORAGES = {
    **settings.STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from articles.models import Article  # noqa: E402
from sections.models import Section  # noqa: E402

CHANGELIST = "/admin/articles/article/"


def views() -> dict[str, str]:
    newest = Article.objects.filter(publish_at__isnull=False).latest("publish_at").publish_at
    section = Section.objects.order_by("pk").first()
    return {
        "default (newest first)": CHANGELIST,
        "state: live": f"{CHANGELIST}?state=live",
        "state: draft": f"{CHANGELIST}?state=draft",
        "section": f"{CHANGELIST}?section__id__exact={section.pk}",
        "date hierarchy: a year": f"{CHANGELIST}?publish_at__year={newest.year}",
        "page 50": f"{CHANGELIST}?p=50",
        "search a headline word": f"{CHANGELIST}?q=minister",
    }


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=40, help="requests per view")
    parser.add_argument("--json", help="also write the results here")
    args = parser.parse_args()

    user, created = get_user_model().objects.get_or_create(
        username="bench-admin", defaults={"is_staff": True, "is_superuser": True}
    )
    client = Client()
    client.force_login(user)
    total = Article.objects.count()  # once, to say what was measured; the admin itself never counts them all
    print(f"{total:,} articles on {connection.vendor}; load average {os.getloadavg()[0]:.2f}\n")
    print(f"{'view':<26} {'calls':>6} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'queries':>8}")
    results = []
    for name, url in views().items():
        with CaptureQueriesContext(connection) as captured:
            status = client.get(url).status_code  # also the warm-up
        queries = len(captured.captured_queries)  # read at once: the slice is taken from the live log
        if status != 200:
            raise SystemExit(f"{url} answered {status}")
        timings = []
        for _ in range(args.rounds):
            started = time.perf_counter()
            client.get(url)
            timings.append((time.perf_counter() - started) * 1000)
        row = {
            "view": name,
            "url": url,
            "calls": len(timings),
            "p50_ms": round(statistics.median(timings), 1),
            "p95_ms": round(percentile(timings, 0.95), 1),
            "max_ms": round(max(timings), 1),
            "queries": queries,
        }
        results.append(row)
        print(
            f"{name:<26} {row['calls']:>6} {row['p50_ms']:>8.1f} {row['p95_ms']:>8.1f} {row['max_ms']:>8.1f} "
            f"{row['queries']:>8}"
        )
    print(f"\nload average after {os.getloadavg()[0]:.2f} ({os.cpu_count()} CPUs)")
    if args.json:
        Path(args.json).write_text(json.dumps({"articles": total, "rows": results}, indent=2))


if __name__ == "__main__":
    main()
