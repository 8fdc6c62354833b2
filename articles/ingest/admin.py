"""
Wire ingest in the admin: each agency's feeds and subject rules (inlines on the agency), the "Wire" list of
ingested stories, and newer versions held for an editor, who accepts or dismisses them.
"""

import difflib
import re

from django.contrib import admin, messages
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from .models import AgencyFeed, SubjectRule, WireArticle, WireUpdate
from .service import poll_feeds


class SubjectRuleInline(admin.TabularInline):
    model = SubjectRule
    extra = 0
    autocomplete_fields = ["section"]
    verbose_name = "subject rule"
    verbose_name_plural = "subject rules (an item about this subject goes to this section)"


class AgencyFeedInline(admin.TabularInline):
    model = AgencyFeed
    extra = 0
    fields = ["url", "format", "default_section", "active", "last_ingest_at", "last_result"]
    readonly_fields = ["last_ingest_at", "last_result"]
    autocomplete_fields = ["default_section"]


@admin.register(AgencyFeed)
class AgencyFeedAdmin(admin.ModelAdmin):
    list_display = ["url", "agency", "format", "default_section", "active", "last_ingest_at", "last_summary"]
    list_filter = ["active", "format", "agency"]
    search_fields = ["url", "agency__name"]
    list_select_related = ["agency", "default_section"]
    autocomplete_fields = ["agency", "default_section"]
    readonly_fields = ["last_ingest_at", "last_result"]
    actions = ["ingest_now"]

    @admin.display(description="last result")
    def last_summary(self, feed: AgencyFeed) -> str:
        return feed.last_result.partition("\n")[0]

    @admin.action(description="Ingest the selected feeds now (as drafts)", permissions=["change"])
    def ingest_now(self, request: HttpRequest, queryset: QuerySet[AgencyFeed]) -> None:
        report = poll_feeds(feeds=queryset.select_related("agency", "default_section"))
        level = messages.SUCCESS if report.ok else messages.WARNING
        self.message_user(request, f"Ingest: {report.summary()}", level)


@admin.register(WireArticle)
class WireArticleAdmin(admin.ModelAdmin):
    """Every article that came in from an agency, newest first. Editing happens in the article's own form."""

    list_display = [
        "headline_link",
        "wire_agency",
        "byline_display",
        "section",
        "status",
        "wire_version",
        "created_at",
        "pending_updates",
    ]
    list_display_links = None
    list_filter = [("wire_agency", admin.RelatedOnlyFieldListFilter), "status", "section"]
    search_fields = ["headline", "wire_uri"]
    date_hierarchy = "created_at"
    list_select_related = ["wire_agency", "section"]
    ordering = ["-created_at", "-pk"]
    show_full_result_count = False

    def get_queryset(self, request: HttpRequest) -> QuerySet[WireArticle]:
        pending = Q(wire_updates__accepted_at__isnull=True, wire_updates__dismissed_at__isnull=True)
        return (
            super()
            .get_queryset(request)
            .prefetch_related("bylines__author", "agencies")
            .annotate(pending_count=Count("wire_updates", filter=pending))
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: WireArticle | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: WireArticle | None = None) -> bool:
        return False

    @admin.display(description="headline", ordering="headline")
    def headline_link(self, article: WireArticle) -> str:
        return format_html('<a href="{}">{}</a>', reverse("admin:articles_article_change", args=[article.pk]), article)

    @admin.display(description="byline")
    def byline_display(self, article: WireArticle) -> str:
        return article.byline.removeprefix("By ")

    @admin.display(description="newer versions", ordering="pending_count")
    def pending_updates(self, article: WireArticle) -> str:
        if not article.pending_count:
            return "–"
        url = reverse("admin:articles_wireupdate_changelist")
        link = f"{url}?article__id__exact={article.pk}&pending=yes"
        return format_html('<a href="{}">{}</a>', link, article.pending_count)


class PendingFilter(admin.SimpleListFilter):
    title = "state"
    parameter_name = "pending"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [("yes", "Waiting for an editor"), ("accepted", "Accepted"), ("dismissed", "Dismissed")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[WireUpdate]) -> QuerySet[WireUpdate]:
        match self.value():
            case "yes":
                return queryset.pending()
            case "accepted":
                return queryset.filter(accepted_at__isnull=False)
            case "dismissed":
                return queryset.filter(dismissed_at__isnull=False)
        return queryset


def _lines(html: str) -> list[str]:
    """Body HTML as one line per paragraph, for a readable diff."""
    return [line for line in re.split(r"(?<=</p>)|(?<=</h[234]>)|\n", html or "") if line.strip()]


@admin.register(WireUpdate)
class WireUpdateAdmin(admin.ModelAdmin):
    list_display = ["article", "version", "version_created_at", "received_at", "state"]
    list_filter = [PendingFilter, ("article__wire_agency", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["headline", "article__headline"]
    list_select_related = ["article"]
    date_hierarchy = "received_at"
    actions = ["accept", "dismiss"]
    fields = ["article", "version", "version_created_at", "received_at", "state", "changes"]
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_accept_permission(self, request: HttpRequest) -> bool:
        # Accepting rewrites the article, so it takes the right to change articles too.
        return self.has_change_permission(request) and request.user.has_perm("articles.change_article")

    @admin.display(description="state")
    def state(self, update: WireUpdate) -> str:
        if update.accepted_at:
            return f"accepted {update.accepted_at:%Y-%m-%d %H:%M}"
        if update.dismissed_at:
            return f"dismissed {update.dismissed_at:%Y-%m-%d %H:%M}"
        return "waiting for an editor"

    @admin.display(description="changes against the article as it is now")
    def changes(self, update: WireUpdate) -> str:
        article = update.article
        rows = []
        for label, old, new in [
            ("headline", [article.headline], [update.headline]),
            ("standfirst", [article.standfirst], [update.standfirst]),
            ("dateline", [article.dateline], [update.dateline]),
            ("body", _lines(article.body), _lines(update.body)),
        ]:
            diff = list(difflib.unified_diff(old, new, "article", "agency", lineterm="", n=1))[2:]
            if diff:
                rows.append((label, "\n".join(diff)))
        if not rows:
            return "No differences in the text."
        return format_html_join("", "<h4>{}</h4><pre style='white-space: pre-wrap'>{}</pre>", rows)

    @admin.action(description="Accept: replace the articles' text with the agency's version", permissions=["accept"])
    def accept(self, request: HttpRequest, queryset: QuerySet[WireUpdate]) -> None:
        accepted = 0
        for update in queryset.pending().order_by("received_at", "pk"):
            update.accept()
            accepted += 1
        self.message_user(request, f"{accepted} version(s) accepted.", messages.SUCCESS)

    @admin.action(description="Dismiss: keep the articles as they are", permissions=["change"])
    def dismiss(self, request: HttpRequest, queryset: QuerySet[WireUpdate]) -> None:
        dismissed = 0
        for update in queryset.pending():
            update.dismiss()
            dismissed += 1
        self.message_user(request, f"{dismissed} version(s) dismissed.", messages.SUCCESS)
