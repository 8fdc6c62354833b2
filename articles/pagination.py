from django.conf import settings
from django.core.paginator import InvalidPage, Page, Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest


def paginate(request: HttpRequest, queryset: QuerySet, per_page: int | None = None) -> Page:
    """The page `?page=N` asks for; a page number that is not a number or is past the end is a 404, as in ListView."""
    paginator = Paginator(queryset, per_page or settings.NEWSROOM["ARTICLES_PER_PAGE"], allow_empty_first_page=True)
    try:
        return paginator.page(request.GET.get("page") or 1)
    except InvalidPage as error:
        raise Http404(str(error)) from error
