from typing import Any

from django.core.management.base import BaseCommand

from articles.publishing import publish_due


class Command(BaseCommand):
    help = "Record articles that have gone live since the last run and announce them. Safe to run every minute."

    def handle(self, *args: Any, **options: Any) -> None:
        went_live = publish_due()
        self.stdout.write(f"{len(went_live)} article(s) went live." if went_live else "Nothing went live.")
