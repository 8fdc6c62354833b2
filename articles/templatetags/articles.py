from django import template
from django.utils.safestring import SafeString, mark_safe

from ..body import split_after_paragraph, with_dateline
from ..models import Article

register = template.Library()


@register.simple_tag
def article_body(article: Article) -> dict[str, SafeString]:
    """
    The body in two parts around the inline related story, the dateline opening the first paragraph:
    {% article_body article as body %}{{ body.before }} … {{ body.after }}
    """
    # The body was sanitized on save (Article.save), so it is safe to mark as such.
    before, after = split_after_paragraph(with_dateline(article.body, article.dateline_text))
    return {"before": mark_safe(before), "after": mark_safe(after)}  # noqa: S308
