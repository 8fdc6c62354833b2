"""
SQL compiled once from querysets, for the read paths every page takes (related stories, search).

Building and compiling a queryset costs a millisecond or more of CPU per call, several times what the database
spends on a small indexed query. These reads are compiled once per database alias instead, from the same querysets
(and so from `Article.objects.live()`, the one visibility rule), and each call only fills in the parameters.

Values that change from call to call (the present moment, an article's id) are compiled as markers: values no real
call uses, recognised among the compiled parameters and turned into `Slot`s that `fill()` replaces. A rule that
stopped passing such a value as a parameter (a time written into the SQL text, say) would be caught at compile time:
`compile_queryset` and `compile_condition` insist that every marker is found.
"""

from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db import connections
from django.db.models import QuerySet

from .models import Article


@dataclass(frozen=True, slots=True)
class Slot:
    """A parameter filled in at each call."""

    name: str


NOW = Slot("now")
ARTICLE = Slot("article")

# Stand-ins compiled in place of the slots' values: dates and ids no real call uses.
AT_MARKER = datetime(1970, 1, 2, 3, 4, 5, 678901, tzinfo=UTC)
ARTICLE_MARKER = -987_654_321


@dataclass(frozen=True)
class Compiled:
    sql: str
    template: tuple[Any, ...]  # the compiled parameters, with Slots where a value is filled in

    def fill(self, connection: Any, values: dict[Slot, Any]) -> list[Any]:
        """The parameters for one call; the present moment is adapted to the database as a queryset would."""
        if NOW in values:
            values = {**values, NOW: connection.ops.adapt_datetimefield_value(values[NOW])}
        return [values[item] if isinstance(item, Slot) else item for item in self.template]


def _slotted(connection: Any, sql: str, params: Any, markers: dict[Slot, Any]) -> Compiled:
    adapted = {
        slot: connection.ops.adapt_datetimefield_value(value) if isinstance(value, datetime) else value
        for slot, value in markers.items()
    }
    by_value = {value: slot for slot, value in adapted.items()}
    template = tuple(by_value.get(value, value) if _hashable(value) else value for value in params)
    missing = set(markers) - {item for item in template if isinstance(item, Slot)}
    if missing:
        names = ", ".join(sorted(slot.name for slot in missing))
        raise ImproperlyConfigured(f"The compiled query no longer takes {names} as a parameter: {sql}")
    return Compiled(sql, template)


def _hashable(value: Any) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True


def compile_queryset(queryset: QuerySet, alias: str, markers: dict[Slot, Any]) -> Compiled:
    """The whole SELECT of `queryset` (built with the markers' values) for the database `alias`."""
    connection = connections[alias]
    sql, params = queryset.query.get_compiler(connection=connection).as_sql()
    return _slotted(connection, sql, params, markers)


def compile_condition(queryset: QuerySet, alias: str, markers: dict[Slot, Any]) -> Compiled:
    """Only the WHERE condition of `queryset`, its columns qualified with the model's table name."""
    connection = connections[alias]
    compiler = queryset.query.get_compiler(connection=connection)
    sql, params = compiler.compile(queryset.query.where)
    return _slotted(connection, sql, params, markers)


@cache
def live_condition(alias: str) -> Compiled:
    """`Article.objects.live()` as a condition on the `articles_article` table, the present moment a Slot (NOW)."""
    return compile_condition(Article.objects.live(AT_MARKER), alias, {NOW: AT_MARKER})
