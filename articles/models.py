from datetime import datetime, timedelta
from typing import Self

from django.conf import settings
from django.db import models
from django.db.models import F, Prefetch, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from taggit.managers import TaggableManager
from taggit.models import TagBase, TaggedItemBase

from sections.models import Section

from .house_style import format_dateline, join_names
from .sanitizer import sanitize_html
from .search_document import SearchDocumentField, SearchDocumentIndex

# Edits in the first minutes after publication (typos, a tag) don't earn an "Updated" label.
UPDATE_GRACE = timedelta(minutes=10)


class Agency(models.Model):
    """A wire service or other outside source of copy, credited in bylines ("By AFP", "By Agencies")."""

    name = models.CharField(max_length=120, help_text="Full name, e.g. “Agence France-Presse”.")
    short_name = models.CharField(
        max_length=40, blank=True, help_text="How bylines credit the agency, e.g. “AFP”. Defaults to the full name."
    )
    slug = models.SlugField(max_length=120, unique=True)
    website = models.URLField(blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "agencies"

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("articles:agency", kwargs={"slug": self.slug})

    @property
    def byline_name(self) -> str:
        return self.short_name or self.name


class Author(models.Model):
    """A staff byline. Not every author has a user account (freelancers, former staff)."""

    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=120, unique=True)
    bio = models.TextField(blank=True, help_text="A sentence or two, shown on the author's page.")
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="author",
        help_text="The account this author logs in with, if any.",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("articles:author", kwargs={"slug": self.slug})

    @property
    def byline_name(self) -> str:
        return self.name


class Topic(TagBase):
    """A subject readers can follow ("Russia-Ukraine war"): a django-taggit tag with a page of its own."""

    class Meta:
        ordering = ["name"]

    def get_absolute_url(self) -> str:
        return reverse("articles:topic", kwargs={"slug": self.slug})


class TaggedArticle(TaggedItemBase):
    # A direct foreign key (rather than taggit's generic relation) lets topic pages join on an indexed integer.
    content_object = models.ForeignKey("Article", on_delete=models.CASCADE, related_name="tagged_items")
    tag = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="tagged_articles", verbose_name="topic")

    class Meta:
        verbose_name = "topic"
        verbose_name_plural = "topics"
        constraints = [models.UniqueConstraint(fields=["content_object", "tag"], name="article_topic_once")]


class ArticleQuerySet(models.QuerySet):
    def live(self, at: datetime | None = None) -> Self:
        """
        What readers may see, and the only definition of it: published, its publish time reached, its embargo (if
        any) lifted and not expired. Being a query-time rule, a scheduled story goes live at its time with no job.
        """
        now = at or timezone.now()
        return self.filter(
            Q(embargo_until__isnull=True) | Q(embargo_until__lte=now),
            Q(expire_at__isnull=True) | Q(expire_at__gt=now),
            status=Article.Status.PUBLISHED,
            publish_at__lte=now,
        )

    def newest_first(self) -> Self:
        return self.order_by("-publish_at", "-pk")

    def for_listing(self) -> Self:
        """Everything a teaser shows (section label, byline) in a fixed number of queries."""
        return self.select_related("section").prefetch_related(*credit_prefetches())

    def for_page(self) -> Self:
        """Everything the article page shows: the teaser's data plus topics, in the order they were given."""
        return self.for_listing().prefetch_related(
            Prefetch("tagged_items", queryset=TaggedArticle.objects.select_related("tag").order_by("pk"))
        )


def credit_prefetches() -> list[Prefetch | str]:
    """What a byline needs, for `prefetch_related` (or `prefetch_related_objects` on stories from several queries)."""
    return [Prefetch("bylines", queryset=Byline.objects.select_related("author")), "agencies"]


