import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from articles.models import Article
from articles.roles import EDITORS, JOURNALISTS
from tests.factories import ArticleFactory, SectionFactory, TopicFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor_client(client: Client) -> Client:
    user = UserFactory(username="editor", is_staff=True)
    user.groups.add(Group.objects.get(name=EDITORS))
    client.force_login(user)
    return client


INLINES = ["bylines", "tagged_items", "related_pins", "related_exclusions", "corrections", "transitions"]


def article_form(section_id: int, **fields: str) -> dict:
    data = {
        "headline": "Storm hits Lisbon",
        "slug": "storm-hits-lisbon",
        "standfirst": "Winds of 120 km/h.",
        "section": section_id,
        "dateline": "LISBON",
        "body": "<p>Text</p><script>alert(1)</script>",
        "status": "draft",
        **{f"{prefix}-{count}": "0" for prefix in INLINES for count in ("TOTAL_FORMS", "INITIAL_FORMS")},
    }
    return data | fields


def test_editorial_groups_exist_after_migrate() -> None:
    journalists = Group.objects.get(name=JOURNALISTS)
    assert journalists.permissions.filter(codename="add_article").exists()
    assert not journalists.permissions.filter(codename="delete_article").exists()
    assert Group.objects.get(name=EDITORS).permissions.filter(codename="change_section").exists()


def test_editor_saves_an_article_and_the_body_is_sanitized(editor_client: Client) -> None:
    section = SectionFactory(name="World")
    response = editor_client.post(reverse("admin:articles_article_add"), article_form(section.pk))
    assert response.status_code == 302, response.context["adminform"].form.errors
    article = Article.objects.get()
    assert article.body == "<p>Text</p>"


def test_a_duplicate_slug_in_a_section_gets_a_clear_form_error(editor_client: Client) -> None:
    section = SectionFactory(name="World")
    ArticleFactory(section=section, slug="storm-hits-lisbon")
    response = editor_client.post(reverse("admin:articles_article_add"), article_form(section.pk))
    assert response.status_code == 200
    assert "An article with this slug already exists in this section." in response.content.decode()
    assert Article.objects.count() == 1


def test_topics_are_chosen_in_the_article_form(editor_client: Client) -> None:
    section, topic = SectionFactory(name="World"), TopicFactory(name="Climate change")
    form = article_form(section.pk, **{"tagged_items-TOTAL_FORMS": "1", "tagged_items-0-tag": str(topic.pk)})
    assert editor_client.post(reverse("admin:articles_article_add"), form).status_code == 302
    assert [t.name for t in Article.objects.get().topic_list] == ["Climate change"]


@pytest.mark.parametrize(
    "model", ["articles_article", "articles_topic", "articles_agency", "articles_author", "sections_section"]
)
def test_admin_pages_open_for_an_editor(editor_client: Client, model: str) -> None:
    ArticleFactory(topics=[TopicFactory()])
    assert editor_client.get(reverse(f"admin:{model}_changelist")).status_code == 200
    assert editor_client.get(reverse(f"admin:{model}_add")).status_code == 200


def test_article_change_form_opens(editor_client: Client) -> None:
    article = ArticleFactory(topics=[TopicFactory()])
    assert editor_client.get(reverse("admin:articles_article_change", args=[article.pk])).status_code == 200


def test_topic_autocomplete_finds_topics(editor_client: Client) -> None:
    TopicFactory(name="Climate change")
    response = editor_client.get(
        reverse("admin:autocomplete"),
        {"term": "clim", "app_label": "articles", "model_name": "taggedarticle", "field_name": "tag"},
    )
    assert [result["text"] for result in response.json()["results"]] == ["Climate change"]
