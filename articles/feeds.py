"""
RSS 2.0 and Atom feeds of the latest live stories (Django's syndication framework): the whole site, each section
(its subsections included), topic, author and agency, each at `.../rss/` and `.../atom/`.

Items carry the headline, link, standfirst as summary, credits, categories (section and topics), first publication
and last change; Atom entries also carry the full sanitized body. Every feed costs a fixed number of queries.
"""

from collections.abc import Callable
from html import escape
from typing import Any

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed, SyndicationFeed

from sections.models import Section

from .body import with_dateline
from .house_style import join_names
from .http_cache import cache_public
from .images.shortcodes import without_shortcodes
from .models import Agency, Article, Author, Topic
from .sanitizer import without_control_characters
from .structured_data import article_tag_uri

FEED_ITEMS = 50


def _xml_safe(values: dict) -> dict:
    return {
        name: without_control_characters(value)
        if isinstance(value, str)
        else [without_control_characters(item) for item in value]
        if isinstance(value, list | tuple) and all(isinstance(item, str) for item in value)
        else value
        for name, value in values.items()
    }


class XmlSafeFeed(SyndicationFeed):
    """
    A feed holds text from editors, agencies and wire copy (names, bios, categories) that no form checked for
    characters XML 1.0 cannot carry; they are dropped here rather than make the whole feed fail.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **_xml_safe(kwargs))

    def add_item(self, *args: Any, **kwargs: Any) -> None:
        super().add_item(*args, **_xml_safe(kwargs))


class Rss(XmlSafeFeed, Rss201rev2Feed):
    """
    RSS 2.0. Readers render its titles and descriptions as HTML, so the feed's own (a section's description, an
    author's name and bio: plain text) are escaped, as `ArticleFeed` escapes its items'.
    """

    def __init__(self, title: str, link: str, description: str, *args: Any, **kwargs: Any) -> None:
        title, description = escape(title, quote=False), escape(description or "", quote=False)
        super().__init__(*args, title=title, link=link, description=description, **kwargs)


class AtomWithContent(XmlSafeFeed, Atom1Feed):
    """Atom with each story's full body in `<content type="html">`, so feed readers can show all of it."""

    def add_item_elements(self, handler: Any, item: dict) -> None:
        super().add_item_elements(handler, item)
        if item.get("content"):
            handler.addQuickElement("content", item["content"], {"type": "html"})


FEED_TYPES: dict[str, type[SyndicationFeed]] = {"rss": Rss, "atom": AtomWithContent}


class FeedFormatConverter:
    """The `<feed_format:...>` path segment: "rss" or "atom"; anything else is not a feed address (404)."""

    regex = "rss|atom"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


class ArticleFeed(Feed):
    """What every feed shares. Subclasses choose the stories (`stories`) and describe the feed."""

    def __init__(self, *, request: HttpRequest, feed_format: str) -> None:
        # One instance per request, so item methods can build absolute identifiers from the request's host.
        self.request = request
        self.feed_type = FEED_TYPES[feed_format]
        self.language = settings.NEWSROOM["LANGUAGE"]
        self.author_name = settings.NEWSROOM["SITE_NAME"]

    @classmethod
    def as_view(cls) -> Callable[..., HttpResponse]:
        @cache_public
        def view(request: HttpRequest, feed_format: str, **kwargs: Any) -> HttpResponse:
            return cls(request=request, feed_format=feed_format)(request, **kwargs)

        view.__name__ = view.__qualname__ = f"{cls.__name__}_view"
        return view

    def stories(self, obj: Model | None) -> QuerySet[Article]:
        raise NotImplementedError

    def items(self, obj: Model | None) -> list[Article]:
        return list(self.stories(obj).for_syndication().newest_first()[:FEED_ITEMS])

    def subtitle(self, obj: Model | None) -> str:
        # Atom calls the description a subtitle.
        return self._get_dynamic_attr("description", obj)

    def item_title(self, article: Article) -> str:
        # RSS readers treat titles as HTML and Atom's (type="text") as text: escape for RSS only, as Django does.
        return escape(article.headline, quote=False) if self.feed_type is Rss else article.headline

    def item_description(self, article: Article) -> str:
        # Both RSS descriptions and Atom summaries (type="html") are HTML; the standfirst is plain text.
        return escape(article.standfirst, quote=False)

    def item_link(self, article: Article) -> str:
        return article.get_absolute_url()

    def item_guid(self, article: Article) -> str:
        return article_tag_uri(article, request=self.request)

    item_guid_is_permalink = False

    def item_pubdate(self, article: Article) -> Any:
        return article.first_published

    def item_updateddate(self, article: Article) -> Any:
        return article.last_modified

    def item_author_name(self, article: Article) -> str | None:
        return join_names([credit.byline_name for credit in article.credits]) or None

    def item_author_link(self, article: Article) -> str | None:
        credits = article.credits
        return self.request.build_absolute_uri(credits[0].get_absolute_url()) if len(credits) == 1 else None

    def item_categories(self, article: Article) -> list[str]:
        # A topic may share its section's name ("Middle East"): each category once.
        return list(dict.fromkeys([article.section.name, *(topic.name for topic in article.topic_list)]))

    def item_extra_kwargs(self, article: Article) -> dict:
        # The body as the page shows it, the dateline opening the first paragraph. Only Atom writes it.
        return {"content": with_dateline(without_shortcodes(article.body), article.dateline_text)}


