import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from sections.models import Section
from tests.factories import ArticleFactory, SectionFactory

pytestmark = pytest.mark.django_db


def test_section_page_lists_its_own_and_its_subsections_stories(client: Client) -> None:
    world = SectionFactory(name="World")
    europe = SectionFactory(name="Europe", parent=world)
    france = SectionFactory(name="France", parent=europe)
    ArticleFactory(headline="In World", section=world)
    ArticleFactory(headline="In France", section=france)
    ArticleFactory(headline="In Sport", section=SectionFactory(name="Sport"))
    content = client.get("/world/").content.decode()
    assert "In World" in content and "In France" in content
    assert "In Sport" not in content
    assert "In World" not in client.get("/europe/").content.decode()


def test_section_cannot_take_a_slug_the_site_uses() -> None:
    with pytest.raises(ValidationError):
        Section(name="Topics", slug="topics").full_clean()


def test_section_cannot_sit_inside_its_own_subsection() -> None:
    world = SectionFactory(name="World")
    europe = SectionFactory(name="Europe", parent=world)
    world.parent = europe
    with pytest.raises(ValidationError):
        world.full_clean()


def test_renamed_section_redirects_from_its_old_address(client: Client) -> None:
    section = Section.objects.get(pk=SectionFactory(name="World").pk)
    section.slug = "international"
    section.save()
    response = client.get("/world/")
    assert (response.status_code, response["Location"]) == (301, "/international/")


def test_navigation_lists_top_level_sections_in_order(client: Client) -> None:
    SectionFactory(name="Sport", position=2)
    world = SectionFactory(name="World", position=1)
    SectionFactory(name="Europe", parent=world)
    content = client.get("/").content.decode()
    nav = content[content.index('aria-label="Sections"') :]
    assert nav.index(">World<") < nav.index(">Sport<")
    assert ">Europe<" not in nav[: nav.index("</nav>")]
