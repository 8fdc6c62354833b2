from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from .models import Section


def top_level_sections(request: HttpRequest) -> list[Section]:
    """The sections in the site's navigation, read once per request however many times a page needs them."""
    if not hasattr(request, "_top_level_sections"):
        request._top_level_sections = list(Section.objects.top_level())
    return request._top_level_sections


def navigation(request: HttpRequest) -> dict:
    # Lazy: pages that don't render the navigation (admin, errors) don't pay for it.
    return {"navigation_sections": SimpleLazyObject(lambda: top_level_sections(request))}
