"""
Uploads are judged by decoding them: every bad file is refused on the admin form with a message saying why, stores
nothing, and never causes a 500. Good files are stored under random names, upright and without metadata.
"""

import io
import re
import struct
import zlib
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import TemporaryUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image as PILImage, features

from articles.images.admin import ImageForm
from articles.models import Image, Rendition
from articles.roles import EDITORS
from tests.factories import UserFactory, picture_bytes

pytestmark = pytest.mark.django_db

BOUNDARY = "newsroom-test-boundary"


@pytest.fixture
def editor(client: Client) -> Client:
    user = UserFactory(username="photo-editor", is_staff=True)
    user.groups.add(Group.objects.get(name=EDITORS))
    client.force_login(user)
    return client


def upload(client: Client, filename: str, content: bytes, content_type: str = "image/jpeg", **fields: str):
    """
    Post the admin's add form as a browser would. The multipart body is written by hand because Django's test client
    strips directories from file names, and a hostile client would not.
    """
    form = {"alt_text": "Firefighters outside the station", "focal_x": "0.5", "focal_y": "0.5"} | fields
    parts = [
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in form.items()
    ]
    parts.append(
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
        f"Content-Type: {content_type}\r\n\r\n".encode()
        + content
        + b"\r\n"
    )
    body = b"".join(parts) + f"--{BOUNDARY}--\r\n".encode()
    return client.post(
        reverse("admin:articles_image_add"), body, content_type=f"multipart/form-data; boundary={BOUNDARY}"
    )


def file_errors(response) -> list[str]:
    assert response.status_code == 200, response.status_code
    return response.context["adminform"].form.errors.get("file", [])


def stored_files(root: Path) -> list[Path]:
    return [path for path in root.rglob("*") if path.is_file()]


