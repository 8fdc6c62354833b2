from datetime import datetime, timedelta
from typing import Any, Self

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Exists, F, OuterRef, Prefetch, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.text import slugify
from taggit.managers import TaggableManager
from taggit.models import NaturalKeyManager, TagBase, TaggedItemBase

from sections.models import Section

from . import permissions
from .house_style import format_dateline, join_names
from .images.models import Image, Rendition  # noqa: F401  (the image library's models are the app's)
from .publishing import article_went_live
from .sanitizer import sanitize_html, without_control_characters
from .search_document import SearchDocumentField, SearchDocumentIndex, publish_day

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


class TopicQuerySet(models.QuerySet):
    def with_live_articles(self) -> Self:
        """Topics readers may know of: a topic only unpublished stories use is not public yet, not even its name."""
        live_tagged = TaggedArticle.objects.filter(tag=OuterRef("pk"), content_object__in=Article.objects.live())
        return self.filter(Exists(live_tagged))


class Topic(TagBase):
    """A subject readers can follow ("Russia-Ukraine war"): a django-taggit tag with a page of its own."""

    objects = NaturalKeyManager.from_queryset(TopicQuerySet)()

    class Meta:
        ordering = ["name"]

    def get_absolute_url(self) -> str:
        return reverse("articles:topic", kwargs={"slug": self.slug})


class TaggedArticle(TaggedItemBase):
    # A direct foreign key (rather than taggit's generic relation) lets topic pages join on an indexed integer. Both
    # foreign keys are served by the two-column indexes below rather than indexes of their own.
    content_object = models.ForeignKey(
        "Article", on_delete=models.CASCADE, related_name="tagged_items", db_index=False
    )
    tag = models.ForeignKey(
        Topic, on_delete=models.CASCADE, related_name="tagged_articles", verbose_name="topic", db_index=False
    )

    class Meta:
        verbose_name = "topic"
        verbose_name_plural = "topics"
        constraints = [models.UniqueConstraint(fields=["content_object", "tag"], name="article_topic_once")]
        # A topic's articles straight from the index, without reading the rows (topic pages of small topics).
        indexes = [models.Index(fields=["tag", "content_object"], name="tagged_article_topic_idx")]


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

    def scheduled(self, at: datetime | None = None) -> Self:
        """Published, waiting for its publish time."""
        return self.filter(status=Article.Status.PUBLISHED, publish_at__gt=at or timezone.now())

    def embargoed(self, at: datetime | None = None) -> Self:
        """Published and due, but held back by an embargo not yet lifted."""
        now = at or timezone.now()
        return self.filter(status=Article.Status.PUBLISHED, publish_at__lte=now, embargo_until__gt=now)

    def expired(self, at: datetime | None = None) -> Self:
        return self.filter(status=Article.Status.PUBLISHED, expire_at__lte=at or timezone.now())

    def owned_by(self, user: "settings.AUTH_USER_MODEL") -> Self:
        """Articles a user created or is credited on: a journalist's "My articles"."""
        return self.filter(Q(created_by=user) | Q(bylines__author__user=user)).distinct()

    def newest_first(self) -> Self:
        return self.order_by("-publish_at", "-pk")

    def teasers(self) -> Self:
        """
        Stories as a list shows them: with their section, without their body. A list never shows the body, and at
        about 5 kB (stored compressed) it is most of what reading a row costs.
        """
        return self.select_related("section").defer("body")

    def for_listing(self) -> Self:
        """Everything a teaser shows (section label, byline) in a fixed number of queries."""
        return self.teasers().prefetch_related(*credit_prefetches())

    def for_syndication(self) -> Self:
        """What feeds and the API show of a story: the teaser's data and its body, plus topics in the order given."""
        return self.select_related("section").prefetch_related(
            *credit_prefetches(),
            Prefetch("tagged_items", queryset=TaggedArticle.objects.select_related("tag").order_by("pk")),
        )

    def for_page(self) -> Self:
        """
        The article page's story: with its section, and whether it has corrections. Most have none, so their rows are
        read (one query, by `Article.correction_list`) only for those that do. The page reads its credits and topics
        itself (page_reads.py).
        """
        corrected = Correction.objects.filter(article=OuterRef("pk"))
        return self.select_related("section").annotate(has_corrections=Exists(corrected))