class Article(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        IN_REVIEW = "in_review", "In review"
        PUBLISHED = "published", "Published"
        WITHDRAWN = "withdrawn", "Withdrawn"

    headline = models.CharField(max_length=255)
    slug = models.SlugField(
        max_length=255, allow_unicode=True, help_text="The last part of the article's address; unique in its section."
    )
    standfirst = models.TextField(
        blank=True, max_length=600, help_text="The summary under the headline, plain text. Also used in listings."
    )
    body = models.TextField(blank=True, help_text="HTML; anything outside the house allowlist is removed on save.")
    section = models.ForeignKey(
        Section, on_delete=models.PROTECT, related_name="articles", help_text="The label shown above the headline."
    )
    topics = TaggableManager(through=TaggedArticle, blank=True, verbose_name="topics", related_name="articles")
    authors = models.ManyToManyField(Author, through="Byline", blank=True, related_name="articles")
    agencies = models.ManyToManyField(
        Agency, blank=True, related_name="articles", help_text="Wire services credited in the byline."
    )
    dateline = models.CharField(
        max_length=100, blank=True, help_text="Where the story was filed, as printed: “PARIS”. The date is added."
    )
    status = models.CharField(max_length=20, choices=Status, default=Status.DRAFT)
    publish_at = models.DateTimeField(
        null=True, blank=True, help_text="When readers may first see it. A future time schedules the article."
    )
    expire_at = models.DateTimeField(null=True, blank=True, help_text="Optional: when readers stop seeing it.")
    embargo_until = models.DateTimeField(
        null=True, blank=True, help_text="Optional: not live before this time, whatever the publish time says."
    )
    first_published_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["-publish_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["section", "slug"],
                name="article_slug_unique_in_section",
                violation_error_message="An article with this slug already exists in this section.",
            ),
            models.CheckConstraint(
                condition=Q(expire_at__isnull=True) | Q(publish_at__isnull=True) | Q(expire_at__gt=F("publish_at")),
                name="article_expires_after_publishing",
                violation_error_message="The expiry time must be after the publish time.",
            ),
            models.CheckConstraint(
                condition=~Q(status="published") | Q(publish_at__isnull=False),
                name="article_published_has_publish_time",
                violation_error_message="A published article needs a publish time.",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "-publish_at"], name="article_live_idx"),
            models.Index(fields=["section", "-publish_at"], name="article_section_idx"),
        ]

    def __str__(self) -> str:
        return self.headline

    def save(self, *args, **kwargs) -> None:
        if not self.slug:
            self.slug = slugify(self.headline, allow_unicode=True)[:255]
        self.body = sanitize_html(self.body)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("articles:detail", kwargs={"section_slug": self.section.slug, "slug": self.slug})

    @classmethod
    def from_db(cls, db, field_names, values, **kwargs) -> Self:
        instance = super().from_db(db, field_names, values, **kwargs)
        # Remembered so that a change of address can leave a redirect behind (see signals.py).
        instance._loaded_path = (instance.__dict__.get("section_id"), instance.__dict__.get("slug"))
        return instance

    def publish(self, *, at: datetime | None = None) -> None:
        """Publish now, or schedule for `at`. Records the first publication once it has happened."""
        now = timezone.now()
        self.status = self.Status.PUBLISHED
        self.publish_at = at or now
        if self.first_published_at is None and self.publish_at <= now:
            self.first_published_at = self.publish_at
        self.save(update_fields=["status", "publish_at", "first_published_at", "updated_at"])

    @property
    def credits(self) -> list[Author | Agency]:
        """Who the byline names, in order: staff authors first, then agencies. Uses prefetched rows."""
        authors = [byline.author for byline in sorted(self.bylines.all(), key=lambda byline: byline.position)]
        return [*authors, *self.agencies.all()]

    @property
    def topic_list(self) -> list[Topic]:
        """The article's topics, the main one first (see `for_page`, which prefetches them)."""
        return [tagged.tag for tagged in self.tagged_items.all()]

    @property
    def byline(self) -> str:
        """“By Agencies”, “By Jane Doe and AFP”; empty when nobody is credited."""
        names = [credit.byline_name for credit in self.credits]
        return f"By {join_names(names)}" if names else ""

    @property
    def dateline_text(self) -> str:
        """“PARIS, Sept 5:”, dated by publication in the newsroom's time zone."""
        return format_dateline(self.dateline, self.publish_at)

    @property
    def was_updated(self) -> bool:
        return bool(self.publish_at and self.updated_at and self.updated_at > self.publish_at + UPDATE_GRACE)


class Byline(models.Model):
    """An author's place in an article's byline."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="bylines")
    author = models.ForeignKey(Author, on_delete=models.PROTECT, related_name="bylines")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [models.UniqueConstraint(fields=["article", "author"], name="byline_author_once")]

    def __str__(self) -> str:
        return str(self.author)


class ArticleRedirect(models.Model):
    """An address an article used to have (old slug or old section), answered with a permanent redirect."""

    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="+")
    old_slug = models.SlugField(max_length=255, allow_unicode=True)
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="redirects")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["section", "old_slug"], name="article_redirect_unique_path")]

    def __str__(self) -> str:
        return f"{self.section.slug}/{self.old_slug} → {self.article}"


# --- Reader discovery: related stories, trending counts, fronts, search (see related.py, trending.py, fronts.py and
# search.py for the rules; these are only the tables).


class RelatedPin(models.Model):
    """An editor's choice: `related` leads the article's related stories, in position order, while it is live."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="related_pins")
    related = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="+", verbose_name="story", help_text="Shown first, in order."
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = "pinned related story"
        verbose_name_plural = "pinned related stories (shown first, in this order)"
        constraints = [
            models.UniqueConstraint(fields=["article", "related"], name="related_pin_once"),
            models.CheckConstraint(
                condition=~Q(article=F("related")),
                name="related_pin_not_itself",
                violation_error_message="A story cannot be related to itself.",
            ),
        ]

    def __str__(self) -> str:
        return str(self.related)


