from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from .models import Section
from .tree import section_tree


def top_level_sections(request: HttpRequest) -> list[Section]:
    """The sections in the site's navigation, from the cached section tree, once per request."""
    if not hasattr(request, "_top_level_sections"):
        request._top_level_sections = section_tree().top_level()
    return request._top_level_sections


def navigation(request: HttpRequest) -> dict:
    # Lazy: pages that don't render the navigation (admin, errors) don't pay for it.
    return {"navigation_sections": SimpleLazyObject(lambda: top_level_sections(request))}
