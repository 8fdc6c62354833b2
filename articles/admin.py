from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from taggit.models import Tag

from .ingest.admin import AgencyFeedInline, SubjectRuleInline
from .models import Agency, Article, Author, Byline, TaggedArticle, Topic

# Articles use our own Topic model; taggit's default Tag would only confuse editors.
admin.site.unregister(Tag)


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
    verbose_name_plural = "topics"


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
    inlines = [BylineInline, TopicInline]
    readonly_fields = ["first_published_at", "created_at", "updated_at", *WIRE_FIELDS]
    fieldsets = [
        (None, {"fields": ["headline", "slug", "standfirst", "section", "dateline", "body"]}),
        ("Credits", {"fields": ["agencies"]}),
        (
            "Publication",
            {"fields": ["status", "publish_at", "expire_at", "embargo_until", "first_published_at", "updated_at"]},
        ),
        ("Agency copy", {"fields": WIRE_FIELDS, "classes": ["collapse"]}),
    ]

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
    inlines = [AgencyFeedInline, SubjectRuleInline]


@admin.register(Author)
class AuthorAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "user"]
    search_fields = ["name", "user__username"]
    autocomplete_fields = ["user"]
    prepopulated_fields = {"slug": ["name"]}
