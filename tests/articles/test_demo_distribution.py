"""The demo newsroom as feed readers, crawlers and apps get it."""

import json
import xml.etree.ElementTree as ET
from io import StringIO

import feedparser
from bs4 import BeautifulSoup
from django.core.management import call_command
from django.test import TestCase

from articles.models import Article
from tests.articles.test_demo import REFERENCE_SLUG


class DemoDistributionTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        call_command("demo", stdout=StringIO())

    def test_the_demos_feeds_open_in_a_feed_reader(self) -> None:
        for url in ["/feeds/rss/", "/feeds/atom/", "/feeds/sections/world/rss/", "/feeds/agencies/agencies/atom/"]:
            with self.subTest(url=url):
                parsed = feedparser.parse(self.client.get(url).content)
                self.assertFalse(parsed.bozo, parsed.get("bozo_exception"))
                self.assertGreaterEqual(len(parsed.entries), 5)
                entry = parsed.entries[0]
                self.assertTrue(entry.title and entry.link and entry.summary and entry.author and entry.id)
                self.assertIsNotNone(entry.published_parsed)
        atom = feedparser.parse(self.client.get("/feeds/atom/").content)
        self.assertEqual(atom.version, "atom10")
        self.assertIn("<p>", atom.entries[0].content[0].value)
        self.assertEqual(feedparser.parse(self.client.get("/feeds/rss/").content).version, "rss20")

    def test_the_demos_sitemaps_parse_and_list_only_live_articles(self) -> None:
        root = ET.fromstring(self.client.get("/sitemap-articles.xml").content)
        listed = {loc.text for loc in root.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")}
        live = {f"http://testserver{article.get_absolute_url()}" for article in Article.objects.live()}
        self.assertEqual(listed, live)
        ET.fromstring(self.client.get("/sitemap-news.xml").content)

    def test_the_reference_articles_json_ld_credits_agencies_as_an_organization(self) -> None:
        article = Article.objects.get(slug=REFERENCE_SLUG)
        soup = BeautifulSoup(self.client.get(article.get_absolute_url()).content, "html.parser")
        data = json.loads(soup.select_one('script[type="application/ld+json"]').string)
        self.assertEqual(data["@type"], "NewsArticle")
        self.assertEqual(
            data["author"],
            [{"@type": "Organization", "name": "Agencies", "url": "http://testserver/agencies/agencies/"}],
        )
        self.assertEqual(data["articleSection"], "World")
        self.assertEqual(data["dateline"], "PARIS, Sept 5")
        self.assertEqual(data["keywords"][0], "Russia-Ukraine war")
        for key in ("headline", "datePublished", "dateModified", "publisher", "description", "mainEntityOfPage"):
            self.assertTrue(data[key], key)
