from django.conf import settings
from django.db.models import F, Window
from django.db.models.functions import Coalesce, RowNumber
from django.http import Http404, HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse

from sections.context_processors import top_level_sections
from sections.models import SectionRedirect

from .http_cache import cache_public
from .images.pictures import page_images
from .models import Agency, Article, ArticleRedirect, Author, PreviewLink, Topic
from .pagination import paginate
from .related import related_articles
from .trending import trending_articles

LATEST_ON_HOME = 12
STORIES_PER_SECTION_ON_HOME = 4


@cache_public
def home(request: HttpRequest) -> HttpResponse:
    latest = list(Article.objects.live().for_listing().newest_first()[:LATEST_ON_HOME])
    sections = top_level_sections(request)
    # The newest few stories of each top-level section (its subsections included) in one query, none repeated
    # from the latest list above.
    by_section: dict[int, list[Article]] = {section.pk: [] for section in sections}
    front_section = Coalesce(F("section__parent_id"), F("section_id"))
    section_stories = (
        Article.objects.live()
        .exclude(pk__in=[article.pk for article in latest])
        .annotate(
            front_section_id=front_section,
            rank=Window(RowNumber(), partition_by=front_section, order_by=[F("publish_at").desc(), F("pk").desc()]),
        )
        .filter(rank__lte=STORIES_PER_SECTION_ON_HOME)
        .select_related("section")
        .order_by("front_section_id", "rank")
    )
    for article in section_stories:
        by_section.setdefault(article.front_section_id, []).append(article)
    context = {
        "lead": latest[0] if latest else None,
        "latest": latest[1:],
        "section_fronts": [(section, by_section[section.pk]) for section in sections if by_section[section.pk]],
    }
    return TemplateResponse(request, "articles/home.html", context)


@cache_public
def article_detail(request: HttpRequest, section_slug: str, slug: str) -> HttpResponse:
    article = Article.objects.live().for_page().filter(section__slug=section_slug, slug=slug).first()
    if article is None:
        return _redirect_to_current_address(section_slug, slug)
    return render_article_page(request, article)


def shared_preview(request: HttpRequest, token: str) -> HttpResponse:
    """An unpublished article shown through a preview link; any bad, expired or revoked token is a plain 404."""
    link = PreviewLink.objects.resolve(token)
    if link is None:
        raise Http404("No article at this address.")
    article = Article.objects.for_page().get(pk=link.article_id)
    return render_article_page(request, article, preview=True)


def render_article_page(request: HttpRequest, article: Article, *, preview: bool = False) -> HttpResponse:
    """
    The article page, for readers or (with `preview`) for staff and preview links: the same template with a
    Preview banner, never stored by a cache nor indexed by search engines.
    """
    house = settings.NEWSROOM
    # The inline box and the Related Stories list share one lookup, and Trending leaves out all of them, so no
    # story appears twice on the page.
    related = related_articles(article, limit=house["RELATED_STORIES"] + 1)
    trending = trending_articles(limit=house["TRENDING_STORIES"], exclude=[article.pk, *(r.pk for r in related)])
    images = page_images(article)
    if article.lead_image_id in images:
        article.lead_image = images[article.lead_image_id]  # with its renditions, for the page's social cards
    context = {
        "article": article,
        "images": images,
        "lead_image": images.get(article.lead_image_id),
        "section": article.section,
        "inline_related": related[0] if related else None,
        "related_stories": related[1:],
        "trending": trending,
        "preview": preview,
    }
    response = TemplateResponse(request, "articles/article_detail.html", context)
    if preview:
        response["Cache-Control"] = "private, no-store"
        response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _redirect_to_current_address(section_slug: str, slug: str) -> HttpResponse:
    """301 from an address a live article used to have; otherwise the same 404 as for an address never used."""
    moved = (
        ArticleRedirect.objects.filter(section__slug=section_slug, old_slug=slug, article__in=Article.objects.live())
        .select_related("article__section")
        .first()
    )
    if moved is not None:
        return HttpResponsePermanentRedirect(moved.article.get_absolute_url())
    renamed = SectionRedirect.objects.filter(old_slug=section_slug).select_related("section").first()
    if renamed is not None:
        url = reverse("articles:detail", kwargs={"section_slug": renamed.section.slug, "slug": slug})
        return HttpResponsePermanentRedirect(url)
    raise Http404("No article at this address.")


@cache_public
def topic_detail(request: HttpRequest, slug: str) -> HttpResponse:
    topic = get_object_or_404(Topic, slug=slug)
    page = paginate(request, Article.objects.live().filter(tagged_items__tag=topic).for_listing().newest_first())
    if not page.object_list:
        # A topic only unpublished stories use is not public yet: its name must not leak.
        raise Http404("No stories on this topic.")
    return TemplateResponse(request, "articles/topic_detail.html", {"topic": topic, "page": page})


@cache_public
def author_detail(request: HttpRequest, slug: str) -> HttpResponse:
    author = get_object_or_404(Author, slug=slug)
    page = paginate(request, Article.objects.live().filter(bylines__author=author).for_listing().newest_first())
    return TemplateResponse(request, "articles/author_detail.html", {"author": author, "page": page})


@cache_public
def agency_detail(request: HttpRequest, slug: str) -> HttpResponse:
    agency = get_object_or_404(Agency, slug=slug)
    page = paginate(request, Article.objects.live().filter(agencies=agency).for_listing().newest_first())
    return TemplateResponse(request, "articles/agency_detail.html", {"agency": agency, "page": page})
