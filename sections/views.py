from django.http import Http404, HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.template.response import TemplateResponse

from articles.http_cache import cache_public
from articles.models import Article
from articles.pagination import paginate

from .models import Section, SectionRedirect


@cache_public
def section_detail(request: HttpRequest, slug: str) -> HttpResponse:
    section = Section.objects.filter(slug=slug).select_related("parent").first()
    if section is None:
        renamed = SectionRedirect.objects.filter(old_slug=slug).select_related("section").first()
        if renamed is None:
            raise Http404("No such section.")
        return HttpResponsePermanentRedirect(renamed.section.get_absolute_url())
    articles = Article.objects.live().filter(section_id__in=section.descendant_ids()).for_listing().newest_first()
    context = {"section": section, "subsections": section.children.all(), "page": paginate(request, articles)}
    return TemplateResponse(request, "sections/section_detail.html", context)
