"""
New rows in as few round trips, and as little work per row, as the database allows: COPY on PostgreSQL, Django's
bulk_create elsewhere. Wire ingest writes thousands of articles and their bylines, agencies and topics; with
bulk_create, building model instances and SQL for them cost a third as much as sanitizing the bodies.

COPY gives no ids back, so article ids are taken from the table's sequence first (one query). Values go to the
database as Django prepares them for saving (`get_db_prep_save`), so a field added to Article later is written the
way the ORM would write it. Errors come back as Django's (IntegrityError on a duplicate wire_uri), like bulk_create's.
"""

from collections.abc import Iterable, Sequence
from datetime import datetime

from django.db import connection, models


def insert_articles(articles: list[models.Model]) -> None:
    """Insert new model instances (all of one model), setting their primary keys."""
    if not articles:
        return
    model = type(articles[0])
    if connection.vendor != "postgresql":
        model.objects.bulk_create(articles)
        return
    meta = model._meta
    fields = meta.concrete_fields
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [meta.db_table, meta.pk.column, len(articles)],
        )
        for article, (pk,) in zip(articles, cursor.fetchall(), strict=True):
            article.pk = pk
        rows = ([_db_value(field, article) for field in fields] for article in articles)
        _copy(cursor, meta.db_table, [field.column for field in fields], rows)
    for article in articles:
        article._state.adding = False
        article._state.db = connection.alias


def insert_rows(model: type[models.Model], attnames: Sequence[str], rows: Iterable[Sequence]) -> None:
    """Insert plain rows of ids and numbers (bylines, through rows) into `model`'s table."""
    rows = list(rows)
    if not rows:
        return
    if connection.vendor != "postgresql":
        model.objects.bulk_create(model(**dict(zip(attnames, row, strict=True))) for row in rows)
        return
    column_of = {field.attname: field.column for field in model._meta.concrete_fields}
    columns = [column_of[attname] for attname in attnames]
    with connection.cursor() as cursor:
        _copy(cursor, model._meta.db_table, columns, rows)


def _db_value(field: models.Field, instance: models.Model) -> object:
    value = field.pre_save(instance, True)
    # What the fields' preparation returns unchanged for these (NULL, text, ids, aware times on PostgreSQL), skipped
    # because it is most of the cost of a row.
    if value is None or type(value) in (str, int) or (type(value) is datetime and value.tzinfo is not None):
        return value
    return field.get_db_prep_save(value, connection)


def _copy(cursor, table: str, columns: Sequence[str], rows: Iterable[Sequence]) -> None:
    quote = connection.ops.quote_name
    statement = f"COPY {quote(table)} ({', '.join(quote(column) for column in columns)}) FROM STDIN"
    # The raw psycopg cursor (Django's wrapper has no copy()); errors translated to Django's as for any query.
    with connection.wrap_database_errors, cursor.cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(row)
