"""Template tags for what pages tell machines: feed autodiscovery links and the article page's metadata."""

from django import template
from django.urls import reverse

from ..models import Article
from ..structured_data import json_ld_script, news_article, social_tags

register = template.Library()


@register.inclusion_tag("includes/feed_links.html")
def feed_links(url_name: str, title: str, **kwargs: str) -> dict:
    """
    `<link rel="alternate">` to a feed in RSS and Atom, for feed readers to discover:
    {% feed_links "articles:feed_topic" topic.name slug=topic.slug %}
    """
    return {
        "title": title,
        "rss": reverse(url_name, kwargs={**kwargs, "feed_format": "rss"}),
        "atom": reverse(url_name, kwargs={**kwargs, "feed_format": "atom"}),
    }


@register.inclusion_tag("includes/article_meta.html", takes_context=True)
def article_meta(context: template.Context, article: Article) -> dict:
    """The article page's <head> for machines: canonical address, description, social cards and JSON-LD."""
    request = context["request"]
    return {
        "article": article,
        "canonical_url": request.build_absolute_uri(article.get_absolute_url()),
        "social_tags": social_tags(article, request=request),
        "json_ld": json_ld_script(news_article(article, request=request)),
    }
