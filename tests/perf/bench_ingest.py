"""
Wire ingest throughput (a benchmark, not a test): `make bench-ingest`, or

    DATABASE_URL=postgres://root@127.0.0.1:5432/bench_ingest .venv/bin/python tests/perf/bench_ingest.py

Generates 20,000 ninjs items (one file each, ~5 kB HTML bodies with a dateline lead, a byline, subjects) in a
temporary directory, then measures on the same bodies:

1. sanitizing alone: `sanitize_html` on every body, one process: the floor, since bleach costs milliseconds a body;
2. `ingest --publish` with --jobs 1 and --jobs 2 into an emptied PostgreSQL database (migrated first; created if
   missing), reading from files as the command does;
3. a default `ingest` (drafts, as the wire desk runs it), --jobs 1: no search documents or related lists to write.

It reports items/s (wall clock) and two ratios to sanitizing alone. The target: everything besides sanitizing adds
at most 25% per core (ratio <= 1.25). Sanitizing alone is measured before the first ingest run and again after
each one; each run is compared with the mean of the two measurements around it, so a machine that got busier or
quieter during the benchmark (other benchmarks share it) biases neither side.

- wall ratio: sanitize items/s divided by ingest items/s per job. Honest but noisy: other work on the machine
  slows either side.
- CPU ratio: CPU time per item of the whole ingest (this process, its worker processes and its PostgreSQL
  backend, read from /proc) over CPU time per item of sanitizing alone. Less sensitive to a busy machine, but the
  same work can cost 20% more CPU time from one minute to the next on a shared one.
- in-run ratio (--jobs 1): the ingest's CPU time over the CPU time spent inside sanitize_html during that same run.
  Both sides are measured under the same conditions, so this is the steadiest figure on a shared machine.

Each run also says where the CPU time went: sanitizing, the search documents (PostgreSQL parsing every body into a
`tsvector`, and its GIN index), the related-story lists rebuilt at the end, and everything else (reading, parsing,
mapping, topics, authors, inserts, commits). The last is what the issue's list names ("parsing, mapping, tags,
inserts"); the search documents and related lists are upkeep other features need, reported apart so that the owner
of the target can see both readings of it.
"""

import argparse
import json
import os
import random
import resource
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
os.environ.setdefault("SECRET_KEY", "bench-only")
os.environ.setdefault("DATABASE_URL", "postgres://root@127.0.0.1:5432/bench_ingest")

WORDS = (
    "government minister talks agreement parliament election border troops coalition summit economy inflation "
    "markets energy prices pipeline sanctions security leaders European president officials reported said "
    "Thursday Friday weekend capital region villages water power emergency services hospital survivors court "
    "trial judge witnesses lawyers strike union workers factory exports growth forecast bank interest rates"
).split()
PLACES = ["PARIS", "BERLIN", "GENEVA", "NAIROBI", "LIMA", "SEOUL", "CAIRO, Egypt", "GROSSETO, Italy", "OSLO"]
AGENCIES = ["AFP", "Reuters", "AP", "dpa", "NTB"]
TOPICS = [f"{word.title()} {n}" for n, word in enumerate(WORDS * 3)]
NAMES = [f"{first} {last}" for first in ("Anna", "Ali", "Jean", "Mei", "Olu") for last in ("Berg", "Diaz", "Khan")]


def sentence(rng: random.Random) -> str:
    words = rng.choices(WORDS, k=rng.randint(12, 22))
    words[0] = words[0].title()
    if rng.random() < 0.3:
        words[3] = f"<em>{words[3]}</em>"
    if rng.random() < 0.15:
        words[5] = f'<a href="https://example.org/{words[5]}">{words[5]}</a>'
    return " ".join(words) + "."


def body(rng: random.Random, place: str, agency: str) -> str:
    paragraphs = []
    size = 0
    while size < 5000:
        paragraph = " ".join(sentence(rng) for _ in range(rng.randint(2, 4)))
        paragraphs.append(f"<p>{paragraph}</p>")
        size += len(paragraph) + 7
    paragraphs[0] = f"<p>{place}, Sept 5 ({agency}) - {paragraphs[0][3:]}"
    if rng.random() < 0.2:  # some copy arrives with markup the allowlist removes
        paragraphs.insert(2, '<p style="color:red" onclick="x()">Advertisement<script>track()</script></p>')
    return "".join(paragraphs)


