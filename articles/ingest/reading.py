"""
From a document (a file's path, or bytes fetched from a feed) to mapped items: detect the format, parse, map,
sanitize. What `--jobs` runs in worker processes, so it never touches the database or Django's settings.

XML is always parsed by defusedxml first: a document declaring entities (billion laughs) or referring to external
ones (XXE) is refused before NITF or feed parsing sees it.
"""

import gc
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from xml.etree.ElementTree import Element, ParseError

import defusedxml
import defusedxml.ElementTree

from .formats import feeds, ninjs, nitf
from .item import Failure, ItemError, MappedItem, NotAStory, WireItem
from .mapping import map_fields, map_item, sanitize_bodies

# A document is read into memory whole; past this it is refused rather than risking the worker's memory.
MAX_DOCUMENT_BYTES = 256 * 1024 * 1024
FEED_ROOTS = frozenset({"rss", "feed", "RDF", "channel"})
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*encoding=["']([A-Za-z0-9._-]+)["']""")
_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")


@dataclass(frozen=True, slots=True)
class Document:
    """Where items come from: a file to read (`path`) or bytes already fetched (`data`), labelled for the report."""

    source: str
    path: str = ""
    data: bytes | None = None
    format: str = "auto"


@dataclass(frozen=True, slots=True)
class ReadOptions:
    max_item_bytes: int


def prepare_worker() -> None:
    """
    A worker process's first act: what it has imported to read copy (this module, bleach, the parsers) lives as long
    as it does, so garbage collection leaves it out instead of walking it again for every few thousand of bleach's
    short-lived tokens.
    """
    gc.freeze()


def read_documents(documents: list[Document], options: ReadOptions) -> list[MappedItem | Failure]:
    """Every item of every document, mapped, or the reason it could not be. The entry point of worker processes."""
    # In three passes over the task's documents: parse, map, sanitize. Sanitizing the bodies one after another keeps
    # bleach's code and tables in the processor's caches, and each pass's own: reading besides sanitizing took
    # 0.36 ms of CPU per benchmark item when each item went through every step on its own, 0.16 ms in passes.
    entries = [entry for document in documents for entry in parse_file(document, options)]
    results = [entry if isinstance(entry, Failure) else mapped(entry, options, map_fields) for entry in entries]
    sanitize_bodies(results)
    return results


def read_document(document: Document, options: ReadOptions) -> Iterator[MappedItem | Failure]:
    for entry in parse_file(document, options):
        yield entry if isinstance(entry, Failure) else mapped(entry, options)


def parse_file(document: Document, options: ReadOptions) -> Iterator[WireItem | Failure]:
    data = document.data
    if data is None:
        try:
            data = read_file(document.path, limit=MAX_DOCUMENT_BYTES)
        except OSError as exc:
            yield Failure(document.source, f"cannot read the file: {exc.strerror or exc}")
            return
        if data is None:
            yield Failure(document.source, f"the file is larger than {MAX_DOCUMENT_BYTES:,} bytes")
            return
    yield from parse_document(data, source=document.source, format=document.format, options=options)


def mapped(entry: WireItem, options: ReadOptions, mapping: Callable = map_item) -> MappedItem | Failure:
    try:
        return mapping(entry, max_item_bytes=options.max_item_bytes)
    except ItemError as exc:
        return Failure(entry.source, str(exc), uri=entry.uri)


READ_CHUNK = 64 * 1024


def read_file(path: str, *, limit: int) -> bytes | None:
    """
    The file's bytes, or None if it holds more than `limit` (found before reading more). Plain system calls, as
    few as can be: a wire file is a few kilobytes, read whole by one read(), and system calls were the larger part
    of reading one here (a buffered `open()` adds isatty, lseek and fstat calls; `getsize` a stat).
    """
    fd = os.open(path, os.O_RDONLY)
    try:
        data = os.read(fd, READ_CHUNK)
        if len(data) < READ_CHUNK:  # a short read of a regular file is its end
            return data if len(data) <= limit else None
        # A large file: its size first, then the rest, until its end (it may be growing) or the limit.
        if os.fstat(fd).st_size > limit:
            return None
        parts = [data]
        size = len(data)
        while chunk := os.read(fd, READ_CHUNK):
            parts.append(chunk)
            size += len(chunk)
            if size > limit:
                return None
        return b"".join(parts)
    finally:
        os.close(fd)


def detect(data: bytes) -> str:
    """ "ninjs", "xml" or "unknown", from the first character that is not a byte-order mark or whitespace."""
    head = data[:256]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        head = head.decode("utf-16", errors="ignore").encode()
    head = head.removeprefix(b"\xef\xbb\xbf").lstrip()
    if head[:1] in (b"{", b"["):
        return "ninjs"
    if head[:1] == b"<":
        return "xml"
    return "unknown"


def parse_document(data: bytes, *, source: str, format: str, options: ReadOptions) -> Iterator[WireItem | Failure]:
    if not data.strip():
        yield Failure(source, "the document is empty")
        return
    kind = detect(data) if format == "auto" else ("ninjs" if format == "ninjs" else "xml")
    if kind == "ninjs":
        yield from ninjs.read(data, source=source, max_item_bytes=options.max_item_bytes)
        return
    if kind == "unknown":
        yield Failure(source, "unknown format: not ninjs (JSON), NITF, RSS or Atom")
        return
    try:
        root = parse_xml(data)
    except ItemError as exc:
        yield Failure(source, str(exc))
        return
    root_name = nitf.local(root.tag)
    if root_name == "nitf" and format in ("auto", "nitf"):
        try:
            yield nitf.parse(root, source=source)
        except ItemError as exc:
            yield Failure(source, str(exc), skipped=isinstance(exc, NotAStory))
    elif root_name in FEED_ROOTS and format in ("auto", "feed"):
        yield from feeds.read(data, source=source)
    else:
        expected = {"nitf": "NITF", "feed": "RSS or Atom"}.get(format, "NITF, RSS or Atom")
        yield Failure(source, f"unknown format: XML whose root element <{root_name}> is not {expected}")


def parse_xml(data: bytes) -> Element:
    """The document's tree, or ItemError: entities refused (XXE, entity expansion), encoding or syntax errors."""
    try:
        return defusedxml.ElementTree.fromstring(data)
    except defusedxml.EntitiesForbidden:
        raise ItemError("refused: the XML declares entities (entity expansion is not accepted)") from None
    except defusedxml.ExternalReferenceForbidden:
        raise ItemError("refused: the XML refers to an external entity or DTD") from None
    except defusedxml.DefusedXmlException as exc:
        raise ItemError(f"refused: {exc}") from None
    except ParseError as exc:
        raise ItemError(_encoding_problem(data) or f"malformed XML: {exc}") from None


def _encoding_problem(data: bytes) -> str:
    """Why the bytes are not text in the encoding the document declares, if that is why it did not parse."""
    if data.startswith(_BOMS[1:]):
        return ""
    declared = _XML_ENCODING.match(data)
    encoding = declared[1].decode() if declared else "utf-8"
    try:
        data.decode(encoding)
    except LookupError:
        return f"unknown encoding “{encoding}” declared"
    except UnicodeDecodeError as exc:
        return f"not valid {encoding.upper()} text (byte 0x{data[exc.start]:02x} at offset {exc.start})"
    return ""
