from datetime import datetime
from typing import Any

import reversion
from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, Max, Min, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django_prose_editor.fields import ProseEditorFormField
from reversion.models import Version
from taggit.models import Tag

from . import permissions, presence, revisions
from .images.admin import ImageAdmin  # noqa: F401  (registers the image library)
from .ingest.admin import AgencyFeedInline, SubjectRuleInline
from .models import (
    Agency,
    Article,
    ArticleQuerySet,
    Author,
    Byline,
    Correction,
    FrontSlot,
    PreviewLink,
    RelatedExclusion,
    RelatedPin,
    TaggedArticle,
    Topic,
    Transition,
)
from .pagination import LargeTablePaginator
from .related import deferred_refresh, explain_related
from .views import render_article_page

# Articles use our own Topic model; taggit's default Tag would only confuse editors.
admin.site.unregister(Tag)

# The rich-text editor offers exactly the markup the sanitizer keeps (see tests/articles/test_sanitizer.py).
BODY_EDITOR_EXTENSIONS = {
    "Bold": True,
    "Italic": True,
    "Strike": True,
    "Underline": True,
    "Subscript": True,
    "Superscript": True,
    "Heading": {"levels": [2, 3, 4]},
    "BulletList": True,
    "OrderedList": True,
    "ListItem": True,
    "Blockquote": True,
    "HorizontalRule": True,
    "HardBreak": True,
    "Link": {"enableTarget": False, "protocols": ["http", "https", "mailto"]},
    "History": True,
}

STATE_LABELS = {
    "draft": "Draft",
    "in_review": "In review",
    "scheduled": "Scheduled",
    "embargoed": "Embargoed",
    "live": "Live",
    "expired": "Expired",
    "withdrawn": "Withdrawn",
}


SCHEDULING_FIELDS = ["publish_at", "embargo_until", "expire_at"]


