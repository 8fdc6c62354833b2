from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.test import Client

from articles.models import Article
from tests.factories import AgencyFactory, ArticleFactory, AuthorFactory, SectionFactory, TopicFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2025, 9, 5, 12, 0, tzinfo=UTC)
# The properties of the ninjs 2.1 schema, which allows no others.
NINJS_PROPERTIES = {
    "uri", "type", "representationtype", "profile", "version", "firstcreated", "versioncreated", "contentcreated",
    "embargoed", "pubstatus", "urgency", "copyrightholder", "copyrightnotice", "usageterms", "ednote", "language",
    "descriptions", "bodies", "headlines", "people", "organisations", "places", "subjects", "events", "objects",
    "infosources", "title", "by", "slugline", "located", "renditions", "associations", "altids", "trustindicators",
    "standard", "genres", "expires", "rightsinfo",
}  # fmt: skip


def get_json(client: Client, url: str, status: int = 200) -> dict:
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code, response.content[:300])
    assert response["Content-Type"] == "application/json"
    return response.json()


def headlines(payload: dict) -> list[str]:
    return [item["headlines"][0]["value"] for item in payload["items"]]


@pytest.fixture
def article() -> Article:
    return ArticleFactory(
        headline="Macron banks on US backing",
        standfirst="The Paris gathering drew European leaders.",
        body="<p>French President Emmanuel Macron said so.</p>",
        section=SectionFactory(name="World"),
        dateline="PARIS",
        publish_at=datetime(2025, 9, 5, 10, 0, tzinfo=UTC),
        topics=[TopicFactory(name="Ukraine")],
        authors=[AuthorFactory(name="Nadia Rahman")],
        agencies=[AgencyFactory(name="Agencies")],
    )


def test_article_detail_is_a_ninjs_2_1_text_item(client: Client, article: Article) -> None:
    item = get_json(client, f"/api/articles/{article.pk}/")
    assert set(item) <= NINJS_PROPERTIES
    assert item["standard"]["name"] == "ninjs" and item["standard"]["version"] == "2.1"
    assert item["uri"] == f"tag:testserver,{article.created_at:%Y-%m-%d}:article:{article.pk}"
    assert (item["type"], item["pubstatus"], item["language"]) == ("text", "usable", "en")
    assert item["firstcreated"] == "2025-09-05T10:00:00+00:00"
    assert datetime.fromisoformat(item["versioncreated"]) >= datetime.fromisoformat(item["firstcreated"])
    assert item["version"].isdigit()
    assert item["headlines"] == [{"role": "main", "value": "Macron banks on US backing"}]
    assert item["descriptions"] == [
        {"role": "summary", "contenttype": "text/plain", "value": "The Paris gathering drew European leaders."}
    ]
    (body,) = item["bodies"]
    assert body["contenttype"] == "text/html"
    assert body["value"] == "<p>French President Emmanuel Macron said so.</p>"
    assert body["wordcount"] == 6
    assert item["by"] == "By Nadia Rahman and Agencies"
    assert [(source["name"], source["role"]) for source in item["infosources"]] == [
        ("Nadia Rahman", "author"),
        ("Agencies", "agency"),
    ]
    assert item["located"] == "PARIS"
    assert item["subjects"] == [
        {"name": "World", "literal": "world", "uri": "http://testserver/world/", "rel": "section"},
        {"name": "Ukraine", "literal": "ukraine", "uri": "http://testserver/topics/ukraine/"},
    ]
    assert item["renditions"] == [
        {"name": "web", "href": f"http://testserver{article.get_absolute_url()}", "contenttype": "text/html"}
    ]


def test_article_list_filters_by_section_topic_author_and_agency(client: Client) -> None:
    world = SectionFactory(name="World")
    europe = SectionFactory(name="Europe", parent=world)
    oil, ann, afp = TopicFactory(name="Oil"), AuthorFactory(name="Ann Lee"), AgencyFactory(name="AFP")
    ArticleFactory(headline="World story", section=world, topics=[oil])
    ArticleFactory(headline="Europe story", section=europe, authors=[ann])
    ArticleFactory(headline="Sport story", section=SectionFactory(name="Sport"), agencies=[afp], topics=[oil])
    assert sorted(headlines(get_json(client, "/api/articles/?section=world"))) == ["Europe story", "World story"]
    assert sorted(headlines(get_json(client, "/api/articles/?topic=oil"))) == ["Sport story", "World story"]
    assert headlines(get_json(client, "/api/articles/?author=ann-lee")) == ["Europe story"]
    assert headlines(get_json(client, "/api/articles/?agency=afp&topic=oil")) == ["Sport story"]
    assert headlines(get_json(client, "/api/articles/?section=no-such-section")) == []


def test_since_lists_stories_that_changed_at_or_after_it(client: Client) -> None:
    with time_machine.travel(NOW - timedelta(days=2), tick=False):
        ArticleFactory(headline="Old")
        edited = ArticleFactory(headline="Edited today")
    with time_machine.travel(NOW, tick=False):
        edited.save()
        ArticleFactory(headline="New")
        assert headlines(get_json(client, "/api/articles/?since=2025-09-05T00:00:00Z")) == ["New", "Edited today"]
        assert headlines(get_json(client, "/api/articles/?since=2025-09-05")) == ["New", "Edited today"]
        assert len(get_json(client, "/api/articles/?since=2025-09-01T00:00:00%2B02:00")["items"]) == 3