class RelatedExclusion(models.Model):
    """An editor's veto: `excluded` is never among the article's automatic related stories."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="related_exclusions")
    excluded = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="+", verbose_name="story")

    class Meta:
        verbose_name = "excluded related story"
        verbose_name_plural = "never show as related"
        constraints = [
            models.UniqueConstraint(fields=["article", "excluded"], name="related_exclusion_once"),
            models.CheckConstraint(condition=~Q(article=F("excluded")), name="related_exclusion_not_itself"),
        ]

    def __str__(self) -> str:
        return str(self.excluded)


class RelatedStory(models.Model):
    """
    One row of an article's precomputed related list (pins first, then the best automatic matches), so that an
    article page reads its related stories with one indexed query. Written only by related.py.
    """

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="related_stories")
    related = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="related_to")
    score = models.FloatField()
    pin_position = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "related stories"
        constraints = [models.UniqueConstraint(fields=["article", "related"], name="related_story_once")]
        indexes = [models.Index(fields=["related"], name="related_story_related_idx")]

    def __str__(self) -> str:
        return f"{self.article_id} → {self.related_id} ({self.score:.2f})"


class ArticleViewCount(models.Model):
    """Reads of an article in one clock hour, counted by the trending beacon when Redis is not configured."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="view_counts")
    hour = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["article", "hour"], name="article_view_count_hourly")]
        indexes = [models.Index(fields=["hour"], name="article_view_count_hour_idx")]

    def __str__(self) -> str:
        return f"{self.article_id} @ {self.hour:%Y-%m-%d %H:00}: {self.count}"


class FrontSlot(models.Model):
    """A story an editor placed at the top of the home page (no section) or of a section page."""

    section = models.ForeignKey(
        Section,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="front_slots",
        verbose_name="front",
        help_text="Leave empty for the home page.",
    )
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="front_slots", verbose_name="story")
    position = models.PositiveSmallIntegerField(default=0, help_text="Lowest first; the first one leads.")
    starts_at = models.DateTimeField(null=True, blank=True, help_text="Optional: not shown before this time.")
    ends_at = models.DateTimeField(null=True, blank=True, help_text="Optional: not shown from this time on.")

    class Meta:
        ordering = ["section__position", "section__name", "position", "pk"]
        verbose_name = "front slot"
        constraints = [
            models.UniqueConstraint(
                fields=["article"],
                condition=Q(section__isnull=True),
                name="front_slot_home_once",
                violation_error_message="This story already has a slot on the home page.",
            ),
            models.UniqueConstraint(
                fields=["section", "article"],
                condition=Q(section__isnull=False),
                name="front_slot_section_once",
                violation_error_message="This story already has a slot on this front.",
            ),
            models.CheckConstraint(
                condition=Q(starts_at__isnull=True) | Q(ends_at__isnull=True) | Q(ends_at__gt=F("starts_at")),
                name="front_slot_ends_after_start",
                violation_error_message="The end must be after the start.",
            ),
        ]
        indexes = [models.Index(fields=["section", "position"], name="front_slot_front_idx")]

    def __str__(self) -> str:
        return f"{self.section or 'Home'} #{self.position}: {self.article}"


class ArticleSearch(models.Model):
    """
    What search matches on: an article's stored full-text document (headline weighted A, standfirst B, body C) and a
    copy of its publish time, to take the newest matches first (readers' visibility is still decided by `live()`).
    Rows are kept narrow, as search reads one per match; kept apart from the article so the queries every page makes
    don't carry the document. search.py keeps it in sync.
    """

    article = models.OneToOneField(Article, on_delete=models.CASCADE, primary_key=True, related_name="search")
    document = SearchDocumentField(null=True)
    publish_at = models.DateTimeField(null=True)

    class Meta:
        verbose_name = "search document"
        indexes = [SearchDocumentIndex(fields=["document"], name="article_search_document_idx")]

    def __str__(self) -> str:
        return f"search document of {self.article_id}"


class ArticleSearchTitle(models.Model):
    """What search ranks by: the headline (A) and standfirst (B) of an article, as a small stored vector."""

    article = models.OneToOneField(Article, on_delete=models.CASCADE, primary_key=True, related_name="search_title")
    vector = SearchDocumentField(null=True)

    class Meta:
        verbose_name = "search title"

    def __str__(self) -> str:
        return f"search title of {self.article_id}"
