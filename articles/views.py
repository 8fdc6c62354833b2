from django.conf import settings
from django.core.paginator import InvalidPage
from django.db import connection
from django.db.models import Case, F, Value, When, Window, prefetch_related_objects
from django.db.models.functions import RowNumber
from django.http import Http404, HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from sections.context_processors import request_section_tree
from sections.models import Section, SectionRedirect
from sections.tree import SectionTree

from .fronts import build_front
from .http_cache import cache_public
from .images.pictures import page_images
from .models import Agency, Article, ArticleRedirect, Author, PreviewLink, Topic, credit_prefetches
from .page_reads import read_credits_and_topics
from .pagination import paginate
from .related import related_articles
from .search import SearchForm, hits, search_articles
from .trending import counts_as_read, record_view, trending_articles

LATEST_ON_HOME = 12
STORIES_PER_SECTION_ON_HOME = 4


@cache_public
def home(request: HttpRequest) -> HttpResponse:
    house = settings.NEWSROOM
    # Editors' choices lead, the newest stories fill the rest of the top and the Latest list (see fronts.py).
    front = build_front(
        section=None,
        stories=Article.objects.live().teasers(),
        size=house["HOME_FRONT_STORIES"],
        following=LATEST_ON_HOME - house["HOME_FRONT_STORIES"],
    )
    prefetch_related_objects([*front.stories, *front.following], *credit_prefetches())
    tree = request_section_tree(request)
    shown = [*front.story_ids, *(article.pk for article in front.following)]
    context = {
        "lead": front.lead,
        "top_stories": front.stories[1:],
        "latest": front.following,
        "section_fronts": section_fronts(tree, shown=shown),
    }
    return TemplateResponse(request, "articles/home.html", context)


def section_fronts(tree: SectionTree, *, shown: list[int]) -> list[tuple[Section, list[Article]]]:
    """
    The newest few stories of each top-level section (subsections included), none of those in `shown`, in one query.

    On PostgreSQL, a UNION of one LIMITed pick per section, each read from the (section, publish time) index: ranking
    every live story by section with a window function, as SQLite (which allows no LIMIT inside a UNION) still does,
    reads the whole archive (0.6 s at 100,000 stories).
    """
    sections = tree.top_level()
    live = Article.objects.live()
    front_of = {pk: section.pk for section in sections for pk in tree.descendant_ids(section)}
    if not sections:
        stories = live.none()
    elif connection.features.supports_slicing_ordering_in_compound:
        picks = [
            live.filter(section_id__in=tree.descendant_ids(section))
            .exclude(pk__in=shown)
            .newest_first()
            .values("pk")[:STORIES_PER_SECTION_ON_HOME]
            for section in sections
        ]
        stories = live.filter(pk__in=picks[0].union(*picks[1:], all=True))
    else:
        front_section = Case(*(When(section_id__in=ids, then=Value(top)) for top, ids in _families(front_of)))
        rank = Window(RowNumber(), partition_by=front_section, order_by=[F("publish_at").desc(), F("pk").desc()])
        stories = live.exclude(pk__in=shown).annotate(rank=rank).filter(rank__lte=STORIES_PER_SECTION_ON_HOME)
    by_section: dict[int, list[Article]] = {section.pk: [] for section in sections}
    for article in stories.filter(section_id__in=front_of).teasers().newest_first():
        by_section[front_of[article.section_id]].append(article)
    return [(section, by_section[section.pk]) for section in sections if by_section[section.pk]]


def _families(front_of: dict[int, int]) -> list[tuple[int, list[int]]]:
    families: dict[int, list[int]] = {}
    for pk, top in front_of.items():
        families.setdefault(top, []).append(pk)
    return list(families.items())


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
    read_credits_and_topics(article)
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
        # Readers' page views count towards Trending; a preview leaves the beacon out.
        "beacon_url": None if preview else reverse("articles:beacon", kwargs={"article_id": article.pk}),
    }
    response = TemplateResponse(request, "articles/article_detail.html", context)
    if preview:
        response["Cache-Control"] = "private, no-store"
        response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@csrf_exempt  # sendBeacon posts without a token; the beacon changes nothing but a counter
@require_POST
def beacon(request: HttpRequest, article_id: int) -> HttpResponse:
    """Count one read for Trending (see trending.py). Always 204: the answer says nothing about the article."""
    if counts_as_read(request):
        record_view(article_id)
    response = HttpResponse(status=204)
    response["Cache-Control"] = "no-store"
    return response


@cache_public
def search(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET or None)
    context: dict = {"form": form, "query": "", "page": None, "hits": []}
    if form.is_bound and form.is_valid() and form.cleaned_data["q"]:
        query = form.cleaned_data["q"]
        paginator = search_articles(
            text=query,
            section_ids=form.section_ids(),
            since=form.cleaned_data["since"],
            until=form.cleaned_data["until"],
        )
        try:
            page = paginator.page(request.GET.get("page") or 1)
        except InvalidPage as error:
            raise Http404(str(error)) from error
        context.update(query=query, page=page, hits=hits(page.object_list, query))
    return TemplateResponse(request, "articles/search.html", context)


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
