"""
Benchmark, not a test (pytest doesn't collect it): the public site under load, as `make bench` runs it.

    make bench                         # 100,000 generated articles (reused when already there)
    make bench ARTICLES=20000 DURATION=10
    .venv/bin/python tests/perf/bench_site.py --pages article --modes uncached   # one row, while working on it

1. Makes sure PostgreSQL and Redis are up and `wrk` is installed (says so when it starts or installs one).
2. Fills the `bench` database with `manage.py generate_articles` (only when it holds fewer articles than asked).
3. Serves the site with gunicorn (workers = cores) on 127.0.0.1, DEBUG off, Redis as the cache, twice: with the page
   cache on (cached) and off (uncached: every request renders, but the content state stays cached).
4. For each kind of page: `wrk` on loopback for DURATION seconds over a list of addresses of that kind (random
   articles, section page 1 and 500 of the largest section (500 as readers reach it, by the "Older" link of page
   499; "500#" by its number alone, `?page=500`), a common and a rare topic, search, the latest feed),
   then the SQL queries one request of that kind costs (measured in-process with the test client) and the workers'
   peak resident memory.
5. Prints one table and saves it as JSON under .bench/ (git-ignored).
"""

import argparse
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
BENCH_DB = os.environ.get("BENCH_DATABASE_URL", "postgres://root@127.0.0.1:5432/bench")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/8")
PORT = int(os.environ.get("BENCH_PORT", "8765"))
LUA = """
local paths = {}
for line in io.lines(os.getenv("BENCH_URLS")) do paths[#paths + 1] = line end
math.randomseed(os.time())
request = function() return wrk.format("GET", paths[math.random(#paths)]) end
"""


def say(message: str) -> None:
    print(f"[bench] {message}", flush=True)


def server_env(*, page_cache: bool) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": BENCH_DB,
        "REDIS_URL": REDIS_URL,
        "DEBUG": "0",
        "SECRET_KEY": os.environ.get("SECRET_KEY", "bench-only-" + "x" * 40),
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_COOKIES": "0",
        "NEWSROOM_PAGE_CACHE": "1" if page_cache else "0",
        "CONN_MAX_AGE": "600",
        "LOG_LEVEL": "WARNING",
    }


def ensure_services() -> None:
    if subprocess.run(["pg_isready", "-q", "-h", "127.0.0.1", "-p", "5432"]).returncode:
        say("starting PostgreSQL")
        version = sorted(os.listdir("/etc/postgresql"))[-1]
        subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "start"], check=True)
    if subprocess.run(["redis-cli", "-h", "127.0.0.1", "ping"], capture_output=True).returncode:
        say("starting Redis")
        subprocess.run(
            [
                "redis-server",
                "--daemonize",
                "yes",
                "--bind",
                "127.0.0.1",
                "--port",
                "6379",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            check=True,
        )
    if not shutil.which("wrk"):
        say("installing wrk from Debian")
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True)
    database = BENCH_DB.rsplit("/", 1)[1]
    exists = subprocess.run(
        [
            "psql",
            "-h",
            "127.0.0.1",
            "-U",
            "root",
            "-d",
            "postgres",
            "-tAc",
            f"SELECT 1 FROM pg_database WHERE datname='{database}'",
        ],
        capture_output=True,
        text=True,
    ).stdout.strip()
    if not exists:
        say(f"creating database {database}")
        subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "root", database], check=True)


def manage(*args: str, page_cache: bool = True, capture: bool = False) -> str:
    result = subprocess.run(
        [PYTHON, "manage.py", *args],
        cwd=ROOT,
        env=server_env(page_cache=page_cache),
        check=True,
        capture_output=capture,
        text=True,
    )
    return result.stdout if capture else ""


def prepare_data(articles: int) -> None:
    manage("migrate", "--noinput", "-v0")
    count = int(
        manage("shell", "-c", "from articles.models import Article; print(Article.objects.count())", capture=True)
        .strip()
        .splitlines()[-1]
    )
    if count >= articles:
        say(f"reusing {count:,} articles in {BENCH_DB}")
        return
    say(f"generating {articles:,} articles (the database holds {count:,})")
    started = time.monotonic()
    manage("generate_articles", "--articles", str(articles - count))
    say(f"generated in {time.monotonic() - started:.0f} s")


