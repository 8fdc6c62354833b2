"""
Judging markup as a browser would: the hostile-input corpora, and what makes a page or an HTML fragment unsafe.

Markup is parsed with Lexbor (through selectolax): the WHATWG algorithm browsers use, foreign content and re-parsing
quirks included, so an attribute value is judged after its character references are decoded, and a URL after the
characters the URL parser ignores are dropped, as a browser would follow it.
"""

import json
import re
from collections.abc import Iterable
from pathlib import Path

from selectolax.lexbor import LexborHTMLParser, LexborNode

from articles.sanitizer import ALLOWED_PROTOCOLS, ALLOWED_TAGS

CORPORA = Path(__file__).resolve().parent / "articles" / "data" / "xss"

# Attributes whose value a browser follows or loads as a URL.
URL_ATTRIBUTES = frozenset(
    {"href", "src", "action", "formaction", "data", "poster", "background", "cite", "xlink:href", "ping"}
)
# Elements the public templates themselves write around the sanitized body (layout, pictures, machine metadata).
TEMPLATE_ELEMENTS = frozenset(
    {
        "html", "head", "body", "title", "meta", "link", "script", "header", "nav", "main", "footer", "section",
        "article", "aside", "div", "span", "h1", "time", "figure", "picture", "source", "img", "figcaption",
        # The search form, in every page's header and on the search page.
        "form", "input", "label", "button", "select", "option", "kbd", "mark",
    }
)  # fmt: skip
PAGE_ELEMENTS = ALLOWED_TAGS | TEMPLATE_ELEMENTS
# Scripts a public page may carry: its structured data. (Admin pages also carry nonce'd and same-origin scripts.)
DATA_SCRIPT_TYPES = frozenset({"application/ld+json"})
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.\-]*):")


def payloads(name: str) -> list[str]:
    """One payload per line of `CORPORA / name`. Split on newlines only: some payloads hold U+2028 on purpose."""
    text = (CORPORA / name).read_text(encoding="utf-8")
    return [line for line in text.split("\n") if line.strip()]


def all_payloads() -> list[str]:
    return payloads("xss-public.txt") + payloads("xss-newsroom.txt")


def url_scheme(value: str) -> str | None:
    """
    The scheme a browser sees in an (already entity-decoded) attribute value, lowercased, or None for a relative URL:
    leading and trailing C0 controls and spaces are stripped and tabs and newlines removed, as the URL parser does.
    """
    cleaned = re.sub(r"[\t\n\r]", "", value.strip("".join(chr(c) for c in range(0x21))))
    match = _SCHEME.match(cleaned)
    return match.group(1).lower() if match else None


def _attribute_problems(element: LexborNode, *, styles: bool = False) -> Iterable[str]:
    for name, value in element.attributes.items():
        values = [value or ""]
        if name.lower().startswith("on"):
            yield f"<{element.tag} {name}=...>: an event handler"
        if name.lower() in URL_ATTRIBUTES:
            for item in values:
                scheme = url_scheme(item)
                if scheme is not None and scheme not in ALLOWED_PROTOCOLS:
                    yield f"<{element.tag} {name}={item!r}>: a {scheme}: URL"
        if name.lower() == "srcset":
            for candidate in " ".join(values).split(","):
                scheme = url_scheme(candidate.strip().split(" ")[0])
                if scheme is not None and scheme not in ALLOWED_PROTOCOLS:
                    yield f"<{element.tag} srcset>: a {scheme}: URL"
        if name.lower() == "style" and not styles:
            yield f"<{element.tag} style=...>: inline style"


def parse(html: str) -> LexborHTMLParser:
    return LexborHTMLParser(html)


def _elements(html: str, *, fragment: bool = False) -> Iterable[LexborNode]:
    tree = parse(html)
    # A fragment is judged as if it were a page's body; one that makes a frameset document has none.
    root = (tree.body or tree.root) if fragment else tree.root
    return root.traverse() if root is not None else []


def _within(element: LexborNode, tag: str) -> bool:
    parent = element.parent
    while parent is not None:
        if parent.tag == tag:
            return True
        parent = parent.parent
    return False


def fragment_problems(html: str, *, also: frozenset[str] = frozenset()) -> list[str]:
    """
    What is unsafe in a sanitized fragment (a body, a feed item's HTML): anything outside the allowlist, or the
    elements `also` allowed (what the site itself adds, such as the dateline's span).
    """
    problems = []
    for element in _elements(html, fragment=True):
        if element.tag == "body":
            continue
        if element.tag not in ALLOWED_TAGS | also:
            problems.append(f"<{element.tag}>: not in the allowlist")
        problems.extend(_attribute_problems(element))
    return problems


def page_problems(html: str, *, admin: bool = False, nonce: str | None = None) -> list[str]:
    """
    What is unsafe in a whole page. Public pages: only the elements the templates and the allowlist use, metadata
    only in <head>, no script but structured data (which must parse as JSON). Admin pages may hold any element of
    Django's admin, and scripts from the site itself or carrying the response's nonce.
    """
    problems = []
    for element in _elements(html):
        problems.extend(_attribute_problems(element, styles=admin))
        attributes = element.attributes
        if element.tag == "script":
            kind, src = (attributes.get("type") or "").lower(), attributes.get("src") or ""
            if kind in DATA_SCRIPT_TYPES:
                try:
                    json.loads(element.text())
                except ValueError:
                    problems.append("<script type=application/ld+json> that is not JSON")
            elif src:
                if url_scheme(src) is not None or src.startswith("//"):
                    problems.append(f"<script src={src!r}>: not from the site")
            elif not (admin and nonce and attributes.get("nonce") == nonce):
                problems.append(f"inline <script>{element.text()[:60]!r}")
        if admin:
            continue
        if element.tag not in PAGE_ELEMENTS:
            problems.append(f"<{element.tag}>: neither a template's element nor in the allowlist")
        if element.tag in {"meta", "link", "title"} and not _within(element, "head"):
            problems.append(f"<{element.tag}> outside <head>")
    return problems


def json_ld(html: str) -> list[dict]:
    return [json.loads(script.text()) for script in parse(html).css('script[type="application/ld+json"]')]
