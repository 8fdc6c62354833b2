"""
Articles as IPTC ninjs 2.1 ("News in JSON", https://www.iptc.org/std/ninjs/), the format wire agencies and news
apps already speak. Only properties of the 2.1 schema are used (it allows no others):

uri             the article's permanent tag URI (as feed entry ids), which survives a change of address
version         grows with every change readers see (the Unix time of the last one)
firstcreated    first publication; versioncreated: the last change readers saw
headlines, descriptions (the standfirst), bodies (the sanitized HTML body)
by, infosources the byline as printed, and who it credits: staff authors and agencies, with their pages
located         the dateline's place
subjects        the section (rel "section") and the topics, with their pages
renditions      the article's web page ("web")

Lead images will be `associations` (type "picture", with renditions) once articles have them.
"""

import re

from django.conf import settings
from django.http import HttpRequest
from django.utils.html import strip_tags

from sections.models import Section

from .images.shortcodes import without_shortcodes
from .models import Agency, Article, Topic
from .structured_data import article_tag_uri, iso_time

BLOCK_END = re.compile(r"</(?:p|h[1-6]|li|blockquote|pre)>|<br\s*/?>")
STANDARD = {"name": "ninjs", "version": "2.1", "schema": "http://www.iptc.org/std/ninjs/ninjs-schema_2.1.json#"}


def ninjs_item(article: Article, *, request: HttpRequest) -> dict:
    """One live article (loaded with `for_syndication()`, so this costs no query) as a ninjs object."""
    body = without_shortcodes(article.body)
    # Paragraphs end words too: "<p>Before.</p><p>After.</p>" is two words.
    text = strip_tags(BLOCK_END.sub(r"\g<0> ", body))
    item = {
        "standard": STANDARD,
        "uri": article_tag_uri(article, request=request),
        "type": "text",
        "representationtype": "full",
        "version": str(int(article.last_modified.timestamp())),
        "firstcreated": iso_time(article.first_published),
        "versioncreated": iso_time(article.last_modified),
        "pubstatus": "usable",
        "language": settings.NEWSROOM["LANGUAGE"],
        "headlines": [{"role": "main", "value": article.headline}],
        "bodies": [
            {
                "role": "main",
                "contenttype": "text/html",
                "value": body,
                "charcount": len(text),
                "wordcount": len(text.split()),
            }
        ],
        "subjects": [
            _subject(article.section, request=request, rel="section"),
            *(_subject(topic, request=request) for topic in article.topic_list),
        ],
        "renditions": [
            {"name": "web", "href": request.build_absolute_uri(article.get_absolute_url()), "contenttype": "text/html"}
        ],
    }
    if article.standfirst:
        item["descriptions"] = [{"role": "summary", "contenttype": "text/plain", "value": article.standfirst}]
    if credits := article.credits:
        item["by"] = article.byline
        item["infosources"] = [
            {
                "name": credit.name,
                "role": "agency" if isinstance(credit, Agency) else "author",
                "literal": credit.slug,
                "uri": request.build_absolute_uri(credit.get_absolute_url()),
            }
            for credit in credits
        ]
    if article.dateline:
        item["located"] = article.dateline
    return item


def _subject(concept: Section | Topic, *, request: HttpRequest, rel: str = "") -> dict:
    url = request.build_absolute_uri(concept.get_absolute_url())
    subject = {"name": concept.name, "literal": concept.slug, "uri": url}
    if rel:
        subject["rel"] = rel
    return subject
