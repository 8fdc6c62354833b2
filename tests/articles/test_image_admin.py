"""The image library in the admin: thumbnails, search, the focal point picker, and choosing a lead image."""

from collections.abc import Callable

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from articles.models import Article, Image
from articles.roles import EDITORS, JOURNALISTS
from tests.articles.test_admin import article_form
from tests.factories import ArticleFactory, ImageFactory, SectionFactory, UserFactory, picture_bytes

pytestmark = pytest.mark.django_db


def staff_client(client: Client, group: str) -> Client:
    user = UserFactory(username=group.lower(), is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    client.force_login(user)
    return client


@pytest.fixture
def editor(client: Client) -> Client:
    return staff_client(client, EDITORS)


@pytest.mark.parametrize("count", [2, 6])
def test_library_lists_pictures_with_thumbnails_in_a_fixed_number_of_queries(
    editor: Client, django_assert_num_queries: Callable, count: int
) -> None:
    for n in range(count):
        ImageFactory(alt_text=f"Flooded street {n}", renditions=True)
    # session; user; user and group permissions; agencies for the filter; count; page of images with agency and
    # uploader; their thumbnails; date hierarchy range and days
    with django_assert_num_queries(10):
        response = editor.get(reverse("admin:articles_image_changelist"))
    thumbnails = BeautifulSoup(response.content, "html.parser").select("#result_list .field-thumbnail img")
    assert len(thumbnails) == count
    assert all("/original-320-" in img["src"] for img in thumbnails)


def test_library_search_finds_pictures_by_caption_and_credit(editor: Client) -> None:
    ImageFactory(alt_text="A flooded street", caption="Valencia under water", photographer="Ana Lima")
    ImageFactory(alt_text="A stadium", caption="Cup final", photographer="Tom Roe")
    response = editor.get(reverse("admin:articles_image_changelist"), {"q": "Lima"})
    soup = BeautifulSoup(response.content, "html.parser")
    assert [td.get_text(strip=True) for td in soup.select("#result_list .field-alt_text")] == ["A flooded street"]


def test_change_form_shows_the_picture_to_click_and_the_body_shortcode(editor: Client) -> None:
    image = ImageFactory(renditions=True, focal_x=0.25)
    response = editor.get(reverse("admin:articles_image_change", args=[image.pk]))
    soup = BeautifulSoup(response.content, "html.parser")
    picker = soup.select_one("[data-focal-point] img")
    assert "/images/renditions/" in picker["src"] and "/original-" in picker["src"]
    assert soup.select_one("#id_focal_x")["value"] == "0.25"
    assert soup.find("script", src=lambda src: src and src.endswith("js/focal-point.js"))
    assert f"[image {image.pk}]" in soup.get_text()
    assert soup.select_one("#id_file") is None  # a stored picture is never replaced


def test_add_form_offers_the_upload_and_the_picker(editor: Client) -> None:
    soup = BeautifulSoup(editor.get(reverse("admin:articles_image_add")).content, "html.parser")
    assert soup.select_one("input#id_file[type=file]")["accept"] == "image/*"
    assert soup.select_one("[data-focal-point]") is not None


def test_alt_text_is_required(editor: Client) -> None:
    upload = SimpleUploadedFile("x.jpg", picture_bytes(), "image/jpeg")
    response = editor.post(
        reverse("admin:articles_image_add"), {"file": upload, "alt_text": "", "focal_x": "0.5", "focal_y": "0.5"}
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["alt_text"] == ["This field is required."]
    assert not Image.objects.exists()


def test_a_lead_image_is_chosen_through_autocomplete(editor: Client) -> None:
    image = ImageFactory(alt_text="Wildfire near Athens", caption="Smoke over the hills")
    ImageFactory(alt_text="A cup final")
    response = editor.get(
        reverse("admin:autocomplete"),
        {"term": "Athens", "app_label": "articles", "model_name": "article", "field_name": "lead_image"},
    )
    assert [result["id"] for result in response.json()["results"]] == [str(image.pk)]
    section = SectionFactory(name="World")
    form = article_form(section.pk, lead_image=str(image.pk), lead_image_caption="Smoke over Athens on Monday.")
    assert editor.post(reverse("admin:articles_article_add"), form).status_code == 302
    article = Article.objects.get()
    assert (article.lead_image, article.lead_image_caption) == (image, "Smoke over Athens on Monday.")


def test_journalists_can_upload_pictures(client: Client) -> None:
    journalist = staff_client(client, JOURNALISTS)
    assert journalist.get(reverse("admin:articles_image_add")).status_code == 200
    assert journalist.get(reverse("admin:articles_image_changelist")).status_code == 200


def test_a_picture_used_as_a_lead_image_cannot_be_deleted(admin_client: Client) -> None:
    image = ImageFactory()
    ArticleFactory(lead_image=image)
    response = admin_client.post(reverse("admin:articles_image_delete", args=[image.pk]), {"post": "yes"})
    assert response.status_code == 200
    assert "Cannot delete" in response.content.decode()
    assert Image.objects.filter(pk=image.pk).exists()
