"""The section tree comes from the cache, and a change to the sections shows on the next page."""

from collections.abc import Callable

import pytest
from bs4 import BeautifulSoup
from django.core.cache import cache
from django.test import Client

from sections.models import Section
from sections.tree import TREE_KEY, VERSION_KEY, SectionTree, section_tree
from tests.factories import ArticleFactory, SectionFactory

pytestmark = pytest.mark.django_db


def navigation(client: Client) -> str:
    content = client.get("/").content.decode()
    nav = content[content.index('aria-label="Sections"') :]
    return nav[: nav.index("</nav>")]


def test_the_tree_costs_one_query_then_none(django_assert_num_queries: Callable) -> None:
    world = SectionFactory(name="World")
    SectionFactory(name="Europe", parent=world)
    with django_assert_num_queries(1):
        tree = section_tree()
    with django_assert_num_queries(0):
        again = section_tree()
        assert [section.name for section in again.top_level()] == ["World"]
        assert [section.name for section in again.subsections(again.get("world"))] == ["Europe"]
        assert again.get("europe").parent.name == "World"  # no query to follow the parent
    assert tree.descendant_ids(world) == again.descendant_ids(world)


def test_a_renamed_section_shows_in_the_navigation_on_the_next_page(
    client: Client, django_capture_on_commit_callbacks: Callable
) -> None:
    section = Section.objects.get(pk=SectionFactory(name="World").pk)
    ArticleFactory(section=section)
    assert ">World<" in navigation(client)
    with django_capture_on_commit_callbacks(execute=True):
        section.name = "International"
        section.save()
    nav = navigation(client)
    assert ">International<" in nav and ">World<" not in nav


def test_a_new_subsections_stories_show_on_its_parents_page(client: Client) -> None:
    world = SectionFactory(name="World")
    assert b"No stories here yet." in client.get("/world/").content
    ArticleFactory(headline="From Europe", section=SectionFactory(name="Europe", parent=world))
    assert b"From Europe" in client.get("/world/").content


def test_a_deleted_section_leaves_the_navigation(client: Client) -> None:
    SectionFactory(name="World")
    SectionFactory(name="Science").delete()
    assert ">Science<" not in navigation(client)
    assert client.get("/science/").status_code == 404


def test_a_tree_read_from_the_old_rows_before_the_commit_is_not_served_after_it(
    django_capture_on_commit_callbacks: Callable,
) -> None:
    section = Section.objects.get(pk=SectionFactory(name="World").pk)
    old_tree = SectionTree([Section.objects.get(pk=section.pk)])
    with django_capture_on_commit_callbacks(execute=True):
        section.name = "International"
        section.save()
        # Another process, reading before this transaction commits, stores the tree it saw under the version then.
        cache.set(TREE_KEY.format(version=cache.get(VERSION_KEY)), old_tree)
    assert [s.name for s in section_tree().top_level()] == ["International"]


def test_the_navigation_marks_the_section_each_page_belongs_to(client: Client) -> None:
    # The navigation's markup is cached per section: one page's "current" mark must not follow readers elsewhere.
    world = SectionFactory(name="World", position=1)
    SectionFactory(name="Science", position=2)
    europe = SectionFactory(name="Europe", parent=world)
    story = ArticleFactory(section=europe)

    def current(path: str) -> list[str]:
        nav = BeautifulSoup(client.get(path).content, "html.parser").select_one('nav[aria-label="Sections"]')
        assert [link.get_text() for link in nav.select("a")] == ["World", "Science"]
        return [link.get_text() for link in nav.select('a[aria-current="page"]')]

    assert current("/world/") == ["World"]
    assert current("/science/") == ["Science"]
    assert current(story.get_absolute_url()) == ["World"]  # a subsection's story: its top-level section
    assert current("/") == []
    assert current("/world/") == ["World"]
