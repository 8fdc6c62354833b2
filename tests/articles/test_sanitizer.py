"""The one allowlist: what it removes, what it keeps (the rich-text editor's output), and that it is stable."""

import pytest

from articles.sanitizer import ALLOWED_ATTRIBUTES, ALLOWED_PROTOCOLS, ALLOWED_TAGS, sanitize_html
from tests.markup_safety import fragment_problems, payloads, url_scheme

# Public payloads (OWASP XSS Filter Evasion Cheat Sheet, CC BY-SA 4.0; mozilla/bleach tests, Apache-2.0) and the
# newsroom's own: see tests/articles/data/xss/README.md for their sources.
PUBLIC_PAYLOADS = payloads("xss-public.txt")
OWN_PAYLOADS = payloads("xss-newsroom.txt")

# What django-prose-editor, configured as in articles/admin.py, writes for each of its marks and nodes.
EDITOR_OUTPUT = (
    "<h2>Heading two</h2><h3>Heading three</h3><h4>Heading four</h4>"
    "<p>Plain, <strong>bold</strong>, <em>italic</em>, <u>underlined</u>, <s>struck</s>, H<sub>2</sub>O, "
    'x<sup>2</sup>, <a target="_blank" rel="noopener noreferrer nofollow" href="https://example.org/a?b=1&amp;c=2">'
    'a link</a> and <a href="mailto:desk@example.org">mail</a>.<br>After a hard break.</p>'
    "<ul><li><p>First item</p></li><li><p>Second item</p></li></ul>"
    '<ol start="3"><li><p>Third</p></li></ol>'
    "<blockquote><p>A quotation.</p></blockquote><hr><p>After the rule.</p>"
)

FORBIDDEN_TAGS = {
    "svg", "math", "style", "script", "noscript", "iframe", "form", "template", "textarea", "title", "xmp", "object",
    "embed", "base", "meta", "link", "img",
}  # fmt: skip


def test_rich_text_editor_output_survives_sanitizing_unchanged() -> None:
    assert sanitize_html(EDITOR_OUTPUT) == EDITOR_OUTPUT


def test_allowlist_has_no_element_that_can_run_script() -> None:
    assert not ALLOWED_TAGS & FORBIDDEN_TAGS
    assert ALLOWED_PROTOCOLS == {"http", "https", "mailto"}
    listed = [name for names in ALLOWED_ATTRIBUTES.values() if isinstance(names, list) for name in names]
    assert not [name for name in listed if name.startswith("on") or name == "style"]


@pytest.mark.parametrize(
    ("dirty", "clean"),
    [
        ("<p>Hi<script>alert(1)</script> there</p>", "<p>Hi there</p>"),
        ("<style>p{}</style><p>ok</p>", "<p>ok</p>"),
        ('<iframe src="https://evil.example/">inner</iframe><p>ok</p>', "<p>ok</p>"),
        ('<a href="javascript:alert(1)" onclick="x()">y</a>', "<a>y</a>"),
        ('<a href="https://ok.example/" target="_top">y</a>', '<a href="https://ok.example/">y</a>'),
        ('<p style="color:red" class="x">styled</p>', "<p>styled</p>"),
        ("<svg><p>x</p></svg>after", "<p>x</p>after"),
        ("A<img src=x onerror=alert(1)>B", "AB"),
        # bleach doesn't know this reference, so it keeps the text and escapes its "&": browsers then read
        # "java&Tab;script:..." literally, which has no scheme (a harmless relative address).
        ('<a href="java&Tab;script:alert(1)">tab</a>', '<a href="java&amp;Tab;script:alert(1)">tab</a>'),
        ('<a href="java&#x09;script:alert(1)">tab</a>', "<a>tab</a>"),
        ('<a href="\x01javascript:alert(1)">SOH</a>', "<a>SOH</a>"),
        ('<a href="&#x6A;avascript:alert(1)">entity</a>', "<a>entity</a>"),
    ],
)
def test_dangerous_markup_is_removed(dirty: str, clean: str) -> None:
    assert sanitize_html(dirty) == clean


@pytest.mark.parametrize(
    ("value", "scheme"),
    [
        ("https://example.org/", "https"),
        ("/world/story/", None),
        ("java\tscript:alert(1)", "javascript"),
        ("\x01 javascript:alert(1)", "javascript"),
        ("java%0ascript:alert(1)", None),  # percent-escapes are not decoded: a relative address
        ("JaVaScRiPt:alert(1)", "javascript"),
    ],
)
def test_the_scheme_check_reads_urls_as_browsers_do(value: str, scheme: str | None) -> None:
    # The checker the corpus tests rely on must itself be right, or they could pass vacuously.
    assert url_scheme(value) == scheme


def test_the_fragment_check_catches_what_it_looks_for() -> None:
    [problem] = fragment_problems('<p><a href="java&#x09;script:alert(1)">x</a></p>')
    assert problem.endswith(": a javascript: URL")
    assert fragment_problems("<svg><p>x</p></svg>")[0] == "<svg>: not in the allowlist"
    assert fragment_problems('<p onclick="x()">x</p>') == ["<p onclick=...>: an event handler"]
    assert fragment_problems(EDITOR_OUTPUT) == []


@pytest.mark.parametrize(
    "payload",
    [pytest.param(p, id=f"public-{n:03d}") for n, p in enumerate(PUBLIC_PAYLOADS, 1)]
    + [pytest.param(p, id=f"newsroom-{n:03d}") for n, p in enumerate(OWN_PAYLOADS, 1)],
)
def test_hostile_payloads_come_out_inert_and_stable(payload: str) -> None:
    """Parsed as a browser would: allowlisted elements only, no handler, no script URL; cleaning again is a no-op."""
    cleaned = sanitize_html(payload)
    assert sanitize_html(cleaned) == cleaned
    assert fragment_problems(cleaned) == []


def test_the_corpora_are_all_here() -> None:
    # The public corpus as shared (90 lines), and the newsroom's own additions.
    assert len(PUBLIC_PAYLOADS) == 90
    assert len(OWN_PAYLOADS) >= 80
