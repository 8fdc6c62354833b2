from django.contrib import admin
from django.db.models import Exists, OuterRef, QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString
from taggit.models import Tag

from .models import Agency, Article, Author, Byline, FrontSlot, RelatedExclusion, RelatedPin, TaggedArticle, Topic
from .related import deferred_refresh, explain_related

# Articles use our own Topic model; taggit's default Tag would only confuse editors.
admin.site.unregister(Tag)


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
    verbose_name_plural = "topics"


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


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ["headline", "status", "section", "byline_display", "publish_at", "updated_at"]
    list_filter = ["status", "section", "agencies", ("topics", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["headline", "standfirst", "slug"]
    date_hierarchy = "publish_at"
    list_select_related = ["section"]
    show_full_result_count = False
    autocomplete_fields = ["section", "agencies"]
    prepopulated_fields = {"slug": ["headline"]}
    inlines = [BylineInline, TopicInline, RelatedPinInline, RelatedExclusionInline]
    readonly_fields = ["first_published_at", "created_at", "updated_at", "related_preview"]
    fieldsets = [
        (None, {"fields": ["headline", "slug", "standfirst", "section", "dateline", "body"]}),
        ("Credits", {"fields": ["agencies"]}),
        (
            "Publication",
            {"fields": ["status", "publish_at", "expire_at", "embargo_until", "first_published_at", "updated_at"]},
        ),
        ("Related stories", {"fields": ["related_preview"], "classes": ["collapse"]}),
    ]

    def changeform_view(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        # The article, its topics, pins and exclusions are saved one by one: refresh its related list once, after.
        with deferred_refresh():
            return super().changeform_view(request, *args, **kwargs)

    @admin.display(description="related stories now")
    def related_preview(self, article: Article) -> SafeString | str:
        if article.pk is None:
            return "Shown once the article is saved."
        return render_to_string("admin/articles/related_preview.html", {"explanations": explain_related(article)})

    def get_queryset(self, request: HttpRequest) -> QuerySet[Article]:
        return super().get_queryset(request).prefetch_related("bylines__author", "agencies")

    @admin.display(description="byline")
    def byline_display(self, article: Article) -> str:
        return article.byline.removeprefix("By ")


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
