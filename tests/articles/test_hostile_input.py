"""
Hostile HTML end to end: every payload of the corpora (tests/articles/data/xss/, with their sources) goes in through
every path that stores text, and comes out inert wherever it is shown.

Paths: the article form (headline, standfirst, body, dateline, lead picture's caption and credit), the image form
(alt text, caption, photographer), the author form (name, bio), the topic form (name) and wire ingest (headline,
summary, body, subjects, byline, place). Shown on: the article page (with its JSON-LD and social tags), listings
(home, section, topic, author, agency), every feed (read as XML, their HTML parts parsed), sitemaps, the API, and in
the admin: the changelists and the revision comparison.

Judged twice: by html5lib (as browsers parse; tests/markup_safety.py) on every response, and by headless Chromium
(tests/browser.py), which loads the pages with the dialogs hooked and audits the DOM it built.
"""

import json
from collections.abc import Iterable
from datetime import timedelta
from pathlib import Path
from xml.etree.ElementTree import Element

import pytest
from defusedxml.ElementTree import fromstring as parse_xml
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from reversion.models import Version

from articles import api, feeds
from articles.ingest.service import ingest
from articles.models import Agency, Article, Author, Image, Topic
from articles.roles import EDITORS
from sections.models import Section
from tests.factories import AgencyFactory, ArticleFactory, AuthorFactory, SectionFactory, TopicFactory, picture_bytes
from tests.markup_safety import all_payloads, fragment_problems, json_ld, page_problems, parse
from tests.surfaces import PUBLIC_SURFACES, Subjects

from .test_workflow import form_data, staff

pytestmark = pytest.mark.django_db

PAYLOADS = all_payloads()
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture(autouse=True)
def _everything_on_one_page(settings, monkeypatch) -> None:
    # Listings, feeds and the API show every story at once, so that each is checked in one response.
    settings.NEWSROOM = {**settings.NEWSROOM, "ARTICLES_PER_PAGE": 1000, "IMAGE_AVIF": False}
    monkeypatch.setattr(feeds, "FEED_ITEMS", 1000)
    monkeypatch.setattr(api, "MAX_LIMIT", 1000)


@pytest.fixture
def editor_client() -> Client:
    client = Client()
    client.force_login(staff("ed", EDITORS))
    return client


# --- Judging what comes out -----------------------------------------------------------------------------------------


def xml_problems(content: bytes) -> list[str]:
    """A feed or sitemap: well-formed XML, and whatever part feed readers render as HTML is a safe fragment."""
    root = parse_xml(content)  # raises on anything malformed, and refuses entity expansion tricks
    problems = []
    html_parts: Iterable[Element] = [
        *root.iter("description"),
        *root.iter("title"),  # RSS readers render titles as HTML
        *(element for element in root.iter(f"{ATOM}summary") if element.get("type") == "html"),
        *(element for element in root.iter(f"{ATOM}content") if element.get("type") == "html"),
    ]
    for element in html_parts:
        # The body opens with the dateline's <span> (articles/body.py).
        problems.extend(fragment_problems(element.text or "", also=frozenset({"span"})))
    return problems


def json_problems(content: bytes) -> list[str]:
    data = json.loads(content)
    items = data["items"] if "items" in data else [data]
    problems = []
    for item in items:
        for body in item.get("bodies", []):
            problems.extend(fragment_problems(body["value"]))
    return problems


def problems_of(response, *, admin: bool = False) -> list[str]:
    if response.status_code != 200:
        return [f"answered {response.status_code}"]
    kind = response["Content-Type"]
    if "html" in kind:
        nonce = None
        if admin and "nonce-" in response.get("Content-Security-Policy", ""):
            nonce = response["Content-Security-Policy"].split("'nonce-", 1)[1].split("'", 1)[0]
        return page_problems(response.content.decode(), admin=admin, nonce=nonce)
    if "xml" in kind:
        return xml_problems(response.content)
    if "json" in kind:
        return json_problems(response.content)
    return []


