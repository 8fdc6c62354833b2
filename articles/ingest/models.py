"""
Wire ingest's models: each agency's feeds and subject->section rules, the "Wire" view of ingested articles, and newer
versions of an item held for an editor because someone had edited the article since it was ingested.

Imported at the bottom of articles/models.py, so they belong to the articles app.
"""

from datetime import datetime
from typing import Protocol, Self

import reversion
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone

from articles.models import Agency, Article, ArticleQuerySet, Author, Byline, TaggedArticle, Topic
from sections.models import Section

from .fingerprint import Copy, copy_fingerprint

# The article fields an agency's copy fills in, and a newer version of it replaces.
WIRE_FIELDS = ("headline", "standfirst", "body", "dateline", "embargo_until")


class AgencyFeed(models.Model):
    """An address an agency publishes its copy at, polled by `manage.py ingest --feeds`."""

    class Format(models.TextChoices):
        AUTO = "auto", "Detect from the content"
        NINJS = "ninjs", "IPTC ninjs (JSON)"
        NITF = "nitf", "NITF (XML)"
        FEED = "feed", "RSS or Atom"

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="feeds")
    url = models.URLField("address", max_length=500)
    format = models.CharField(max_length=10, choices=Format, default=Format.AUTO)
    default_section = models.ForeignKey(
        Section,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Where its stories go when none of the agency's subject rules matches.",
    )
    active = models.BooleanField(default=True, help_text="Only active feeds are polled.")
    last_ingest_at = models.DateTimeField("last ingest", null=True, blank=True, editable=False)
    last_result = models.TextField(blank=True, editable=False)

    class Meta:
        ordering = ["agency", "url"]
        constraints = [models.UniqueConstraint(fields=["agency", "url"], name="agency_feed_once")]

    def __str__(self) -> str:
        return f"{self.agency.byline_name}: {self.url}"


class SubjectRule(models.Model):
    """Copy from an agency about a subject goes to a section ("15000000" or "Sport" -> Sport)."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="subject_rules")
    subject = models.CharField(
        max_length=200,
        help_text="A subject code or name as the agency sends it, e.g. “15000000” or “Sport”. Case is ignored.",
    )
    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="+")
    position = models.PositiveSmallIntegerField(default=0, help_text="Rules are tried lowest first.")

    class Meta:
        ordering = ["position", "pk"]
        constraints = [models.UniqueConstraint(fields=["agency", "subject"], name="subject_rule_once")]

    def __str__(self) -> str:
        return f"{self.subject} → {self.section}"


class WireArticleManager(models.Manager.from_queryset(ArticleQuerySet)):
    def get_queryset(self) -> ArticleQuerySet:
        return super().get_queryset().filter(wire_uri__isnull=False)


class WireArticle(Article):
    """Articles that came in from an agency: the admin's "Wire" view."""

    objects = WireArticleManager()

    class Meta:
        proxy = True
        verbose_name = "wire story"
        verbose_name_plural = "wire"


class WireUpdateQuerySet(models.QuerySet):
    def pending(self) -> Self:
        return self.filter(accepted_at__isnull=True, dismissed_at__isnull=True)


