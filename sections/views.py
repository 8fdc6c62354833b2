from django.http import Http404, HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.template.response import TemplateResponse

from articles.http_cache import cache_public
from articles.models import Article
from articles.pagination import paginate

from .models import SectionRedirect
from .tree import section_tree


@cache_public
def section_detail(request: HttpRequest, slug: str) -> HttpResponse:
    tree = section_tree()
    section = tree.get(slug)
    if section is None:
        renamed = SectionRedirect.objects.filter(old_slug=slug).select_related("section").first()
        if renamed is None:
            raise Http404("No such section.")
        return HttpResponsePermanentRedirect(renamed.section.get_absolute_url())
    articles = Article.objects.live().filter(section_id__in=tree.descendant_ids(section)).for_listing().newest_first()
    context = {"section": section, "subsections": tree.subsections(section), "page": paginate(request, articles)}
    return TemplateResponse(request, "sections/section_detail.html", context)
