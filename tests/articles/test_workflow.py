"""The editorial workflow: who may do what, scheduling and embargo, stale edits, preview links, revisions."""

import threading
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from articles import permissions
from articles.models import Article, Correction, PreviewLink, StaleEdit, Transition
from articles.publishing import article_went_live, publish_due
from articles.roles import EDITORS, JOURNALISTS
from tests.factories import ArticleFactory, SectionFactory, UserFactory

pytestmark = pytest.mark.django_db

INLINES = ["bylines", "tagged_items", "related_pins", "related_exclusions", "corrections", "transitions"]


def staff(username: str, group: str) -> object:
    user = UserFactory(username=username, is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def journalist():
    return staff("jo", JOURNALISTS)


@pytest.fixture
def other_journalist():
    return staff("olly", JOURNALISTS)


@pytest.fixture
def editor():
    return staff("ed", EDITORS)


def login(client: Client, user) -> Client:
    client.force_login(user)
    return client


def change_url(article: Article) -> str:
    return reverse("admin:articles_article_change", args=[article.pk])


def form_data(article: Article, **fields) -> dict:
    """What the change form posts for `article`, as it is now, plus `fields`."""
    data = {
        "headline": article.headline,
        "slug": article.slug,
        "standfirst": article.standfirst,
        "section": article.section_id,
        "dateline": article.dateline,
        "body": article.body,
        "expected_version": article.version,
        **{f"{prefix}-{count}": "0" for prefix in INLINES for count in ("TOTAL_FORMS", "INITIAL_FORMS")},
    }
    for name in ("publish_at", "embargo_until", "expire_at"):
        value = getattr(article, name)
        if value:
            local = timezone.localtime(value)
            data[f"{name}_0"], data[f"{name}_1"] = local.strftime("%Y-%m-%d"), local.strftime("%H:%M:%S")
    return data | fields


def errors_of(response) -> str:
    return response.content.decode()


# --- The role x action matrix, on the model operations themselves --------------------------------------------------


@pytest.mark.parametrize(
    ("role", "status", "transition", "allowed"),
    [
        ("owner", "draft", permissions.SUBMIT, True),
        ("owner", "draft", permissions.PUBLISH, False),
        ("owner", "in_review", permissions.SEND_BACK, False),
        ("owner", "published", permissions.WITHDRAW, False),
        ("other", "draft", permissions.SUBMIT, False),
        ("other", "draft", permissions.PUBLISH, False),
        ("editor", "draft", permissions.PUBLISH, True),
        ("editor", "in_review", permissions.SEND_BACK, True),
        ("editor", "in_review", permissions.PUBLISH, True),
        ("editor", "published", permissions.WITHDRAW, True),
        ("editor", "withdrawn", permissions.PUBLISH, True),
        ("editor", "draft", permissions.WITHDRAW, False),
    ],
)
def test_each_role_may_perform_only_its_transitions(
    journalist, other_journalist, editor, role: str, status: str, transition: str, allowed: bool
) -> None:
    publish_at = timezone.now() - timedelta(hours=1) if status == "published" else None
    article = ArticleFactory(status=status, created_by=journalist, publish_at=publish_at)
    user = {"owner": journalist, "other": other_journalist, "editor": editor}[role]
    perform = {
        permissions.SUBMIT: lambda: article.submit(by=user),
        permissions.SEND_BACK: lambda: article.send_back(by=user, note="Needs a second source."),
        permissions.PUBLISH: lambda: article.publish(by=user),
        permissions.WITHDRAW: lambda: article.withdraw(by=user),
    }[transition]
    if allowed:
        perform()
        assert Transition.objects.filter(article=article, by=user).count() == 1
    else:
        with pytest.raises(PermissionDenied):
            perform()
        article.refresh_from_db()
        assert article.status == status
        assert not Transition.objects.exists()


@pytest.mark.parametrize(
    ("role", "status", "may_edit"),
    [
        ("owner", "draft", True),
        ("owner", "in_review", False),
        ("owner", "published", False),
        ("other", "draft", False),
        ("editor", "draft", True),
        ("editor", "published", True),
    ],
)
def test_who_may_edit_an_article(journalist, other_journalist, editor, role, status, may_edit) -> None:
    article = ArticleFactory(status=status, created_by=journalist)
    user = {"owner": journalist, "other": other_journalist, "editor": editor}[role]
    assert permissions.can_edit(user, article) is may_edit


def test_a_journalist_credited_in_the_byline_owns_the_article(journalist) -> None:
    from tests.factories import AuthorFactory

    author = AuthorFactory(user=journalist)
    assert permissions.can_edit(journalist, ArticleFactory(draft=True, authors=[author]))


# --- Through the admin, as people (and crafted POSTs) use it -------------------------------------------------------


def test_journalist_writes_and_submits_a_story_in_the_admin(client: Client, journalist) -> None:
    section = SectionFactory(name="World")
    data = form_data(ArticleFactory.build(draft=True, section=section, headline="Floods in Valencia", slug="floods"))
    data.pop("expected_version")
    response = login(client, journalist).post(reverse("admin:articles_article_add"), data | {"_transition": "submit"})
    assert response.status_code == 302
    article = Article.objects.get()
    assert (article.status, article.created_by, article.last_edited_by) == ("in_review", journalist, journalist)
    assert list(article.transitions.values_list("from_status", "to_status", "by")) == [
        ("draft", "in_review", journalist.pk)
    ]
    # Now in review, it is the editors' to change.
    assert client.post(change_url(article), form_data(article, headline="Too late")).status_code == 403


def test_crafted_post_cannot_make_a_journalist_publish(client: Client, journalist) -> None:
    article = ArticleFactory(draft=True, created_by=journalist)
    future = timezone.localtime() + timedelta(hours=1)
    crafted = form_data(
        article,
        status="published",
        publish_at_0=future.strftime("%Y-%m-%d"),
        publish_at_1=future.strftime("%H:%M:%S"),
        embargo_until_0="2020-01-01",
        embargo_until_1="00:00:00",
        _transition="publish",
    )
    response = login(client, journalist).post(change_url(article), crafted)
    assert response.status_code == 200
    assert "You may not publish / schedule this article." in errors_of(response)
    article.refresh_from_db()
    assert (article.status, article.publish_at, article.embargo_until) == ("draft", None, None)


def test_journalist_cannot_set_publication_times_even_on_a_plain_save(client: Client, journalist) -> None:
    article = ArticleFactory(draft=True, created_by=journalist, headline="Old headline")
    crafted = form_data(article, publish_at_0="2030-01-01", publish_at_1="10:00:00", headline="New headline")
    response = login(client, journalist).post(change_url(article), crafted)
    assert response.status_code == 200
    assert "Only editors may set these: publish at." in errors_of(response)
    article.refresh_from_db()
    assert (article.headline, article.publish_at) == ("Old headline", None)


def test_journalist_cannot_edit_someone_elses_article(client: Client, journalist, other_journalist) -> None:
    article = ArticleFactory(draft=True, created_by=other_journalist, headline="Theirs")
    response = login(client, journalist).post(change_url(article), form_data(article, headline="Mine now"))
    assert response.status_code == 403
    article.refresh_from_db()
    assert article.headline == "Theirs"


def test_journalist_list_actions_cannot_publish_or_delete(client: Client, journalist) -> None:
    article = ArticleFactory(draft=True, created_by=journalist)
    changelist = reverse("admin:articles_article_changelist")
    login(client, journalist)
    for action in ("publish_selected", "withdraw_selected", "delete_selected"):
        client.post(changelist, {"action": action, "_selected_action": [article.pk], "post": "yes"})
    article.refresh_from_db()
    assert article.status == "draft"


def test_editor_sends_a_story_back_with_a_note(client: Client, editor, journalist) -> None:
    article = ArticleFactory(in_review=True, created_by=journalist)
    login(client, editor)
    missing_note = client.post(change_url(article), form_data(article, _transition="send_back"))
    assert "a note is required to send a story back" in errors_of(missing_note)
    response = client.post(
        change_url(article), form_data(article, _transition="send_back", transition_note="Check the figures.")
    )
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.status == "draft"
    assert article.transitions.get().note == "Check the figures."
    # Back with its writer, who may edit it again, and sees the note in the history.
    page = login(Client(), journalist).get(change_url(article)).content.decode()
    assert "Check the figures." in page


def test_editor_schedules_a_story_which_goes_live_at_its_time(client: Client, editor) -> None:
    article = ArticleFactory(in_review=True)
    publish_at = (timezone.now() + timedelta(hours=2)).replace(microsecond=0)
    local = timezone.localtime(publish_at)
    data = form_data(
        article,
        publish_at_0=local.strftime("%Y-%m-%d"),
        publish_at_1=local.strftime("%H:%M:%S"),
        _transition="publish",
    )
    assert login(client, editor).post(change_url(article), data).status_code == 302
    article.refresh_from_db()
    assert (article.status, article.publish_at, article.first_published_at) == ("published", publish_at, None)
    assert article.publication_state == "scheduled"
    anonymous = Client()
    assert anonymous.get(article.get_absolute_url()).status_code == 404
    with time_machine.travel(publish_at, tick=False):
        assert anonymous.get(article.get_absolute_url()).status_code == 200


def test_scheduled_filter_lists_only_scheduled_stories(client: Client, editor) -> None:
    ArticleFactory(headline="Already out")
    ArticleFactory(headline="Coming tomorrow", scheduled=True)
    ArticleFactory(headline="Still a draft", draft=True)
    response = login(client, editor).get(reverse("admin:articles_article_changelist"), {"state": "scheduled"})
    content = response.content.decode()
    assert "Coming tomorrow" in content and "Already out" not in content and "Still a draft" not in content
    assert 'state-badge--scheduled">Scheduled<' in content


def test_my_articles_filter(client: Client, journalist) -> None:
    ArticleFactory(headline="Written by me", created_by=journalist)
    ArticleFactory(headline="Written by someone else")
    content = login(client, journalist).get(reverse("admin:articles_article_changelist"), {"mine": "1"}).content
    assert b"Written by me" in content and b"Written by someone else" not in content


# --- Embargo and times ----------


def test_embargo_is_a_floor_whatever_the_publish_time(editor) -> None:
    embargo = timezone.now() + timedelta(hours=3)
    article = ArticleFactory(in_review=True, embargo_until=embargo)
    with pytest.raises(ValidationError, match="before the embargo"):
        article.publish(by=editor, at=embargo - timedelta(minutes=1))
    article.publish(by=editor)  # "now" means: when the embargo lifts
    assert article.publish_at == embargo
    assert not Article.objects.live().exists()
    with time_machine.travel(embargo, tick=False):
        assert Article.objects.live().get() == article


def test_admin_refuses_a_publish_time_before_the_embargo(client: Client, editor) -> None:
    article = ArticleFactory(in_review=True)
    data = form_data(
        article,
        publish_at_0="2031-01-01",
        publish_at_1="09:00:00",
        embargo_until_0="2031-01-01",
        embargo_until_1="10:00:00",
        _transition="publish",
    )
    response = login(client, editor).post(change_url(article), data)
    assert "The publish time is before the embargo" in errors_of(response)
    article.refresh_from_db()
    assert (article.status, article.embargo_until) == ("in_review", None)


def test_admin_explains_embargo_when_publishing_an_embargoed_story(client: Client, editor) -> None:
    embargo = timezone.localtime() + timedelta(hours=5)
    article = ArticleFactory(in_review=True)
    data = form_data(
        article,
        embargo_until_0=embargo.strftime("%Y-%m-%d"),
        embargo_until_1=embargo.strftime("%H:%M:%S"),
        _transition="publish",
    )
    response = login(client, editor).post(change_url(article), data, follow=True)
    assert "is scheduled: readers will see it from" in response.content.decode()


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"publish_at_0": "2031-13-45", "publish_at_1": "25:99"}, "Enter a valid date"),
        (
            {
                "publish_at_0": "2031-01-02",
                "publish_at_1": "10:00",
                "expire_at_0": "2031-01-01",
                "expire_at_1": "10:00",
            },
            "The expiry time must be after the publish time.",
        ),
    ],
)
def test_bad_times_get_a_clear_message_and_nothing_is_saved(client: Client, editor, fields, message) -> None:
    article = ArticleFactory(in_review=True, headline="Unchanged")
    response = login(client, editor).post(
        change_url(article), form_data(article, headline="Changed", _transition="publish", **fields)
    )
    assert response.status_code == 200
    assert message in errors_of(response)
    article.refresh_from_db()
    assert (article.headline, article.status) == ("Unchanged", "in_review")


