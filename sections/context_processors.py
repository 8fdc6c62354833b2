from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from .models import Section
from .tree import SectionTree, section_tree


def request_section_tree(request: HttpRequest) -> SectionTree:
    """The cached section tree, read once per request however many parts of the page need it."""
    if not hasattr(request, "_section_tree"):
        request._section_tree = section_tree()
    return request._section_tree


def top_level_sections(request: HttpRequest) -> list[Section]:
    """The sections in the site's navigation."""
    return request_section_tree(request).top_level()


def navigation(request: HttpRequest) -> dict:
    # Lazy: pages that don't render the navigation (admin, errors) don't pay for it.
    return {"navigation_sections": SimpleLazyObject(lambda: top_level_sections(request))}
