"""
Soak test (a benchmark, not a test): `make soak`, or `SOAK_SECONDS=60 .venv/bin/python tests/perf/soak.py`.

Serves the newsroom as production does (gunicorn, one worker per core, DEBUG off, PostgreSQL, Redis as the shared
cache) on loopback, and loads it with wrk (Debian's; 64 connections, mixed pages: home, sections, topics, authors,
agencies, articles, feeds, sitemaps, the API) for SOAK_SECONDS (default 300) after a warm-up, while this process
publishes, edits, schedules and withdraws stories through the ORM and checks each change over HTTP:

- a published or edited story shows, a withdrawn one answers 404, to every request sent more than STALE_AFTER
  seconds after the change was saved, and within 3 x VISIBLE_WITHIN seconds at most (else it is stale); the time
  until it first showed is reported (it includes waiting for a worker under load);
- a story scheduled a few seconds ahead answers 404 until its time, never 200 before it (early).

It passes with 0 errors (5xx, connection errors, timeouts), worker memory growth under 10% (RSS from /proc, after
the warm-up and at the end), and no stale or early page. 404s of withdrawn stories are counted, not errors.

Uses a database of its own (SOAK_DATABASE_URL, default postgres://root@127.0.0.1:5432/soak: created, migrated,
filled with the demo newsroom and SOAK_ARTICLES generated wire stories) and Redis DB SOAK_REDIS_URL.
"""

import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