class ArticleForm(forms.ModelForm):
    """The article change form: optimistic locking and the workflow transition asked for by the button pressed."""

    body = ProseEditorFormField(extensions=BODY_EDITOR_EXTENSIONS, required=False)
    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    transition_note = forms.CharField(
        label="Note to the writer",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Required when sending a story back to draft, optional when withdrawing; kept in its history.",
    )
    request: HttpRequest  # set by ArticleAdmin.get_form

    class Meta:
        model = Article
        widgets = {"standfirst": forms.Textarea(attrs={"rows": 3})}
        fields = [
            "headline",
            "slug",
            "standfirst",
            "section",
            "dateline",
            "body",
            "agencies",
            "publish_at",
            "embargo_until",
            "expire_at",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["expected_version"].initial = self.instance.version
        self.stale_changes: list[revisions.FieldChange] = []

    @property
    def transition(self) -> str | None:
        return self.request.POST.get("_transition") or None

    def clean(self) -> dict:
        cleaned = super().clean()
        # Publication times are read-only for journalists, so not on their form: Django would ignore them if posted.
        # A crafted request that tries is told no, rather than seeing "saved" and the times unchanged.
        posted = {key.rsplit("_", 1)[0] if key[-2:] in ("_0", "_1") else key for key in self.data}
        if refused := [name for name in SCHEDULING_FIELDS if name in posted and name not in self.fields]:
            labels = ", ".join(str(Article._meta.get_field(name).verbose_name) for name in refused)
            self.add_error(None, ValidationError(f"Only editors may set these: {labels}.", code="permission"))
        if self.instance.pk:
            self._refuse_stale_edit(cleaned.get("expected_version"))
        if self.transition:
            self._check_transition(cleaned)
        return cleaned

    def _refuse_stale_edit(self, expected_version: int | None) -> None:
        # Locks the row until this request's transaction ends (the admin wraps saving in one), so of two
        # concurrent saves from the same version the second waits, then sees the new version and is refused.
        current = (
            Article.objects.select_for_update(of=("self",)).select_related("last_edited_by").get(pk=self.instance.pk)
        )
        if expected_version is None or expected_version == current.version:
            return
        old = revisions.snapshot_at_version(current, expected_version)
        latest = revisions.history(current)
        if old is not None and latest:
            self.stale_changes = revisions.compare(old, revisions.snapshot(latest[0]))
        by = current.last_edited_by.get_username() if current.last_edited_by else "someone else"
        saved_at = timezone.localtime(current.updated_at).strftime("%H:%M")
        raise ValidationError(
            "%(by)s saved this article at %(at)s, after you opened it. Your changes have not been saved and are "
            "still in the form: compare them with what changed (listed above the form), then reload the article "
            "and apply them again.",
            code="stale",
            params={"by": by, "at": saved_at},
        )

    def _check_transition(self, cleaned: dict) -> None:
        if self.transition not in permissions.TRANSITION_LABELS:
            raise ValidationError("Unknown action.")
        if self.transition not in permissions.allowed_transitions(self.request.user, self.instance):
            label = permissions.TRANSITION_LABELS[self.transition].lower()
            raise ValidationError(f"You may not {label} this article.", code="permission")
        if self.transition == permissions.SEND_BACK and not cleaned.get("transition_note", "").strip():
            self.add_error("transition_note", "Say what needs to change: a note is required to send a story back.")
        if self.transition == permissions.PUBLISH:
            publish_at, embargo = cleaned.get("publish_at"), cleaned.get("embargo_until")
            if publish_at and embargo and publish_at < embargo:
                self.add_error("publish_at", "The publish time is before the embargo; set it at or after the embargo.")


# Where a wire story came from (see articles/ingest/), shown to editors but never edited by hand.
WIRE_FIELDS = ["wire_agency", "wire_uri", "wire_version", "wire_first_created_at", "wire_version_created_at"]


class BylineInline(admin.TabularInline):
    model = Byline
    extra = 0
    autocomplete_fields = ["author"]
    verbose_name = "author"
    verbose_name_plural = "byline (staff authors, in order)"


class TopicInline(admin.TabularInline):
    model = TaggedArticle
    fk_name = "content_object"
    extra = 0
    autocomplete_fields = ["tag"]
    verbose_name = "topic"
    verbose_name_plural = "topics (the first is the main one)"


class CorrectionInline(admin.StackedInline):
    model = Correction
    extra = 0
    fields = ["kind", "text", "created_at"]
    verbose_name_plural = "corrections and clarifications (shown to readers)"

    def has_add_permission(self, request: HttpRequest, obj: Article | None = None) -> bool:
        return obj is not None and permissions.is_editor(request.user)

    has_change_permission = has_delete_permission = has_add_permission


class TransitionInline(admin.TabularInline):
    model = Transition
    extra = 0
    fields = ["at", "by", "from_status", "to_status", "note"]
    readonly_fields = fields
    verbose_name_plural = "workflow history"
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Article | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Article | None = None) -> bool:
        return False


class PublicationStateFilter(admin.SimpleListFilter):
    title = "publication"
    parameter_name = "state"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return list(STATE_LABELS.items())

    def queryset(self, request: HttpRequest, queryset: QuerySet[Article]) -> QuerySet[Article]:
        match self.value():
            case "scheduled":
                return queryset.scheduled()
            case "embargoed":
                return queryset.embargoed()
            case "expired":
                return queryset.expired()
            case "live":
                return queryset.live()
            case None:
                return queryset
            case status:
                return queryset.filter(status=status)


class MineFilter(admin.SimpleListFilter):
    title = "whose"
    parameter_name = "mine"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [("1", "My articles")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Article]) -> QuerySet[Article]:
        return queryset.filter(pk__in=Article.objects.owned_by(request.user)) if self.value() == "1" else queryset


class RelatedPinInline(admin.TabularInline):
    model = RelatedPin
    fk_name = "article"
    extra = 0
    autocomplete_fields = ["related"]
    fields = ["related", "position"]