class WireUpdate(models.Model):
    """
    A newer version of an agency item whose article someone had edited since it was ingested. Kept, not applied, so
    no human edit is overwritten; an editor accepts it (the article then takes the agency's text) or dismisses it.
    """

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="wire_updates")
    version = models.CharField(max_length=40, blank=True)
    version_created_at = models.DateTimeField(null=True, blank=True)
    received_at = models.DateTimeField(auto_now_add=True)
    headline = models.CharField(max_length=255)
    standfirst = models.TextField(blank=True)
    body = models.TextField(blank=True)
    dateline = models.CharField(max_length=100, blank=True)
    embargo_until = models.DateTimeField(null=True, blank=True)
    # Slugs, resolved (and the rows created) when the update arrived.
    topics = models.JSONField(default=list, blank=True)
    authors = models.JSONField(default=list, blank=True)
    agencies = models.JSONField(default=list, blank=True)
    fingerprint = models.CharField(max_length=64)
    accepted_at = models.DateTimeField(null=True, blank=True)
    dismissed_at = models.DateTimeField(null=True, blank=True)

    objects = WireUpdateQuerySet.as_manager()

    class Meta:
        ordering = ["-received_at", "-pk"]
        constraints = [
            # The same copy delivered twice is one update.
            models.UniqueConstraint(fields=["article", "fingerprint"], name="wire_update_once"),
            models.CheckConstraint(
                condition=Q(accepted_at__isnull=True) | Q(dismissed_at__isnull=True),
                name="wire_update_accepted_or_dismissed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.article} (version {self.version or '?'})"

    @property
    def is_pending(self) -> bool:
        return self.accepted_at is None and self.dismissed_at is None

    def accept(self) -> None:
        """
        Replace the article's text, topics and credits with this version; its status, section and address stay.
        Older pending versions of the same item are dismissed with it, since this one supersedes them.
        """
        now = timezone.now()
        with transaction.atomic():
            article = Article.objects.select_for_update().get(pk=self.article_id)
            # Looked up now: a topic, author or agency deleted since this version arrived is left out.
            topics = Topic.objects.in_bulk(self.topics, field_name="slug")
            authors = Author.objects.in_bulk(self.authors, field_name="slug")
            agencies = Agency.objects.in_bulk(self.agencies, field_name="slug")
            apply_wire_fields(
                article,
                self,
                version_created_at=self.version_created_at,
                topics=[topics[slug] for slug in self.topics if slug in topics],
                authors=[authors[slug] for slug in self.authors if slug in authors],
                agencies=[agencies[slug] for slug in self.agencies if slug in agencies],
            )
            WireUpdate.objects.pending().filter(article=article, received_at__lte=self.received_at).exclude(
                pk=self.pk
            ).update(dismissed_at=now)
            self.accepted_at = now
            self.save(update_fields=["accepted_at"])

    def dismiss(self) -> None:
        self.dismissed_at = timezone.now()
        self.save(update_fields=["dismissed_at"])


class WireCopy(Copy, Protocol):
    """One version of an item's text as the agency sent it: a mapped item being ingested, or a held `WireUpdate`."""

    version: str


def apply_wire_fields(
    article: Article,
    copy: WireCopy,
    *,
    version_created_at: datetime | None,
    topics: list[Topic],
    authors: list[Author],
    agencies: list[Agency],
) -> None:
    """
    Write one version of an agency item into its existing article: the text, dateline, embargo and wire version, and
    the topics and credits in the order given. Status, section, address and pictures stay as they are. The stored
    fingerprint is the copy's own, so the article counts as unedited until someone changes it. Both a newer version
    of an unedited article (ingest) and a held version an editor accepts (`WireUpdate.accept`) come through here.
    """
    # Imported here: these modules are loaded with (and need) the models this module completes.
    from articles.related import deferred_refresh, schedule_refresh
    from articles.revisions import keep_agency_copy

    # The copy being replaced stays in the article's history, and so does this one.
    keep_agency_copy(article.pk)
    for name in WIRE_FIELDS:
        setattr(article, name, getattr(copy, name))
    article.wire_version = copy.version
    article.wire_version_created_at = version_created_at
    article.wire_fingerprint = copy_fingerprint(copy, topics=topics, authors=authors, agencies=agencies)
    # Replacing the topics row by row would refresh the article's related stories once per row removed: once, at the
    # end (or at the end of the caller's own deferred block), and whether or not it had topics before.
    with deferred_refresh(), reversion.create_revision():
        reversion.set_comment(f"Agency version {copy.version or '?'} written in.")
        article.save(update_fields=[*WIRE_FIELDS, "wire_version", "wire_version_created_at", "wire_fingerprint"])
        TaggedArticle.objects.filter(content_object=article).delete()
        TaggedArticle.objects.bulk_create(TaggedArticle(content_object=article, tag=topic) for topic in topics)
        Byline.objects.filter(article=article).delete()
        Byline.objects.bulk_create(
            Byline(article=article, author=author, position=position) for position, author in enumerate(authors)
        )
        article.agencies.set(agencies)
        reversion.add_to_revision(article)
        schedule_refresh(article.pk)
