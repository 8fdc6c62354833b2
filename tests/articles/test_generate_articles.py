from collections import Counter
from io import StringIO
from statistics import mean

import pytest
from bs4 import BeautifulSoup
from django.core.management import call_command
from django.test import Client

from articles.models import Article, RelatedStory, TaggedArticle
from articles.related import related_articles
from sections.models import Section

pytestmark = pytest.mark.django_db


@pytest.fixture
def generated() -> None:
    call_command("generate_articles", articles=600, stdout=StringIO())


def test_generated_stories_look_like_a_newsroom(generated: None) -> None:
    assert Article.objects.count() == 600
    sizes = Counter(Article.objects.values_list("section_id", flat=True))
    assert Section.objects.count() == 30
    assert max(sizes.values()) > 10 * min(sizes.values())  # sections of very different sizes
    states = Counter(Article.objects.values_list("status", flat=True))
    assert states["draft"] and states["published"] > 540
    live = Article.objects.live()
    assert 0.9 * 600 < live.count() < 600  # a few scheduled, expired, withdrawn, drafts
    assert mean(len(body) for body in Article.objects.values_list("body", flat=True)) > 4000
    assert not any(article.last_update for article in live.prefetch_related("corrections")[:50])


def test_generated_topics_have_zipf_like_popularity(generated: None) -> None:
    per_story = Counter(TaggedArticle.objects.values_list("content_object_id", flat=True))
    assert min(per_story.values()) >= 2 and max(per_story.values()) <= 6
    per_topic = sorted(Counter(TaggedArticle.objects.values_list("tag_id", flat=True)).values(), reverse=True)
    assert per_topic[0] > 0.3 * 600  # a few topics are on a large share of stories
    assert per_topic[len(per_topic) // 2] < 0.02 * 600  # most are on few


def test_generated_stories_have_related_lists_and_can_be_searched(generated: None, client: Client) -> None:
    story = Article.objects.live().order_by("pk").first()
    assert 6 <= RelatedStory.objects.filter(article=story).count() <= 12
    assert len(related_articles(story, limit=6)) == 6
    topic = story.tagged_items.select_related("tag").last().tag.name
    soup = BeautifulSoup(client.get("/search/", {"q": topic}).content, "html.parser")
    assert soup.select(".search-hit")
