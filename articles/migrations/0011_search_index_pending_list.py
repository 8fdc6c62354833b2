from django.db import migrations

from articles.search_document import PENDING_LIST_KB

# The search index's pending list is kept to PENDING_LIST_KB (see search_document.py): with the default 4 MB, a few
# thousand stories saved since the last VACUUM made PostgreSQL read every document for a rare word. An index created
# from now on has the setting already (SearchDocumentIndex); this gives it to one created before, without rebuilding.
INDEX = "article_search_match_idx"


def limit_pending_list(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER INDEX {INDEX} SET (gin_pending_list_limit = {PENDING_LIST_KB})")


def default_pending_list(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER INDEX {INDEX} RESET (gin_pending_list_limit)")


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0010_relatedstory_redundant_indexes"),
    ]

    operations = [
        migrations.RunPython(limit_pending_list, default_pending_list, elidable=False),
    ]