def generate(directory: Path, count: int) -> list[str]:
    rng = random.Random(20250905)
    bodies = []
    # An archive of about three months: 20,000 items at 220 a day, a few minutes apart, as the wires file them.
    first = datetime(2025, 6, 1, tzinfo=UTC)
    for n in range(count):
        agency = rng.choice(AGENCIES)
        created = (first + timedelta(seconds=n * 393)).strftime("%Y-%m-%dT%H:%M:%SZ")
        item = {
            "uri": f"urn:bench:{agency.lower()}:{n}",
            "type": "text",
            "version": "1",
            "firstcreated": created,
            "versioncreated": created,
            "pubstatus": "usable",
            "copyrightholder": agency,
            "headlines": [{"role": "main", "value": f"{sentence(rng)[:80]} ({n})"}],
            "descriptions": [{"role": "summary", "value": sentence(rng)}],
            "bodies": [{"role": "main", "contenttype": "text/html", "value": body(rng, rng.choice(PLACES), agency)}],
            "by": f"{rng.choice(NAMES)}, {agency}",
            "subjects": [{"name": topic} for topic in rng.sample(TOPICS, rng.randint(2, 4))],
        }
        bodies.append(item["bodies"][0]["value"])
        (directory / f"{n:05d}.json").write_text(json.dumps(item))
    return bodies


def empty_database() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE articles_article, articles_topic, articles_author, articles_agency, sections_section "
            "RESTART IDENTITY CASCADE"
        )
    from sections.models import Section

    Section.objects.create(name="World", slug="world")


def backend_cpu_seconds() -> float:
    """CPU time used so far by this connection's PostgreSQL backend (same machine), or 0 if it can't be read."""
    from django.db import connection

    connection.ensure_connection()
    pid = connection.connection.info.backend_pid
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def this_process_and_backend_cpu_seconds() -> float:
    return time.process_time() + backend_cpu_seconds()


class StageMeter:
    """
    Wraps a function of a module so that every call's CPU time (this process and its database backend) is added
    up: the stages of ingest that run in this process on its connection (search documents, related lists).
    """

    def __init__(self, module, name: str) -> None:
        self.module, self.name = module, name
        self.original = getattr(module, name)
        self.seconds = 0.0

    def __enter__(self) -> "StageMeter":
        def measured(*args, **kwargs):
            started = this_process_and_backend_cpu_seconds()
            try:
                return self.original(*args, **kwargs)
            finally:
                self.seconds += this_process_and_backend_cpu_seconds() - started

        self.seconds = 0.0
        setattr(self.module, self.name, measured)
        return self

    def __exit__(self, *exc_info) -> None:
        setattr(self.module, self.name, self.original)


