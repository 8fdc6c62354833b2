"""
`manage.py ingest PATH_OR_URL [...]`: import agency copy (ninjs, NITF, RSS/Atom) as attributed drafts.

Prints what happened to every item (created / updated / unchanged / held for an editor / skipped / failed, with the
reason for each failure) and exits with status 1 if anything failed. `--feeds` polls every active AgencyFeed, e.g.
from cron: `*/5 * * * * manage.py ingest --feeds`.
"""

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from articles.ingest.models import AgencyFeed
from articles.ingest.service import IngestReport, ingest, poll_feeds
from articles.models import Agency
from sections.models import Section


class Command(BaseCommand):
    help = "Import agency copy (ninjs, NITF, RSS/Atom) from files, directories or feed URLs as attributed drafts."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("sources", nargs="*", metavar="PATH_OR_URL", help="Files, directories or feed URLs.")
        parser.add_argument("--agency", metavar="SLUG", help="Credit this agency, whatever the items say.")
        parser.add_argument(
            "--section", metavar="SLUG", help="Put every item in this section (default: the agency's subject rules)."
        )
        parser.add_argument(
            "--format", choices=[choice.value for choice in AgencyFeed.Format], default="auto", help="Default: detect."
        )
        parser.add_argument(
            "--publish", action="store_true", help="Publish at the items’ own times (for archives). Default: drafts."
        )
        parser.add_argument("--dry-run", action="store_true", help="Report what would happen; save nothing.")
        parser.add_argument(
            "--jobs", type=int, default=1, metavar="N", help="Parse and sanitize in N worker processes."
        )
        parser.add_argument("--feeds", action="store_true", help="Poll every active agency feed (or --agency's).")
        parser.add_argument(
            "--timeout", type=float, default=10.0, metavar="SECONDS", help="Give up on a feed URL after this long."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        sources = options["sources"]
        if not sources and not options["feeds"]:
            raise CommandError("Give files, directories or URLs to ingest, or --feeds.")
        if options["jobs"] < 1:
            raise CommandError("--jobs must be at least 1.")
        agency = section = None
        if options["agency"]:
            agency = Agency.objects.filter(slug=options["agency"]).first()
            if agency is None:
                raise CommandError(f"No agency with the slug “{options['agency']}”.")
        if options["section"]:
            section = Section.objects.filter(slug=options["section"]).first()
            if section is None:
                raise CommandError(f"No section with the slug “{options['section']}”.")
        common = {
            "publish": options["publish"],
            "dry_run": options["dry_run"],
            "jobs": options["jobs"],
            "timeout": options["timeout"],
        }
        report = IngestReport(dry_run=options["dry_run"])
        if sources:
            report.add(ingest(sources=sources, agency=agency, section=section, format=options["format"], **common))
        if options["feeds"]:
            feeds = AgencyFeed.objects.filter(active=True).select_related("agency", "default_section")
            if agency is not None:
                feeds = feeds.filter(agency=agency)
            report.add(poll_feeds(feeds=feeds, **common))
        for line in report.details():
            (self.stderr if line.startswith("failed") else self.stdout).write(line)
        self.stdout.write(f"Ingest: {report.summary()}")
        if not report.ok:
            raise CommandError(f"{len(report.failed)} item(s) failed; see above.", returncode=1)
