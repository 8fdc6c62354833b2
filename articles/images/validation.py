"""
Checking and cleaning an uploaded picture before anything stores it.

An upload is the easiest way into a CMS, so a picture is judged by decoding it, never by its name or declared type:
only Pillow's JPEG, PNG, WebP, GIF and AVIF decoders are tried (no EPS/Ghostscript, no SVG, nothing else); its size
is checked in bytes before any decoding and in pixels before any pixel is decoded; it must decode completely. What is
stored is a re-encoding of the pixels alone, turned upright (EXIF orientation) and converted to sRGB, with no EXIF,
GPS, XMP, IPTC, ICC profile or comment left. Animations keep their first frame.
"""

import io
import logging
import warnings

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile, File
from django.template.defaultfilters import filesizeformat
from PIL import Image as PILImage, ImageCms, ImageOps, UnidentifiedImageError, features

logger = logging.getLogger(__name__)

ACCEPTED_FORMATS = "JPEG, PNG, WebP, GIF or AVIF"
# Sources whose pixels are exact (graphics, screenshots) keep a lossless original; photographs are stored as JPEG.
LOSSLESS_SOURCES = frozenset({"PNG", "GIF"})
ORIGINAL_JPEG_QUALITY = 90

_SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))


class SanitizedImage(ContentFile):
    """A picture's re-encoded bytes, metadata-free and ready to store. Its name only carries the extension."""

    def __init__(self, content: bytes, *, extension: str, width: int, height: int) -> None:
        super().__init__(content, name=f"picture.{extension}")
        self.width, self.height = width, height


def decodable_formats() -> list[str]:
    """Pillow's decoders we let near an upload; AVIF only where this Pillow was built with it."""
    formats = ["JPEG", "PNG", "WEBP", "GIF"]
    if features.check("avif"):
        formats.append("AVIF")
    return formats


def sanitize_image(upload: File, *, max_bytes: int | None = None, max_pixels: int | None = None) -> SanitizedImage:
    """
    The upload, checked and re-encoded without metadata; raises ValidationError with a message for the editor.
    Limits default to settings.NEWSROOM["IMAGE_MAX_BYTES"] and ["IMAGE_MAX_PIXELS"].
    """
    max_bytes = max_bytes or settings.NEWSROOM["IMAGE_MAX_BYTES"]
    max_pixels = max_pixels or settings.NEWSROOM["IMAGE_MAX_PIXELS"]
    # The size Django counted while receiving the file: nothing reads it if it is too big or empty.
    size = upload.size or 0
    if size == 0:
        raise ValidationError("The file is empty.", code="empty")
    if size > max_bytes:
        raise ValidationError(
            "The file is %(size)s; pictures may be at most %(limit)s.",
            code="too_large",
            params={"size": filesizeformat(size), "limit": filesizeformat(max_bytes)},
        )
    # Pillow only warns about a decompression bomb below twice its limit; here every warning is a refusal. (The
    # filter is process-wide while it lasts, which is harmless: it can only turn more warnings into errors.)
    with warnings.catch_warnings():
        warnings.simplefilter("error", PILImage.DecompressionBombWarning)
        try:
            return _reencode(upload, max_pixels)
        except ValidationError:
            raise
        except UnidentifiedImageError:
            raise ValidationError(_unrecognised_message(upload), code="format") from None
        except (PILImage.DecompressionBombError, PILImage.DecompressionBombWarning):
            raise ValidationError(
                "This picture has too many pixels to be processed safely (it may be a “decompression bomb”).",
                code="too_many_pixels",
            ) from None
        except Exception:
            # Decoders report damaged data in many ways (OSError "truncated", SyntaxError, ValueError, struct.error,
            # EOFError...). Whatever the decoder's complaint, the upload is refused rather than a 500.
            logger.info("Refused an image upload that did not decode", exc_info=True)
            raise ValidationError(
                "This picture is damaged or incomplete and can't be read. Export it again and upload the new file.",
                code="corrupt",
            ) from None


def _reencode(upload: File, max_pixels: int) -> SanitizedImage:
    formats = decodable_formats()
    upload.seek(0)
    with PILImage.open(upload, formats=formats) as probe:
        # Opening reads only the header: the size is known before a single pixel is decoded.
        width, height = probe.size
        if width * height > max_pixels:
            raise ValidationError(
                "This picture is %(width)s × %(height)s pixels; pictures may have at most %(limit)s megapixels.",
                code="too_many_pixels",
                params={"width": width, "height": height, "limit": f"{max_pixels / 1_000_000:g}"},
            )
        probe.verify()
    upload.seek(0)
    # Each step rebinds `picture` so that no more than two copies of the pixels are held at once.
    picture = PILImage.open(upload, formats=formats)
    picture.load()
    source_format = picture.format
    picture = ImageOps.exif_transpose(picture)
    opaque = not picture.has_transparency_data or _alpha_is_opaque(picture)
    mode = "RGB" if opaque else "RGBA"
    picture = _in_srgb(picture, mode)
    # A new image holds the pixels and nothing else: no EXIF, GPS, XMP, IPTC, ICC profile, comment or text chunk
    # can ride along into what is stored and served.
    clean = PILImage.new(mode, picture.size)
    clean.paste(picture)
    del picture
    buffer = io.BytesIO()
    if source_format in LOSSLESS_SOURCES or not opaque:
        clean.save(buffer, "PNG")
        extension = "png"
    else:
        clean.save(buffer, "JPEG", quality=ORIGINAL_JPEG_QUALITY)
        extension = "jpg"
    return SanitizedImage(buffer.getvalue(), extension=extension, width=clean.width, height=clean.height)


def _alpha_is_opaque(picture: PILImage.Image) -> bool:
    """True when an image with an alpha channel (or transparent colour) has no transparent pixel at all."""
    return picture.convert("RGBA").getchannel("A").getextrema() == (255, 255)


def _in_srgb(picture: PILImage.Image, mode: str) -> PILImage.Image:
    """The pixels converted to sRGB, so that colours survive dropping the embedded profile."""
    profile = picture.info.get("icc_profile")
    if profile and picture.mode in {"RGB", "RGBA", "CMYK"}:
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(profile))
            return ImageCms.profileToProfile(picture, source, _SRGB, outputMode=mode)
        except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
            # A broken or unusual profile: the pixels as they are beat refusing the picture.
            pass
    return picture.convert(mode)


def _unrecognised_message(upload: File) -> str:
    upload.seek(0)
    head = upload.read(16)
    if head[4:12] in {b"ftypavif", b"ftypavis"}:
        return "AVIF pictures can't be read on this server. Upload the picture as JPEG, PNG or WebP."
    return f"This file is not a picture in a format we accept ({ACCEPTED_FORMATS}). SVG and other formats are refused."
