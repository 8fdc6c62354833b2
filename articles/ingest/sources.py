"""What `ingest` is given on the command line, as documents: files, the wire files inside directories, feed URLs."""

import os
import urllib.error
import urllib.request
from collections.abc import Iterator

from .item import Failure
from .reading import MAX_DOCUMENT_BYTES, Document

# Inside a directory, only files that can be wire copy are read (agency drops often have no extension at all);
# a README or an image beside them is not an error. A file named on the command line is always read.
WIRE_SUFFIXES = frozenset({"", ".json", ".jsonl", ".ndjson", ".ninjs", ".xml", ".nitf", ".rss", ".atom"})
USER_AGENT = "Newsroom wire ingest"


def is_url(source: str) -> bool:
    return source.startswith(("http://", "https://"))


def documents(source: str, *, format: str = "auto", timeout: float) -> Iterator[Document | Failure]:
    if is_url(source):
        try:
            yield Document(source=source, data=fetch(source, timeout=timeout), format=format)
        except FetchError as exc:
            yield Failure(source, str(exc))
        return
    if os.path.isdir(source):
        for file in wire_files(source):
            yield Document(source=file, path=file, format=format)
    elif os.path.isfile(source):
        yield Document(source=source, path=source, format=format)
    else:
        yield Failure(source, "no such file or directory")


def wire_files(directory: str) -> list[str]:
    """
    The wire files under `directory`, hidden files and folders left out, in path order (folder by folder, as sorted
    pathlib paths are). Directory entries already know whether they are files, so a drop of tens of thousands of
    files costs no system call of its own per file.
    """
    found = []
    folders = [directory]
    while folders:
        with os.scandir(folders.pop()) as entries:
            for entry in entries:
                if entry.name.startswith("."):
                    continue
                if entry.is_dir(follow_symlinks=False):
                    folders.append(entry.path)
                elif entry.is_file() and os.path.splitext(entry.name)[1].lower() in WIRE_SUFFIXES:
                    found.append(entry.path)
    return sorted(found, key=lambda path: path.split(os.sep))


class FetchError(Exception):
    pass


def fetch(url: str, *, timeout: float, max_bytes: int = MAX_DOCUMENT_BYTES) -> bytes:
    """The body at `url`, or FetchError saying plainly why not (timeout, HTTP status, refused connection, size)."""
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            data = response.read(max_bytes + 1)
    except urllib.error.HTTPError as exc:
        raise FetchError(f"the server answered HTTP {exc.code} {exc.reason}") from None
    except urllib.error.URLError as exc:
        if isinstance(exc.reason, TimeoutError):
            raise FetchError(f"no answer within {timeout:g} s (timed out)") from None
        raise FetchError(f"could not fetch: {exc.reason}") from None
    except TimeoutError:
        raise FetchError(f"no answer within {timeout:g} s (timed out)") from None
    except OSError as exc:
        raise FetchError(f"could not fetch: {exc}") from None
    if len(data) > max_bytes:
        raise FetchError(f"the document is larger than {max_bytes:,} bytes")
    return data
