"""
In a real browser (Debian's Chromium through Playwright, tests/browser.py), against the live server:

- every hostile payload, on every public page and admin list that shows it, fires no dialog and leaves no handler or
  script address in the DOM the browser built, with the Content Security Policy switched off so that the markup
  alone is judged (the policy is a second wall, tested in test_security.py);
- the newsroom's journey: a journalist writes a story with a picture and submits it, an editor schedules it, and a
  reader sees it exactly from its time, not before; screenshots at phone and desktop widths go to test-artifacts/;
- the public pages have no serious or critical accessibility violation, by axe-core.
"""

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from articles.http_cache import content_changed
from articles.models import Article, Author, Image, Topic
from articles.roles import EDITORS, JOURNALISTS
from tests.browser import artifact, dom_problems, fired, node_package
from tests.factories import (
    AgencyFactory,
    ArticleFactory,
    AuthorFactory,
    ImageFactory,
    SectionFactory,
    TopicFactory,
    UserFactory,
    picture_bytes,
)
from tests.markup_safety import all_payloads

pytestmark = pytest.mark.django_db(transaction=True)

PAYLOADS = all_payloads()
AXE_VERSION = "4.10.3"


def sign_in(page, live_server, user) -> None:
    """Gives the browser a session of `user`, as signing in would."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])


def visit(page, url: str) -> list[str]:
    """Loads `url` and returns what could run script there: dialogs fired and dangerous attributes in the DOM."""
    before = len(fired(page))
    response = page.goto(url, wait_until="load")
    assert response is not None and response.status == 200, (url, response and response.status)
    return [*fired(page)[before:], *dom_problems(page)]


def test_hostile_payloads_fire_nothing_in_chromium(page, live_server, settings) -> None:
    settings.SECURE_CSP = settings.ADMIN_CSP = {}
    settings.NEWSROOM = {**settings.NEWSROOM, "ARTICLES_PER_PAGE": 1000, "IMAGE_AVIF": False}
    section, shared = SectionFactory(name="World"), TopicFactory(name="Shared")
    agency = AgencyFactory(name="AFP")
    articles = []
    for number, payload in enumerate(PAYLOADS):
        image = ImageFactory(alt_text=payload[:300], caption=payload[:1000], photographer=payload[:120])
        author = AuthorFactory(name=payload[:120], slug=f"author-{number}", bio=payload)
        topic = TopicFactory(name=payload[:100], slug=f"topic-{number}")
        articles.append(
            ArticleFactory(
                headline=payload[:255],
                slug=f"payload-{number}",
                standfirst=payload[:600],
                body=f"{payload}<p>[image {image.pk}]</p>",
                dateline=payload[:100],
                section=section,
                lead_image=image,
                lead_image_caption=payload[:1000],
                topics=[shared, topic],
                authors=[author],
                agencies=[agency],
            )
        )

    # The check can fail: markup that got past the sanitizer (written with update(), which skips it) is caught.
    control = ArticleFactory(headline="Control", section=section)
    Article.objects.filter(pk=control.pk).update(
        body='<p><img src="/nothing.png" onerror="alert(1)"><a href="javascript:alert(2)">x</a></p>'
    )
    content_changed()
    caught = visit(page, f"{live_server.url}{control.get_absolute_url()}")
    assert any(found.startswith("DIALOG-FIRED alert(1)") for found in caught), caught
    assert any("onerror" in found for found in caught) and any("javascript:" in found for found in caught)
    control.delete()

    problems = {}
    public = [article.get_absolute_url() for article in articles]
    public += ["/", section.get_absolute_url(), shared.get_absolute_url(), agency.get_absolute_url()]
    public += [author.get_absolute_url() for author in Author.objects.all()]
    for url in public:
        if found := visit(page, f"{live_server.url}{url}"):
            problems[url] = found
    sign_in(page, live_server, UserFactory(username="admin", is_staff=True, is_superuser=True))
    for model in ("article", "image", "author", "topic"):
        url = f"{reverse(f'admin:articles_{model}_changelist')}?all="
        if found := visit(page, f"{live_server.url}{url}"):
            problems[url] = found
    assert problems == {}
    assert Image.objects.count() == Topic.objects.count() - 1 == len(PAYLOADS)


def staff_member(username: str, group: str):
    user = UserFactory(username=username, is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    return user


def sign_in_through_the_form(page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}{reverse('admin:login')}")
    page.fill("#id_username", username)
    page.fill("#id_password", "correct horse battery staple")
    page.click("input[type=submit]")
    page.wait_for_url(f"{live_server.url}{reverse('admin:index')}")


def choose(page, field: str, search: str, option: str | None = None) -> None:
    """Picks an option of an autocomplete (select2) field by typing, as an editor does."""
    page.click(f".field-{field} .select2-selection")
    page.fill(".select2-container--open .select2-search__field", search)
    page.click(f".select2-container--open .select2-results__option:has-text('{option or search}')")


def csp_violations(page) -> list[str]:
    return [text for text in page.console_messages_seen if "Content Security Policy" in text]


@contextmanager
def reader(chromium, **options) -> Iterator:
    """A page in a browser profile of its own: no cookies, nothing cached."""
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, **options)
    try:
        yield context.new_page()
    finally:
        context.close()


def test_a_story_goes_from_journalist_to_editor_to_readers_at_its_time(page, chromium, live_server) -> None:
    section = SectionFactory(name="World", slug="world")
    journalist, editor = staff_member("jo", JOURNALISTS), staff_member("ed", EDITORS)
    ArticleFactory(headline="An older story", section=section)

    # The journalist uploads a picture, then writes the story around it and submits it.
    sign_in_through_the_form(page, live_server, "jo")
    page.goto(f"{live_server.url}{reverse('admin:articles_image_add')}")
    page.set_input_files(
        "#id_file", {"name": "metro.jpg", "mimeType": "image/jpeg", "buffer": picture_bytes(1600, 900)}
    )
    page.fill("#id_alt_text", "A flooded metro station, water up to the platform")
    page.fill("#id_caption", "Rossio station on Thursday morning.")
    page.click("input[name=_save]")
    page.wait_for_selector(".messagelist .success")
    page.goto(f"{live_server.url}{reverse('admin:articles_article_add')}")
    page.fill("#id_headline", "Floods close the Lisbon metro")
    page.fill("#id_standfirst", "Six stations shut after a night of storms.")
    choose(page, "section", "World")
    page.locator(".field-body .ProseMirror:visible").click()
    page.keyboard.type("Lisbon's metro closed six stations on Thursday after a night of heavy rain.")
    # Pictures are listed by caption; a search finds them by alt text too.
    choose(page, "lead_image", "flooded metro", "Rossio station on Thursday morning.")
    page.click("button[name=_transition][value=submit]")
    page.wait_for_selector(".messagelist .success")
    story = Article.objects.get(headline="Floods close the Lisbon metro")
    assert (story.status, story.created_by, story.lead_image.alt_text) == (
        "in_review",
        journalist,
        "A flooded metro station, water up to the platform",
    )
    assert "heavy rain" in story.body and story.slug == "floods-close-the-lisbon-metro"

    # The editor schedules it for an hour from now.
    page.context.clear_cookies()
    sign_in_through_the_form(page, live_server, "ed")
    publish_at = (timezone.now() + timedelta(hours=1)).replace(second=0, microsecond=0)
    local = timezone.localtime(publish_at)
    page.goto(f"{live_server.url}{reverse('admin:articles_article_change', args=[story.pk])}")
    page.fill("#id_publish_at_0", local.strftime("%Y-%m-%d"))
    page.fill("#id_publish_at_1", local.strftime("%H:%M:%S"))
    page.click("button[name=_transition][value=publish]")
    page.wait_for_selector(".messagelist .info")
    story.refresh_from_db()
    assert (story.status, story.publish_at, story.last_edited_by) == ("published", publish_at, editor)
    assert csp_violations(page) == []

    # A reader: not a second before its time; from its time on, the story, its picture and its place in listings.
    # (Each moment in a browser of its own: the 404's one-second max-age would otherwise be served from the
    # browser's cache, the clock being pinned only on the server's side.)
    address = f"{live_server.url}{story.get_absolute_url()}"
    with time_machine.travel(publish_at - timedelta(seconds=1), tick=False), reader(chromium) as early:
        assert early.goto(address).status == 404
        early.goto(f"{live_server.url}/")
        assert "Floods close the Lisbon metro" not in early.content()
    with time_machine.travel(publish_at, tick=False), reader(chromium) as on_time:
        assert on_time.goto(address).status == 200
        assert on_time.text_content("h1") == "Floods close the Lisbon metro"
        picture = on_time.locator(".article figure img").first
        assert picture.get_attribute("alt") == "A flooded metro station, water up to the platform"
        assert picture.evaluate("img => img.complete && img.naturalWidth > 0")
        on_time.screenshot(path=artifact("article-desktop.png"), full_page=True)
        on_time.set_viewport_size({"width": 390, "height": 844})
        on_time.reload()
        on_time.screenshot(path=artifact("article-phone.png"), full_page=True)
        # Nothing wider than a phone's screen.
        assert on_time.evaluate("document.documentElement.scrollWidth") <= 390
        on_time.goto(f"{live_server.url}/")
        assert "Floods close the Lisbon metro" in on_time.content()


def test_public_pages_have_no_serious_accessibility_violations(chromium, live_server, settings) -> None:
    settings.ROOT_URLCONF = "tests.browser_urls"
    axe = node_package("axe-core", AXE_VERSION, "axe.min.js")
    if axe is None:
        message = "axe-core could not be installed from the npm registry"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    world = SectionFactory(name="World", slug="world")
    SectionFactory(name="Europe", slug="europe", parent=world)
    topic, author, agency = TopicFactory(name="Floods"), AuthorFactory(name="Ann Lee", bio="Lisbon."), AgencyFactory()
    picture = ImageFactory(renditions=True)
    credits = {"section": world, "topics": [topic], "authors": [author], "agencies": [agency]}
    story = ArticleFactory(headline="Floods close the Lisbon metro", lead_image=picture, dateline="LISBON", **credits)
    for number in range(6):
        ArticleFactory(headline=f"Related story {number}", publish_at=timezone.now() - timedelta(hours=2), **credits)
    pages = ["/", story.get_absolute_url(), world.get_absolute_url(), topic.get_absolute_url()]
    pages += [author.get_absolute_url(), agency.get_absolute_url(), "/no-such-page/"]
    violations, everything = {}, {}
    # axe is injected as a script of the page's own, which the public pages' policy (rightly) refuses.
    with reader(chromium, bypass_csp=True) as page:
        for url in pages:
            page.goto(f"{live_server.url}{url}")
            page.add_script_tag(path=str(axe))
            results = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
            found = [
                f"{violation['id']} ({violation['impact']}): {[node['target'] for node in violation['nodes']]}"
                for violation in results["violations"]
                if violation["impact"] in ("serious", "critical")
            ]
            if found:
                violations[url] = found
            everything[url] = [(violation["id"], violation["impact"]) for violation in results["violations"]]
        # The check can fail: a picture without alt text is a critical violation.
        page.evaluate("document.body.append(Object.assign(document.createElement('img'), {src: '/x.png'}))")
        results = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
        assert ("image-alt", "critical") in [
            (violation["id"], violation["impact"]) for violation in results["violations"]
        ]
    # All of axe's findings, minor ones included, for people to read.
    artifact("axe.json").write_text(json.dumps(everything, indent=2))
    assert violations == {}