def article_path(section_slug: str, slug: str) -> str:
    """An article's address, from its section's slug and its own (also for light copies of an article)."""
    return reverse("articles:detail", kwargs={"section_slug": section_slug, "slug": slug})


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
    lead_image = models.ForeignKey(
        Image,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="lead_of",
        help_text="Shown under the headline, cut to 16:9 around its focal point.",
    )
    lead_image_caption = models.TextField(
        max_length=1000, blank=True, help_text="For this story only; leave empty to use the library's caption."
    )
    lead_image_credit = models.CharField(
        max_length=200, blank=True, help_text="For this story only; leave empty to use the library's credit."
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
    # Agency copy (articles/ingest/): the item this article came from, so a repeated or corrected delivery finds it.
    # NULL, not "", for articles written here: the unique index is then partial on IS NOT NULL, which PostgreSQL can
    # use for `wire_uri IN (...)` lookups of any length.
    wire_uri = models.CharField(  # noqa: DJ001
        max_length=500, null=True, blank=True, editable=False, help_text="The agency's identifier of the item."
    )
    wire_agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, null=True, blank=True, editable=False, related_name="wire_articles"
    )
    wire_version = models.CharField(max_length=40, blank=True, editable=False)
    wire_first_created_at = models.DateTimeField(null=True, blank=True, editable=False)
    wire_version_created_at = models.DateTimeField(null=True, blank=True, editable=False)
    # What the editable fields held when the agency's copy was last written in; a difference means a human edit.
    wire_fingerprint = models.CharField(max_length=64, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, editable=False, related_name="+"
    )
    last_edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, editable=False, related_name="+"
    )
    # Optimistic locking: every save increments it, and a form saved from an older version is refused.
    version = models.PositiveIntegerField(default=1, editable=False)

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
            # One article per agency item, whoever ingests it first: concurrent ingests rely on this.
            models.UniqueConstraint(
                fields=["wire_uri"], condition=Q(wire_uri__isnull=False), name="article_wire_uri_unique"
            ),
        ]
        permissions = [
            ("publish_article", "Can publish, schedule, embargo, withdraw and send back any article"),
        ]
        indexes = [
            models.Index(fields=["status", "-publish_at"], name="article_live_idx"),
            models.Index(fields=["section", "-publish_at"], name="article_section_idx"),
            # With article_live_idx, they answer "when does the live set next change?" (http_cache.py) from
            # indexes; partial, as only some articles have an embargo or an expiry.
            models.Index(
                fields=["embargo_until"], name="article_embargo_idx", condition=Q(embargo_until__isnull=False)
            ),
            models.Index(fields=["expire_at"], name="article_expiry_idx", condition=Q(expire_at__isnull=False)),
            # The default ordering, whatever the status: the admin's list and its date hierarchy's first and last.
            models.Index(fields=["-publish_at", "-id"], name="article_newest_idx"),
        ]

    def __str__(self) -> str:
        return self.headline

    def save(self, *args, expected_version: int | None = None, **kwargs) -> None:
        """
        Saves the article. With `expected_version` (the version an editing form was opened at), refuses with
        `StaleEdit` if someone else saved it since, checked and bumped in one conditional UPDATE so that of two
        concurrent saves exactly one wins.
        """
        update_fields = kwargs.get("update_fields")
        # Only the fields being written are cleaned: a workflow transition saving its status must not pay bleach's
        # milliseconds for a body it doesn't write.
        writing = None if update_fields is None else set(update_fields)
        for name in ("headline", "standfirst", "dateline", "lead_image_caption", "lead_image_credit"):
            if writing is None or name in writing:
                setattr(self, name, without_control_characters(getattr(self, name)))
        if not self.slug:
            self.slug = slugify(self.headline, allow_unicode=True)[:255]
        if writing is None or "body" in writing:
            self.body = sanitize_html(self.body)
        if writing is not None:
            kwargs["update_fields"] = {*writing, "version", "updated_at"}
        with transaction.atomic():
            if self.pk is not None and expected_version is not None:
                claimed = Article.objects.filter(pk=self.pk, version=expected_version).update(
                    version=expected_version + 1
                )
                if not claimed:
                    raise StaleEdit(self, expected_version)
                self.version = expected_version + 1
            elif self.pk is not None:
                self.version += 1
            super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return article_path(self.section.slug, self.slug)

    # What the byline, the topic line and the corrections show, worked out once per instance (the article page
    # fills in the first two itself, see page_reads.py).
    _PER_INSTANCE = ("credits", "topic_list", "correction_list")

    def refresh_from_db(self, *args: Any, **kwargs: Any) -> None:
        # A refreshed article has its credits, topics and corrections read again, as its relations are.
        for name in self._PER_INSTANCE:
            self.__dict__.pop(name, None)
        super().refresh_from_db(*args, **kwargs)

    @classmethod
    def from_db(cls, db, field_names, values, **kwargs) -> Self:
        instance = super().from_db(db, field_names, values, **kwargs)
        # Remembered so that a change of address can leave a redirect behind (see signals.py).
        instance._loaded_path = (instance.__dict__.get("section_id"), instance.__dict__.get("slug"))
        return instance

    # --- Editorial workflow. Each transition checks who may perform it (permissions.py), changes the fields that
    # belong together, saves only those and records itself. `by=None` is the system itself (ingest, demo, sweeps).

    def submit(self, *, by: "settings.AUTH_USER_MODEL") -> None:
        """A journalist files a draft for an editor's review."""
        permissions.require(by, permissions.SUBMIT, self)
        self._change_status(self.Status.IN_REVIEW, by=by)

    def send_back(self, *, by: "settings.AUTH_USER_MODEL", note: str) -> None:
        """An editor returns a story to its writer as a draft, saying why."""
        permissions.require(by, permissions.SEND_BACK, self)
        if not note.strip():
            raise ValidationError("Say what needs to change: a note is required to send a story back.")
        self._change_status(self.Status.DRAFT, by=by, note=note)

    def publish(
        self, *, by: "settings.AUTH_USER_MODEL | None" = None, at: datetime | None = None, commit: bool = True
    ) -> None:
        """
        Publish now, or schedule for `at`. An embargo is a floor: publishing "now" an embargoed story schedules it
        for the embargo's end, and an explicit time before the embargo is refused. `commit=False` only sets the
        fields, for wire ingest inserting many new articles at once (which records and announces them itself).
        """
        if by is not None:
            permissions.require(by, permissions.PUBLISH, self)
        # Whole seconds, as the admin's time fields show and save them.
        now = timezone.now().replace(microsecond=0)
        if at is not None and self.embargo_until and at < self.embargo_until:
            raise ValidationError(
                "The publish time is before the embargo (%(embargo)s); set it at or after the embargo.",
                params={"embargo": timezone.localtime(self.embargo_until).strftime("%Y-%m-%d %H:%M %Z")},
            )
        publish_at = at or max(now, self.embargo_until or now)
        if self.expire_at and self.expire_at <= publish_at:
            raise ValidationError("The expiry time must be after the publish time.")
        self.publish_at = publish_at
        goes_live_now = self.first_published_at is None and publish_at <= now
        if goes_live_now:
            self.first_published_at = publish_at
        if not commit:
            self.status = self.Status.PUBLISHED
            return
        self._change_status(self.Status.PUBLISHED, by=by, fields=["publish_at", "first_published_at"])
        if goes_live_now:
            article_went_live.send(sender=Article, article_id=self.pk)

    def withdraw(self, *, by: "settings.AUTH_USER_MODEL | None" = None, note: str = "") -> None:
        """Take a published story off every public page (its address answers 404)."""
        if by is not None:
            permissions.require(by, permissions.WITHDRAW, self)
        self._change_status(self.Status.WITHDRAWN, by=by, note=note)

    def _change_status(
        self, status: str, *, by: "settings.AUTH_USER_MODEL | None", note: str = "", fields: list[str] = ()
    ) -> None:
        previous = self.status
        self.status = status
        update_fields = ["status", *fields]
        if by is not None:
            self.last_edited_by = by
            update_fields.append("last_edited_by")
        with transaction.atomic():
            self.save(update_fields=update_fields)
            Transition.objects.create(article=self, from_status=previous, to_status=status, by=by, note=note)

    @property
    def publication_state(self) -> str:
        """What readers experience right now: the status, refined by the clock for published stories."""
        if self.status != self.Status.PUBLISHED:
            return self.status
        now = timezone.now()
        if self.publish_at and self.publish_at > now:
            return "scheduled"
        if self.embargo_until and self.embargo_until > now:
            return "embargoed"
        if self.expire_at and self.expire_at <= now:
            return "expired"
        return "live"

    @cached_property
    def credits(self) -> list[Author | Agency]:
        """Who the byline names, in order: staff authors first, then agencies. Uses prefetched rows."""
        authors = [byline.author for byline in sorted(self.bylines.all(), key=lambda byline: byline.position)]
        return [*authors, *self.agencies.all()]

    @cached_property
    def correction_list(self) -> list["Correction"]:
        """The story's corrections, oldest first; no query when `for_page()` found it has none."""
        if getattr(self, "has_corrections", True):
            return list(self.corrections.all())
        return []

    @cached_property
    def topic_list(self) -> list[Topic]:
        """The article's topics, the main one first (prefetched by `for_syndication()`, read by page_reads.py)."""
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
    def last_update(self) -> datetime | None:
        """When readers should be told the story was updated: its newest correction, else a later edit."""
        if corrections := self.correction_list:
            return max(correction.created_at for correction in corrections)
        if self.publish_at and self.updated_at and self.updated_at > self.publish_at + UPDATE_GRACE:
            return self.updated_at
        return None

    @property
    def first_published(self) -> datetime | None:
        """
        When readers first saw the story. `publish()` and the `publish_due` sweep record it; until the sweep has run
        for a story scheduled ahead, the time it went live (publish time, or the embargo's end) stands in.
        """
        if self.first_published_at or self.publish_at is None:
            return self.first_published_at
        return max(self.publish_at, self.embargo_until or self.publish_at)

    @property
    def last_modified(self) -> datetime | None:
        """When the story last changed for readers: its last edit, or going live if it was edited before that."""
        if self.publish_at is None:
            return self.updated_at
        return max(self.updated_at, self.publish_at)