def children_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def ensure_database() -> None:
    import dj_database_url
    import psycopg

    config = dj_database_url.parse(os.environ["DATABASE_URL"])
    if config["ENGINE"] != "django.db.backends.postgresql":
        sys.exit("The benchmark needs PostgreSQL: set DATABASE_URL to a postgres:// URL of its own database.")
    admin = {"host": config["HOST"], "port": config["PORT"] or 5432, "user": config["USER"], "dbname": "postgres"}
    with psycopg.connect(**admin, autocommit=True) as connection:
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [config["NAME"]]).fetchone()
        if not exists:
            connection.execute(f'CREATE DATABASE "{config["NAME"]}"')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=20_000)
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2], help="the --publish runs")
    parser.add_argument("--no-drafts", action="store_true", help="skip the run that lands drafts")
    args = parser.parse_args()

    ensure_database()
    import django

    django.setup()
    from django.core.management import call_command

    from articles import related
    from articles.ingest import service
    from articles.ingest.service import ingest
    from articles.sanitizer import sanitize_html

    call_command("migrate", verbosity=0)
    with tempfile.TemporaryDirectory(prefix="bench-ingest-") as temporary:
        directory = Path(temporary)
        started = time.perf_counter()
        bodies = generate(directory, args.items)
        total_bytes = sum(len(body.encode()) for body in bodies)
        print(
            f"{args.items} items generated in {time.perf_counter() - started:.1f} s "
            f"(bodies {total_bytes / args.items / 1024:.1f} kB on average)"
        )

        def sanitize_alone(when: str) -> tuple[float, float]:
            """Items/s (wall) and CPU seconds per item of sanitizing every body in this process."""
            started, cpu_started = time.perf_counter(), time.process_time()
            for text in bodies:
                sanitize_html(text)
            rate = args.items / (time.perf_counter() - started)
            cpu = (time.process_time() - cpu_started) / args.items
            print(
                f"sanitize only, 1 process, {when}: {rate:6.1f} items/s  ({1000 / rate:.2f} ms/item wall, "
                f"{1000 * cpu:.2f} ms/item CPU)"
            )
            return rate, cpu

        before = sanitize_alone("before")
        from articles.ingest import mapping

        inside = [0.0]

        def timed_sanitize(html: str) -> str:
            started = time.process_time()
            try:
                return sanitize_html(html)
            finally:
                inside[0] += time.process_time() - started

        runs = [(True, jobs) for jobs in args.jobs]
        if not args.no_drafts:
            runs.append((False, 1))
        for publish, jobs in runs:
            label = f"ingest {'--publish' if publish else '(drafts)'} --jobs {jobs}"
            empty_database()
            inside[0] = 0.0
            # Only this process's calls are timed: worker processes import the module afresh.
            mapping.sanitize_html = timed_sanitize
            search = StageMeter(service, "update_search_documents")
            rebuild, refresh = StageMeter(related, "recompute_all_related"), StageMeter(related, "refresh_related")
            cpu_before = (time.process_time(), children_cpu_seconds(), backend_cpu_seconds())
            started = time.perf_counter()
            with search, rebuild, refresh:
                report = ingest(sources=[str(directory)], publish=publish, jobs=jobs)
            seconds = time.perf_counter() - started
            cpu_after = (time.process_time(), children_cpu_seconds(), backend_cpu_seconds())
            main_cpu, workers_cpu, postgres_cpu = (
                (a - b) / args.items for a, b in zip(cpu_after, cpu_before, strict=True)
            )
            cpu = main_cpu + workers_cpu + postgres_cpu
            if report.failed or report.counts["created"] != args.items:
                sys.exit(f"ingest went wrong: {report.summary()}; first failures: {report.failed[:3]}")
            mapping.sanitize_html = sanitize_html
            after = sanitize_alone(f"after {label}")
            sanitize_rate, sanitize_cpu = ((b + a) / 2 for b, a in zip(before, after, strict=True))
            before = after
            rate = args.items / seconds
            per_core = rate / jobs
            print(
                f"{label}: {rate:6.1f} items/s  ({per_core:.1f} items/s per job; wall ratio "
                f"{sanitize_rate / per_core:.2f}; {1000 * cpu:.2f} ms/item CPU, CPU ratio {cpu / sanitize_cpu:.2f})"
            )
            print(
                f"    CPU ms/item: this process {1000 * main_cpu:.2f}, worker processes {1000 * workers_cpu:.2f}, "
                f"PostgreSQL backend {1000 * postgres_cpu:.2f}; sanitizing alone, mean of before and after: "
                f"{1000 * sanitize_cpu:.2f}"
            )
            searching, relating = search.seconds / args.items, (rebuild.seconds + refresh.seconds) / args.items
            upkeep = searching + relating
            print(
                f"    upkeep CPU ms/item: search documents {1000 * searching:.2f}, related lists "
                f"{1000 * relating:.2f}; without them {1000 * (cpu - upkeep):.2f} ms/item, "
                f"CPU ratio {(cpu - upkeep) / sanitize_cpu:.2f}"
            )
            if inside[0]:
                sanitizing = inside[0] / args.items
                print(
                    f"    in this run: sanitizing {1000 * sanitizing:.2f} ms/item CPU, everything else "
                    f"{1000 * (cpu - sanitizing):.2f} ms/item; in-run ratio {cpu / sanitizing:.2f}, "
                    f"{(cpu - upkeep) / sanitizing:.2f} without search documents and related lists "
                    f"(parsing, mapping, tags, inserts: {1000 * (cpu - upkeep - sanitizing):.2f} ms/item)"
                )
        mapping.sanitize_html = sanitize_html


if __name__ == "__main__":
    main()
