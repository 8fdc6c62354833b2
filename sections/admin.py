from django.contrib import admin

from .models import Section, SectionRedirect


@admin.register(Section)
class SectionAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "parent", "position"]
    list_editable = ["position"]
    list_filter = [("parent", admin.EmptyFieldListFilter)]
    search_fields = ["name", "slug"]
    list_select_related = ["parent"]
    autocomplete_fields = ["parent"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(SectionRedirect)
class SectionRedirectAdmin(admin.ModelAdmin):
    list_display = ["old_slug", "section", "created_at"]
    search_fields = ["old_slug", "section__name"]
    autocomplete_fields = ["section"]
