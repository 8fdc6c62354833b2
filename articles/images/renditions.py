"""
Renditions: the files pages serve, cut from a library image ahead of time.

Each image gets every crop (uncropped, 16:9, 4:3, 1:1, the crops centred on its focal point as far as the picture
allows) at every width of the `srcset` ladder it is large enough for (never upscaled), in AVIF (when this Pillow can
write it and NEWSROOM["IMAGE_AVIF"] is on), WebP, and the original's JPEG or PNG for older browsers. They are made
when an image is saved (admin, demo, `manage.py renditions`), never while a reader waits for a page, and stored
through Django's default storage only (no file paths), so S3-compatible storage works by configuration.
"""

import io
import secrets
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import groupby

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from PIL import Image as PILImage, features

from .models import RENDITIONS_DIR, Image, Rendition

WIDTHS = (320, 640, 960, 1280, 1600)
Crop = Rendition.Crop
CROP_RATIOS: dict[str, tuple[int, int] | None] = {
    Crop.ORIGINAL: None,
    Crop.WIDE: (16, 9),
    Crop.STANDARD: (4, 3),
    Crop.SQUARE: (1, 1),
}
# Chosen for news photographs on the benchmark in tests/perf/bench_renditions.py: AVIF speed 8 costs about a third
# of the CPU of the default (6) for files a few per cent larger.
ENCODER_OPTIONS: dict[str, dict] = {
    "avif": {"quality": 60, "speed": 8},
    "webp": {"quality": 80},
    "jpeg": {"quality": 82, "optimize": True, "progressive": True},
    "png": {},
}
EXTENSIONS = {"avif": "avif", "webp": "webp", "jpeg": "jpg", "png": "png"}


@dataclass(frozen=True, order=True)
class Spec:
    """One rendition an image should have."""

    crop: str
    width: int
    height: int
    format: str

    @property
    def key(self) -> tuple[str, str, int]:
        return (self.crop, self.format, self.width)


def crop_box(
    size: tuple[int, int], ratio: tuple[int, int] | None, focal: tuple[float, float]
) -> tuple[int, int, int, int]:
    """
    The largest box of `ratio` inside a picture of `size`, centred on the focal point (fractions of the width and
    height) unless that would cross an edge, in which case it stops at the edge. None keeps the whole picture.
    """
    width, height = size
    if ratio is None:
        return (0, 0, width, height)
    ratio_w, ratio_h = ratio
    if width * ratio_h > height * ratio_w:  # wider than the ratio: full height, part of the width
        crop_w, crop_h = max(1, round(height * ratio_w / ratio_h)), height
    else:
        crop_w, crop_h = width, max(1, round(width * ratio_h / ratio_w))
    left = min(max(round(focal[0] * width - crop_w / 2), 0), width - crop_w)
    top = min(max(round(focal[1] * height - crop_h / 2), 0), height - crop_h)
    return (left, top, left + crop_w, top + crop_h)


def output_widths(crop_width: int) -> list[int]:
    """The ladder's widths this crop can fill; a crop narrower than all of them gets one rendition at its width."""
    return [width for width in WIDTHS if width <= crop_width] or [crop_width]


def output_formats(fallback: str) -> list[str]:
    """Best first: what `<source>` elements offer, then the fallback every browser reads."""
    modern = ["webp"]
    if settings.NEWSROOM["IMAGE_AVIF"] and features.check("avif"):
        modern.insert(0, "avif")
    return [*modern, fallback]


def plan(image: Image) -> list[Spec]:
    """Every rendition `image` should have, from its stored size and focal point (no file is read)."""
    specs = []
    formats = output_formats(image.fallback_format)
    for crop, ratio in CROP_RATIOS.items():
        left, top, right, bottom = crop_box((image.width, image.height), ratio, (image.focal_x, image.focal_y))
        crop_w, crop_h = right - left, bottom - top
        for width in output_widths(crop_w):
            height = max(1, round(crop_h * width / crop_w))
            specs.extend(Spec(crop, width, height, format) for format in formats)
    return specs


def render(
    picture: PILImage.Image, specs: Iterable[Spec], *, focal: tuple[float, float]
) -> Iterator[tuple[Spec, bytes]]:
    """
    Encoded bytes for each spec. Each crop is cut once and scaled down step by step from its largest width, which
    costs far less than scaling the full picture for every width and looks the same with a Lanczos filter.
    """
    for crop, crop_specs in groupby(sorted(specs, key=lambda spec: (spec.crop, -spec.width)), key=lambda s: s.crop):
        current = picture.crop(crop_box(picture.size, CROP_RATIOS[crop], focal))
        for (width, height), same_size in groupby(crop_specs, key=lambda spec: (spec.width, spec.height)):
            if current.size != (width, height):
                current = current.resize((width, height), PILImage.Resampling.LANCZOS, reducing_gap=3.0)
            for spec in same_size:
                yield spec, encode(current, spec.format)


def encode(picture: PILImage.Image, format: str) -> bytes:
    buffer = io.BytesIO()
    if format == "jpeg" and picture.mode != "RGB":
        picture = picture.convert("RGB")
    # A fresh image carries no metadata, and none is passed to the encoder: renditions are as clean as originals.
    picture.save(buffer, format.upper(), **ENCODER_OPTIONS[format])
    return buffer.getvalue()


def generate_renditions(*, image: Image) -> list[Rendition]:
    """
    Make the renditions `image` lacks (all of them for a new image) and return them. Idempotent and safe to run
    concurrently: the database's unique constraint decides who stores a rendition, and the loser deletes its file.
    """
    existing = set(image.renditions.values_list("crop", "format", "width"))
    missing = [spec for spec in plan(image) if spec.key not in existing]
    if not missing:
        return []
    with image.file.open("rb") as original:
        picture = PILImage.open(original, formats=["JPEG", "PNG"])
        picture.load()
    stored = (
        store_rendition(image=image, spec=spec, content=content)
        for spec, content in render(picture, missing, focal=(image.focal_x, image.focal_y))
    )
    return [rendition for rendition in stored if rendition is not None]


def store_rendition(*, image: Image, spec: Spec, content: bytes) -> Rendition | None:
    """
    Store one rendition's file and row; None if another process stored the same rendition first, in which case
    the file just written is deleted again.
    """
    # A random part in every name: a recropped rendition gets a new address, so no cache serves the old crop, and
    # nobody can guess the address of a picture not yet published.
    name = f"{RENDITIONS_DIR}/{image.pk}/{spec.crop}-{spec.width}-{secrets.token_hex(8)}.{EXTENSIONS[spec.format]}"
    rendition = Rendition(image=image, crop=spec.crop, format=spec.format, width=spec.width, height=spec.height)
    rendition.file.save(name, ContentFile(content), save=False)
    try:
        with transaction.atomic():
            rendition.save()
    except IntegrityError:
        rendition.file.delete(save=False)
        return None
    return rendition


def regenerate_crops(*, image: Image) -> list[Rendition]:
    """After the focal point moved: replace the cropped renditions (files go once the deletion is committed)."""
    image.renditions.exclude(crop=Crop.ORIGINAL).delete()
    return generate_renditions(image=image)
