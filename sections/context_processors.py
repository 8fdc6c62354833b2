from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from .models import Section
from .tree import SectionTree, section_tree, tree_version


def request_section_tree(request: HttpRequest) -> SectionTree:
    """The cached section tree, read once per request however many parts of the page need it."""
    if not hasattr(request, "_section_tree"):
        request._section_tree = section_tree()
    return request._section_tree


def top_level_sections(request: HttpRequest) -> list[Section]:
    """The sections in the site's navigation."""
    return request_section_tree(request).top_level()


def request_tree_version(request: HttpRequest) -> str:
    """The section tree's version, from the tree if this request has read it, else with one cache read."""
    if hasattr(request, "_section_tree"):
        return request._section_tree.version
    return tree_version()


def navigation(request: HttpRequest) -> dict:
    # Lazy: pages that don't render the navigation (admin, errors) don't pay for it, and a page whose navigation
    # markup is cached under the tree's version (templates/base.html) reads neither the tree nor its sections.
    return {
        "navigation_sections": SimpleLazyObject(lambda: top_level_sections(request)),
        "navigation_version": SimpleLazyObject(lambda: request_tree_version(request)),
    }