class Byline(models.Model):
    """An author's place in an article's byline."""

    # Served by the two-column indexes below rather than indexes of their own.
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="bylines", db_index=False)
    author = models.ForeignKey(Author, on_delete=models.PROTECT, related_name="bylines", db_index=False)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [models.UniqueConstraint(fields=["article", "author"], name="byline_author_once")]
        # An author's articles straight from the index (author pages, the admin's author filter).
        indexes = [models.Index(fields=["author", "article"], name="byline_author_idx")]

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


class StaleEdit(ValidationError):
    """Someone else saved the article after this edit began: the edit is refused rather than overwriting theirs."""

    def __init__(self, article: Article, expected_version: int) -> None:
        self.article, self.expected_version = article, expected_version
        super().__init__(
            "Someone else saved this article while you were editing it. Your changes have not been saved; "
            "they are still in the form below."
        )


class Transition(models.Model):
    """One step of an article through the workflow: who moved it, when, from which status to which, and why."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(max_length=20, choices=Article.Status)
    to_status = models.CharField(max_length=20, choices=Article.Status)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    at = models.DateTimeField(default=timezone.now)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_from_status_display()} → {self.get_to_status_display()}"


class Correction(models.Model):
    """A correction or clarification appended to a published story, shown to readers with its time."""

    class Kind(models.TextChoices):
        CORRECTION = "correction", "Correction"
        CLARIFICATION = "clarification", "Clarification"

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="corrections")
    kind = models.CharField(max_length=20, choices=Kind, default=Kind.CORRECTION)
    text = models.TextField(help_text="Plain text, shown at the end of the story.")
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, editable=False, related_name="+"
    )

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of {timezone.localtime(self.created_at):%Y-%m-%d %H:%M}"


PREVIEW_SALT = "articles.preview-link"


class PreviewLinkQuerySet(models.QuerySet):
    def usable(self) -> Self:
        return self.filter(revoked_at__isnull=True, expires_at__gt=timezone.now())

    def resolve(self, token: str) -> "PreviewLink | None":
        """The usable link a token stands for, or None for a forged, expired or revoked one (no reason given)."""
        try:
            payload = signing.loads(token, salt=PREVIEW_SALT)
            link_id, article_id = int(payload["link"]), int(payload["article"])
        except (signing.BadSignature, KeyError, TypeError, ValueError):
            return None
        return self.usable().filter(pk=link_id, article_id=article_id).select_related("article").first()


def preview_expiry() -> datetime:
    return timezone.now() + timedelta(hours=settings.NEWSROOM["PREVIEW_LINK_HOURS"])


class PreviewLink(models.Model):
    """A signed, expiring, revocable link that shows one unpublished article to someone without an account."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="preview_links")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(default=preview_expiry)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = PreviewLinkQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Preview of {self.article} until {timezone.localtime(self.expires_at):%Y-%m-%d %H:%M}"

    def get_absolute_url(self) -> str:
        return reverse("articles:shared_preview", kwargs={"token": self.token})

    @property
    def token(self) -> str:
        return signing.dumps({"link": self.pk, "article": self.article_id}, salt=PREVIEW_SALT)

    @property
    def is_usable(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()

    def revoke(self) -> None:
        self.revoked_at = timezone.now()
        self.save(update_fields=["revoked_at"])


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

    # No index of their own: related_story_once (article, related) serves lookups by article, and
    # related_story_related_idx those by related story. Every index is written for each of the hundreds of thousands
    # of rows a rebuild of all lists inserts.
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="related_stories", db_index=False)
    related = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="related_to", db_index=False)
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
        indexes = [
            # The publish day next to the words (btree_gin) lets search look for matches among the newest stories
            # only; the b-tree tells where "the newest N stories" begin. See search_sql.py.
            SearchDocumentIndex(F("document"), publish_day(), name="article_search_match_idx"),
            models.Index(fields=["-publish_at"], name="article_search_newest_idx"),
        ]

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


# Wire ingest's own models (feeds, subject rules, pending updates) live with the rest of that concern.
from .ingest.models import AgencyFeed, SubjectRule, WireArticle, WireUpdate  # noqa: E402, F401
