from django import template
from django.utils.safestring import SafeString

from ..images.models import Image
from ..images.pictures import ARTICLE_COLUMN_SIZES, picture, render_picture

register = template.Library()


@register.simple_tag(name="picture")
def picture_tag(
    image: Image,
    crop: str,
    caption: str = "",
    credit: str = "",
    eager: bool = False,
    sizes: str = ARTICLE_COLUMN_SIZES,
) -> SafeString:
    """
    A library image as a `<figure>` with its `<picture>`, from prefetched renditions (see `page_images`):
    {% picture lead_image crop="16x9" caption=article.lead_image_caption eager=True %}
    """
    return render_picture(picture(image, crop=crop, caption=caption, credit=credit, sizes=sizes), eager=eager)
