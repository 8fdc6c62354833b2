"""
Renditions: the sizes a `srcset` needs (never upscaled), in AVIF/WebP/JPEG, cropped around the focal point, stored
through the storage API, made once, and as free of metadata as the original.
"""

import io
from collections import Counter
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse
from PIL import Image as PILImage, PngImagePlugin, features

from articles.images.renditions import (
    WIDTHS,
    Spec,
    crop_box,
    encode,
    generate_renditions,
    output_formats,
    plan,
    store_rendition,
)
from articles.models import Image, Rendition
from tests.factories import ImageFactory, picture_bytes

pytestmark = pytest.mark.django_db

Crop = Rendition.Crop
EXPECTED_FORMATS = ["avif", "webp", "jpeg"] if features.check("avif") else ["webp", "jpeg"]


def opened(rendition: Rendition | Image) -> PILImage.Image:
    with rendition.file.open("rb") as stored:
        picture = PILImage.open(io.BytesIO(stored.read()))
        picture.load()
    return picture


def test_crop_box_is_centred_on_the_focal_point_and_stays_inside_the_picture() -> None:
    assert crop_box((2000, 1000), (1, 1), (0.6, 0.5)) == (700, 0, 1700, 1000)
    assert crop_box((2000, 1000), (1, 1), (0.99, 0.5)) == (1000, 0, 2000, 1000)  # stops at the right edge
    assert crop_box((2000, 1000), (1, 1), (0.0, 0.0)) == (0, 0, 1000, 1000)
    assert crop_box((1000, 2000), (16, 9), (0.5, 0.1)) == (0, 0, 1000, 562)  # a portrait, cut across
    assert crop_box((1000, 2000), (16, 9), (0.5, 0.5)) == (0, 719, 1000, 1281)
    assert crop_box((1000, 2000), None, (0.9, 0.9)) == (0, 0, 1000, 2000)


def test_renditions_cover_every_crop_width_and_format_without_upscaling() -> None:
    image = ImageFactory(file=ContentFile(picture_bytes(2000, 1500), name="big.jpg"), renditions=True)
    renditions = list(image.renditions.all())
    widths = {crop: sorted({r.width for r in renditions if r.crop == crop}) for crop in Crop.values}
    assert widths == {
        "original": [320, 640, 960, 1280, 1600],
        "16x9": [320, 640, 960, 1280, 1600],
        "4x3": [320, 640, 960, 1280, 1600],
        "1x1": [320, 640, 960, 1280],  # a 1500-pixel square: no 1600 made up from it
    }
    assert Counter(r.format for r in renditions) == dict.fromkeys(EXPECTED_FORMATS, 19)
    ratios = {"original": 4 / 3, "16x9": 16 / 9, "4x3": 4 / 3, "1x1": 1}
    for rendition in renditions:
        picture = opened(rendition)
        assert picture.size == (rendition.width, rendition.height)
        assert picture.format == rendition.format.upper()
        assert abs(rendition.width / rendition.height - ratios[rendition.crop]) < 0.01


def test_a_picture_smaller_than_every_width_gets_one_rendition_per_crop_at_its_own_size() -> None:
    image = ImageFactory(file=ContentFile(picture_bytes(200, 100), name="small.jpg"), renditions=True)
    sizes = sorted({(r.crop, r.width, r.height) for r in image.renditions.all()})
    assert sizes == [("16x9", 178, 100), ("1x1", 100, 100), ("4x3", 133, 100), ("original", 200, 100)]
    assert WIDTHS[0] > 200


def red_centre(picture: PILImage.Image) -> tuple[float, float]:
    """Where the red pixels are, on average, as fractions of the width and height."""
    rgb = picture.convert("RGB")
    red = [
        (x, y)
        for x in range(rgb.width)
        for y in range(rgb.height)
        if (pixel := rgb.getpixel((x, y)))[0] > 180 and pixel[1] < 80 and pixel[2] < 80
    ]
    assert red, "no red left in the crop"
    return (sum(x for x, _ in red) / len(red) / rgb.width, sum(y for _, y in red) / len(red) / rgb.height)


