import random
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse

from articles.compiled_sql import AT_MARKER, NOW as NOW_SLOT, compile_queryset
from articles.models import Article, RelatedExclusion, RelatedPin, RelatedStory
from articles.related import (
    CANDIDATES_PER_TOPIC,
    deferred_refresh,
    recompute_all_related,
    refresh_related,
    related_articles,
    related_queryset,
)
from articles.roles import EDITORS
from tests.factories import (
    HIDDEN_STATES,
    AgencyFactory,
    ArticleFactory,
    SectionFactory,
    TopicFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def pinned_clock() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


def headlines(article: Article, limit: int = 12) -> list[str]:
    return [story.headline for story in related_articles(article, limit=limit)]


def days_ago(days: float) -> datetime:
    return NOW - timedelta(days=days)


class TestRankingOnAKnownCorpus:
    """
    A developing story (Storm Boris floods) among a newsroom's everyday copy. "World news" is on about 40% of the
    stories and says little; "Storm Boris" and "Flooding" are on a handful and say a lot.
    """

    @pytest.fixture(autouse=True)
    def corpus(self, pinned_clock: None) -> None:
        world, europe, environment = (SectionFactory(name=name) for name in ("World", "Europe", "Environment"))
        storm, floods, world_news = (TopicFactory(name=name) for name in ("Storm Boris", "Flooding", "World news"))
        wire = AgencyFactory(name="Reuters")
        self.source = ArticleFactory(
            headline="Storm Boris: thousands evacuated", section=world, topics=[storm, floods, world_news]
        )
        ArticleFactory(
            headline="Boris floods reach Vienna",
            section=europe,
            topics=[storm, floods, world_news],
            publish_at=days_ago(1),
        )
        ArticleFactory(
            headline="Danube flood defences tested",
            section=environment,
            topics=[floods, world_news],
            publish_at=days_ago(3),
        )
        ArticleFactory(headline="Storm Boris: what we know", section=world, topics=[storm], publish_at=days_ago(2))
        ArticleFactory(
            headline="Storm Boris, five years on", section=world, topics=[storm], publish_at=days_ago(5 * 365)
        )
        ArticleFactory(
            headline="The great Boris floods of 2021",
            section=world,
            topics=[storm, floods],
            publish_at=days_ago(5 * 365),
        )
        # Fresh, same section, same wire, but sharing only the everyday topic.
        for n in range(5):
            ArticleFactory(
                headline=f"Unrelated world story {n}",
                section=world,
                topics=[world_news],
                agencies=[wire],
                publish_at=NOW - timedelta(hours=2 + n),
            )
        self.source.agencies.add(wire)
        other = TopicFactory(name="Football")
        for n in range(12):
            ArticleFactory(headline=f"World roundup {n}", topics=[world_news, other], publish_at=days_ago(10 + n))
        for n in range(28):
            ArticleFactory(headline=f"Football {n}", topics=[other], publish_at=days_ago(n))
        refresh_related(self.source)  # its own agency was added after its topics

    def test_stories_of_the_same_event_rank_above_stories_sharing_only_a_common_topic(self) -> None:
        ranked = headlines(self.source)
        assert ranked[:2] == ["Boris floods reach Vienna", "Danube flood defences tested"]
        event = {"Storm Boris: what we know", "The great Boris floods of 2021", "Storm Boris, five years on"}
        first_unrelated = min(n for n, headline in enumerate(ranked) if headline.startswith("Unrelated"))
        assert event <= set(ranked[:first_unrelated])

    def test_a_fresh_story_beats_an_old_one_on_the_same_topics(self) -> None:
        ranked = headlines(self.source)
        assert ranked.index("Storm Boris: what we know") < ranked.index("Storm Boris, five years on")

    def test_a_strong_old_match_beats_a_weak_fresh_one(self) -> None:
        ranked = headlines(self.source)
        assert ranked.index("The great Boris floods of 2021") < ranked.index("Unrelated world story 0")

    def test_stories_sharing_no_topic_are_never_related(self) -> None:
        assert not [headline for headline in headlines(self.source) if headline.startswith("Football")]

    def test_the_list_never_holds_the_article_itself_or_a_story_twice(self) -> None:
        ranked = headlines(self.source)
        assert self.source.headline not in ranked
        assert len(ranked) == len(set(ranked)) == 12


class TestFreshness:
    @pytest.fixture(autouse=True)
    def topic(self) -> None:
        self.topic = TopicFactory(name="Storm Boris")
        self.source = ArticleFactory(headline="Source", topics=[self.topic])

    def test_a_story_published_later_joins_the_list_of_the_story_it_relates_to(self) -> None:
        draft = ArticleFactory(draft=True, headline="Follow-up", topics=[self.topic])
        assert headlines(self.source) == []
        draft.publish()
        assert headlines(self.source) == ["Follow-up"]

    @pytest.mark.parametrize("state", HIDDEN_STATES)
    def test_a_story_not_live_is_never_related(self, state: str) -> None:
        ArticleFactory(**{state: True}, headline="Hidden", topics=[self.topic])
        ArticleFactory(headline="Visible", topics=[self.topic])
        assert headlines(self.source) == ["Visible"]

    def test_a_withdrawn_story_leaves_the_list_at_once_even_without_a_save(self) -> None:
        story = ArticleFactory(headline="Withdrawn later", topics=[self.topic])
        assert headlines(self.source) == ["Withdrawn later"]
        # As a bulk change would: no signal, no refresh; the live filter of the read still hides it.
        Article.objects.filter(pk=story.pk).update(status=Article.Status.WITHDRAWN)
        assert headlines(self.source) == []

    def test_withdrawing_a_story_removes_it_from_the_stored_lists(self) -> None:
        story = Article.objects.get(pk=ArticleFactory(headline="Withdrawn", topics=[self.topic]).pk)
        story.status = Article.Status.WITHDRAWN
        story.save()
        assert not RelatedStory.objects.filter(related=story).exists()

    def test_an_expiring_story_drops_out_exactly_at_its_expiry(self) -> None:
        expire_at = datetime(2030, 1, 1, tzinfo=UTC)
        ArticleFactory(headline="Expires", topics=[self.topic], expire_at=expire_at)
        with time_machine.travel(expire_at - timedelta(seconds=1), tick=False):
            assert headlines(self.source) == ["Expires"]
        with time_machine.travel(expire_at, tick=False):
            assert headlines(self.source) == []

    def test_a_scheduled_story_appears_exactly_at_its_publish_time(self) -> None:
        publish_at = datetime(2030, 1, 1, tzinfo=UTC)
        ArticleFactory(headline="Scheduled", topics=[self.topic], publish_at=publish_at, first_published_at=None)
        with time_machine.travel(publish_at - timedelta(seconds=1), tick=False):
            assert headlines(self.source) == []
        with time_machine.travel(publish_at, tick=False):
            assert headlines(self.source) == ["Scheduled"]

    def test_retagging_changes_what_is_related(self) -> None:
        other = TopicFactory(name="Elections")
        ArticleFactory(headline="On the storm", topics=[self.topic])
        ArticleFactory(headline="On the vote", topics=[other])
        assert headlines(self.source) == ["On the storm"]
        self.source.topics.set([other])
        assert headlines(self.source) == ["On the vote"]

    def test_deleting_a_story_with_topics_and_pins_leaves_the_lists_consistent(self) -> None:
        story = ArticleFactory(headline="Deleted", topics=[self.topic])
        RelatedPin.objects.create(article=story, related=self.source)
        story.delete()
        assert headlines(self.source) == []
        assert not RelatedStory.objects.filter(article_id=story.pk).exists()


class TestEditorsChoices:
    @pytest.fixture(autouse=True)
    def stories(self, pinned_clock: None) -> None:
        topic = TopicFactory(name="Storm Boris")
        self.source = ArticleFactory(headline="Source", topics=[topic])
        # The nearer in time to the source, the higher they rank: 0, 1, 2.
        self.auto = [
            ArticleFactory(headline=f"Automatic {n}", topics=[topic], publish_at=NOW - timedelta(hours=2 + n))
            for n in range(3)
        ]
        self.elsewhere = [ArticleFactory(headline=f"Unrelated {n}") for n in range(2)]

    def test_pinned_stories_come_first_in_the_editors_order_then_the_automatic_fill(self) -> None:
        RelatedPin.objects.create(article=self.source, related=self.elsewhere[1], position=0)
        RelatedPin.objects.create(article=self.source, related=self.auto[0], position=1)
        RelatedPin.objects.create(article=self.source, related=self.elsewhere[0], position=2)
        assert headlines(self.source) == ["Unrelated 1", "Automatic 0", "Unrelated 0", "Automatic 1", "Automatic 2"]

    def test_a_pinned_story_that_is_not_live_is_skipped(self) -> None:
        hidden = ArticleFactory(scheduled=True, headline="Not yet")
        RelatedPin.objects.create(article=self.source, related=hidden, position=0)
        assert "Not yet" not in headlines(self.source)

    def test_an_excluded_story_never_appears(self) -> None:
        RelatedExclusion.objects.create(article=self.source, excluded=self.auto[0])
        assert headlines(self.source) == ["Automatic 1", "Automatic 2"]
        # Not even when the excluded story is saved again and offered to the lists of its neighbours.
        Article.objects.get(pk=self.auto[0].pk).save()
        assert headlines(self.source) == ["Automatic 1", "Automatic 2"]

    def test_the_page_leaves_out_what_it_already_shows(self) -> None:
        shown = related_articles(self.source, limit=5, exclude=[self.auto[0].pk])
        assert [story.headline for story in shown] == ["Automatic 1", "Automatic 2"]


def test_reading_a_related_list_is_one_query_however_many_stories_and_pins(
    django_assert_num_queries: Callable,
) -> None:
    topic = TopicFactory()
    source = ArticleFactory(topics=[topic])
    stories = [ArticleFactory(topics=[topic]) for _ in range(15)]
    for n, story in enumerate(stories[:4]):
        RelatedPin.objects.create(article=source, related=story, position=n)
    with django_assert_num_queries(1):
        assert len(related_articles(source, limit=6)) == 6


def stored_lists() -> set[tuple[int, int, float, int | None]]:
    """Every stored related list, row by row, scores rounded past float noise."""
    return {
        (row.article_id, row.related_id, round(row.score, 9), row.pin_position) for row in RelatedStory.objects.all()
    }


def test_refreshing_one_story_at_a_time_gives_the_same_lists_as_the_batch() -> None:
    rng = random.Random(4)
    topics = [TopicFactory(name=f"Topic {n}") for n in range(8)]
    sections = [SectionFactory(name=f"Section {n}") for n in range(3)]
    articles = [
        ArticleFactory(
            section=rng.choice(sections),
            topics=rng.sample(topics, rng.randint(1, 3)),
            publish_at=NOW - timedelta(days=rng.uniform(0, 400)),
        )
        for _ in range(40)
    ]
    RelatedPin.objects.create(article=articles[0], related=articles[1])
    RelatedExclusion.objects.create(article=articles[2], excluded=articles[3])

    # The stories were added one by one, while topic weights changed; one more pass settles them.
    for article in articles:
        refresh_related(article)
    incremental = stored_lists()
    recompute_all_related()
    assert stored_lists() == incremental
    assert max(RelatedStory.objects.filter(article=articles[5]).count(), 1) <= 12


def test_the_rebuild_of_every_list_matches_refreshing_each_story_when_topics_are_common() -> None:
    # A topic on more than CANDIDATES_PER_TOPIC stories (each story's candidates through it are its neighbours in
    # time), with rarer topics on some: the rebuild sums shared topics its own way and stops early on light
    # candidates, and must come out exactly as one refresh per story does.
    rng = random.Random(7)
    common = TopicFactory(name="World news")
    rarer = [TopicFactory(name=f"Topic {n}") for n in range(6)]
    sections = [SectionFactory(name=f"Section {n}") for n in range(2)]
    agencies = [AgencyFactory(name=name) for name in ("Reuters", "AFP")]
    with deferred_refresh():
        articles = [
            ArticleFactory(
                section=rng.choice(sections),
                topics=[common, *rng.sample(rarer, rng.randint(0, 2))],
                agencies=rng.sample(agencies, rng.randint(1, 2)),
                publish_at=NOW - timedelta(days=rng.uniform(0, 300)),
            )
            for _ in range(CANDIDATES_PER_TOPIC + 30)
        ]
    RelatedExclusion.objects.create(article=articles[0], excluded=articles[1])

    for article in articles:
        refresh_related(article)
    incremental = stored_lists()
    recompute_all_related()
    assert stored_lists() == incremental
    assert (articles[0].pk, articles[1].pk) not in {(row[0], row[1]) for row in incremental}
    assert {len(related_articles(article, limit=20)) for article in articles} == {12}


@pytest.fixture
def editor_client(client: Client) -> Client:
    user = UserFactory(username="editor", is_staff=True)
    user.groups.add(Group.objects.get(name=EDITORS))
    client.force_login(user)
    return client


def test_admin_shows_why_each_story_is_related(editor_client: Client) -> None:
    storm = TopicFactory(name="Storm Boris")
    source = ArticleFactory(topics=[storm, TopicFactory(name="Flooding")])
    ArticleFactory(headline="Vienna floods", topics=[storm])
    pinned = ArticleFactory(headline="Chosen by the desk")
    RelatedPin.objects.create(article=source, related=pinned)
    content = editor_client.get(reverse("admin:articles_article_change", args=[source.pk])).content.decode()
    preview = content[content.index('class="related-preview"') :]
    assert preview.index("Chosen by the desk") < preview.index("Vienna floods")
    assert "Pinned by an editor." in preview
    assert "Shared topics: Storm Boris (" in preview


def test_editor_pins_and_excludes_related_stories_in_the_admin(editor_client: Client) -> None:
    topic = TopicFactory(name="Storm Boris")
    source = ArticleFactory(headline="Source", topics=[topic], slug="source")
    automatic = ArticleFactory(headline="Automatic", topics=[topic])
    unwanted = ArticleFactory(headline="Unwanted", topics=[topic])
    chosen = ArticleFactory(headline="Chosen")
    form = {
        "headline": "Source",
        "slug": "source",
        "section": source.section_id,
        "status": "published",
        "publish_at_0": source.publish_at.strftime("%Y-%m-%d"),
        "publish_at_1": source.publish_at.strftime("%H:%M:%S"),
        "bylines-TOTAL_FORMS": "0",
        "bylines-INITIAL_FORMS": "0",
        "tagged_items-TOTAL_FORMS": "1",
        "tagged_items-INITIAL_FORMS": "1",
        "tagged_items-0-id": str(source.tagged_items.get().pk),
        "tagged_items-0-content_object": str(source.pk),
        "tagged_items-0-tag": str(topic.pk),
        "related_pins-TOTAL_FORMS": "1",
        "related_pins-INITIAL_FORMS": "0",
        "related_pins-0-related": str(chosen.pk),
        "related_pins-0-position": "0",
        "related_exclusions-TOTAL_FORMS": "1",
        "related_exclusions-INITIAL_FORMS": "0",
        "related_exclusions-0-excluded": str(unwanted.pk),
        "expected_version": str(source.version),
        **{
            f"{inline}-{count}": "0"
            for inline in ("corrections", "transitions")
            for count in ("TOTAL_FORMS", "INITIAL_FORMS")
        },
    }
    response = editor_client.post(reverse("admin:articles_article_change", args=[source.pk]), form)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert headlines(source) == [chosen.headline, automatic.headline]


def test_a_story_cannot_be_pinned_to_itself() -> None:
    source = ArticleFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        RelatedPin.objects.create(article=source, related=source)


class TestCompiledRead:
    """
    `related_articles` runs SQL compiled once from `related_queryset()` and `live()`: whatever the time, it must show
    exactly what `live()` shows, in the queryset's order, and what a page needs of each story.
    """

    @pytest.fixture(autouse=True)
    def stories(self, pinned_clock: None) -> None:
        self.source = ArticleFactory(headline="Source")
        self.by_state = {state: ArticleFactory(**{state: True}, headline=f"Story {state}") for state in HIDDEN_STATES}
        self.by_state["live"] = ArticleFactory(headline="Story live", section=SectionFactory(name="Europe"))
        # Pinned, so that every state is in the stored list: only the read's live filter can hide them.
        for position, story in enumerate(self.by_state.values()):
            RelatedPin.objects.create(article=self.source, related=story, position=position)

    def shown(self) -> set[str]:
        return {story.headline for story in related_articles(self.source, limit=20)}

    def live(self) -> set[str]:
        pks = [story.pk for story in self.by_state.values()]
        return set(Article.objects.live().filter(pk__in=pks).values_list("headline", flat=True))

    def test_it_shows_exactly_what_live_shows_in_every_state(self) -> None:
        assert self.shown() == self.live() == {"Story live"}

    def test_it_follows_live_as_times_pass(self) -> None:
        # The scheduled story goes live and the embargo lifts (a day from NOW); much later the live one expires.
        Article.objects.filter(pk=self.by_state["live"].pk).update(expire_at=NOW + timedelta(days=3))
        moments = [NOW + timedelta(hours=23, minutes=59), NOW + timedelta(days=1, seconds=1), NOW + timedelta(days=3)]
        seen = []
        for moment in moments:
            with time_machine.travel(moment, tick=False):
                assert self.shown() == self.live()
                seen.append(self.shown())
        assert seen == [
            {"Story live"},
            {"Story live", "Story scheduled", "Story embargoed"},
            {"Story scheduled", "Story embargoed"},
        ]

    def test_it_returns_the_querysets_rows_in_its_order(self) -> None:
        automatic = [ArticleFactory(headline=f"Automatic {n}") for n in range(3)]
        RelatedStory.objects.bulk_create(
            RelatedStory(article=self.source, related=story, score=n) for n, story in enumerate(automatic)
        )
        expected = [row[1] for row in related_queryset(self.source.pk)]
        assert [story.headline for story in related_articles(self.source, limit=20)] == expected
        assert expected == ["Story live", "Automatic 2", "Automatic 1", "Automatic 0"]

    def test_each_story_carries_what_the_page_links_with(self) -> None:
        (story,) = related_articles(self.source, limit=1)
        article = Article.objects.select_related("section").get(headline="Story live")
        assert (story.pk, story.headline, story.publish_at) == (article.pk, article.headline, article.publish_at)
        assert story.get_absolute_url() == article.get_absolute_url()
        assert story.section.name == "Europe"

    def test_excluded_stories_leave_room_for_the_next_ones(self) -> None:
        automatic = [ArticleFactory(headline=f"Automatic {n}") for n in range(3)]
        RelatedStory.objects.bulk_create(
            RelatedStory(article=self.source, related=story, score=n) for n, story in enumerate(automatic)
        )
        shown = related_articles(self.source, limit=2, exclude=[self.by_state["live"].pk, automatic[2].pk])
        assert [story.headline for story in shown] == ["Automatic 1", "Automatic 0"]


def test_a_rule_that_stops_taking_the_time_as_a_parameter_is_refused_at_compile_time() -> None:
    # A queryset comparing with a moment written into it cannot be compiled once and reused: it would go stale.
    fixed = Article.objects.filter(publish_at__lte=NOW)
    with pytest.raises(ImproperlyConfigured, match="now"):
        compile_queryset(fixed, "default", {NOW_SLOT: AT_MARKER})
