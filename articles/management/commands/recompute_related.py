"""
`manage.py recompute_related`: rebuild every article's related-stories list from scratch (see articles/related.py).

Lists are kept fresh as stories are published, re-tagged or withdrawn; this pass also catches up with the slow drift
of topic popularity, so run it nightly (and after bulk loads that skip `save()`).
"""

import time
from typing import Any

from django.core.management.base import BaseCommand

from articles.related import recompute_all_related


class Command(BaseCommand):
    help = "Rebuild every article's related-stories list (nightly, and after bulk loads)."

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        rows = recompute_all_related()
        self.stdout.write(self.style.SUCCESS(f"{rows:,} related-story rows in {time.monotonic() - started:.0f} s."))