@pytest.mark.parametrize("crop", [Crop.SQUARE, Crop.STANDARD])
def test_crops_keep_the_subject_at_the_focal_point_in_the_middle(crop: str) -> None:
    # A red subject at 60% across a wide blue picture, the editor's focal point set on it.
    content = picture_bytes(2000, 1000, mark=(1150, 450, 1250, 550))
    image = ImageFactory(file=ContentFile(content, name="subject.jpg"), focal_x=0.6, focal_y=0.5, renditions=True)
    rendition = image.renditions.get(crop=crop, format="jpeg", width=320)
    x, y = red_centre(opened(rendition))
    assert x == pytest.approx(0.5, abs=0.02) and y == pytest.approx(0.5, abs=0.02)


def test_without_a_focal_point_the_crop_is_centred_on_the_middle_of_the_picture() -> None:
    content = picture_bytes(2000, 1000, mark=(1150, 450, 1250, 550))
    image = ImageFactory(file=ContentFile(content, name="subject.jpg"), renditions=True)
    x, _ = red_centre(opened(image.renditions.get(crop=Crop.SQUARE, format="jpeg", width=320)))
    assert x == pytest.approx(0.7, abs=0.02)  # the subject sits right of centre, as in the picture


def gps_exif() -> bytes:
    exif = PILImage.Exif()
    exif[0x010F] = "Canon"  # camera make
    exif[0x0131] = "Photo editor 1.0"
    gps = exif.get_ifd(0x8825)
    gps.update({1: "N", 2: (48.0, 51.0, 24.12), 3: "E", 4: (2.0, 21.0, 7.8)})
    return exif.tobytes()


XMP = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:Description photoshop:City="Kherson"/></x:xmpmeta>'


def test_no_metadata_survives_in_any_file_served(client: Client, media_root: Path) -> None:
    source = picture_bytes(1700, 1000, exif=gps_exif(), xmp=XMP, comment=b"shot at the safe house")
    assert PILImage.open(io.BytesIO(source)).getexif().get_ifd(0x8825)  # the upload does carry GPS
    image = ImageFactory(file=ContentFile(source, name="source.jpg"), renditions=True)
    served = [image, *image.renditions.all()]
    assert len(served) > 40
    for stored in served:
        picture = opened(stored)
        assert not picture.getexif(), stored
        assert not {"exif", "xmp", "XML:com.adobe.xmp", "icc_profile", "comment"} & set(picture.info), stored
        with stored.file.open("rb") as raw:
            data = raw.read()
        assert b"Exif\x00\x00" not in data and b"Kherson" not in data and b"safe house" not in data, stored


def test_png_text_chunks_are_not_kept() -> None:
    info = PngImagePlugin.PngInfo()
    info.add_text("Location", "51.5072 N, 0.1276 W")
    image = ImageFactory(file=ContentFile(picture_bytes(400, 300, format="PNG", pnginfo=info), name="chart.png"))
    with image.file.open("rb") as raw:
        assert b"0.1276" not in raw.read()
    assert "Location" not in opened(image).info


def test_transparent_pictures_keep_transparency_and_fall_back_to_png() -> None:
    content = picture_bytes(700, 400, format="PNG", transparent=True, mark=(300, 150, 400, 250))
    image = ImageFactory(file=ContentFile(content, name="logo.png"), renditions=True)
    assert output_formats(image.fallback_format)[-1] == "png"
    webp = opened(image.renditions.get(crop=Crop.ORIGINAL, format="webp", width=640))
    assert webp.mode == "RGBA" and webp.getpixel((0, 0))[3] == 0
    assert image.renditions.filter(format="png").exists() and not image.renditions.filter(format="jpeg").exists()