# --- No lost edits ----------


def test_a_stale_save_is_refused_and_keeps_the_users_input(client: Client, editor) -> None:
    article = ArticleFactory(draft=True, headline="Original headline")
    login(client, editor)
    client.get(change_url(article))  # a first save creates a revision to compare with
    client.post(change_url(article), form_data(article))
    article.refresh_from_db()
    opened_version = article.version

    colleague = login(Client(), staff("colleague", EDITORS))
    colleague.post(change_url(article), form_data(article, headline="Colleague's headline"))
    article.refresh_from_db()
    assert article.version == opened_version + 1

    stale = form_data(article, headline="My headline", expected_version=opened_version)
    response = client.post(change_url(article), stale)
    assert response.status_code == 200
    content = response.content.decode()
    assert "colleague saved this article at" in content
    assert 'value="My headline"' in content  # the user's input is still on screen
    assert "What changed since you opened this article" in content
    assert "Colleague&#x27;s" in content or "Colleague's" in content
    article.refresh_from_db()
    assert article.headline == "Colleague's headline"


def test_the_model_refuses_a_stale_save_too() -> None:
    article = ArticleFactory(draft=True)
    first, second = Article.objects.get(pk=article.pk), Article.objects.get(pk=article.pk)
    first.headline = "First"
    first.save(expected_version=first.version)
    second.headline = "Second"
    with pytest.raises(StaleEdit):
        second.save(expected_version=second.version)
    assert Article.objects.get(pk=article.pk).headline == "First"