def article_page_problems(client: Client, article: Article) -> list[str]:
    """The article page is safe, and shows the stored text exactly: escaped once, neither run nor mangled."""
    response = client.get(article.get_absolute_url())
    problems = problems_of(response)
    if problems:
        return problems
    page = parse(response.content.decode())
    if page.css_first("#headline").text() != article.headline:
        problems.append(f"the headline shows as {page.css_first('#headline').text()!r}")
    if page.css_first("title").text() != f"{article.headline} | The Newsroom":
        problems.append("the <title> differs from the headline")
    if [data["headline"] for data in json_ld(response.content.decode())] != [article.headline]:
        problems.append("the JSON-LD headline differs from the headline")
    return problems


def rendered_problems(
    client: Client, editor_client: Client, articles: list[Article], *, urls: Iterable[str] = (), admin_urls=()
) -> dict[str, list[str]]:
    """Every place the articles' text is shown, anonymously and in the admin, with what is wrong in each."""
    found: dict[str, list[str]] = {}
    for article in articles:
        found[article.get_absolute_url()] = article_page_problems(client, article)
        detail = reverse("articles:api_article_detail", args=[article.pk])
        found[detail] = problems_of(client.get(detail))
    live = Article.objects.live().first()
    subjects = Subjects(
        section=live.section,
        topic=live.topics.first() or TopicFactory(name="No topic"),
        author=live.authors.first() or AuthorFactory(name="No author"),
        agency=live.agencies.first() or AgencyFactory(name="No agency"),
        article=live,
    )
    for url in [*(surface.url(subjects) for surface in PUBLIC_SURFACES), *urls]:
        found[url] = problems_of(client.get(url))
    changelists = [reverse(f"admin:articles_{model}_changelist") for model in ("article", "image", "author", "topic")]
    for url in [*(f"{url}?all=" for url in changelists), *admin_urls]:
        found[url] = problems_of(editor_client.get(url), admin=True)
    return {url: problems for url, problems in found.items() if problems}


# --- Paths in -------------------------------------------------------------------------------------------------------


def test_hostile_text_through_the_article_form_is_inert_everywhere(client: Client, editor_client: Client) -> None:
    section = SectionFactory(name="World")
    topic = TopicFactory(name="Shared topic")
    articles, comparisons = [], []
    for number, payload in enumerate(PAYLOADS):
        # Written plainly first, then edited to the payload, so the revision comparison shows it.
        draft = ArticleFactory.build(section=section, headline=f"Story {number}", slug=f"payload-{number}")
        response = editor_client.post(
            reverse("admin:articles_article_add"), form_data(draft) | {"expected_version": ""}
        )
        assert response.status_code == 302, payload
        article = Article.objects.get(slug=f"payload-{number}")
        hostile = form_data(
            article,
            headline=payload[:255],
            standfirst=payload[:600],
            body=payload,
            dateline=payload[:100],
            lead_image_caption=payload[:1000],
            lead_image_credit=payload[:200],
            _transition="publish",
        )
        response = editor_client.post(reverse("admin:articles_article_change", args=[article.pk]), hostile)
        assert response.status_code == 302, (payload, response.content.decode()[:2000])
        article.topics.add(topic)
        article = Article.objects.for_page().get(pk=article.pk)
        assert article.publication_state == "live"
        articles.append(article)
        versions = Version.objects.get_for_object(article)
        url = reverse("admin:articles_article_revisions", args=[article.pk])
        comparisons.append(f"{url}?from={versions[1].pk}&to={versions[0].pk}")
    assert rendered_problems(client, editor_client, articles, admin_urls=comparisons) == {}


def upload(editor_client: Client, payload: str, number: int) -> Image:
    data = {
        "file": SimpleUploadedFile(f"{number}.png", picture_bytes(64, 48, format="PNG"), content_type="image/png"),
        "focal_x": "0.5",
        "focal_y": "0.5",
        "alt_text": payload[:300],
        "caption": payload[:1000],
        "photographer": payload[:120],
    }
    response = editor_client.post(reverse("admin:articles_image_add"), data)
    assert response.status_code == 302, (payload, response.content.decode()[:2000])
    return Image.objects.latest("pk")


