"""
NITF (News Industry Text Format) 3.x: one story per document.

    nitf/head/docdata: doc-id@id-string (the identifier), du-key@version, date.issue@norm, date.release@norm
        (the embargo), doc.copyright@holder, @management-status (canceled -> withdrawn), key-list/keyword@key,
        identified-content/classifier
    nitf/head/tobject/tobject.subject@tobject.subject.refnum / @tobject.subject.matter
    nitf/body/body.head: hedline/hl1, byline, dateline (location/city), abstract
    nitf/body/body.content: the text (p, hl2, block, ul/ol, table, media)

The tree comes from defusedxml (see reading.py), so entity tricks never reach this code.
"""

from xml.etree.ElementTree import Element, tostring

from ..item import ItemError, Subject, WireItem
from ..mapping import clean_text
from . import parse_date

# NITF's own elements with an HTML equivalent; the rest are unwrapped by the sanitizer, their text kept.
HTML_NAMES = {"hl2": "h2", "block": "div", "bq": "blockquote", "credit": "p", "pre": "pre"}
# Elements whose content is not running text.
DROPPED = frozenset({"media", "note", "fn", "body.end"})


def local(tag: str) -> str:
    """The element name without its namespace ({http://iptc.org/std/NITF/2006-10-18/}nitf -> nitf)."""
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _find(parent: Element | None, *path: str) -> Element | None:
    node = parent
    for name in path:
        if node is None:
            return None
        node = next((child for child in node if local(child.tag) == name), None)
    return node


def _find_all(parent: Element | None, name: str) -> list[Element]:
    return [] if parent is None else [node for node in parent.iter() if local(node.tag) == name]


def _text(node: Element | None) -> str:
    return clean_text(" ".join(node.itertext())) if node is not None else ""


def _attr(node: Element | None, name: str) -> str:
    return (node.get(name) or "").strip() if node is not None else ""


def parse(root: Element, *, source: str) -> WireItem:
    if local(root.tag) != "nitf":
        raise ItemError(f"not NITF: the root element is <{local(root.tag)}>")
    head, body = _find(root, "head"), _find(root, "body")
    docdata = _find(head, "docdata")
    body_head = _find(body, "body.head")
    doc_id = _find(docdata, "doc-id")
    uri = _attr(doc_id, "id-string") or _text(doc_id) or _attr(_find(head, "pubdata"), "ex-ref")

    subjects = [
        Subject(
            code=_attr(node, "tobject.subject.refnum"),
            name=_attr(node, "tobject.subject.detail")
            or _attr(node, "tobject.subject.matter")
            or _attr(node, "tobject.subject.type"),
        )
        for node in _find_all(_find(head, "tobject"), "tobject.subject")
    ]
    subjects += [
        Subject(code=_attr(node, "id"), name=_attr(node, "value") or _text(node))
        for node in _find_all(docdata, "classifier")
    ]
    dateline = _find(body_head, "dateline")
    return WireItem(
        source=source,
        uri=uri,
        version=_attr(_find(docdata, "du-key"), "version"),
        headline=_text(_find(body_head, "hedline", "hl1")) or _text(_find(head, "title")),
        standfirst=_text(_find(body_head, "abstract")),
        body_html=body_html(_find(body, "body.content")),
        byline=_byline(_find(body_head, "byline")),
        located=_located(dateline),
        subjects=[subject for subject in subjects if subject.code or subject.name],
        keywords=[_attr(node, "key") for node in _find_all(docdata, "keyword") if _attr(node, "key")],
        first_created=parse_date(_attr(_find(docdata, "date.issue"), "norm"), field="date.issue"),
        version_created=parse_date(_attr(_find(docdata, "date.issue"), "norm"), field="date.issue"),
        embargoed=parse_date(_attr(_find(docdata, "date.release"), "norm"), field="date.release"),
        pubstatus=_attr(docdata, "management-status"),
        providers=[
            name
            for name in (
                _attr(_find(docdata, "doc.copyright"), "holder"),
                _attr(_find(docdata, "doc.rights"), "provider"),
                _attr(doc_id, "regsrc"),
            )
            if name
        ],
        provider_hints=[_attr(_find(head, "pubdata"), "name")],
    )


def _byline(node: Element | None) -> str:
    """The names in a byline, without the title that may follow them (<byttl>Staff Writer</byttl>)."""
    if node is None:
        return ""
    persons = [_text(person) for person in _find_all(node, "person")]
    if persons:
        return ", ".join(persons)
    title = _text(_find(node, "byttl"))
    return _text(node).removesuffix(title).strip(" ,")


def _located(dateline: Element | None) -> str:
    """<city> if the dateline names one, else its <location>, else its text without the <story.date>."""
    if dateline is None:
        return ""
    city = next(iter(_find_all(dateline, "city")), None)
    if city is not None:
        return _text(city)
    location = _find(dateline, "location")
    if location is not None:
        return _text(location)
    date = _text(_find(dateline, "story.date"))
    return _text(dateline).removesuffix(date).strip(" ,:")


def body_html(content: Element | None) -> str:
    """body.content as HTML: NITF names mapped to HTML ones, media and notes dropped. The sanitizer does the rest."""
    if content is None:
        return ""
    parts = []
    for child in content:
        if local(child.tag) in DROPPED:
            continue
        _to_html_names(child)
        parts.append(tostring(child, encoding="unicode", short_empty_elements=False))
    return "".join(parts)


def _to_html_names(node: Element) -> None:
    for child in list(node):
        if local(child.tag) in DROPPED:
            node.remove(child)
    for element in node.iter():
        name = local(element.tag)
        element.tag = HTML_NAMES.get(name, name)
        # Attributes with namespaces or NITF ids mean nothing to a page; the sanitizer keeps only href & co.
        for key in [key for key in element.attrib if "}" in key]:
            del element.attrib[key]