def test_change_form_shows_who_else_opened_the_article(client: Client, editor) -> None:
    article = ArticleFactory(draft=True)
    login(Client(), staff("colleague", EDITORS)).get(change_url(article))
    content = login(client, editor).get(change_url(article)).content.decode()
    assert "Also opened in the last 15 minutes by" in content
    assert "<strong>colleague</strong>" in content


# --- Preview ----------


def test_staff_preview_shows_an_unpublished_article_as_readers_will_see_it(client: Client, journalist) -> None:
    article = ArticleFactory(draft=True, headline="Draft scoop", created_by=journalist)
    response = login(client, journalist).get(reverse("admin:articles_article_preview", args=[article.pk]))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Draft scoop" in content and 'class="preview-banner"' in content
    assert {"private", "no-store"} <= {part.strip() for part in response["Cache-Control"].split(",")}
    assert Client().get(reverse("admin:articles_article_preview", args=[article.pk])).status_code == 302  # login


def create_preview_link(client: Client, article: Article) -> str:
    response = client.post(reverse("admin:articles_article_share", args=[article.pk]), follow=True)
    assert response.status_code == 200
    return PreviewLink.objects.get(article=article).get_absolute_url()


def test_editor_shares_a_preview_link_that_works_without_an_account(client: Client, editor) -> None:
    article = ArticleFactory(draft=True, headline="Embargoed budget")
    url = create_preview_link(login(client, editor), article)
    response = Client().get(url)
    assert response.status_code == 200
    assert "Embargoed budget" in response.content.decode()
    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert "<script" not in response.content.decode()


