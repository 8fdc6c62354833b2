"""
Laying out a (sanitized) article body on the page: the dateline goes at the start of the first paragraph, and the
inline "Related story" box after the third one.
"""

from html import escape
from html.parser import HTMLParser

INLINE_RELATED_AFTER_PARAGRAPH = 3


class _ParagraphEnds(HTMLParser):
    """Finds where each top-level </p> ends, counting by source offset."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.depth = 0
        self.ends: list[int] = []
        self._line_starts = [0]

    def feed_text(self, html: str) -> None:
        offset = 0
        for line in html.splitlines(keepends=True):
            offset += len(line)
            self._line_starts.append(offset)
        self.feed(html)
        self.close()

    def _offset(self) -> int:
        line, column = self.getpos()
        return self._line_starts[line - 1] + column

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag not in {"br", "hr"}:
            self.depth += 1

    def handle_endtag(self, tag: str) -> None:
        self.depth -= 1
        if tag == "p" and self.depth == 0:
            self.ends.append(self._offset() + len("</p>"))


def split_after_paragraph(html: str, count: int = INLINE_RELATED_AFTER_PARAGRAPH) -> tuple[str, str]:
    """(the body up to the end of its `count`-th top-level paragraph, the rest). Short bodies give (body, "")."""
    parser = _ParagraphEnds()
    parser.feed_text(html)
    if len(parser.ends) < count:
        return html, ""
    cut = parser.ends[count - 1]
    return html[:cut], html[cut:]


def with_dateline(html: str, dateline: str) -> str:
    """The body with `dateline` (plain text) opening its first paragraph, or before it if it has none."""
    if not dateline:
        return html
    marker = f'<span class="dateline">{escape(dateline)}</span> '
    if html.startswith("<p>"):
        return f"<p>{marker}{html[3:]}"
    return f"<p>{marker}</p>{html}"