URL_SCRIPT = r"""
import json, random
from django.db.models import Count
from articles.models import Article, Topic
from sections.models import Section
rng = random.Random(7)
live = Article.objects.live()
ids = list(live.values_list("pk", flat=True)[:200000])
sample = live.filter(pk__in=rng.sample(ids, min(500, len(ids)))).select_related("section")
articles = [article.get_absolute_url() for article in sample]
big = Section.objects.annotate(n=Count("articles")).order_by("-n").first()
topics = list(Topic.objects.annotate(n=Count("tagged_articles")).order_by("-n").values_list("slug", "n"))
common = topics[0][0]
# "Rare": about 30 articles, as the issue puts it.
rare = min(topics, key=lambda topic: abs(topic[1] - 30))[0]
# Page 500 as a reader reaches it: the "Older" link at the foot of page 499 (a cursor, no OFFSET). A small data set
# has fewer pages: then its last page (at least the second) stands in for page 500.
from html import unescape
import math, re
from django.conf import settings
from django.test import Client
deep = max(2, min(500, math.ceil(live.filter(section=big).count() / settings.NEWSROOM["ARTICLES_PER_PAGE"])))
before_deep = Client().get(f"/{big.slug}/?page={deep - 1}").content.decode()
older = unescape(re.search(r'rel="next" href="([^"]+)"', before_deep).group(1))
words = ["election", "storm", "bank", "minister", "climate", "court", "football", "market", "health", "ukraine"]
print(json.dumps({
    "article": articles,
    "section p1": [f"/{big.slug}/"],
    "section p500": [older],
    "section p500#": [f"/{big.slug}/?page={deep}"],
    "topic common": [f"/topics/{common}/"],
    "topic rare": [f"/topics/{rare}/"],
    "search": [f"/search/?q={w}" for w in words],
    "feed": ["/feeds/rss/"],
    "deep page": deep,
}))
"""

QUERY_SCRIPT = r"""
import json, sys
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
urls = json.loads(sys.stdin.read())
client = Client()
out = {}
for kind, paths in urls.items():
    counts, statuses = [], set()
    for path in paths[:5]:
        client.get(path)  # the first request fills the content state (and, with the page cache on, the page)
        with CaptureQueriesContext(connection) as queries:
            statuses.add(client.get(path).status_code)
        counts.append(len(queries))
    out[kind] = {"queries": max(counts), "status": sorted(statuses)}
print(json.dumps(out))
"""


def urls_by_kind() -> dict[str, list[str]]:
    return json.loads(manage("shell", "-c", URL_SCRIPT, capture=True).strip().splitlines()[-1])


