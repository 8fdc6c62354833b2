"""
The content API: live articles, read-only, as ninjs JSON (see ninjs.py).

GET /api/articles/        newest first, `limit` (1 to 100, default 20; more is capped) at a time, and a `next` link
                          to the following page (cursor pagination: stable while stories are published meanwhile).
                          Filters: section (its subsections included), topic, author, agency (slugs), and since (ISO
                          8601; stories that changed at or after it; without a time zone, the newsroom's).
GET /api/articles/<id>/   one article.

Only what readers may see (`Article.objects.live()`): no parameter selects a status or anything else, and any
parameter not listed here is refused, as is a bad value, with a 400 and a JSON error that says why. Responses are
cached like the pages (ETag, Last-Modified, 304) and readable from pages on any origin (`ApiCorsMiddleware`).
"""

from collections.abc import Callable
from datetime import UTC, datetime
from functools import wraps
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.db.models.functions import Greatest
from django.http import HttpRequest, HttpResponse, JsonResponse

from sections.models import Section

from .http_cache import cache_public
from .models import Article
from .ninjs import ninjs_item
from .pagination import Cursor, older_than

# Must match where articles/urls.py puts the API.
API_PREFIX = "/api/"
DEFAULT_LIMIT = 20
MAX_LIMIT = 100
SAFE_METHODS = ("GET", "HEAD")


class ArticleListParams(forms.Form):
    section = forms.SlugField(required=False, allow_unicode=True)
    topic = forms.SlugField(required=False, allow_unicode=True)
    author = forms.SlugField(required=False, allow_unicode=True)
    agency = forms.SlugField(required=False, allow_unicode=True)
    since = forms.DateTimeField(required=False)
    limit = forms.IntegerField(required=False, min_value=1)
    cursor = forms.CharField(required=False, max_length=200)

    def clean_since(self) -> datetime | None:
        since = self.cleaned_data["since"]
        if since is not None:
            try:
                since.astimezone(UTC)  # as the database will compare it: a time near year 1 or 9999 may not fit
            except OverflowError as error:
                raise forms.ValidationError("This time is out of range.", code="invalid") from error
        return since

    def clean_limit(self) -> int:
        return min(self.cleaned_data["limit"] or DEFAULT_LIMIT, MAX_LIMIT)

    def clean_cursor(self) -> tuple[datetime, int] | None:
        cursor = self.cleaned_data["cursor"]
        return Cursor.decode(cursor) if cursor else None


def json_error(status: int, message: str, **extra: Any) -> JsonResponse:
    return JsonResponse({"error": message, **extra}, status=status)


def api_endpoint(*, params: type[forms.Form] | None = None) -> Callable:
    """
    Read-only, and strict about its query string: a method other than GET/HEAD is a 405, and a parameter not in
    `params` (or given twice, or with a bad value) a 400, each with a JSON error. The view gets the cleaned values.
    """

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        allowed = set(params.base_fields) if params else set()

        @wraps(view)
        def endpoint(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.method not in SAFE_METHODS:
                response = json_error(405, "This API is read-only.")
                response["Allow"] = ", ".join((*SAFE_METHODS, "OPTIONS"))
                return response
            if unknown := sorted(set(request.GET) - allowed):
                return json_error(400, f"Unknown parameter: {', '.join(unknown)}.", allowed=sorted(allowed))
            if repeated := sorted(name for name in request.GET if len(request.GET.getlist(name)) > 1):
                return json_error(400, f"Give each parameter once: {', '.join(repeated)}.")
            cleaned = {}
            if params is not None:
                form = params(request.GET)
                if not form.is_valid():
                    details = {field: [str(message) for message in errors] for field, errors in form.errors.items()}
                    return json_error(400, "Invalid parameters.", details=details)
                cleaned = form.cleaned_data
            return view(request, *args, params=cleaned, **kwargs)

        return endpoint

    return decorate


def filtered_articles(params: dict) -> QuerySet[Article]:
    """The live articles the parameters ask for, newest first, after the cursor if there is one."""
    articles = Article.objects.live()
    if params["section"]:
        section = Section.objects.filter(slug=params["section"]).first()
        articles = articles.filter(section_id__in=section.descendant_ids()) if section else articles.none()
    if params["topic"]:
        articles = articles.filter(tagged_items__tag__slug=params["topic"])
    if params["author"]:
        articles = articles.filter(bylines__author__slug=params["author"])
    if params["agency"]:
        articles = articles.filter(agencies__slug=params["agency"])
    if params["since"]:
        articles = articles.alias(changed_at=Greatest("updated_at", "publish_at")).filter(
            changed_at__gte=params["since"]
        )
    if params["cursor"]:
        articles = articles.filter(older_than(params["cursor"]))
    return articles.newest_first()


@cache_public
@api_endpoint(params=ArticleListParams)
def article_list(request: HttpRequest, *, params: dict) -> HttpResponse:
    limit = params["limit"]
    # One more than asked for says whether there is a next page without counting.
    found = list(filtered_articles(params).for_syndication()[: limit + 1])
    page = found[:limit]
    next_url = None
    if len(found) > limit:
        query = request.GET.copy()
        query["cursor"] = Cursor.encode(page[-1])
        next_url = request.build_absolute_uri(f"{request.path}?{query.urlencode()}")
    return JsonResponse({"items": [ninjs_item(article, request=request) for article in page], "next": next_url})


@cache_public
@api_endpoint()
def article_detail(request: HttpRequest, pk: int, *, params: dict) -> HttpResponse:
    article = Article.objects.live().for_syndication().filter(pk=pk).first()
    if article is None:
        return json_error(404, "No published article has this id.")
    return JsonResponse(ninjs_item(article, request=request))


class ApiCorsMiddleware:
    """
    Lets pages on any origin read the API (CORS): `Access-Control-Allow-Origin: *` on every GET and HEAD response
    under /api/ (304s and errors included), and an answer to preflight OPTIONS requests, which conditional requests
    (If-None-Match) need. Nothing for other methods; no credentials, the API being public.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path_info.startswith(API_PREFIX):
            return self.get_response(request)
        if request.method == "OPTIONS":
            response = HttpResponse(status=204)
            response["Allow"] = response["Access-Control-Allow-Methods"] = "GET, HEAD, OPTIONS"
            response["Access-Control-Allow-Headers"] = "If-None-Match, If-Modified-Since"
            response["Access-Control-Max-Age"] = "86400"
        else:
            response = self.get_response(request)
            if request.method not in SAFE_METHODS:
                return response
            response["Access-Control-Expose-Headers"] = "ETag"
        response["Access-Control-Allow-Origin"] = "*"
        return response
