"""
New rows in as few round trips, and as little work per row, as the database allows: COPY on PostgreSQL, Django's
bulk_create elsewhere. Wire ingest writes thousands of articles and their bylines, agencies and topics; with
bulk_create, building model instances and SQL for them cost a third as much as sanitizing the bodies.

COPY gives no ids back, so article ids are taken from the table's sequence first (one query). Values go to the
database as Django prepares them for saving (`pre_save`, `get_db_prep_save`), so a field added to Article later is
written the way the ORM would write it. Errors come back as Django's (IntegrityError on a duplicate wire_uri), like
bulk_create's.
"""

import functools
import itertools
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime

from django.db import connection, models
from django.db.models.base import ModelState
from django.db.models.signals import post_init, pre_init
from django.utils import timezone


def new_instance(model: type[models.Model], **values: object) -> models.Model:
    """
    `model(**values)` for a row about to be bulk-inserted (`values` by attname: `section_id`, not `section`), at a
    fraction of the cost: Model.__init__ resolves every field's default and descriptor one by one (tens of
    microseconds for Article, per row). The defaults are worked out once per model instead; a model whose defaults
    must be made afresh per instance, or that has init signals, gets the ordinary constructor.
    """
    defaults = _plain_defaults(model)
    if defaults is None or pre_init.has_listeners(model) or post_init.has_listeners(model):
        return model(**values)
    instance = model.__new__(model)
    instance.__dict__.update(defaults)
    instance.__dict__.update(values)
    instance._state = ModelState()
    return instance


@functools.cache
def _plain_defaults(model: type[models.Model]) -> dict[str, object] | None:
    fields = model._meta.concrete_fields
    if any((field.has_default() and callable(field.default)) or field.has_db_default() for field in fields):
        return None
    return {field.attname: field.get_default() for field in fields}


def insert_articles(articles: list[models.Model]) -> None:
    """Insert new model instances (all of one model), setting their primary keys."""
    if not articles:
        return
    model = type(articles[0])
    if connection.vendor != "postgresql":
        model.objects.bulk_create(articles)
        return
    meta = model._meta
    columns, value_of = _row_plan(model)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [meta.db_table, meta.pk.column, len(articles)],
        )
        for article, (pk,) in zip(articles, cursor.fetchall(), strict=True):
            article.pk = pk
        _stamp(model, articles)
        rows = ([value(article) for value in value_of] for article in articles)
        _copy(cursor, meta.db_table, columns, rows)
    for article in articles:
        article._state.adding = False
        article._state.db = connection.alias


def insert_rows(model: type[models.Model], attnames: Sequence[str], rows: Iterable[Sequence]) -> int:
    """
    Insert plain rows of ids and numbers (bylines, through rows, related-story rows) into `model`'s table; returns
    how many were inserted.
    """
    rows = iter(rows)
    first = next(rows, None)
    if first is None:
        return 0
    rows = itertools.chain([first], rows)
    if connection.vendor != "postgresql":
        objects = [model(**dict(zip(attnames, row, strict=True))) for row in rows]
        model.objects.bulk_create(objects)
        return len(objects)
    column_of = {field.attname: field.column for field in model._meta.concrete_fields}
    columns = [column_of[attname] for attname in attnames]
    with connection.cursor() as cursor:
        return _copy(cursor, model._meta.db_table, columns, rows)


def _is_stamped(field: models.Field) -> bool:
    return bool(getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False))


def _stamp(model: type[models.Model], instances: list[models.Model]) -> None:
    """What `pre_save` does for auto_now(_add) fields, once for the whole batch: the same time on every row."""
    stamped = [field.attname for field in model._meta.concrete_fields if _is_stamped(field)]
    if stamped:
        now = timezone.now()
        for instance in instances:
            instance.__dict__.update(dict.fromkeys(stamped, now))


@functools.cache
def _row_plan(model: type[models.Model]) -> tuple[list[str], list[Callable[[models.Model], object]]]:
    """The table's columns, and for each a function giving an instance's value as the database takes it."""
    plain_pre_save = {models.Field.pre_save, models.DateField.pre_save, models.DateTimeField.pre_save}
    columns, value_of = [], []
    for field in model._meta.concrete_fields:
        columns.append(field.column)
        if type(field).pre_save in plain_pre_save or _is_stamped(field):
            # pre_save would return the attribute as set (auto_now ones are set by _stamp).
            value_of.append(functools.partial(_plain_value, field, field.attname))
        else:
            value_of.append(functools.partial(_prepared_value, field))
    return columns, value_of


def _plain_value(field: models.Field, attname: str, instance: models.Model) -> object:
    return _db_value(field, instance.__dict__[attname])


def _prepared_value(field: models.Field, instance: models.Model) -> object:
    return _db_value(field, field.pre_save(instance, True))


def _db_value(field: models.Field, value: object) -> object:
    # What the fields' preparation returns unchanged for these (NULL, text, ids, aware times on PostgreSQL), skipped
    # because it is most of the cost of a row.
    if value is None or type(value) in (str, int) or (type(value) is datetime and value.tzinfo is not None):
        return value
    return field.get_db_prep_save(value, connection)


# Column types whose values arrive here as Python's own (str, int, bool, float, aware datetime, None), which psycopg
# writes in PostgreSQL's binary format as they are.
BINARY_TYPES = frozenset(
    {
        "bigint",
        "integer",
        "smallint",
        "boolean",
        "double precision",
        "text",
        "character varying",
        "timestamp with time zone",
        "date",
    }
)


def _copy(cursor, table: str, columns: Sequence[str], rows: Iterable[Sequence]) -> int:
    quote = connection.ops.quote_name
    statement = f"COPY {quote(table)} ({', '.join(quote(column) for column in columns)}) FROM STDIN"
    types = _column_types(cursor, table, tuple(columns))
    # Binary rows cost the database no parsing of text (a third of its time on an article row) and psycopg no
    # escaping; a table with a column of another type is copied as text.
    binary = all(kind in BINARY_TYPES for kind in types)
    # The raw psycopg cursor (Django's wrapper has no copy()); errors translated to Django's as for any query.
    with (
        connection.wrap_database_errors,
        cursor.cursor.copy(statement + (" (FORMAT BINARY)" if binary else "")) as copy,
    ):
        if binary:
            copy.set_types(types)
        count = 0
        for row in rows:
            copy.write_row(row)
            count += 1
    return count


_types: dict[tuple[str, str, tuple[str, ...]], list[str]] = {}


def _column_types(cursor, table: str, columns: tuple[str, ...]) -> list[str]:
    """The columns' PostgreSQL types by name ("bigint", "timestamp with time zone"), asked once per process."""
    key = (connection.alias, table, columns)
    if key not in _types:
        cursor.execute(
            "SELECT attname, format_type(atttypid, NULL) FROM pg_attribute "
            "WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped",
            [connection.ops.quote_name(table)],
        )
        type_of = dict(cursor.fetchall())
        _types[key] = [type_of[column] for column in columns]
    return _types[key]
