from django import template
from django.utils.safestring import SafeString, mark_safe

from ..body import split_after_paragraph, with_dateline
from ..images.models import Image
from ..images.pictures import body_picture
from ..images.shortcodes import expand_shortcodes
from ..models import Article

register = template.Library()


@register.simple_tag
def article_body(article: Article, images: dict[int, Image] | None = None) -> dict[str, SafeString]:
    """
    The body in two parts around the inline related story, the dateline opening the first paragraph, and its
    `[image N]` paragraphs shown from `images` (see `page_images`):
    {% article_body article images as body %}{{ body.before }} … {{ body.after }}
    """
    # The body was sanitized on save (Article.save), so it is safe to mark as such; pictures are rendered by a
    # template, which escapes what they say.
    before, after = split_after_paragraph(with_dateline(article.body, article.dateline_text))
    images = images or {}
    before, after = (expand_shortcodes(part, images, body_picture) for part in (before, after))
    return {"before": mark_safe(before), "after": mark_safe(after)}  # noqa: S308
