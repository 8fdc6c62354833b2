"""
Agency copy on the wire: reading ninjs, NITF and RSS/Atom items and landing them as attributed articles.

`reading` (formats/, mapping) turns bytes into plain `MappedItem`s and runs in worker processes with `--jobs`; it
never touches the database. `service` writes them, one transaction per item (or per batch of new items, retried
item by item if anything in it fails). `manage.py ingest` is the command line.
"""