class LatestFeed(ArticleFeed):
    def title(self) -> str:
        return settings.NEWSROOM["SITE_NAME"]

    def link(self) -> str:
        return reverse("articles:home")

    def description(self) -> str:
        return f"The latest stories from {settings.NEWSROOM['SITE_NAME']}."

    def stories(self, obj: None) -> QuerySet[Article]:
        return Article.objects.live()


class SectionFeed(ArticleFeed):
    def get_object(self, request: HttpRequest, slug: str) -> Section:
        return Section.objects.get(slug=slug)

    def title(self, section: Section) -> str:
        return f"{section.name} | {settings.NEWSROOM['SITE_NAME']}"

    def link(self, section: Section) -> str:
        return section.get_absolute_url()

    def description(self, section: Section) -> str:
        return section.description or f"The latest {section.name} stories."

    def stories(self, section: Section) -> QuerySet[Article]:
        return Article.objects.live().filter(section_id__in=section.descendant_ids())


class TopicFeed(ArticleFeed):
    def get_object(self, request: HttpRequest, slug: str) -> Topic:
        # As its page: a topic no live story uses is not found.
        return Topic.objects.with_live_articles().get(slug=slug)

    def title(self, topic: Topic) -> str:
        return f"{topic.name} | {settings.NEWSROOM['SITE_NAME']}"

    def link(self, topic: Topic) -> str:
        return topic.get_absolute_url()

    def description(self, topic: Topic) -> str:
        return f"The latest stories on {topic.name}."

    def stories(self, topic: Topic) -> QuerySet[Article]:
        return Article.objects.live().filter(tagged_items__tag=topic)


class AuthorFeed(ArticleFeed):
    def get_object(self, request: HttpRequest, slug: str) -> Author:
        return Author.objects.get(slug=slug)

    def title(self, author: Author) -> str:
        return f"{author.name} | {settings.NEWSROOM['SITE_NAME']}"

    def link(self, author: Author) -> str:
        return author.get_absolute_url()

    def description(self, author: Author) -> str:
        return author.bio or f"The latest stories by {author.name}."

    def stories(self, author: Author) -> QuerySet[Article]:
        return Article.objects.live().filter(bylines__author=author)


class AgencyFeed(ArticleFeed):
    def get_object(self, request: HttpRequest, slug: str) -> Agency:
        return Agency.objects.get(slug=slug)

    def title(self, agency: Agency) -> str:
        return f"{agency.name} | {settings.NEWSROOM['SITE_NAME']}"

    def link(self, agency: Agency) -> str:
        return agency.get_absolute_url()

    def description(self, agency: Agency) -> str:
        return f"The latest stories from {agency.name}."

    def stories(self, agency: Agency) -> QuerySet[Article]:
        return Article.objects.live().filter(agencies=agency)
