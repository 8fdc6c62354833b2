from django.db import migrations

# Bodies are several kilobytes, so PostgreSQL compresses each one it stores. With its default method (pglz) that was
# most of the database's work in wire ingest: inserting an article of a 5 kB body took 0.21 ms of its CPU, 0.12 ms
# with lz4, which also decompresses faster for every page that reads a body. Applies to bodies written from now on;
# those already stored stay as they are until rewritten. lz4 needs PostgreSQL 14 or later built with it (as
# Debian's and the official images are): elsewhere, and on SQLite, nothing changes.
BODY_COMPRESSION = "ALTER TABLE articles_article ALTER COLUMN body SET COMPRESSION {}"


def lz4_available(schema_editor) -> bool:
    if schema_editor.connection.vendor != "postgresql" or schema_editor.connection.pg_version < 140000:
        return False
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT 'lz4' = ANY(enumvals) FROM pg_settings WHERE name = 'default_toast_compression'")
        row = cursor.fetchone()
    return bool(row and row[0])


def compress_bodies_with_lz4(apps, schema_editor):
    if lz4_available(schema_editor):
        schema_editor.execute(BODY_COMPRESSION.format("lz4"))


def compress_bodies_by_default(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql" and schema_editor.connection.pg_version >= 140000:
        schema_editor.execute(BODY_COMPRESSION.format("DEFAULT"))


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0008_search_recency"),
    ]

    operations = [
        migrations.RunPython(compress_bodies_with_lz4, compress_bodies_by_default, elidable=False),
    ]
