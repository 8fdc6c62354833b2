"""
Inserting many rows fast: PostgreSQL's COPY when we run on it, `executemany` in large batches elsewhere.

For trusted, generated rows only (the data generator; the related-stories rebuild and wire ingest copy plain rows
with articles/ingest/bulk_insert.py): no `save()` runs and no signal fires, so nothing derived on save (the sanitized
body, search documents, related lists) is done here.
Values are written as set on the objects; only fields left empty get what saving would give them (`auto_now`
timestamps, defaults), so a generator can backdate `created_at` and `updated_at`.
"""

from collections.abc import Iterable
from itertools import batched, chain
from typing import Any

from django.db import connection, models

BATCH_SIZE = 5000


def insert_rows(model: type[models.Model], objects: Iterable[models.Model]) -> int:
    """Insert unsaved `objects` of `model` (with or without primary keys); returns how many were inserted."""
    rows = iter(objects)
    first = next(rows, None)
    if first is None:
        return 0
    # The primary key column is written only when the caller set it (see reserve_ids).
    fields = [
        field
        for field in model._meta.concrete_fields
        if not field.generated and (not field.primary_key or first.pk is not None)
    ]
    columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    table = connection.ops.quote_name(model._meta.db_table)
    values = (_values(obj, fields) for obj in chain([first], rows))
    count = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in values:
                    copy.write_row(row)
                    count += 1
            return count
        placeholders = ", ".join(["%s"] * len(fields))
        for batch in batched(values, BATCH_SIZE):
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({placeholders})", batch)  # noqa: S608
            count += len(batch)
    return count


def reserve_ids(model: type[models.Model], count: int) -> list[int]:
    """`count` primary keys nobody else will be given, so related rows can be built before the rows are inserted."""
    if count <= 0:
        return []
    table = model._meta.db_table
    pk = model._meta.pk.column
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)", [table, pk, count]
            )
            return [row[0] for row in cursor.fetchall()]
        # SQLite hands out max(id) + 1; it has a single writer, so the next ids are ours.
        cursor.execute(f"SELECT COALESCE(MAX({connection.ops.quote_name(pk)}), 0) FROM {table}")  # noqa: S608
        start = cursor.fetchone()[0] + 1
    return list(range(start, start + count))


def _values(obj: models.Model, fields: list[models.Field]) -> list[Any]:
    return [
        field.get_db_prep_save(
            value if (value := getattr(obj, field.attname)) is not None else field.pre_save(obj, True), connection
        )
        for field in fields
    ]
