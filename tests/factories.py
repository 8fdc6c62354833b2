import io
from datetime import timedelta

import factory
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.utils import timezone
from django.utils.text import slugify
from factory.django import DjangoModelFactory
from PIL import Image as PILImage, ImageDraw

from articles.images.renditions import generate_renditions
from articles.models import Agency, AgencyFeed, Article, Author, Byline, Image, SubjectRule, Topic
from articles.related import deferred_refresh
from sections.models import Section


def hours_ago(hours: float) -> timezone.datetime:
    return timezone.now() - timedelta(hours=hours)


class UserFactory(DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("correct horse battery staple")


class SectionFactory(DjangoModelFactory):
    class Meta:
        model = Section
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Section {n}")
    slug = factory.LazyAttribute(lambda section: slugify(section.name))


class AgencyFactory(DjangoModelFactory):
    class Meta:
        model = Agency
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Agency {n}")
    slug = factory.LazyAttribute(lambda agency: slugify(agency.name))


class AuthorFactory(DjangoModelFactory):
    class Meta:
        model = Author
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Author {n}")
    slug = factory.LazyAttribute(lambda author: slugify(author.name))


class TopicFactory(DjangoModelFactory):
    class Meta:
        model = Topic
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Topic {n}")
    slug = factory.LazyAttribute(lambda topic: slugify(topic.name))


def picture_bytes(
    width: int = 400,
    height: int = 300,
    *,
    format: str = "JPEG",
    transparent: bool = False,
    mark: tuple[int, int, int, int] | None = None,
    **save_options,
) -> bytes:
    """An encoded picture: blue (or transparent) with an optional red rectangle `mark` (left, top, right, bottom)."""
    if transparent:
        picture = PILImage.new("RGBA", (width, height), (0, 0, 0, 0))
    else:
        picture = PILImage.new("RGB", (width, height), "#2f6db5")
    if mark:
        ImageDraw.Draw(picture).rectangle(mark, fill="red")
    buffer = io.BytesIO()
    picture.save(buffer, format, **save_options)
    return buffer.getvalue()


class ImageFactory(DjangoModelFactory):
    """A small library picture, stored through the same checks as an upload. `renditions=True` makes them too."""

    class Meta:
        model = Image
        skip_postgeneration_save = True

    file = factory.LazyFunction(lambda: ContentFile(picture_bytes(), name="photo.jpg"))
    alt_text = factory.Sequence(lambda n: f"Picture number {n}")
    caption = "Rescue workers search the rubble."
    photographer = "Jane Doe"

    @factory.post_generation
    def renditions(image: Image, create: bool, extracted: bool | None, **kwargs) -> None:
        if create and extracted:
            generate_renditions(image=image)


class ArticleFactory(DjangoModelFactory):
    """A live article by default; traits give the other editorial states."""

    class Meta:
        model = Article
        skip_postgeneration_save = True

    headline = factory.Sequence(lambda n: f"Headline number {n}")
    slug = factory.LazyAttribute(lambda article: slugify(article.headline))
    standfirst = "What happened, in one sentence."
    body = "<p>First paragraph.</p><p>Second paragraph.</p><p>Third paragraph.</p><p>Fourth paragraph.</p>"
    section = factory.SubFactory(SectionFactory, name="World")
    status = Article.Status.PUBLISHED
    publish_at = factory.LazyFunction(lambda: hours_ago(1))
    first_published_at = factory.LazyAttribute(lambda article: article.publish_at)

    class Params:
        draft = factory.Trait(status=Article.Status.DRAFT, publish_at=None)
        in_review = factory.Trait(status=Article.Status.IN_REVIEW, publish_at=None)
        scheduled = factory.Trait(publish_at=factory.LazyFunction(lambda: hours_ago(-24)), first_published_at=None)
        embargoed = factory.Trait(embargo_until=factory.LazyFunction(lambda: hours_ago(-24)))
        expired = factory.Trait(
            publish_at=factory.LazyFunction(lambda: hours_ago(48)),
            expire_at=factory.LazyFunction(lambda: hours_ago(24)),
        )
        withdrawn = factory.Trait(status=Article.Status.WITHDRAWN)

    @classmethod
    def _generate(cls, strategy: str, params: dict) -> Article:
        # The article, then its topics and credits, are saved one by one; its related list is refreshed once, after.
        with deferred_refresh():
            return super()._generate(strategy, params)

    @factory.post_generation
    def topics(article: Article, create: bool, extracted: list | None, **kwargs) -> None:
        if create and extracted:
            article.topics.set(extracted)

    @factory.post_generation
    def authors(article: Article, create: bool, extracted: list[Author] | None, **kwargs) -> None:
        for position, author in enumerate(extracted or []):
            Byline.objects.create(article=article, author=author, position=position)

    @factory.post_generation
    def agencies(article: Article, create: bool, extracted: list[Agency] | None, **kwargs) -> None:
        if create and extracted:
            article.agencies.set(extracted)


class AgencyFeedFactory(DjangoModelFactory):
    class Meta:
        model = AgencyFeed

    agency = factory.SubFactory(AgencyFactory)
    url = factory.Sequence(lambda n: f"http://127.0.0.1:9/feed-{n}.xml")


class SubjectRuleFactory(DjangoModelFactory):
    class Meta:
        model = SubjectRule

    agency = factory.SubFactory(AgencyFactory)
    subject = factory.Sequence(lambda n: f"Subject {n}")
    section = factory.SubFactory(SectionFactory)


# The states readers must never see, as factory traits.
HIDDEN_STATES = ["draft", "in_review", "scheduled", "embargoed", "expired", "withdrawn"]