def test_cursor_pagination_walks_every_story_once_in_a_stable_order(client: Client) -> None:
    same_time = datetime(2025, 9, 5, 9, 0, tzinfo=UTC)
    for n in range(7):
        # Several stories share a publish time: the id breaks the tie, so pages neither skip nor repeat.
        ArticleFactory(headline=f"Story {n}", publish_at=same_time if n < 4 else same_time + timedelta(minutes=n))
    seen, url = [], "/api/articles/?limit=3"
    for n in range(10):
        if not url:
            break
        payload = get_json(client, url)
        seen += headlines(payload)
        url = payload["next"] and payload["next"].removeprefix("http://testserver")
        # A story published meanwhile doesn't shift the pages already handed out.
        ArticleFactory(headline=f"Published meanwhile {n}", publish_at=same_time + timedelta(hours=1))
    assert seen == ["Story 6", "Story 5", "Story 4", "Story 3", "Story 2", "Story 1", "Story 0"]


def test_limit_defaults_to_20_and_is_capped_at_100(client: Client) -> None:
    ArticleFactory.create_batch(105)
    assert len(get_json(client, "/api/articles/")["items"]) == 20
    assert len(get_json(client, "/api/articles/?limit=2")["items"]) == 2
    assert len(get_json(client, "/api/articles/?limit=100000000000000000000")["items"]) == 100


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("limit=0", "limit"),
        ("limit=-5", "limit"),
        ("limit=ten", "limit"),
        ("limit=1e9", "limit"),
        ("since=yesterday", "since"),
        ("since=2025-13-45", "since"),
        ("since=0001-01-01T00:00:00%2B14:00", "since"),
        ("cursor=not-a-cursor", "cursor"),
        ("cursor=MjAyNXxhYmM", "cursor"),  # base64 of "2025|abc"
        ("section=../../etc", "section"),
        ("topic=%3Cscript%3E", "topic"),
    ],
)
def test_bad_parameter_values_are_a_400_saying_which(client: Client, query: str, field: str) -> None:
    ArticleFactory()
    payload = get_json(client, f"/api/articles/?{query}", status=400)
    assert payload["error"] == "Invalid parameters."
    assert list(payload["details"]) == [field]


@pytest.mark.parametrize("query", ["status=draft", "status=published&include_drafts=1", "page=2", "ordering=-pk"])
def test_parameters_outside_the_allowlist_are_refused(client: Client, query: str) -> None:
    ArticleFactory(draft=True, headline="Draft")
    payload = get_json(client, f"/api/articles/?{query}", status=400)
    assert payload["error"].startswith("Unknown parameter:")
    assert "section" in payload["allowed"]
    assert get_json(client, f"/api/articles/1/?{query}", status=400)["error"].startswith("Unknown parameter:")


def test_a_parameter_given_twice_is_refused(client: Client) -> None:
    payload = get_json(client, "/api/articles/?topic=a&topic=b", status=400)
    assert payload["error"] == "Give each parameter once: topic."


def test_unknown_and_unpublished_ids_are_the_same_json_404(client: Client) -> None:
    draft = ArticleFactory(draft=True)
    for pk in [draft.pk, 999_999, 2**70]:
        assert get_json(client, f"/api/articles/{pk}/", status=404) == {"error": "No published article has this id."}


def test_the_api_is_read_only(client: Client, article: Article) -> None:
    for method in (client.post, client.put, client.delete):
        response = method("/api/articles/")
        assert response.status_code == 405
        assert response["Allow"] == "GET, HEAD, OPTIONS"
        assert "Access-Control-Allow-Origin" not in response
    assert Article.objects.count() == 1


def test_pages_on_any_origin_may_read_the_api(client: Client, article: Article) -> None:
    response = client.get("/api/articles/", headers={"origin": "https://partner.example"})
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response["Access-Control-Expose-Headers"] == "ETag"
    not_modified = client.get("/api/articles/", headers={"if-none-match": response["ETag"]})
    assert not_modified.status_code == 304
    assert not_modified["Access-Control-Allow-Origin"] == "*"
    assert client.get("/api/articles/?limit=0")["Access-Control-Allow-Origin"] == "*"
    preflight = client.options(
        "/api/articles/",
        headers={"origin": "https://partner.example", "access-control-request-method": "GET"},
    )
    assert preflight.status_code == 204
    assert preflight["Access-Control-Allow-Origin"] == "*"
    assert preflight["Access-Control-Allow-Methods"] == "GET, HEAD, OPTIONS"
    assert "If-None-Match" in preflight["Access-Control-Allow-Headers"]
    # Only the API: pages don't offer themselves to other origins.
    assert "Access-Control-Allow-Origin" not in client.get("/")


def test_api_responses_have_validators_and_conditional_get(client: Client, article: Article) -> None:
    first = client.get(f"/api/articles/{article.pk}/")
    assert first.has_header("ETag") and first.has_header("Last-Modified")
    assert "public" in first["Cache-Control"]
    again = client.get(f"/api/articles/{article.pk}/", headers={"if-none-match": first["ETag"]})
    assert again.status_code == 304