def queries_by_kind(urls: dict[str, list[str]], *, page_cache: bool) -> dict:
    result = subprocess.run(
        [PYTHON, "manage.py", "shell", "-c", QUERY_SCRIPT],
        cwd=ROOT,
        env=server_env(page_cache=page_cache),
        input=json.dumps(urls),
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


class Server:
    def __init__(self, *, page_cache: bool, workers: int) -> None:
        self.page_cache, self.workers = page_cache, workers

    def __enter__(self) -> "Server":
        self.process = subprocess.Popen(
            [
                str(Path(PYTHON).parent / "gunicorn"),
                "newsroom.wsgi",
                "--workers",
                str(self.workers),
                "--bind",
                f"127.0.0.1:{PORT}",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=server_env(page_cache=self.page_cache),
            start_new_session=True,
        )
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", PORT), timeout=0.2).close()
                return self
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("gunicorn did not start")

    def worker_peak_rss_mb(self) -> float:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text().split()
        peaks = []
        for pid in children:
            status = Path(f"/proc/{pid}/status").read_text()
            peaks.append(int(re.search(r"VmHWM:\s+(\d+)", status).group(1)) / 1024)
        return max(peaks, default=0.0)

    def __exit__(self, *exc: object) -> None:
        os.killpg(self.process.pid, signal.SIGTERM)
        self.process.wait(timeout=30)


def run_wrk(paths: list[str], *, duration: int, connections: int, warm_all: bool) -> dict:
    url_file = ROOT / ".bench" / "urls.txt"
    url_file.write_text("\n".join(paths) + "\n")
    lua = ROOT / ".bench" / "urls.lua"
    lua.write_text(LUA)
    # Warm the caches the kind relies on: with the page cache on, every page, so that the row measures hits (500
    # random articles would otherwise be mostly first renders within the run).
    warm = paths if warm_all else paths[:3]
    subprocess.run(
        ["curl", "-s", *(arg for path in warm for arg in ("-o", "/dev/null", f"http://127.0.0.1:{PORT}{path}"))]
    )
    out = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency", "-s", str(lua), f"http://127.0.0.1:{PORT}"],
        env={**os.environ, "BENCH_URLS": str(url_file)},
        capture_output=True,
        text=True,
        check=True,
    ).stdout

    def latency(label: str) -> float:
        match = re.search(rf"^\s+{label}%\s+([\d.]+)(us|ms|s)", out, re.M)
        value, unit = float(match.group(1)), match.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p50_ms": latency("50"),
        "p99_ms": latency("99"),
        "errors": errors + (int(non_2xx.group(1)) if non_2xx else 0),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--duration", type=int, default=15, help="seconds of load per kind of page and mode")
    parser.add_argument("--connections", type=int, default=16, help="wrk connections for cached pages")
    parser.add_argument(
        "--pages", nargs="+", metavar="KIND", help="only these kinds of page (e.g. article 'section p1')"
    )
    parser.add_argument("--modes", nargs="+", choices=["cached", "uncached"], default=["cached", "uncached"])
    args = parser.parse_args()
    (ROOT / ".bench").mkdir(exist_ok=True)
    ensure_services()
    prepare_data(args.articles)
    manage("collectstatic", "--noinput", "-v0")
    found = urls_by_kind()
    if (deep := found.pop("deep page")) != 500:
        say(f"the largest section has {deep} pages: the 'section p500' rows measure page {deep}")
    urls = {kind: paths for kind, paths in found.items() if not args.pages or kind in args.pages}
    workers = os.cpu_count() or 2
    rows = []
    for mode in args.modes:
        page_cache = mode == "cached"
        subprocess.run(["redis-cli", "-n", REDIS_URL.rsplit("/", 1)[1], "flushdb"], capture_output=True)
        queries = queries_by_kind(urls, page_cache=page_cache)
        with Server(page_cache=page_cache, workers=workers) as server:
            for kind, paths in urls.items():
                say(f"{mode}: {kind}")
                # Uncached pages are measured one request per worker at a time: their latency is the time to render
                # a page, not the time spent queueing behind the other connections' pages.
                connections = args.connections if page_cache else workers
                figures = run_wrk(paths, duration=args.duration, connections=connections, warm_all=page_cache)
                rows.append(
                    {
                        "page": kind,
                        "mode": mode,
                        "connections": connections,
                        **figures,
                        "sql_per_request": queries[kind]["queries"],
                        "status": queries[kind]["status"],
                    }
                )
            peak = server.worker_peak_rss_mb()
        for row in rows:
            if row["mode"] == mode:
                row["worker_peak_rss_mb"] = round(peak, 1)
    print_table(rows, args)
    report = ROOT / ".bench" / f"site-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.json"
    report.write_text(json.dumps({"articles": args.articles, "workers": workers, "rows": rows}, indent=2))
    say(f"saved {report.relative_to(ROOT)}")


def print_table(rows: list[dict], args: argparse.Namespace) -> None:
    print(
        f"\nNewsroom under load: {args.articles:,} articles, PostgreSQL, gunicorn x{os.cpu_count()}, "
        f"wrk for {args.duration} s per row (cached: {args.connections} connections; uncached: one per worker)\n"
    )
    columns = ["conns", "req/s", "p50 ms", "p99 ms", "SQL/req", "errors", "peak RSS MB"]
    header = f"{'page':<14} {'mode':<9} " + " ".join(f"{column:>8}" for column in columns)
    print(header)
    print("-" * len(header))
    for row in rows:
        print(
            f"{row['page']:<14} {row['mode']:<9} {row['connections']:>8} {row['rps']:>8.0f} {row['p50_ms']:>8.1f} "
            f"{row['p99_ms']:>8.1f} {row['sql_per_request']:>8} {row['errors']:>8} {row['worker_peak_rss_mb']:>8.1f}"
        )


if __name__ == "__main__":
    main()