def test_preview_link_expires_after_48_hours(client: Client, editor) -> None:
    article = ArticleFactory(draft=True, headline="Secret")
    url = create_preview_link(login(client, editor), article)
    with time_machine.travel(timezone.now() + timedelta(hours=47), tick=False):
        assert Client().get(url).status_code == 200
    with time_machine.travel(timezone.now() + timedelta(hours=48, seconds=1), tick=False):
        response = Client().get(url)
    assert response.status_code == 404
    assert b"Secret" not in response.content


def test_revoked_or_forged_preview_links_are_a_plain_404(client: Client, editor) -> None:
    article = ArticleFactory(draft=True, headline="Secret")
    url = create_preview_link(login(client, editor), article)
    link = PreviewLink.objects.get()
    client.post(reverse("admin:articles_article_revoke_share", args=[article.pk, link.pk]))
    never = Client().get("/preview/not-a-token/")
    revoked = Client().get(url)
    assert revoked.status_code == never.status_code == 404
    assert revoked.content == never.content
    # A valid signature for another article does not open this one.
    other = ArticleFactory(draft=True)
    forged = PreviewLink(pk=PreviewLink.objects.create(article=other).pk, article=article).get_absolute_url()
    assert Client().get(forged).status_code == 404


def test_journalist_cannot_create_preview_links(client: Client, journalist) -> None:
    article = ArticleFactory(draft=True, created_by=journalist)
    response = login(client, journalist).post(reverse("admin:articles_article_share", args=[article.pk]))
    assert response.status_code == 403
    assert not PreviewLink.objects.exists()


# --- Revisions ----------


