"""
Library images in an article's body, as a shortcode paragraph: `<p>[image 123]</p>`.

The body is HTML that the sanitizer reduces to text markup (no img, picture, figure or data attributes), and a
shortcode is plain text, so it passes through unchanged and the sanitizer stays as strict as it is. The article page
replaces each shortcode paragraph with the image's `<picture>` (uncropped); one that names no image disappears.
"""

import re
from collections.abc import Callable, Mapping

from .models import Image

# A paragraph holding only a shortcode. On the first paragraph the article page has put the dateline in front of it,
# which moves on to the text that follows the picture.
SHORTCODE_PARAGRAPH = re.compile(
    r"<p>(?P<dateline><span class=\"dateline\">[^<]*</span>)?\s*\[image\s+(?P<id>\d{1,18})\]\s*</p>"
)


def image_ids(html: str) -> set[int]:
    """The ids of the images a body shows."""
    return {int(match["id"]) for match in SHORTCODE_PARAGRAPH.finditer(html)}


def without_shortcodes(html: str) -> str:
    """`html` with its shortcode paragraphs removed: for feeds and the API, which carry text and no pictures yet."""
    return expand_shortcodes(html, {}, str)


def expand_shortcodes(html: str, images: Mapping[int, Image], render: Callable[[Image], str]) -> str:
    """`html` with each shortcode paragraph replaced by `render(image)` (or removed if its image isn't given)."""
    parts, position, dateline = [], 0, ""
    for match in SHORTCODE_PARAGRAPH.finditer(html):
        parts.append(html[position : match.start()])
        image = images.get(int(match["id"]))
        parts.append(render(image) if image else "")
        dateline = dateline or match["dateline"] or ""
        position = match.end()
    parts.append(html[position:])
    expanded = "".join(parts)
    if dateline:
        head, paragraph, rest = expanded.partition("<p>")
        expanded = f"{head}{paragraph}{dateline} {rest}" if paragraph else f"{expanded}<p>{dateline}</p>"
    return expanded
