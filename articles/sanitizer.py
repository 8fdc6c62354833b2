"""
The one HTML allowlist of the newsroom. Every path that stores rich text (the admin, wire ingest, the API) goes
through `sanitize_html`, which `Article.save()` calls, so there is exactly one definition of safe markup.

Only structural and inline text markup is allowed; links may only point to http, https and mailto URLs. Anything
that can run script or restyle the page (script, style, iframe, svg, math, form, object, embed, event handlers,
style attributes) is removed.
"""

import re
from collections.abc import Iterator

import bleach
from bleach import html5lib_shim

ALLOWED_TAGS = frozenset(
    {
        "p",
        "br",
        "h2",
        "h3",
        "h4",
        "strong",
        "b",
        "em",
        "i",
        "u",
        "s",
        "sub",
        "sup",
        "a",
        "ul",
        "ol",
        "li",
        "blockquote",
        "hr",
        "code",
        "pre",
        "table",
        "caption",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
    }
)


def _link_attribute(tag: str, name: str, value: str) -> bool:
    # The rich-text editor opens links in a new tab, safely: target="_blank" with rel="noopener ...".
    return name in {"href", "title", "rel"} or (name == "target" and value == "_blank")


ALLOWED_ATTRIBUTES = {
    "a": _link_attribute,
    "th": ["colspan", "rowspan", "scope"],
    "td": ["colspan", "rowspan"],
    "ol": ["start"],
}
ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto"})

# Elements removed with everything inside them, not just unwrapped: their content is code, not prose.
DROPPED_WITH_CONTENT = frozenset(
    {
        "script",
        "style",
        "iframe",
        "noscript",
        "noembed",
        "noframes",
        "template",
        "textarea",
        "title",
        "xmp",
        "object",
        "embed",
        "svg",
        "math",
        "select",
        "head",
    }
)


def _without_dropped_elements(tokens: Iterator[dict]) -> Iterator[dict]:
    depth = 0
    for token in tokens:
        kind, name = token["type"], token.get("name")
        if name in DROPPED_WITH_CONTENT:
            if kind == "StartTag":
                depth += 1
            elif kind == "EndTag":
                depth = max(depth - 1, 0)
            continue
        if depth == 0:
            yield token


_cleaner = bleach.Cleaner(
    tags=ALLOWED_TAGS,
    attributes=ALLOWED_ATTRIBUTES,
    protocols=ALLOWED_PROTOCOLS,
    strip=True,
    strip_comments=True,
)


# bleach's parser turns tags outside the allowlist into text while tokenizing, so a <script> element would come out as
# its text. Letting the parser build the code-bearing elements, then dropping them (content and all) while walking the
# tree, removes them before the sanitizer proper sees anything.
_cleaner.parser = html5lib_shim.BleachHTMLParser(
    tags=ALLOWED_TAGS | DROPPED_WITH_CONTENT, strip=True, consume_entities=False, namespaceHTMLElements=False
)
_tree_walker = html5lib_shim.getTreeWalker("etree")
_cleaner.walker = lambda tree: _without_dropped_elements(_tree_walker(tree))


# Characters no editor means to type and XML 1.0 cannot carry (a feed holding one fails to build, a sitemap holding
# one is rejected): C0 controls other than tab, newline and carriage return, lone surrogates, U+FFFE and U+FFFF.
# Word's line and page breaks (U+000B, U+000C) separate words, so they become spaces; the rest go.
_BREAKS = re.compile("[\x0b\x0c]")
_UNPRINTABLE = re.compile("[\x00-\x08\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def without_control_characters(text: str) -> str:
    """`text` fit for every page, feed and sitemap: the characters above removed (or made spaces)."""
    if not text or text.isprintable():  # most text, checked at C speed
        return text
    return _UNPRINTABLE.sub("", _BREAKS.sub(" ", text))


def sanitize_html(html: str) -> str:
    """Return `html` reduced to the allowlist. Cleaning clean HTML again returns it unchanged."""
    return _cleaner.clean(without_control_characters(html or "")).strip()
