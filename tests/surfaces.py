"""
Every public surface of the site, as a table of address builders, for the tests that must cover all of them: the
leak matrix (tests/articles/test_leak_matrix.py), hostile input (test_hostile_input.py) and the browser-protection
headers (test_security.py).

A surface is built from `Subjects`, the rows its address names. A new public surface is one line in `PUBLIC_SURFACES`
(and, if an article's own address answers for it, one in `ARTICLE_ADDRESSES`); every test above then covers it.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from django.urls import reverse

from articles.models import Agency, Article, Author, Topic
from sections.models import Section


@dataclass(frozen=True)
class Subjects:
    """The rows public addresses are built from: a live article, and its section, topic, author and agency."""

    section: Section
    topic: Topic
    author: Author
    agency: Agency
    article: Article


@dataclass(frozen=True)
class Surface:
    name: str
    url: Callable[[Subjects], str]
    kind: Literal["html", "xml", "json", "text"]
    # Whether the live stories of `Subjects` are listed on it (so a test can check it shows them: it can fail).
    lists_stories: bool = True


def _feeds() -> list[Surface]:
    by_kind = {
        "latest": lambda s: {},
        "section": lambda s: {"slug": s.section.slug},
        "topic": lambda s: {"slug": s.topic.slug},
        "author": lambda s: {"slug": s.author.slug},
        "agency": lambda s: {"slug": s.agency.slug},
    }
    return [
        Surface(
            f"{kind} feed ({feed_format})",
            lambda s, kind=kind, kwargs=kwargs, feed_format=feed_format: reverse(
                f"articles:feed_{kind}", kwargs={**kwargs(s), "feed_format": feed_format}
            ),
            "xml",
        )
        for kind, kwargs in by_kind.items()
        for feed_format in ("rss", "atom")
    ]


PUBLIC_SURFACES: list[Surface] = [
    Surface("home", lambda s: reverse("articles:home"), "html"),
    Surface("section page", lambda s: s.section.get_absolute_url(), "html"),
    Surface("topic page", lambda s: s.topic.get_absolute_url(), "html"),
    Surface("author page", lambda s: s.author.get_absolute_url(), "html"),
    Surface("agency page", lambda s: s.agency.get_absolute_url(), "html"),
    # A live story's page lists related stories (the inline box and the list) and trending ones.
    Surface("article page: related, inline related, trending", lambda s: s.article.get_absolute_url(), "html"),
    *_feeds(),
    Surface("sitemap index", lambda s: reverse("sitemap"), "xml", lists_stories=False),
    Surface("articles sitemap", lambda s: reverse("sitemap_section", args=["articles"]), "xml"),
    Surface("sections sitemap", lambda s: reverse("sitemap_section", args=["sections"]), "xml", lists_stories=False),
    Surface("topics sitemap", lambda s: reverse("sitemap_section", args=["topics"]), "xml", lists_stories=False),
    Surface("news sitemap", lambda s: reverse("sitemap_news"), "xml"),
    Surface("robots.txt", lambda s: reverse("robots_txt"), "text", lists_stories=False),
    Surface("API list", lambda s: reverse("articles:api_article_list"), "json"),
    Surface(
        "API list by section", lambda s: f"{reverse('articles:api_article_list')}?section={s.section.slug}", "json"
    ),
    Surface("API list by topic", lambda s: f"{reverse('articles:api_article_list')}?topic={s.topic.slug}", "json"),
    Surface("API list by author", lambda s: f"{reverse('articles:api_article_list')}?author={s.author.slug}", "json"),
    Surface("API list by agency", lambda s: f"{reverse('articles:api_article_list')}?agency={s.agency.slug}", "json"),
    Surface("API list since", lambda s: f"{reverse('articles:api_article_list')}?since=2000-01-01", "json"),
    Surface(
        "API detail of a live story",
        lambda s: reverse("articles:api_article_detail", args=[s.article.pk]),
        "json",
        lists_stories=False,
    ),
    # Reader discovery: fronts sit on the home and section pages, trending on the article page (both above); search
    # for a word every planted story's headline carries.
    Surface("search results", lambda s: f"{reverse('articles:search')}?q=headline", "html", lists_stories=False),
]


@dataclass(frozen=True)
class ArticleAddress:
    """An address that names one article: for a story readers may not see, it must answer as one never used."""

    name: str
    url: Callable[[Article], str]
    # The same kind of address for something that never existed, to compare the answer with.
    never: Callable[[Article], str]


def _old_slug(article: Article) -> str:
    redirect = article.redirects.select_related("section").first()
    return reverse("articles:detail", kwargs={"section_slug": redirect.section.slug, "slug": redirect.old_slug})


def _topic(article: Article) -> Topic:
    # The topic only this article uses (the leak matrix gives each hidden story one): its name is not public yet.
    return article.topics.order_by("-pk").first()


NEVER_SLUG = "never-existed-here"

ARTICLE_ADDRESSES: list[ArticleAddress] = [
    ArticleAddress(
        "detail page",
        lambda a: a.get_absolute_url(),
        lambda a: reverse("articles:detail", kwargs={"section_slug": a.section.slug, "slug": NEVER_SLUG}),
    ),
    ArticleAddress(
        "detail page at an old slug",
        _old_slug,
        lambda a: reverse("articles:detail", kwargs={"section_slug": a.section.slug, "slug": f"{NEVER_SLUG}-2"}),
    ),
    ArticleAddress(
        "API detail",
        lambda a: reverse("articles:api_article_detail", args=[a.pk]),
        lambda a: reverse("articles:api_article_detail", args=[10**9]),
    ),
    ArticleAddress(
        "its own topic's page",
        lambda a: _topic(a).get_absolute_url(),
        lambda a: reverse("articles:topic", kwargs={"slug": NEVER_SLUG}),
    ),
    ArticleAddress(
        "its own topic's RSS feed",
        lambda a: reverse("articles:feed_topic", kwargs={"slug": _topic(a).slug, "feed_format": "rss"}),
        lambda a: reverse("articles:feed_topic", kwargs={"slug": NEVER_SLUG, "feed_format": "rss"}),
    ),
    ArticleAddress(
        "its own topic's Atom feed",
        lambda a: reverse("articles:feed_topic", kwargs={"slug": _topic(a).slug, "feed_format": "atom"}),
        lambda a: reverse("articles:feed_topic", kwargs={"slug": NEVER_SLUG, "feed_format": "atom"}),
    ),
    ArticleAddress(
        "API list by its own topic",
        lambda a: f"{reverse('articles:api_article_list')}?topic={_topic(a).slug}",
        lambda a: f"{reverse('articles:api_article_list')}?topic={NEVER_SLUG}",
    ),
]