def test_hostile_text_through_the_image_form_is_inert_everywhere(client: Client, editor_client: Client) -> None:
    images = [upload(editor_client, payload, number) for number, payload in enumerate(PAYLOADS)]
    # Each picture leads a story of its own, and all of them are in one story's body.
    credits = {"topics": [TopicFactory()], "authors": [AuthorFactory()], "agencies": [AgencyFactory()]}
    articles = [ArticleFactory(headline=f"Pictured {image.pk}", lead_image=image, **credits) for image in images]
    body = "".join(f"<p>[image {image.pk}]</p>" for image in images)
    articles.append(ArticleFactory(headline="Every picture", body=body, **credits))
    assert rendered_problems(client, editor_client, articles) == {}
    # The page did show them: every alt text is on it, as text.
    page = parse(client.get(articles[-1].get_absolute_url()).content.decode())
    assert sorted(img.attributes["alt"] for img in page.css(".article__body img")) == sorted(
        image.alt_text for image in images
    )


def test_hostile_text_through_the_author_and_topic_forms_is_inert_everywhere(
    client: Client, editor_client: Client
) -> None:
    for number, payload in enumerate(PAYLOADS):
        data = {"name": payload[:120] or "x", "slug": f"author-{number}", "bio": payload}
        assert editor_client.post(reverse("admin:articles_author_add"), data).status_code == 302, payload
        data = {"name": payload[:100], "slug": f"topic-{number}"}
        response = editor_client.post(reverse("admin:articles_topic_add"), data)
        assert response.status_code == 302, (payload, response.content.decode()[:2000])
    authors, topics = list(Author.objects.all()), list(Topic.objects.all())
    # One story credits every author and carries every topic (its page, feeds and API list all of them); each
    # author's and topic's own page and RSS feed show its name and bio (Atom's titles are text, never HTML).
    article = ArticleFactory(headline="Everyone", authors=authors, topics=topics, agencies=[AgencyFactory()])
    urls = [
        url
        for slug_owner, kind in [*((author, "author") for author in authors), *((topic, "topic") for topic in topics)]
        for url in (
            reverse(f"articles:{kind}", kwargs={"slug": slug_owner.slug}),
            reverse(f"articles:feed_{kind}", kwargs={"slug": slug_owner.slug, "feed_format": "rss"}),
        )
    ]
    assert rendered_problems(client, editor_client, [Article.objects.for_page().get(pk=article.pk)], urls=urls) == {}


def test_hostile_text_through_wire_ingest_is_inert_everywhere(
    client: Client, editor_client: Client, tmp_path: Path
) -> None:
    SectionFactory(name="World", slug="world")
    items = [
        {
            "uri": f"urn:hostile:{number}",
            "version": "1",
            "versioncreated": (timezone.now() - timedelta(hours=1)).isoformat(),
            "copyrightholder": "AFP",
            "headline": payload,
            "description_text": payload,
            "body_html": payload,
            "byline": payload,
            "located": payload,
            "subjects": [{"name": payload}],
        }
        for number, payload in enumerate(PAYLOADS)
    ]
    (tmp_path / "hostile.jsonl").write_text("\n".join(json.dumps(item) for item in items))
    report = ingest(sources=[str(tmp_path / "hostile.jsonl")], publish=True)
    # Some payloads have no text left once tags are removed: those items are refused with a reason, not stored.
    assert len(report.failed) + Article.objects.count() == len(PAYLOADS), report.summary()
    assert all("no headline" in problem.reason for problem in report.failed), report.failed
    articles = list(Article.objects.for_page())
    urls = [topic.get_absolute_url() for topic in Topic.objects.all()]
    urls += [author.get_absolute_url() for author in Author.objects.all()]
    urls += [agency.get_absolute_url() for agency in Agency.objects.all()]
    urls += [section.get_absolute_url() for section in Section.objects.all()]
    assert rendered_problems(client, editor_client, articles, urls=urls) == {}
