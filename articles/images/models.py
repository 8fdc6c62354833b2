"""
The image library's models. They belong to the articles app (imported by `articles.models`), so their tables and
migrations are the app's.
"""

import uuid
from typing import Any, Self

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Prefetch, Q

from .validation import SanitizedImage, sanitize_image

ORIGINALS_DIR = "images/originals"
RENDITIONS_DIR = "images/renditions"


def original_path(image: "Image", filename: str) -> str:
    """
    A random, unguessable name: the uploaded name (which may say `../`, hold any character, or name a story not yet
    published) never reaches storage. The extension is the one `sanitize_image` chose for the re-encoded file.
    """
    extension = ".png" if filename.lower().endswith(".png") else ".jpg"
    return f"{ORIGINALS_DIR}/{uuid.uuid4().hex}{extension}"


class ImageQuerySet(models.QuerySet):
    def for_pictures(self) -> Self:
        """Everything a `<picture>` shows (credit agency, every rendition) in a fixed number of queries."""
        return self.select_related("agency").prefetch_related(
            Prefetch("renditions", queryset=Rendition.objects.order_by("width"))
        )

    def pictures_in_bulk(self) -> dict[int, "Image"]:
        """
        The images by id with what a `<picture>` shows, as `for_pictures()` has it, in one query instead of two:
        the images with their credit agency, left-joined to their renditions (a row per rendition, and one row
        without any for an image that has none yet). `image.renditions.all()` then costs no query.
        """
        columns = [field.attname for field in Rendition._meta.concrete_fields]  # in the order from_db() expects
        rows = (
            self.select_related("agency")
            .annotate(
                **{f"rendition_{column}": F(f"renditions__{column}") for column in columns if column != "image_id"}
            )
            .order_by("pk", "rendition_width")
        )
        images: dict[int, Image] = {}
        renditions: dict[int, list[Rendition]] = {}
        for row in rows:
            image = images.setdefault(row.pk, row)
            found = renditions.setdefault(row.pk, [])
            if row.rendition_id is not None:
                values = [
                    image.pk if column == "image_id" else getattr(row, f"rendition_{column}") for column in columns
                ]
                rendition = Rendition.from_db(self.db, columns, values)
                rendition.image = image
                found.append(rendition)
        for pk, image in images.items():
            # What prefetch_related("renditions") leaves behind, so the related manager answers from it.
            cached = image.renditions.all()
            cached._result_cache, cached._prefetch_done = renditions[pk], True
            image._prefetched_objects_cache = {"renditions": cached}
        return images


class Image(models.Model):
    """A picture in the library, used as articles' lead images or in their bodies."""

    file = models.FileField(
        "picture",
        upload_to=original_path,
        max_length=255,
        help_text="JPEG, PNG, WebP, GIF or AVIF. Location data and other metadata are removed on upload.",
    )
    alt_text = models.CharField(
        max_length=300,
        help_text="What the picture shows, for readers who can't see it. Describe it; don't repeat the caption.",
    )
    caption = models.TextField(max_length=1000, blank=True, help_text="Shown under the picture.")
    photographer = models.CharField(max_length=120, blank=True, help_text="Credited as “Jane Doe/AFP”.")
    agency = models.ForeignKey(
        "articles.Agency",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="images",
        help_text="The agency credited with the picture, alone or after the photographer.",
    )
    source = models.CharField(
        max_length=200, blank=True, help_text="Where the picture came from (wire feed, handout, reader), for the desk."
    )
    copyright = models.CharField(
        max_length=200, blank=True, help_text="Rights holder and terms of use, for the desk; not shown to readers."
    )
    focal_x = models.FloatField(
        default=0.5,
        validators=[MinValueValidator(0), MaxValueValidator(1)],
        help_text="Where the subject is, from the left edge (0) to the right (1). Crops keep it in view.",
    )
    focal_y = models.FloatField(
        default=0.5,
        validators=[MinValueValidator(0), MaxValueValidator(1)],
        help_text="Where the subject is, from the top (0) to the bottom (1).",
    )
    width = models.PositiveIntegerField(editable=False)
    height = models.PositiveIntegerField(editable=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, editable=False, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    objects = ImageQuerySet.as_manager()

    class Meta:
        ordering = ["-uploaded_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(focal_x__gte=0, focal_x__lte=1, focal_y__gte=0, focal_y__lte=1),
                name="image_focal_point_inside",
                violation_error_message="The focal point must lie inside the picture.",
            ),
            models.CheckConstraint(condition=Q(width__gt=0, height__gt=0), name="image_has_a_size"),
        ]

    def __str__(self) -> str:
        label = self.caption or self.alt_text
        return label if len(label) <= 80 else f"{label[:79]}…"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # A new file is checked and re-encoded before storage sees it, whatever the path into the database (admin,
        # demo, ingest), as Article.save() sanitizes the body. The admin form has done it already to show errors.
        new_file = bool(self.file) and not self.file._committed
        if new_file:
            clean = self.file.file if isinstance(self.file.file, SanitizedImage) else sanitize_image(self.file)
            self.file, self.width, self.height = clean, clean.width, clean.height
        try:
            super().save(*args, **kwargs)
        except Exception:
            # Storage is written before the row; a row that fails to save must not leave its file behind.
            if new_file and self.file._committed:
                self.file.delete(save=False)
            raise

    @property
    def credit(self) -> str:
        """“Jane Doe/AFP”, “AFP” or “Jane Doe”: the house style for picture credits. Empty when unknown."""
        return "/".join(name for name in (self.photographer, self.agency and self.agency.byline_name) if name)

    @property
    def fallback_format(self) -> str:
        """The format browsers without WebP/AVIF get: the original's, which is PNG for graphics and transparency."""
        return "png" if self.file.name.endswith(".png") else "jpeg"

    @property
    def shortcode(self) -> str:
        """What an editor types, as a paragraph of its own, to show this picture in an article's body."""
        return f"[image {self.pk}]"


class Rendition(models.Model):
    """One stored file cut from an image: a crop, at a width, in a format. Generated ahead of any page view."""

    class Crop(models.TextChoices):
        ORIGINAL = "original", "Uncropped"
        WIDE = "16x9", "16:9"
        STANDARD = "4x3", "4:3"
        SQUARE = "1x1", "1:1"

    class Format(models.TextChoices):
        AVIF = "avif", "AVIF"
        WEBP = "webp", "WebP"
        JPEG = "jpeg", "JPEG"
        PNG = "png", "PNG"

    image = models.ForeignKey(Image, on_delete=models.CASCADE, related_name="renditions")
    crop = models.CharField(max_length=10, choices=Crop)
    format = models.CharField(max_length=10, choices=Format)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    file = models.FileField(max_length=255)

    class Meta:
        ordering = ["image", "crop", "format", "width"]
        constraints = [
            # Never generated twice, even by two processes at once: the loser of the race drops its file.
            models.UniqueConstraint(fields=["image", "crop", "format", "width"], name="rendition_once"),
        ]

    def __str__(self) -> str:
        return f"{self.image_id} {self.crop} {self.width}w {self.format}"
