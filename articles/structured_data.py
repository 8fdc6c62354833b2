"""
What an article tells machines rather than readers: schema.org `NewsArticle` JSON-LD for search engines, OpenGraph
and Twitter card tags for social networks, and the article's permanent identifier, shared by feeds and the API.

Everything is built from rows that `for_page()` or `for_syndication()` has already loaded: no query of its own.
"""

import json
from datetime import datetime

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest
from django.http.request import split_domain_port
from django.templatetags.static import static
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator
from django.utils.translation import to_locale

from .images.models import Rendition
from .images.pictures import widest_crops
from .models import Agency, Article, Author

LOGO = {"path": "img/logo.png", "width": 600, "height": 60}
DESCRIPTION_LENGTH = 300
# JSON is safe inside <script> once these can't close the element or open a comment (as Django's json_script).
_SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def lead_image_urls(article: Article, *, request: HttpRequest) -> list[str]:
    """
    Absolute URLs of the article's lead image in 16:9, 4:3 and 1:1 crops, as Google asks of a NewsArticle's `image`,
    for JSON-LD, OpenGraph and Twitter cards. Only from a lead image the page has already loaded with its renditions
    (`articles.images.pictures.page_images`): never a query of its own.
    """
    if not Article.lead_image.is_cached(article) or article.lead_image is None:
        return []
    crops = [Rendition.Crop.WIDE, Rendition.Crop.STANDARD, Rendition.Crop.SQUARE]
    return [request.build_absolute_uri(rendition.file.url) for rendition in widest_crops(article.lead_image, crops)]


def article_tag_uri(article: Article, *, request: HttpRequest) -> str:
    """
    The article's permanent identifier (an RFC 4151 tag URI): unlike its address it survives a new headline, slug or
    section, so feed readers and API clients don't see a moved story as a new one.
    """
    host, _port = split_domain_port(request.get_host())
    return f"tag:{host},{article.created_at:%Y-%m-%d}:article:{article.pk}"


def iso_time(moment: datetime) -> str:
    return timezone.localtime(moment).isoformat()


def publisher(*, request: HttpRequest) -> dict:
    return {
        "@type": "Organization",
        "name": settings.NEWSROOM["SITE_NAME"],
        "url": request.build_absolute_uri("/"),
        "logo": {
            "@type": "ImageObject",
            "url": request.build_absolute_uri(static(LOGO["path"])),
            "width": LOGO["width"],
            "height": LOGO["height"],
        },
    }


def credit_entity(credit: Author | Agency, *, request: HttpRequest) -> dict:
    """A staff author is a Person; an agency (AFP, or the catch-all “Agencies”) is an Organization, never a Person."""
    url = request.build_absolute_uri(credit.get_absolute_url())
    if isinstance(credit, Agency):
        entity = {"@type": "Organization", "name": credit.name, "url": url}
        if credit.website:
            entity["sameAs"] = credit.website
        return entity
    return {"@type": "Person", "name": credit.name, "url": url}


def news_article(article: Article, *, request: HttpRequest) -> dict:
    """schema.org NewsArticle, with the properties Google's article guidelines require or recommend."""
    url = request.build_absolute_uri(article.get_absolute_url())
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "mainEntityOfPage": {"@type": "WebPage", "@id": url},
        "url": url,
        "headline": article.headline,
        "datePublished": iso_time(article.first_published),
        "dateModified": iso_time(article.last_modified),
        "articleSection": article.section.name,
        "inLanguage": settings.NEWSROOM["LANGUAGE"],
        "publisher": publisher(request=request),
        "isAccessibleForFree": True,
    }
    if credits := article.credits:
        data["author"] = [credit_entity(credit, request=request) for credit in credits]
    if article.standfirst:
        data["description"] = article.standfirst
    if topics := article.topic_list:
        data["keywords"] = [topic.name for topic in topics]
    if images := lead_image_urls(article, request=request):
        data["image"] = images
    if article.dateline:
        data["dateline"] = article.dateline_text.rstrip(": ")
        data["locationCreated"] = {"@type": "Place", "name": article.dateline}
    return data


def json_ld_script(data: dict) -> SafeString:
    """`<script type="application/ld+json">`, safe whatever the data holds (a headline with “</script>” in it)."""
    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False).translate(_SCRIPT_ESCAPES)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(text))  # noqa: S308


def social_tags(article: Article, *, request: HttpRequest) -> list[tuple[str, str, str]]:
    """OpenGraph (`property=`) and Twitter card (`name=`) meta tags, as (attribute, key, content)."""
    description = Truncator(article.standfirst).chars(DESCRIPTION_LENGTH)
    images = lead_image_urls(article, request=request)
    tags = [
        ("property", "og:type", "article"),
        ("property", "og:site_name", settings.NEWSROOM["SITE_NAME"]),
        ("property", "og:locale", to_locale(settings.NEWSROOM["LANGUAGE"])),
        ("property", "og:title", article.headline),
        ("property", "og:description", description),
        ("property", "og:url", request.build_absolute_uri(article.get_absolute_url())),
        *(("property", "og:image", image) for image in images),
        ("property", "article:published_time", iso_time(article.first_published)),
        ("property", "article:modified_time", iso_time(article.last_modified)),
        ("property", "article:section", article.section.name),
        *(("property", "article:tag", topic.name) for topic in article.topic_list),
        ("name", "twitter:card", "summary_large_image" if images else "summary"),
        ("name", "twitter:title", article.headline),
        ("name", "twitter:description", description),
        *(("name", "twitter:image", image) for image in images[:1]),
    ]
    return [tag for tag in tags if tag[2]]