def png_bomb(width: int, height: int) -> bytes:
    """A valid 1-bit PNG of `width` × `height` pixels, all black, compressed to a few kilobytes."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    row = b"\x00" * (1 + (width + 7) // 8)  # filter byte + packed pixels
    compressor = zlib.compressobj(9)
    data = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b"")


def truncated_jpeg() -> bytes:
    noise = PILImage.effect_noise((600, 400), 60).convert("RGB")
    buffer = io.BytesIO()
    noise.save(buffer, "JPEG")
    return buffer.getvalue()[: len(buffer.getvalue()) // 2]


HTML_AS_PNG = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"
SVG_WITH_SCRIPT = (
    b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(document.domain)</script>'
    b'<rect width="10" height="10"/></svg>'
)
NOT_ACCEPTED = "not a picture in a format we accept (JPEG, PNG, WebP, GIF or AVIF)"

BAD_UPLOADS = {
    # Far beyond Pillow's own warning threshold: a few kilobytes that would decode to 144 megapixels.
    "decompression bomb": ("bomb.png", png_bomb(12_000, 12_000), "image/png", "too many pixels to be processed"),
    # Below Pillow's threshold but above the newsroom's own cap (50 megapixels).
    "too many pixels": ("huge.png", png_bomb(8_000, 8_000), "image/png", "at most 50 megapixels"),
    "truncated JPEG": ("cut.jpg", truncated_jpeg(), "image/jpeg", "damaged or incomplete"),
    "PNG that is really HTML": ("photo.png", HTML_AS_PNG, "image/png", NOT_ACCEPTED),
    "SVG with a script": ("logo.svg", SVG_WITH_SCRIPT, "image/svg+xml", "SVG and other formats are refused"),
    "TIFF": ("scan.tiff", picture_bytes(format="TIFF"), "image/tiff", NOT_ACCEPTED),
    "empty file": ("empty.jpg", b"", "image/jpeg", "empty"),
    "hostile name and content": ("../../../etc/cron.d/x.png", HTML_AS_PNG, "image/png", NOT_ACCEPTED),
}


@pytest.mark.parametrize("case", BAD_UPLOADS)
def test_bad_upload_is_refused_with_a_message_and_leaves_no_file(editor: Client, media_root: Path, case: str) -> None:
    filename, content, content_type, message = BAD_UPLOADS[case]
    errors = file_errors(upload(editor, filename, content, content_type))
    assert any(message in error for error in errors), errors
    assert not Image.objects.exists()
    assert stored_files(media_root.parent) == []


def test_file_over_the_byte_limit_is_refused_before_decoding(editor: Client, media_root: Path, settings) -> None:
    settings.NEWSROOM = settings.NEWSROOM | {"IMAGE_MAX_BYTES": 50_000}
    noise = PILImage.effect_noise((300, 300), 80).convert("RGB")
    buffer = io.BytesIO()
    noise.save(buffer, "JPEG", quality=95)
    assert 50_000 < len(buffer.getvalue()) < 1024 * 1024
    [error] = file_errors(upload(editor, "big.jpg", buffer.getvalue()))
    assert re.fullmatch(r"The file is \d+\.\d KB; pictures may be at most 48\.8 KB\.", error.replace("\xa0", " "))
    assert stored_files(media_root.parent) == []


def test_a_200_megabyte_upload_is_refused_by_its_size_alone(media_root: Path) -> None:
    # What Django hands the form for a 200 MB upload: a temporary file and the size it counted while receiving it.
    # The file is sparse and all zeros: were it decoded, the message would be "not a picture", not the size.
    size = 200 * 1024 * 1024
    huge = TemporaryUploadedFile("huge.jpg", "image/jpeg", size, None)
    huge.file.truncate(size)
    form = ImageForm(data={"alt_text": "Crowds", "focal_x": "0.5", "focal_y": "0.5"}, files={"file": huge})
    assert not form.is_valid()
    assert [error.replace("\xa0", " ") for error in form.errors["file"]] == [
        "The file is 200.0 MB; pictures may be at most 25.0 MB."
    ]
    huge.close()
    assert stored_files(media_root.parent) == []


def test_a_refused_picture_saved_outside_the_admin_stores_nothing(media_root: Path) -> None:
    with pytest.raises(ValidationError, match="not a picture"):
        Image(file=ContentFile(HTML_AS_PNG, name="photo.png"), alt_text="x").save()
    assert not Image.objects.exists()
    assert stored_files(media_root.parent) == []


@pytest.mark.parametrize("filename", ["../../../../tmp/evil.jpg", "фото из Киева 📷.jpg", "..\\..\\windows.jpg"])
def test_a_good_picture_is_stored_under_a_random_name_whatever_it_was_called(
    editor: Client, media_root: Path, filename: str
) -> None:
    response = upload(editor, filename, picture_bytes(800, 600))
    assert response.status_code == 302, file_errors(response)
    image = Image.objects.get()
    assert image.file.name.startswith("images/originals/") and image.file.name.endswith(".jpg")
    stem = Path(image.file.name).stem
    assert len(stem) == 32 and int(stem, 16) >= 0  # a uuid4, nothing of the uploaded name
    assert all(media_root in path.parents for path in stored_files(media_root.parent))
    assert (media_root / image.file.name).is_file()


def test_upload_records_who_uploaded_it_and_makes_its_renditions(editor: Client) -> None:
    response = upload(editor, "storm.jpg", picture_bytes(1000, 700), photographer="Ana Lima")
    assert response.status_code == 302, file_errors(response)
    image = Image.objects.get()
    assert image.uploaded_by.username == "photo-editor"
    assert (image.width, image.height, image.credit) == (1000, 700, "Ana Lima")
    assert Rendition.objects.filter(image=image).count() > 0


def test_exif_orientation_is_applied_before_metadata_is_dropped(editor: Client) -> None:
    # Stored sideways by the camera (landscape pixels) with "rotate 90° clockwise to view" in EXIF.
    exif = PILImage.Exif()
    exif[0x0112] = 6
    response = upload(editor, "sideways.jpg", picture_bytes(800, 600, exif=exif.tobytes()))
    assert response.status_code == 302, file_errors(response)
    image = Image.objects.get()
    assert (image.width, image.height) == (600, 800)
    with image.file.open("rb") as stored, PILImage.open(stored) as picture:
        assert picture.size == (600, 800)
        assert not picture.getexif()


@pytest.mark.parametrize(
    ("format", "options", "stored_as"),
    [
        ("PNG", {}, ".png"),  # graphics keep a lossless original
        ("PNG", {"transparent": True}, ".png"),
        ("GIF", {}, ".png"),
        ("WEBP", {}, ".jpg"),  # photographs are stored as JPEG
        ("WEBP", {"transparent": True}, ".png"),  # unless they are transparent
        pytest.param("AVIF", {}, ".jpg", marks=pytest.mark.skipif(not features.check("avif"), reason="no AVIF")),
    ],
)
def test_every_accepted_format_is_stored(editor: Client, format: str, options: dict, stored_as: str) -> None:
    response = upload(editor, f"picture.{format.lower()}", picture_bytes(640, 480, format=format, **options))
    assert response.status_code == 302, file_errors(response)
    assert Image.objects.get().file.name.endswith(stored_as)


def test_transparency_survives_in_the_original(editor: Client) -> None:
    response = upload(editor, "logo.png", picture_bytes(300, 200, format="PNG", transparent=True, mark=(0, 0, 9, 9)))
    assert response.status_code == 302, file_errors(response)
    with Image.objects.get().file.open("rb") as stored, PILImage.open(stored) as picture:
        assert picture.mode == "RGBA"
        assert picture.getpixel((5, 5)) == (255, 0, 0, 255)
        assert picture.getpixel((100, 100))[3] == 0


def test_an_upload_django_streamed_to_a_temporary_file_is_read_like_any_other(editor: Client, settings) -> None:
    # Uploads over FILE_UPLOAD_MAX_MEMORY_SIZE (2.5 MB by default) reach the form as temporary files on disk.
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 1_000
    response = upload(editor, "camera.jpg", picture_bytes(900, 600, quality=95))
    assert response.status_code == 302, file_errors(response)
    assert (Image.objects.get().width, Image.objects.get().height) == (900, 600)