def test_generating_again_makes_nothing_new() -> None:
    image = ImageFactory(file=ContentFile(picture_bytes(700, 500), name="twice.jpg"), renditions=True)
    files = {r.file.name for r in image.renditions.all()}
    assert generate_renditions(image=image) == []
    assert {r.file.name for r in image.renditions.all()} == files


def test_a_rendition_another_process_stored_first_is_not_stored_twice(media_root: Path) -> None:
    image = ImageFactory(file=ContentFile(picture_bytes(700, 500), name="race.jpg"), renditions=True)
    spec = next(spec for spec in plan(image) if spec.crop == Crop.SQUARE)
    content = encode(PILImage.new("RGB", (spec.width, spec.height)), spec.format)
    files_before = sorted(media_root.rglob("*.*"))
    # The process that lost the race: its insert fails on the unique constraint and its file is removed.
    assert store_rendition(image=image, spec=spec, content=content) is None
    assert image.renditions.filter(crop=spec.crop, width=spec.width, format=spec.format).count() == 1
    assert sorted(media_root.rglob("*.*")) == files_before


def test_missing_renditions_are_filled_in_without_touching_the_others() -> None:
    image = ImageFactory(file=ContentFile(picture_bytes(700, 500), name="gap.jpg"), renditions=True)
    image.renditions.filter(crop=Crop.WIDE).delete()
    kept = set(image.renditions.values_list("file", flat=True))
    made = generate_renditions(image=image)
    assert {r.crop for r in made} == {Crop.WIDE}
    assert kept < set(image.renditions.values_list("file", flat=True))


def test_renditions_go_through_the_storage_api_only(settings) -> None:
    # Any Django storage backend will do (S3 through django-storages included): nothing relies on a local path.
    settings.STORAGES = settings.STORAGES | {"default": {"BACKEND": "django.core.files.storage.InMemoryStorage"}}
    image = ImageFactory(file=ContentFile(picture_bytes(700, 500), name="memory.jpg"), renditions=True)
    rendition = image.renditions.get(crop=Crop.WIDE, format="webp", width=640)
    assert opened(rendition).size == (640, 360)
    assert rendition.file.url.startswith("/media/images/renditions/")


def test_deleting_an_image_deletes_its_files(media_root: Path, django_capture_on_commit_callbacks) -> None:
    image = ImageFactory(file=ContentFile(picture_bytes(700, 500), name="gone.jpg"), renditions=True)
    assert len(list(media_root.rglob("*.*"))) == 1 + image.renditions.count()
    with django_capture_on_commit_callbacks(execute=True):
        image.delete()
    assert list(media_root.rglob("*.*")) == []


def test_moving_the_focal_point_in_the_admin_recrops(admin_client: Client) -> None:
    content = picture_bytes(2000, 1000, mark=(1700, 450, 1800, 550))
    image = ImageFactory(file=ContentFile(content, name="recrop.jpg"), renditions=True)
    uncropped = set(image.renditions.filter(crop=Crop.ORIGINAL).values_list("file", flat=True))
    form = {"alt_text": image.alt_text, "focal_x": "0.875", "focal_y": "0.5"}
    response = admin_client.post(reverse("admin:articles_image_change", args=[image.pk]), form)
    assert response.status_code == 302
    x, _ = red_centre(opened(image.renditions.get(crop=Crop.SQUARE, format="jpeg", width=320)))
    assert x == pytest.approx(0.75, abs=0.02)  # as far right as the picture allows: 1000 of 2000 pixels wide
    assert set(image.renditions.filter(crop=Crop.ORIGINAL).values_list("file", flat=True)) == uncropped


def test_plan_lists_exactly_the_renditions_made() -> None:
    image = ImageFactory(file=ContentFile(picture_bytes(1000, 800), name="plan.jpg"), renditions=True)
    assert sorted(plan(image)) == sorted(Spec(r.crop, r.width, r.height, r.format) for r in image.renditions.all())
