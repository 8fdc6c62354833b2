from django.contrib.sitemaps import Sitemap
from django.db.models import QuerySet

from .models import Section


class SectionSitemap(Sitemap):
    """Every section page: sections are public whether or not they have stories yet."""

    def items(self) -> QuerySet[Section]:
        return Section.objects.order_by("position", "name", "pk")
