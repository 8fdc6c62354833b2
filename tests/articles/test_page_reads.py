"""The article page's compiled reads of credits and topics agree with the ORM's, order included."""

import pytest
from django.test import Client

from articles.models import Article, Byline, Correction, TaggedArticle
from articles.page_reads import read_credits_and_topics
from tests.factories import AgencyFactory, ArticleFactory, AuthorFactory, TopicFactory

pytestmark = pytest.mark.django_db


def test_the_page_reads_credits_and_topics_as_the_orm_does() -> None:
    # Orders that differ from the ids' and the names': byline position, agency name, topic as given.
    zed, amy = AuthorFactory(name="Zed Writer"), AuthorFactory(name="Amy Writer")
    reuters, afp = AgencyFactory(name="Reuters"), AgencyFactory(name="AFP")
    storm, floods = TopicFactory(name="Storm"), TopicFactory(name="Floods")
    article = ArticleFactory(agencies=[reuters, afp])
    Byline.objects.create(article=article, author=zed, position=2)
    Byline.objects.create(article=article, author=amy, position=1)
    TaggedArticle.objects.create(content_object=article, tag=storm)
    TaggedArticle.objects.create(content_object=article, tag=floods)
    ArticleFactory(authors=[zed], agencies=[reuters], topics=[floods])  # another story's credits and topics

    by_orm = Article.objects.for_syndication().get(pk=article.pk)
    by_page = Article.objects.get(pk=article.pk)
    read_credits_and_topics(by_page)

    assert [credit.byline_name for credit in by_page.credits] == ["Amy Writer", "Zed Writer", "AFP", "Reuters"]
    assert by_page.credits == by_orm.credits
    assert [topic.name for topic in by_page.topic_list] == ["Storm", "Floods"]
    assert by_page.topic_list == by_orm.topic_list
    assert by_page.byline == "By Amy Writer, Zed Writer, AFP and Reuters"


def test_the_page_shows_the_byline_and_topics_in_order(client: Client) -> None:
    article = ArticleFactory(
        authors=[AuthorFactory(name="Zed Writer"), AuthorFactory(name="Amy Writer")],
        topics=[TopicFactory(name="Storm")],
    )
    content = client.get(article.get_absolute_url()).content.decode()
    assert "Zed Writer</a> and <a" in content and content.index("Zed Writer") < content.index("Amy Writer")
    assert ">Storm</a>" in content[content.index("See more on:") :]


def test_a_refreshed_article_reads_its_credits_topics_and_corrections_again() -> None:
    article = ArticleFactory(authors=[AuthorFactory(name="Amy Writer")], topics=[TopicFactory(name="Storm")])
    read_credits_and_topics(article)
    assert (article.byline, [topic.name for topic in article.topic_list], article.correction_list) == (
        "By Amy Writer",
        ["Storm"],
        [],
    )
    Byline.objects.create(article=article, author=AuthorFactory(name="Zed Writer"), position=1)
    TaggedArticle.objects.create(content_object=article, tag=TopicFactory(name="Floods"))
    Correction.objects.create(article=article, text="A name was misspelt.")
    article.refresh_from_db()
    assert article.byline == "By Amy Writer and Zed Writer"
    assert [topic.name for topic in article.topic_list] == ["Storm", "Floods"]
    assert [correction.text for correction in article.correction_list] == ["A name was misspelt."]
