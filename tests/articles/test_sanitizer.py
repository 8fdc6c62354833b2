"""The one allowlist: what it removes, what it keeps (the rich-text editor's output), and that it is stable."""

from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from articles.sanitizer import ALLOWED_PROTOCOLS, ALLOWED_TAGS, sanitize_html

# Public payloads: OWASP XSS Filter Evasion Cheat Sheet (CC BY-SA 4.0) and mozilla/bleach tests (Apache-2.0);
# see ../shared/security/README.md for their sources.
PUBLIC_PAYLOADS = Path(__file__).resolve().parents[3] / "shared" / "security" / "xss-public.txt"

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
    ],
)
def test_dangerous_markup_is_removed(dirty: str, clean: str) -> None:
    assert sanitize_html(dirty) == clean


def public_payloads() -> list[str]:
    return [line.rstrip("\n") for line in PUBLIC_PAYLOADS.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.mark.skipif(not PUBLIC_PAYLOADS.exists(), reason="shared/security corpus not beside the checkout")
def test_public_xss_payloads_come_out_inert_and_stable() -> None:
    for payload in public_payloads():
        cleaned = sanitize_html(payload)
        assert sanitize_html(cleaned) == cleaned, payload
        for element in BeautifulSoup(cleaned, "html.parser").find_all(True):
            assert element.name in ALLOWED_TAGS, (payload, element.name)
            for name, value in element.attrs.items():
                assert not name.lower().startswith("on"), payload
                if name == "href":
                    scheme = value.split(":", 1)[0].strip().lower() if ":" in value else "http"
                    assert scheme in ALLOWED_PROTOCOLS, payload
