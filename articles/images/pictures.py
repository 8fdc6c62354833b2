"""
What a page needs to show library images: the images themselves, fetched for a whole page at once, and the
`<picture>` element of each (AVIF and WebP sources, a JPEG/PNG fallback with width and height, caption and credit),
built from prefetched renditions without further queries.
"""

from collections import defaultdict
from dataclasses import dataclass
from operator import attrgetter

from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from ..models import Article
from .models import Image, Rendition
from .shortcodes import image_ids

# Pictures fill the article column: 42rem wide on large screens, the viewport less the page's margins otherwise.
ARTICLE_COLUMN_SIZES = "(min-width: 46rem) 42rem, calc(100vw - 2rem)"
# The `src` for browsers that ignore `srcset`: the first width at least this wide (or the widest there is).
FALLBACK_SRC_WIDTH = 960
MODERN_FORMATS = ("avif", "webp")


@dataclass(frozen=True)
class Source:
    mime_type: str
    srcset: str


@dataclass(frozen=True)
class Picture:
    sources: list[Source]
    src: str
    srcset: str
    sizes: str
    width: int
    height: int
    alt: str
    caption: str
    credit: str


def page_images(article: Article) -> dict[int, Image]:
    """
    The lead image and body images of `article`, by id, with credits and every rendition: one query whatever their
    number, none when the article has no picture.
    """
    ids = image_ids(article.body)
    if article.lead_image_id:
        ids.add(article.lead_image_id)
    if not ids:
        return {}
    return Image.objects.filter(pk__in=ids).pictures_in_bulk()


def picture(
    image: Image, *, crop: str, caption: str = "", credit: str = "", sizes: str = ARTICLE_COLUMN_SIZES
) -> Picture:
    """
    The `<picture>` of `image` cut to `crop`, from its prefetched renditions. A caption or credit given for this use
    replaces the library's. Without renditions (not generated yet) the original is shown, uncropped.
    """
    by_format: dict[str, list[Rendition]] = defaultdict(list)
    for rendition in image.renditions.all():
        if rendition.crop == crop:
            by_format[rendition.format].append(rendition)
    fallback = sorted(by_format.get(image.fallback_format, []), key=attrgetter("width"))
    words = {"alt": image.alt_text, "caption": caption or image.caption, "credit": credit or image.credit}
    if not fallback:
        return Picture([], image.file.url, "", sizes, image.width, image.height, **words)
    src = next((r for r in fallback if r.width >= FALLBACK_SRC_WIDTH), fallback[-1])
    sources = [
        Source(f"image/{format}", _srcset(by_format[format])) for format in MODERN_FORMATS if by_format.get(format)
    ]
    # The widest rendition's size: browsers reserve the right shape before any file arrives.
    return Picture(sources, src.file.url, _srcset(fallback), sizes, fallback[-1].width, fallback[-1].height, **words)


def render_picture(picture: Picture, *, eager: bool = False) -> SafeString:
    """The figure markup. Pictures load lazily unless `eager` (the lead image, in view as the page opens)."""
    return render_to_string("includes/picture.html", {"picture": picture, "eager": eager})


def _srcset(renditions: list[Rendition]) -> str:
    ordered = sorted(renditions, key=attrgetter("width"))
    return ", ".join(f"{rendition.file.url} {rendition.width}w" for rendition in ordered)


def body_picture(image: Image) -> SafeString:
    """An image shown in an article's body (see `shortcodes`): uncropped, loaded lazily."""
    return render_picture(picture(image, crop=Rendition.Crop.ORIGINAL))


def widest_crops(image: Image, crops: list[str]) -> list[Rendition]:
    """For each crop, its widest rendition in the image's fallback format (what any client can read), if made."""
    widest: dict[str, Rendition] = {}
    for rendition in image.renditions.all():
        if rendition.crop in crops and rendition.format == image.fallback_format:
            if rendition.crop not in widest or rendition.width > widest[rendition.crop].width:
                widest[rendition.crop] = rendition
    return [widest[crop] for crop in crops if crop in widest]