class RelatedExclusionInline(admin.TabularInline):
    model = RelatedExclusion
    fk_name = "article"
    extra = 0
    autocomplete_fields = ["excluded"]


class RecentlyUsedFilter(admin.RelatedFieldListFilter):
    """
    A filter listing the authors (or topics) of the newest articles, and the one chosen if older. Every one in use
    would make lists of thousands that nobody can use, and `RelatedOnlyFieldListFilter` finds them by reading every
    article: seconds per list load with a million. Any can still be chosen by its address (`?topics__id__exact=`).
    """

    newest_articles = 200
    link_model: type
    article_field: str
    target_field: str

    def field_choices(self, field: Any, request: HttpRequest, model_admin: admin.ModelAdmin) -> list:
        newest = Article.objects.order_by("-publish_at", "-pk").values("pk")[: self.newest_articles]
        links = self.link_model.objects.filter(**{f"{self.article_field}__in": newest})
        chosen = [value for value in self.lookup_val or [] if str(value).isdigit()]
        recent = Q(pk__in=links.values(self.target_field)) | Q(pk__in=chosen)
        return field.get_choices(include_blank=False, limit_choices_to=recent, ordering=("name",))


class RecentAuthorFilter(RecentlyUsedFilter):
    link_model, article_field, target_field = Byline, "article", "author"


class RecentTopicFilter(RecentlyUsedFilter):
    link_model, article_field, target_field = TaggedArticle, "content_object", "tag"