def test_editor_compares_and_restores_a_revision(client: Client, editor) -> None:
    article = ArticleFactory(in_review=True, headline="First headline", body="<p>Old words here.</p>")
    login(client, editor)
    client.post(change_url(article), form_data(article))
    article.refresh_from_db()
    client.post(change_url(article), form_data(article, headline="Second headline", body="<p>New words here.</p>"))
    revisions_url = reverse("admin:articles_article_revisions", args=[article.pk])
    page = client.get(revisions_url)
    versions = page.context["versions"]
    assert len(versions) == 2
    comparison = client.get(revisions_url, {"from": versions[1].pk, "to": versions[0].pk}).content.decode()
    assert "<del>First</del>" in comparison and "<ins>Second</ins>" in comparison
    assert "<del>Old</del>" in comparison and "<ins>New</ins>" in comparison

    client.post(reverse("admin:articles_article_restore", args=[article.pk, versions[1].pk]))
    article.refresh_from_db()
    assert (article.headline, article.body, article.status) == (
        "First headline",
        "<p>Old words here.</p>",
        "in_review",
    )
    assert len(client.get(revisions_url).context["versions"]) == 3  # restoring is itself a revision


def test_restoring_keeps_the_workflow_state(client: Client, editor) -> None:
    article = ArticleFactory(draft=True, headline="Draft headline")
    login(client, editor)
    client.post(change_url(article), form_data(article))
    article.refresh_from_db()
    client.post(change_url(article), form_data(article, headline="Final headline", _transition="publish"))
    article.refresh_from_db()
    oldest = client.get(reverse("admin:articles_article_revisions", args=[article.pk])).context["versions"][-1]
    client.post(reverse("admin:articles_article_restore", args=[article.pk, oldest.pk]))
    article.refresh_from_db()
    assert (article.headline, article.status) == ("Draft headline", "published")


def test_journalist_cannot_restore_a_revision_of_an_article_they_may_not_edit(client: Client, journalist) -> None:
    article = ArticleFactory(headline="Published")
    editor_client = login(Client(), staff("boss", EDITORS))
    editor_client.post(change_url(article), form_data(article, headline="Published, edited"))
    version = editor_client.get(reverse("admin:articles_article_revisions", args=[article.pk])).context["versions"][0]
    response = login(client, journalist).post(reverse("admin:articles_article_restore", args=[article.pk, version.pk]))
    assert response.status_code == 403


# --- Corrections ----------


def test_correction_is_shown_with_an_updated_time(client: Client) -> None:
    article = ArticleFactory(publish_at=timezone.now() - timedelta(days=1))
    Correction.objects.create(article=article, text="An earlier version misspelt the minister's name.")
    content = client.get(article.get_absolute_url()).content.decode()
    assert "An earlier version misspelt the minister&#x27;s name." in content
    assert "Updated" in content


# --- The publish_due sweep ------------------------------------------------------------------------------------------


def test_publish_due_records_and_announces_each_story_once() -> None:
    publish_at = datetime(2026, 5, 1, 10, 0, tzinfo=UTC)
    article = ArticleFactory(publish_at=publish_at, first_published_at=None)
    announced = []
    article_went_live.connect(lambda sender, article_id, **kw: announced.append(article_id), weak=False)
    try:
        with time_machine.travel(publish_at - timedelta(seconds=1), tick=False):
            assert publish_due() == []
        with time_machine.travel(publish_at + timedelta(seconds=30), tick=False):
            assert publish_due() == [article.pk]
            assert publish_due() == []
    finally:
        article_went_live.receivers.clear()
    article.refresh_from_db()
    assert article.first_published_at == publish_at
    assert announced == [article.pk]


def test_publish_due_records_the_embargo_end_as_first_publication() -> None:
    embargo = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
    article = ArticleFactory(publish_at=embargo - timedelta(hours=2), embargo_until=embargo, first_published_at=None)
    with time_machine.travel(embargo, tick=False):
        publish_due()
    article.refresh_from_db()
    assert article.first_published_at == embargo


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent connections to one database")
def test_concurrent_publish_due_runs_never_handle_a_story_twice() -> None:
    articles = [ArticleFactory(first_published_at=None, section=SectionFactory(name="World")) for _ in range(40)]
    results: list[list[int]] = []
    barrier = threading.Barrier(2)

    def run() -> None:
        try:
            barrier.wait()
            results.append(publish_due())
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    handled = [pk for result in results for pk in result]
    assert sorted(handled) == sorted(article.pk for article in articles)


def test_publish_due_command_reports_what_went_live(capsys) -> None:
    from django.core.management import call_command

    ArticleFactory(first_published_at=None)
    call_command("publish_due")
    assert "1 article(s) went live." in capsys.readouterr().out
