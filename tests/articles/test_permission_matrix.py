"""
The permission matrix: each role (anonymous, the journalist who wrote the story, another journalist, an editor) x
each action, through the admin as it is used: the change form's buttons, list actions and crafted POSTs of what the
form does not offer. An allowed action does what it says; a refused one answers 403 (or, for a visitor not signed
in, the sign-in page), or a form error or error message, and changes nothing at all.

The model-level rules behind it (permissions.py) have their own table in test_workflow.py.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from reversion.models import Version

from articles.models import Article, PreviewLink, RelatedPin, Transition
from articles.roles import EDITORS, JOURNALISTS
from sections.models import Section
from tests.factories import ArticleFactory, SectionFactory

from .test_workflow import change_url, form_data, staff

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "journalist", "other journalist", "editor"]
CHANGELIST = reverse("admin:articles_article_changelist")


def local(moment) -> tuple[str, str]:
    moment = timezone.localtime(moment)
    return moment.strftime("%Y-%m-%d"), moment.strftime("%H:%M:%S")


def soon() -> dict:
    day, time = local(timezone.now() + timedelta(days=1))
    return {"publish_at_0": day, "publish_at_1": time}


def embargo() -> dict:
    day, time = local(timezone.now() + timedelta(days=2))
    return {"embargo_until_0": day, "embargo_until_1": time}


def list_action(name: str) -> Callable:
    return lambda client, article: client.post(
        CHANGELIST, {"action": name, "_selected_action": [article.pk], "post": "yes"}, follow=True
    )


def restore_first_revision(client: Client, article: Article) -> object:
    oldest = Version.objects.get_for_object(article).order_by("pk").first()
    return client.post(reverse("admin:articles_article_restore", args=[article.pk, oldest.pk]))


PINNED = "The story an editor pins"


def pinned_target(article: Article) -> Article:
    return Article.objects.exclude(pk=article.pk).get(headline=PINNED)


def pin(target: Article) -> dict:
    return {
        "related_pins-TOTAL_FORMS": "1",
        "related_pins-0-related": target.pk,
        "related_pins-0-position": "0",
        "related_pins-0-article": "",
        "related_pins-0-id": "",
    }


@dataclass(frozen=True)
class Action:
    name: str
    # The story it acts on, as factory traits and fields (created by the journalist).
    story: dict
    perform: Callable[[Client, Article], object]
    # What having done it looks like.
    done: Callable[[Article | None], bool]
    allowed: frozenset[str] = field(default_factory=lambda: frozenset({"editor"}))


JOURNALIST_AND_EDITOR = frozenset({"journalist", "editor"})
ANYONE_ON_STAFF = frozenset({"journalist", "other journalist", "editor"})

ACTIONS = [
    Action("view in the admin", {"draft": True}, lambda c, a: c.get(change_url(a)), lambda a: True, ANYONE_ON_STAFF),
    Action(
        "edit (change form)",
        {"draft": True},
        lambda c, a: c.post(change_url(a), form_data(a, headline="Edited")),
        lambda a: a.headline == "Edited",
        JOURNALIST_AND_EDITOR,
    ),
    Action(
        "submit (change form button)",
        {"draft": True},
        lambda c, a: c.post(change_url(a), form_data(a, _transition="submit")),
        lambda a: a.status == "in_review",
        JOURNALIST_AND_EDITOR,
    ),
    Action(
        "submit (list action)",
        {"draft": True},
        list_action("submit_selected"),
        lambda a: a.status == "in_review",
        JOURNALIST_AND_EDITOR,
    ),
    Action(
        "publish (change form button)",
        {"in_review": True},
        lambda c, a: c.post(change_url(a), form_data(a, _transition="publish")),
        lambda a: a.publication_state == "live",
    ),
    Action(
        "publish own draft (crafted POST)",
        {"draft": True},
        lambda c, a: c.post(change_url(a), form_data(a, _transition="publish")),
        lambda a: a.status == "published",
    ),
    Action(
        "publish (list action)",
        {"in_review": True},
        list_action("publish_selected"),
        lambda a: a.publication_state == "live",
    ),
    Action(
        "schedule (change form)",
        {"in_review": True},
        lambda c, a: c.post(change_url(a), form_data(a, _transition="publish", **soon())),
        lambda a: a.publication_state == "scheduled",
    ),
    Action(
        "schedule own draft (crafted POST of the time alone)",
        {"draft": True},
        lambda c, a: c.post(change_url(a), form_data(a, **soon())),
        lambda a: a.publish_at is not None,
    ),
    Action(
        "set an embargo (crafted POST)",
        {"draft": True},
        lambda c, a: c.post(change_url(a), form_data(a, **embargo())),
        lambda a: a.embargo_until is not None,
    ),
    Action(
        "withdraw (change form button)",
        {},
        lambda c, a: c.post(change_url(a), form_data(a, _transition="withdraw")),
        lambda a: a.status == "withdrawn",
    ),
    Action("withdraw (list action)", {}, list_action("withdraw_selected"), lambda a: a.status == "withdrawn"),
    Action(
        "restore a revision",
        {"draft": True},
        restore_first_revision,
        lambda a: a.headline == "First version",
        JOURNALIST_AND_EDITOR,
    ),
    Action(
        "delete (delete page)",
        {"draft": True},
        lambda c, a: c.post(reverse("admin:articles_article_delete", args=[a.pk]), {"post": "yes"}),
        lambda a: a is None,
    ),
    Action("delete (list action)", {"draft": True}, list_action("delete_selected"), lambda a: a is None),
    Action(
        "create a preview link",
        {"draft": True},
        lambda c, a: c.post(reverse("admin:articles_article_share", args=[a.pk])),
        lambda a: PreviewLink.objects.filter(article=a).exists(),
    ),
    Action(
        "pin a related story (change form inline)",
        {"draft": True},
        lambda c, a: c.post(change_url(a), form_data(a, **pin(pinned_target(a)))),
        lambda a: a.related_pins.filter(related__headline=PINNED).exists(),
        # A journalist may edit their own draft, but pins are the editors' call: the inline isn't offered to them
        # and posting it anyway is refused, not quietly dropped.
    ),
    Action(
        "manage sections (add one)",
        {"draft": True},
        lambda c, a: c.post(
            reverse("admin:sections_section_add"), {"name": "Culture", "slug": "culture", "position": 0}
        ),
        lambda a: Section.objects.filter(slug="culture").exists(),
    ),
]


def state(article_pk: int) -> tuple:
    """Everything an action could change."""
    row = Article.objects.filter(pk=article_pk).values().first()
    return (
        row,
        Transition.objects.count(),
        Version.objects.count(),
        PreviewLink.objects.count(),
        RelatedPin.objects.count(),
        list(Section.objects.values_list("slug", flat=True)),
    )


def was_refused(role: str, response) -> bool:
    if role == "anonymous":
        # Sent to sign in (list actions follow the redirect, so their answer is the sign-in page itself).
        chain = [url for url, _status in getattr(response, "redirect_chain", [])]
        location = response["Location"] if response.status_code == 302 else (chain[-1] if chain else "")
        return location.startswith(reverse("admin:login"))
    if response.status_code == 403:
        return True
    content = response.content.decode()
    # A form error, or an error/warning message on the page a list action returns to.
    return response.status_code == 200 and any(
        marker in content for marker in ('class="errorlist', 'class="errornote', 'class="error"', 'class="warning"')
    )


@pytest.fixture
def people() -> dict:
    return {
        "anonymous": AnonymousUser(),
        "journalist": staff("jo", JOURNALISTS),
        "other journalist": staff("olly", JOURNALISTS),
        "editor": staff("ed", EDITORS),
    }


def story_for(action: Action, journalist) -> Article:
    story = ArticleFactory(section=SectionFactory(name="World"), created_by=journalist, **action.story)
    if action.name.startswith("pin a related story"):
        ArticleFactory(headline=PINNED, section=story.section)
    if action.name == "restore a revision":
        # Two revisions, saved by an editor: the story as first written, then as edited.
        editor = Client()
        editor.force_login(staff("boss", EDITORS))
        editor.post(change_url(story), form_data(story, headline="First version"))
        story.refresh_from_db()
        editor.post(change_url(story), form_data(story, headline="Second version"))
        story.refresh_from_db()
    return story


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", ACTIONS, ids=[action.name for action in ACTIONS])
def test_each_role_may_do_exactly_its_actions(people: dict, action: Action, role: str) -> None:
    story = story_for(action, people["journalist"])
    client = Client()
    if role != "anonymous":
        client.force_login(people[role])
    before = state(story.pk)
    response = action.perform(client, story)
    after = Article.objects.filter(pk=story.pk).first()
    if role in action.allowed:
        assert response.status_code in (200, 302), response.status_code
        assert action.done(after), f"{role} could not {action.name}"
    else:
        assert was_refused(role, response), (response.status_code, response.content.decode()[:3000])
        assert state(story.pk) == before, f"{role} changed something trying to {action.name}"