class ChangeListQuerySet(ArticleQuerySet):
    """The admin list's articles: as any, but with a date hierarchy that doesn't read a million rows."""

    def datetimes(self, field_name: str, kind: str, order: str = "ASC", tzinfo: Any = None, **kwargs: Any) -> Any:
        """
        The date hierarchy's years, or a year's months, from the first and last dates alone (two index lookups)
        rather than from every row: a newsroom publishes every month. Days are still read from the month's rows.
        """
        if kind not in ("year", "month"):
            return super().datetimes(field_name, kind, order, tzinfo, **kwargs)
        bounds = self.aggregate(first=Min(field_name), last=Max(field_name))
        if bounds["first"] is None:
            return []
        zone = tzinfo or timezone.get_current_timezone()
        first, last = (timezone.localtime(bounds[end], zone) for end in ("first", "last"))
        months = range(first.year * 12 + first.month - 1, last.year * 12 + last.month)
        moments = sorted(
            {datetime(month // 12, month % 12 + 1 if kind == "month" else 1, 1, tzinfo=zone) for month in months}
        )
        return moments if order == "ASC" else moments[::-1]


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    form = ArticleForm
    list_display = ["headline", "state_badge", "section", "byline_display", "publish_at", "last_edited_by"]
    list_filter = [
        PublicationStateFilter,
        MineFilter,
        "section",
        ("bylines__author", RecentAuthorFilter),
        "agencies",
        ("topics", RecentTopicFilter),
    ]
    search_fields = ["headline", "standfirst", "slug"]
    date_hierarchy = "publish_at"
    list_select_related = ["section", "last_edited_by"]
    # With a million articles, no count of them all on each list load (see LargeTablePaginator), and the default
    # ordering (newest first) is read from an index (article_newest_idx).
    show_full_result_count = False
    paginator = LargeTablePaginator
    autocomplete_fields = ["section", "agencies", "lead_image"]
    prepopulated_fields = {"slug": ["headline"]}
    inlines = [BylineInline, TopicInline, RelatedPinInline, RelatedExclusionInline, CorrectionInline, TransitionInline]
    actions = ["submit_selected", "publish_selected", "withdraw_selected"]
    change_form_template = "admin/articles/article/change_form.html"

    class Media:
        css = {"all": ["css/admin.css"]}

    # --- Forms and permissions ---------------------------------------------------------------------------------

    def view_on_site(self, article: Article) -> str:
        if Article.objects.live().filter(pk=article.pk).exists():
            return article.get_absolute_url()
        return reverse("admin:articles_article_preview", args=[article.pk])

    def get_inline_instances(self, request: HttpRequest, obj: Article | None = None) -> list:
        # Corrections and the workflow history only mean something once the article exists.
        inlines = super().get_inline_instances(request, obj)
        return (
            inlines
            if obj is not None
            else [i for i in inlines if not isinstance(i, CorrectionInline | TransitionInline)]
        )

    def get_form(self, request: HttpRequest, obj: Article | None = None, **kwargs: Any) -> type[ArticleForm]:
        form = super().get_form(request, obj, **kwargs)
        return type(form.__name__, (form,), {"request": request})

    def get_fieldsets(self, request: HttpRequest, obj: Article | None = None) -> list:
        publication = ["state", "publish_at", "embargo_until", "expire_at", "first_published_at", "updated_at"]
        editable = obj is None or self.has_change_permission(request, obj)
        content = ["headline", "slug", "standfirst", "section", "dateline", "body"]
        fieldsets = [
            (None, {"fields": [*content, "expected_version"] if editable else content}),
            ("Credits", {"fields": ["agencies"]}),
            ("Lead image", {"fields": ["lead_image", "lead_image_caption", "lead_image_credit"]}),
            ("Publication", {"fields": publication, "description": self._time_zone_note()}),
        ]
        if obj is not None:
            fieldsets.append(("Related stories", {"fields": ["related_preview"], "classes": ["collapse"]}))
        if obj is not None and obj.wire_uri:
            fieldsets.append(("Agency copy", {"fields": WIRE_FIELDS, "classes": ["collapse"]}))
        if obj is not None and {permissions.SEND_BACK, permissions.WITHDRAW} & {
            *permissions.allowed_transitions(request.user, obj)
        }:
            fieldsets.append(("Note for sending back or withdrawing", {"fields": ["transition_note"]}))
        return fieldsets

    def get_readonly_fields(self, request: HttpRequest, obj: Article | None = None) -> list[str]:
        readonly = ["state", "first_published_at", "updated_at", "related_preview", *WIRE_FIELDS]
        if not permissions.is_editor(request.user):
            # Scheduling, embargo and expiry are editors' decisions.
            readonly += SCHEDULING_FIELDS
        return readonly

    def get_prepopulated_fields(self, request: HttpRequest, obj: Article | None = None) -> dict:
        return {} if obj is not None and not self.has_change_permission(request, obj) else self.prepopulated_fields

    def has_change_permission(self, request: HttpRequest, obj: Article | None = None) -> bool:
        if obj is None:
            return super().has_change_permission(request)
        return permissions.can_edit(request.user, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Article | None = None) -> bool:
        return super().has_delete_permission(request, obj) and permissions.is_editor(request.user)

    def has_publish_permission(self, request: HttpRequest) -> bool:
        """Offers the editors' list actions to editors only (each article's own rules still apply)."""
        return permissions.is_editor(request.user)

    @admin.display(description="related stories now")
    def related_preview(self, article: Article) -> SafeString | str:
        if article.pk is None:
            return "Shown once the article is saved."
        return render_to_string("admin/articles/related_preview.html", {"explanations": explain_related(article)})

    def get_queryset(self, request: HttpRequest) -> QuerySet[Article]:
        # The list shows no body: leaving it unread spares decompressing 100 of them (about 5 kB each) per page.
        articles = ChangeListQuerySet(Article, using=Article.objects.db).defer("body")
        if ordering := self.get_ordering(request):
            articles = articles.order_by(*ordering)
        # The byline column, for the whole page in two queries.
        return articles.prefetch_related(
            Prefetch("bylines", queryset=Byline.objects.select_related("author")), "agencies"
        )

    @staticmethod
    def _time_zone_note() -> str:
        return f"Times are in the newsroom's time zone ({timezone.get_current_timezone_name()})."

    # --- Saving ------------------------------------------------------------------------------------------------

    def changeform_view(
        self, request: HttpRequest, object_id: str | None = None, *args: Any, **kwargs: Any
    ) -> HttpResponse:
        if request.method == "POST" and object_id and object_id.isdigit():
            revisions.keep_agency_copy(int(object_id))
        # One revision for the article with its inlines; and as the article, its topics, pins and exclusions are
        # saved one by one, its related list is refreshed once, after.
        if request.method == "POST":
            self._refuse_inlines_not_offered(request, object_id)
        with deferred_refresh(), reversion.create_revision():
            reversion.set_user(request.user if request.user.is_authenticated else None)
            return super().changeform_view(request, object_id, *args, **kwargs)

    def _refuse_inlines_not_offered(self, request: HttpRequest, object_id: str | None) -> None:
        # Django drops the rows of an inline the user may not use (a journalist posting related pins) and saves the
        # rest as if all went well. A crafted POST like that is refused outright instead, so nobody is told
        # "saved" for a change that was quietly thrown away.
        article = self.get_object(request, unquote(object_id)) if object_id else None
        offered = {type(inline) for inline in self.get_inline_instances(request, article)}
        for inline_class in self.inlines:
            if inline_class in offered:
                continue
            prefix = inline_class(self.model, self.admin_site).get_formset(request, article).get_default_prefix()
            if request.POST.get(f"{prefix}-TOTAL_FORMS", "0") != "0":
                raise PermissionDenied

    def save_model(self, request: HttpRequest, obj: Article, form: ArticleForm, change: bool) -> None:
        if not change:
            obj.created_by = request.user
        obj.last_edited_by = request.user
        obj.save(expected_version=form.cleaned_data.get("expected_version") if change else None)
        reversion.set_comment(form.transition and permissions.TRANSITION_LABELS[form.transition] or "Edited")

    def save_related(self, request: HttpRequest, form: ArticleForm, formsets: list, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        for correction in form.instance.corrections.filter(created_by__isnull=True):
            correction.created_by = request.user
            correction.save(update_fields=["created_by"])
        if form.transition:
            self._perform(request, form.instance, form.transition, note=form.cleaned_data.get("transition_note", ""))

    @staticmethod
    def _perform(request: HttpRequest, article: Article, transition: str, *, note: str = "") -> None:
        user = request.user
        match transition:
            case permissions.SUBMIT:
                article.submit(by=user)
            case permissions.SEND_BACK:
                article.send_back(by=user, note=note)
            case permissions.PUBLISH:
                article.publish(by=user, at=article.publish_at)
            case permissions.WITHDRAW:
                article.withdraw(by=user, note=note)
        state = article.publication_state
        if state == "scheduled":
            when = timezone.localtime(article.publish_at).strftime("%Y-%m-%d %H:%M %Z")
            messages.info(request, f"“{article}” is scheduled: readers will see it from {when}.")
        elif state == "embargoed":
            when = timezone.localtime(article.embargo_until).strftime("%Y-%m-%d %H:%M %Z")
            messages.warning(request, f"“{article}” is under embargo: readers will see it from {when}.")

    # --- List actions ------------------------------------------------------------------------------------------

    def _act_on_each(self, request: HttpRequest, queryset: QuerySet[Article], transition: str) -> None:
        done, refused = 0, []
        for article in queryset:
            revisions.keep_agency_copy(article.pk)
            try:
                with transaction.atomic(), reversion.create_revision():
                    reversion.set_user(request.user)
                    reversion.set_comment(permissions.TRANSITION_LABELS[transition])
                    self._perform(request, article, transition)
                done += 1
            except (PermissionDenied, ValidationError) as error:
                refused.append(f"“{article}”: {' '.join(getattr(error, 'messages', [str(error)]))}")
        if done:
            self.message_user(request, f"{permissions.TRANSITION_LABELS[transition]}: {done} article(s).")
        for reason in refused:
            self.message_user(request, reason, messages.ERROR)

    @admin.action(description="Submit selected articles for review")
    def submit_selected(self, request: HttpRequest, queryset: QuerySet[Article]) -> None:
        self._act_on_each(request, queryset, permissions.SUBMIT)

    @admin.action(description="Publish selected articles (at their publish time, or now)", permissions=["publish"])
    def publish_selected(self, request: HttpRequest, queryset: QuerySet[Article]) -> None:
        self._act_on_each(request, queryset, permissions.PUBLISH)

    @admin.action(description="Withdraw selected articles", permissions=["publish"])
    def withdraw_selected(self, request: HttpRequest, queryset: QuerySet[Article]) -> None:
        self._act_on_each(request, queryset, permissions.WITHDRAW)

    # --- Columns and read-only fields -------------------------------------------------------------------------

    def action_checkbox(self, article: Article) -> str:
        # Django renders each row's checkbox through the form widget templates: a third of a 100-row list's time.
        # The same markup, directly.
        return format_html(
            '<input type="checkbox" name="{}" value="{}" class="action-select" aria-label="{}">',
            helpers.ACTION_CHECKBOX_NAME,
            article.pk,
            f"Select this object for an action - {article}",
        )

    @admin.display(description="status")
    def state_badge(self, article: Article) -> str:
        state = article.publication_state
        return format_html('<span class="state-badge state-badge--{}">{}</span>', state, STATE_LABELS[state])

    @admin.display(description="status")
    def state(self, article: Article) -> str:
        return self.state_badge(article) if article.pk else "New"

    @admin.display(description="byline")
    def byline_display(self, article: Article) -> str:
        return article.byline.removeprefix("By ")

    # --- Change form context -----------------------------------------------------------------------------------

    def render_change_form(
        self, request: HttpRequest, context: dict, *args: Any, obj: Article | None = None, **kwargs
    ):
        article = obj or Article()
        context["transition_buttons"] = [
            (name, permissions.TRANSITION_LABELS[name])
            for name in permissions.allowed_transitions(request.user, article)
            if obj is not None or name == permissions.SUBMIT
        ]
        form = context.get("adminform").form if context.get("adminform") else None
        context["stale_changes"] = getattr(form, "stale_changes", [])
        if obj is not None:
            context["others_editing"] = presence.record_open(obj.pk, request.user.get_username())
            context["sent_back"] = (
                obj.transitions.filter(to_status=Article.Status.DRAFT).first()
                if (obj.status == Article.Status.DRAFT)
                else None
            )
            context["can_share_preview"] = permissions.is_editor(request.user)
            context["preview_links"] = obj.preview_links.select_related("created_by")[:10]
        return super().render_change_form(request, context, *args, obj=obj, **kwargs)

    def get_urls(self) -> list:
        view = self.admin_site.admin_view
        return [
            path("<int:pk>/preview/", view(self.preview_view), name="articles_article_preview"),
            path("<int:pk>/revisions/", view(self.revisions_view), name="articles_article_revisions"),
            path(
                "<int:pk>/revisions/<int:version_id>/restore/",
                view(self.restore_view),
                name="articles_article_restore",
            ),
            path("<int:pk>/preview-links/", view(self.create_preview_link_view), name="articles_article_share"),
            path(
                "<int:pk>/preview-links/<int:link_id>/revoke/",
                view(self.revoke_preview_link_view),
                name="articles_article_revoke_share",
            ),
            *super().get_urls(),
        ]

    def _article_for(self, request: HttpRequest, pk: int) -> Article:
        article = get_object_or_404(Article, pk=pk)
        if not self.has_view_permission(request, article):
            raise PermissionDenied
        return article

    # --- Preview ---------------------------------------------------------------------------------------------------

    def preview_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """The article exactly as readers will see it, whatever its state, with a Preview banner."""
        article = get_object_or_404(Article.objects.for_page(), pk=pk)
        if not self.has_view_permission(request, article):
            raise PermissionDenied
        return render_article_page(request, article, preview=True)

    def create_preview_link_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        article = self._article_for(request, pk)
        if request.method != "POST" or not permissions.is_editor(request.user):
            raise PermissionDenied
        link = PreviewLink.objects.create(article=article, created_by=request.user)
        url = request.build_absolute_uri(link.get_absolute_url())
        expires = timezone.localtime(link.expires_at).strftime("%Y-%m-%d %H:%M %Z")
        self.message_user(
            request, format_html("Preview link (valid until {}): <a href='{}'>{}</a>", expires, url, url)
        )
        return HttpResponseRedirect(reverse("admin:articles_article_change", args=[pk]))

    def revoke_preview_link_view(self, request: HttpRequest, pk: int, link_id: int) -> HttpResponse:
        article = self._article_for(request, pk)
        if request.method != "POST" or not permissions.is_editor(request.user):
            raise PermissionDenied
        get_object_or_404(article.preview_links, pk=link_id).revoke()
        self.message_user(request, "The preview link was revoked: it now answers “not found”.")
        return HttpResponseRedirect(reverse("admin:articles_article_change", args=[pk]))

    # --- Revisions -------------------------------------------------------------------------------------------------

    def revisions_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """The article's revisions; with ?from=&to= a field-by-field comparison of two of them."""
        article = self._article_for(request, pk)
        versions = revisions.history(article)
        by_id = {version.pk: version for version in versions}
        comparison = None
        if "from" in request.GET and "to" in request.GET:
            try:
                old, new = by_id[int(request.GET["from"])], by_id[int(request.GET["to"])]
            except (KeyError, ValueError) as error:
                raise Http404("No such revision of this article.") from error
            if old.revision.date_created > new.revision.date_created:
                old, new = new, old
            comparison = {
                "old": revisions.snapshot(old),
                "new": revisions.snapshot(new),
                "changes": revisions.compare(revisions.snapshot(old), revisions.snapshot(new)),
            }
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"Revisions of “{article}”",
            "article": article,
            "versions": versions,
            "comparison": comparison,
            "can_restore": permissions.can_edit(request.user, article),
        }
        return TemplateResponse(request, "admin/articles/article/revisions.html", context)

    def restore_view(self, request: HttpRequest, pk: int, version_id: int) -> HttpResponse:
        article = self._article_for(request, pk)
        if request.method != "POST":
            raise PermissionDenied
        version = get_object_or_404(Version.objects.get_for_object(article), pk=version_id)
        revisions.restore(article, version, by=request.user)
        self.message_user(request, "The revision was restored, as a new revision.")
        return HttpResponseRedirect(reverse("admin:articles_article_change", args=[pk]))


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ["name", "short_name", "slug", "website"]
    search_fields = ["name", "short_name"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [AgencyFeedInline, SubjectRuleInline]


@admin.register(Author)
class AuthorAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "user"]
    search_fields = ["name", "user__username"]
    autocomplete_fields = ["user"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(FrontSlot)
class FrontSlotAdmin(admin.ModelAdmin):
    list_display = ["front_display", "position", "article", "starts_at", "ends_at", "showing"]
    list_display_links = ["article"]
    list_editable = ["position"]
    list_filter = [("section", admin.EmptyFieldListFilter), "section"]
    list_select_related = ["section", "article"]
    search_fields = ["article__headline", "section__name"]
    autocomplete_fields = ["section", "article"]

    @admin.display(description="front", ordering="section__position")
    def front_display(self, slot: FrontSlot) -> str:
        return slot.section.name if slot.section else "Home page"

    def get_queryset(self, request: HttpRequest) -> QuerySet[FrontSlot]:
        live = Article.objects.live().filter(pk=OuterRef("article_id"))
        return super().get_queryset(request).annotate(story_is_live=Exists(live))

    @admin.display(description="showing now", boolean=True)
    def showing(self, slot: FrontSlot) -> bool:
        """On the front now: the slot is current and its story live (a story not yet live waits for its time)."""
        now = timezone.now()
        current = (slot.starts_at is None or slot.starts_at <= now) and (slot.ends_at is None or slot.ends_at > now)
        return current and slot.story_is_live