SECONDS = int(os.environ.get("SOAK_SECONDS", "300"))
CONNECTIONS = int(os.environ.get("SOAK_CONNECTIONS", "64"))
PORT = int(os.environ.get("SOAK_PORT", "8190"))
WORKERS = int(os.environ.get("SOAK_WORKERS", str(os.cpu_count() or 2)))
ARTICLES = int(os.environ.get("SOAK_ARTICLES", "400"))
WARM_UP = min(30, max(5, SECONDS // 5))
VISIBLE_WITHIN = 5.0
# A request sent this long after a change was saved (committed) must see it: the page cache is keyed on a token
# forgotten at commit, so only a request already being served at that moment may show the old page.
STALE_AFTER = 1.0
MEMORY_GROWTH_LIMIT = 0.10
BASE = f"http://127.0.0.1:{PORT}"

SERVER_ENV = {
    "DATABASE_URL": os.environ.get("SOAK_DATABASE_URL", "postgres://root@127.0.0.1:5432/soak"),
    "REDIS_URL": os.environ.get("SOAK_REDIS_URL", "redis://127.0.0.1:6379/9"),
    "SECRET_KEY": os.environ.get("SECRET_KEY", "soak-only-not-a-secret"),
    "DEBUG": "0",
    "ALLOWED_HOSTS": "127.0.0.1,localhost",
    "SECURE_SSL_REDIRECT": "0",
    "LOG_LEVEL": "WARNING",
}
os.environ.update(SERVER_ENV)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")


def manage(*args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, check=True, env=os.environ)


def prepare() -> None:
    from tests.perf.bench_ingest import ensure_database, generate

    ensure_database()
    manage("migrate", "--noinput", "-v", "0")
    manage("demo")
    manage("collectstatic", "--noinput", "-v", "0")
    import django

    django.setup()
    from articles.ingest.service import ingest
    from articles.models import Article

    if Article.objects.filter(wire_uri__startswith="urn:bench:").count() < ARTICLES:
        with tempfile.TemporaryDirectory() as directory:
            generate(Path(directory), ARTICLES)
            print(ingest(sources=[directory], publish=True).summary())


def addresses() -> list[str]:
    from articles.models import Agency, Article, Author, Topic
    from sections.models import Section

    live = list(Article.objects.live().select_related("section").order_by("?")[:600])
    paths = ["/", "/feeds/rss/", "/feeds/atom/", "/sitemap.xml", "/sitemap-articles.xml", "/sitemap-news.xml"]
    paths += ["/api/articles/", "/api/articles/?limit=50", "/robots.txt"]
    paths += [section.get_absolute_url() for section in Section.objects.all()]
    paths += [f"/feeds/sections/{section.slug}/rss/" for section in Section.objects.all()]
    paths += [topic.get_absolute_url() for topic in Topic.objects.with_live_articles()[:60]]
    paths += [author.get_absolute_url() for author in Author.objects.all()[:30]]
    paths += [agency.get_absolute_url() for agency in Agency.objects.all()]
    paths += [article.get_absolute_url() for article in live]
    paths += [f"/api/articles/{article.pk}/" for article in live[:100]]
    return paths


def worker_rss(master: int) -> dict[int, int]:
    """Resident memory (kB) of each gunicorn worker (the master's children)."""
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    rss = {}
    for pid in map(int, children):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                rss[pid] = int(line.split()[1])
    return rss


def get(path: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(f"{BASE}{path}", timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, ""


def wait_for(path: str, condition, *, since: float) -> tuple[float | None, list[float]]:
    """
    Seconds from `since` until `condition(status, body)` held (three times running), or None if not within
    3 x VISIBLE_WITHIN; and when the requests that still saw the old page had been sent. Under load a request waits
    seconds for a worker, so the first figure includes that queueing; the second tells staleness from it.
    """
    held, first, old = 0, None, []
    while time.monotonic() - since < VISIBLE_WITHIN * 3:
        sent = time.monotonic() - since
        status, body = get(path)
        if condition(status, body):
            held += 1
            first = first if held > 1 else time.monotonic() - since
            if held == 3:
                return first, old
        else:
            held = 0
            old.append(sent)
        time.sleep(0.1)
    return None, old


class Newsroom:
    """Publishes, edits, schedules and withdraws stories while the load runs, checking each over HTTP."""

    def __init__(self) -> None:
        from sections.models import Section

        self.section = Section.objects.get(slug="world")
        self.rng = random.Random(5)
        self.counts = {"published": 0, "edited": 0, "withdrawn": 0, "scheduled": 0}
        self.delays: list[float] = []
        self.stale: list[str] = []
        self.early: list[str] = []
        self.serial = 0

    def _new(self, headline: str):
        from articles.models import Article

        self.serial += 1
        slug = f"soak-{os.getpid()}-{self.serial}"
        return Article.objects.create(headline=f"{headline} {slug}", slug=slug, section=self.section, body="<p>x</p>")

    def _check(self, what: str, path: str, condition, since: float) -> None:
        delay, old = wait_for(path, condition, since=since)
        # Stale: the change never showed, or a request sent well after it was saved still got the old page.
        if delay is None or any(sent >= STALE_AFTER for sent in old):
            self.stale.append(f"{what} {path}: shown after {delay} s; old page for requests sent at {old} s")
        else:
            self.delays.append(delay)

    def publish(self) -> None:
        article = self._new("Soak publish")
        article.publish()
        self.counts["published"] += 1
        self._check("publish", article.get_absolute_url(), lambda s, b: s == 200, time.monotonic())

    def edit(self) -> None:
        from articles.models import Article

        article = Article.objects.live().filter(slug__startswith="soak-").order_by("?").first()
        if article is None:
            return
        article.headline = f"Edited {self.serial} {article.slug}"
        self.serial += 1
        article.save()
        self.counts["edited"] += 1
        headline = article.headline
        self._check("edit", article.get_absolute_url(), lambda s, b: s == 200 and headline in b, time.monotonic())

    def withdraw(self) -> None:
        from articles.models import Article

        article = Article.objects.live().filter(slug__startswith="soak-").order_by("?").first()
        if article is None:
            return
        article.withdraw()
        self.counts["withdrawn"] += 1
        self._check("withdraw", article.get_absolute_url(), lambda s, b: s == 404, time.monotonic())

    def schedule(self) -> None:
        from django.utils import timezone

        article = self._new("Soak scheduled")
        publish_at = (timezone.now() + timezone.timedelta(seconds=4)).replace(microsecond=0)
        article.publish(at=publish_at)
        self.counts["scheduled"] += 1
        path = article.get_absolute_url()
        while timezone.now() < publish_at:
            status, _ = get(path)
            # A 200 received before the publish time is an early page.
            if status == 200 and timezone.now() < publish_at:
                self.early.append(f"{path} at {timezone.now().isoformat()} (due {publish_at.isoformat()})")
            time.sleep(0.2)
        self._check("scheduled", path, lambda s, b: s == 200, time.monotonic())

    def run_until(self, deadline: float) -> None:
        actions = [self.publish, self.publish, self.edit, self.withdraw, self.schedule]
        while time.monotonic() < deadline - 15:
            self.rng.choice(actions)()
            time.sleep(1)


def wrk(seconds: int, paths_file: str) -> subprocess.Popen:
    script = str(Path(__file__).with_name("soak.lua"))
    command = ["wrk", "-t", "2", "-c", str(CONNECTIONS), "-d", f"{seconds}s", "--timeout", "10s", "-s", script]
    return subprocess.Popen([*command, BASE, "--", paths_file], stdout=subprocess.PIPE, text=True)


def result_of(process: subprocess.Popen) -> dict:
    output, _ = process.communicate()
    line = next(line for line in output.splitlines() if line.startswith("SOAK-RESULT "))
    return json.loads(line.removeprefix("SOAK-RESULT "))


def main() -> int:
    if subprocess.run(["which", "wrk"], capture_output=True).returncode:
        sys.exit("The soak needs wrk: apt-get install wrk")
    prepare()
    paths = addresses()
    paths_file = tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False)
    paths_file.write("\n".join(paths) + "\n")
    paths_file.close()
    gunicorn = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "newsroom.wsgi", "-w", str(WORKERS), "-b", f"127.0.0.1:{PORT}"]
        + ["--timeout", "60", "--graceful-timeout", "10"],
        cwd=ROOT,
        env=os.environ,
    )
    try:
        for _ in range(100):
            try:
                get("/robots.txt")
                break
            except OSError:
                time.sleep(0.2)
        print(f"{len(paths)} addresses; {WORKERS} gunicorn workers; warming up for {WARM_UP} s")
        warm = result_of(wrk(WARM_UP, paths_file.name))
        before = worker_rss(gunicorn.pid)
        print(f"warm-up: {warm['requests']} requests; worker RSS {before} kB; soaking for {SECONDS} s")
        started = time.monotonic()
        load = wrk(SECONDS, paths_file.name)
        newsroom = Newsroom()
        newsroom.run_until(started + SECONDS)
        result = result_of(load)
        after = worker_rss(gunicorn.pid)
    finally:
        gunicorn.send_signal(signal.SIGTERM)
        gunicorn.wait(timeout=30)
        os.unlink(paths_file.name)

    statuses = result["statuses"]
    server_errors = sum(count for status, count in statuses.items() if int(status) >= 500)
    socket_errors = sum(result[key] for key in ("connect_errors", "read_errors", "write_errors", "timeouts"))
    growth = {pid: (after[pid] - before[pid]) / before[pid] for pid in before if pid in after}
    replaced = sorted(set(before) ^ set(after))
    print(json.dumps({"load": result, "changes": newsroom.counts}, indent=2))
    print(f"requests: {result['requests']} in {result['seconds']} s = {result['requests'] / result['seconds']:.0f}/s")
    print(f"latency: p50 {result['p50_ms']} ms, p99 {result['p99_ms']} ms, max {result['max_ms']} ms")
    print(
        f"errors: {server_errors} 5xx, {socket_errors} connection errors or timeouts; 404s: {statuses.get('404', 0)}"
    )
    print(f"worker RSS kB before {before} after {after}; growth " + ", ".join(f"{g:+.1%}" for g in growth.values()))
    if delays := newsroom.delays:
        print(f"changes visible after: max {max(delays):.2f} s, mean {sum(delays) / len(delays):.2f} s")
    print(f"stale: {newsroom.stale or 'none'}; early: {newsroom.early or 'none'}")
    failures = []
    if server_errors or socket_errors:
        failures.append("errors")
    if replaced or not growth or max(growth.values()) >= MEMORY_GROWTH_LIMIT:
        failures.append("memory growth (or a worker was replaced)")
    if newsroom.stale or newsroom.early:
        failures.append("stale or early pages")
    print("SOAK " + ("FAILED: " + ", ".join(failures) if failures else "PASSED"))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
