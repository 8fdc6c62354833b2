"""
The image library in the admin: upload (checked and cleaned by `validation` before anything is stored, with the
reason for any refusal on the form), search, thumbnails, and a focal point set by clicking the picture.
Registered from `articles.admin`.
"""

import logging

from django import forms
from django.contrib import admin, messages
from django.core.files.uploadedfile import UploadedFile
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest
from django.utils.html import format_html

from .models import Image, Rendition
from .renditions import generate_renditions, regenerate_crops
from .validation import SanitizedImage, sanitize_image

logger = logging.getLogger(__name__)

THUMBNAIL_WIDTH = 320  # the smallest rendition; shown at 120 pixels, sharp on high-density screens
PREVIEW_MAX_WIDTH = 960


class ImageForm(forms.ModelForm):
    # Declared to drop the model field's max_length: it would judge the uploaded name, which is never used.
    file = forms.FileField(
        label="Picture",
        help_text=Image._meta.get_field("file").help_text,
        widget=forms.FileInput(attrs={"accept": "image/*"}),
    )

    class Meta:
        model = Image
        fields = ["file", "focal_x", "focal_y", "alt_text", "caption", "photographer", "agency", "source", "copyright"]

    def clean_file(self) -> SanitizedImage:
        upload: UploadedFile = self.cleaned_data["file"]
        clean = sanitize_image(upload)
        # Known now, so the model's own checks see a complete row.
        self.instance.width, self.instance.height = clean.width, clean.height
        return clean


@admin.register(Image)
class ImageAdmin(admin.ModelAdmin):
    form = ImageForm
    list_display = ["thumbnail", "alt_text", "caption", "credit", "size", "uploaded_by", "uploaded_at"]
    list_display_links = ["thumbnail", "alt_text"]
    list_filter = ["agency"]
    search_fields = ["alt_text", "caption", "photographer", "agency__name", "agency__short_name", "source"]
    date_hierarchy = "uploaded_at"
    list_select_related = ["agency", "uploaded_by"]
    show_full_result_count = False
    autocomplete_fields = ["agency"]
    readonly_fields = ["focal_point_picker", "shortcode", "size", "uploaded_by", "uploaded_at"]
    fieldsets = [
        (None, {"fields": ["file", "focal_point_picker", "focal_x", "focal_y"]}),
        ("For readers", {"fields": ["alt_text", "caption"]}),
        ("Credit and rights", {"fields": ["photographer", "agency", "source", "copyright"]}),
        ("Details", {"fields": ["shortcode", "size", "uploaded_by", "uploaded_at"]}),
    ]

    class Media:
        js = ["js/focal-point.js"]
        css = {"all": ["css/focal-point.css"]}

    def get_queryset(self, request: HttpRequest) -> QuerySet[Image]:
        # The changelist's thumbnails in one query for the whole page.
        thumbnails = Rendition.objects.filter(crop=Rendition.Crop.ORIGINAL, width__lte=THUMBNAIL_WIDTH)
        return super().get_queryset(request).prefetch_related(Prefetch("renditions", thumbnails, to_attr="thumbnails"))

    def get_readonly_fields(self, request: HttpRequest, obj: Image | None = None) -> list[str]:
        # A stored picture is not replaced (its renditions, crops and every page using it would change under the
        # editors' feet): upload a new one instead.
        return [*self.readonly_fields, "file"] if obj else self.readonly_fields

    def save_model(self, request: HttpRequest, obj: Image, form: ImageForm, change: bool) -> None:
        if not change:
            obj.uploaded_by = request.user
        super().save_model(request, obj, form, change)
        try:
            if change and {"focal_x", "focal_y"} & set(form.changed_data):
                regenerate_crops(image=obj)
            else:
                generate_renditions(image=obj)
        except Exception:
            # The picture is safely stored; pages show the original until its renditions exist.
            logger.exception("Renditions of image %s could not be generated", obj.pk)
            self.message_user(
                request,
                "The picture was saved, but its smaller versions could not be made. Pages show the full-size picture "
                "until they are: save it again, or run “manage.py renditions”.",
                messages.WARNING,
            )

    @admin.display(description="picture")
    def thumbnail(self, image: Image) -> str:
        fallback = [r for r in getattr(image, "thumbnails", []) if r.format == image.fallback_format]
        src = fallback[-1].file.url if fallback else image.file.url
        # Sized by class, not a style attribute: the admin's Content Security Policy refuses inline styles.
        return format_html('<img class="image-thumbnail" src="{}" alt="" width="120">', src)

    @admin.display(description="size")
    def size(self, image: Image) -> str:
        return f"{image.width}×{image.height}" if image.width else "–"

    @admin.display(description="focal point")
    def focal_point_picker(self, image: Image) -> str:
        """The picture, to click where its subject is (static/js/focal-point.js fills in the two fields below)."""
        preview = ""
        if image.pk:
            rendition = (
                image.renditions.filter(
                    crop=Rendition.Crop.ORIGINAL, format=image.fallback_format, width__lte=PREVIEW_MAX_WIDTH
                )
                .order_by("-width")
                .first()
            )
            preview = rendition.file.url if rendition else image.file.url
        return format_html(
            '<div class="focal-point" data-focal-point data-preview="{}">'
            '<img class="focal-point__image" alt="" src="{}"{}>'
            '<span class="focal-point__marker" aria-hidden="true"></span></div>'
            '<p class="help">Click the picture where its subject is: crops keep that point in view.</p>',
            preview,
            preview,
            "" if preview else " hidden",
        )

    @admin.display(description="use in an article body")
    def shortcode(self, image: Image) -> str:
        return format_html("<code>{}</code> as a paragraph of its own", image.shortcode) if image.pk else "–"
