"""How the newsroom writes bylines and datelines. The month names and dateline pattern come from settings."""

from collections.abc import Sequence
from datetime import datetime

from django.conf import settings
from django.utils import timezone


def join_names(names: Sequence[str]) -> str:
    """Join credits as bylines do: "Jane Doe", "Jane Doe and AFP", "Jane Doe, Ali Khan and Reuters"."""
    if len(names) <= 1:
        return "".join(names)
    return f"{', '.join(names[:-1])} and {names[-1]}"


def format_dateline(place: str, when: datetime | None) -> str:
    """The dateline as printed, "PARIS, Sept 5:", dated in the newsroom's time zone. Empty without a place."""
    place = place.strip()
    if not place:
        return ""
    if when is None:
        return f"{place}:"
    local = timezone.localtime(when)
    house = settings.NEWSROOM
    return house["DATELINE_FORMAT"].format(
        place=place, month=house["DATELINE_MONTHS"][local.month - 1], day=local.day, year=local.year
    )
