"""
Sitemaps for search engines (Django's sitemaps framework) and the robots.txt that names them:

/sitemap.xml               the index of the sitemaps below
/sitemap-articles.xml      every live article, with its last change (paginated at 50,000 as the protocol requires)
/sitemap-sections.xml      every section (sections/sitemaps.py)
/sitemap-topics.xml        topics with at least one live article
/sitemap-news.xml          the Google News sitemap: articles first published in the last 48 hours, at most 1,000

No sites framework: the views take the host from the request, as the pages do.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.sitemaps import Sitemap, views as sitemap_views
from django.db.models import Max, QuerySet
from django.db.models.functions import Coalesce, Greatest
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone

from sections.sitemaps import SectionSitemap

from .http_cache import cache_public
from .models import Article, Topic

NEWS_WINDOW = timedelta(hours=48)
NEWS_LIMIT = 1000
# Stories leave the news sitemap 48 hours after publication, which no content event marks: refresh it this often.
NEWS_REFRESH = 10 * 60


class ArticleSitemap(Sitemap):
    def items(self) -> QuerySet[Article]:
        return (
            Article.objects.live()
            .select_related("section")
            .only("slug", "publish_at", "updated_at", "section__slug")
            .newest_first()
        )

    def lastmod(self, article: Article) -> datetime:
        return article.last_modified

    def get_latest_lastmod(self) -> datetime | None:
        # For the index, in one aggregate rather than by loading every article as Django's default would.
        return Article.objects.live().aggregate(latest=Max(Greatest("updated_at", "publish_at")))["latest"]


class TopicSitemap(Sitemap):
    def items(self) -> QuerySet[Topic]:
        return Topic.objects.with_live_articles().order_by("name", "pk")


class NewsSitemap(Sitemap):
    """Google News: https://developers.google.com/search/docs/crawling-indexing/sitemaps/news-sitemap"""

    limit = NEWS_LIMIT

    def items(self) -> QuerySet[Article]:
        since = timezone.now() - NEWS_WINDOW
        # First publication as `Article.first_published` has it, in SQL.
        return (
            Article.objects.live()
            .alias(first_published=Coalesce("first_published_at", "publish_at"))
            .filter(first_published__gte=since)
            .select_related("section")
            .only("headline", "slug", "publish_at", "first_published_at", "updated_at", "section__slug")
            .newest_first()[:NEWS_LIMIT]
        )

    def lastmod(self, article: Article) -> datetime:
        return article.last_modified


SITEMAPS = {
    "articles": ArticleSitemap,
    "sections": SectionSitemap,
    "topics": TopicSitemap,
    "news": NewsSitemap,
}


@cache_public
def sitemap_index(request: HttpRequest) -> HttpResponse:
    return sitemap_views.index(
        request, SITEMAPS, template_name="sitemaps/sitemap_index.xml", sitemap_url_name="sitemap_section"
    )


@cache_public
def sitemap_section(request: HttpRequest, section: str) -> HttpResponse:
    # An unknown section is a 404 (the view checks), as is a page (?p=) that isn't a number or is past the end.
    return sitemap_views.sitemap(request, SITEMAPS, section=section, template_name="sitemaps/sitemap.xml")


@cache_public(refresh_every=NEWS_REFRESH)
def news_sitemap(request: HttpRequest) -> HttpResponse:
    context = {"publication_name": settings.NEWSROOM["SITE_NAME"], "language": settings.NEWSROOM["LANGUAGE"]}
    response = sitemap_views.sitemap(
        request, {"news": NewsSitemap}, section="news", template_name="sitemaps/news_sitemap.xml"
    )
    response.context_data.update(context)
    return response


@cache_public
def robots_txt(request: HttpRequest) -> HttpResponse:
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /api/",
        "",
        f"Sitemap: {request.build_absolute_uri(reverse('sitemap'))}",
        f"Sitemap: {request.build_absolute_uri(reverse('sitemap_news'))}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
