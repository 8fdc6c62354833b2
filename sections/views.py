from django.conf import settings
from django.db.models import prefetch_related_objects
from django.http import Http404, HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.template.response import TemplateResponse

from articles.fronts import build_front
from articles.http_cache import cache_public
from articles.models import Article, credit_prefetches
from articles.pagination import paginate
from articles.trending import trending_articles

from .context_processors import request_section_tree
from .models import SectionRedirect


@cache_public
def section_detail(request: HttpRequest, slug: str) -> HttpResponse:
    tree = request_section_tree(request)
    section = tree.get(slug)
    if section is None:
        renamed = SectionRedirect.objects.filter(old_slug=slug).select_related("section").first()
        if renamed is None:
            raise Http404("No such section.")
        return HttpResponsePermanentRedirect(renamed.section.get_absolute_url())
    house = settings.NEWSROOM
    stories = Article.objects.live().filter(section_id__in=tree.descendant_ids(section)).teasers()
    # The editors' front tops the first page; the list below (on every page) leaves its stories out.
    front = build_front(section=section, stories=stories, size=house["SECTION_FRONT_STORIES"])
    page = paginate(request, stories.exclude(pk__in=front.story_ids).newest_first())
    on_page = [*page.object_list]
    prefetch_related_objects([*(front.stories if page.number == 1 else []), *on_page], *credit_prefetches())
    context = {
        "section": section,
        "subsections": tree.subsections(section),
        "front": front if page.number == 1 else None,
        "page": page,
        "trending": trending_articles(
            limit=house["TRENDING_STORIES"],
            exclude=[*front.story_ids, *(story.pk for story in on_page)],
            section=section,
        ),
    }
    return TemplateResponse(request, "sections/section_detail.html", context)
