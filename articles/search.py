"""
Reader search: live stories only, ranked by relevance (headline above standfirst above body), filterable by section
and date, with the matching words highlighted.

Queries use web-search syntax: words (all required), "a phrase", -word to leave a word out, `or` between
alternatives. On PostgreSQL they go through `websearch_to_tsquery` (stemming: "elections" finds "election"), match
the stored, GIN-indexed document of ArticleSearch (search_document.py: headline, standfirst and body), and are
ranked by `ts_rank` over the small headline (A) and standfirst (B) vector of ArticleSearchTitle: stories matching in
the headline come first, then in the standfirst, then those matching only in the body, newest first among equals.
(Ranking on the body too would read every match's whole vector back from storage: seconds for a common word on
100,000 stories.) Snippets come from `ts_headline`, computed only for the page's results.

Only the newest MAX_RESULTS matches are ranked and paged through: past that many, readers refine the search rather
than page on (the page says so). The newest are picked from the GIN index and a copy of the publish time kept in the
same narrow rows, so a match costs an index entry and a small row, never a read of its (large, out-of-line) document;
and the document column has no planner statistics (see the migration), so PostgreSQL always takes that index rather
than a scan that would read every document to test a common word. A page and its count of matches come from one
query; whether there were more than MAX_RESULTS is a second, cheap one that counts matching documents already
published (the copy of the publish time says so: drafts have none and scheduled stories a future one); no hidden
story is ever shown.

SQLite has no full-text search built in that Django can use portably, so there the same queries match words and
phrases as substrings of headline, standfirst and body (no stemming; `or` is ignored) and rank headline matches above
standfirst above body.

The vectors are rewritten from the article's columns by `update_search_documents`, which runs after every save that
may change them (signal below) and which bulk loaders call themselves.
"""

import re
import unicodedata
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cached_property
from html import escape, unescape
from typing import Any

from django import forms
from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank
from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import connection
from django.db.models import Case, Count, F, Func, IntegerField, Q, QuerySet, TextField, Value, When, Window
from django.db.models.functions import Concat
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from sections.models import Section

from .models import Article, ArticleSearch, ArticleSearchTitle
from .search_document import SEARCH_CONFIG, document_expression, title_expression

MAX_QUERY_LENGTH = 200
MAX_RESULTS = 1000
RESULTS_PER_PAGE = 10
SNIPPET_CHARACTERS = 240  # on SQLite; PostgreSQL's ts_headline counts words (below)
HEADLINE_OPTIONS = {"max_words": 35, "min_words": 15, "max_fragments": 2, "fragment_delimiter": " … "}
# Private-use characters mark highlights inside ts_headline's plain-text output until it is escaped for HTML.
_MARK_START, _MARK_END = "\ue000", "\ue001"
_TAG = re.compile(r"<[^>]*>")
_TERM = re.compile(r'(-?)"([^"]*)"?|(\S+)')


# --- Keeping documents in sync --------------------------------------------------------------------------------------


def update_search_documents(*, article_ids: Iterable[int]) -> None:
    """(Re)write the search documents of these articles from their stored text, in one statement."""
    if connection.vendor != "postgresql":
        return  # SQLite searches the article's own columns
    ids = list(article_ids)
    articles = Article.objects.filter(pk__in=ids).order_by()
    _upsert(ArticleSearch, articles.values_list("pk", document_expression(), "publish_at"), ["document", "publish_at"])
    _upsert(ArticleSearchTitle, articles.values_list("pk", title_expression()), ["vector"])


def _upsert(model: type[ArticleSearch | ArticleSearchTitle], rows: QuerySet, columns: list[str]) -> None:
    """Insert or replace `model` rows (article_id, *columns) with what `rows` selects, in one statement."""
    select, params = rows.query.sql_with_params()
    updates = ", ".join(f"{column} = EXCLUDED.{column}" for column in columns)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {model._meta.db_table} (article_id, {', '.join(columns)}) {select} "  # noqa: S608
            f"ON CONFLICT (article_id) DO UPDATE SET {updates}",
            params,
        )


# Saving any of these changes what is stored for search; other saves (a new expiry, a status) leave it alone.
_TEXT_FIELDS = frozenset({"headline", "standfirst", "body", "publish_at"})


@receiver(post_save, sender=Article, dispatch_uid="search_article_saved")
def _article_saved(sender: type[Article], instance: Article, raw: bool, update_fields: Any, **kwargs: Any) -> None:
    if not raw and (update_fields is None or _TEXT_FIELDS & set(update_fields)):
        update_search_documents(article_ids=[instance.pk])


# --- Reading the reader's query -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Terms:
    """A web-search query taken apart: what must match and what must not (words or phrases, lower case)."""

    include: list[str]
    exclude: list[str]


def parse(text: str) -> Terms:
    include, exclude = [], []
    for negated, phrase, word in _TERM.findall(text):
        term = " ".join(phrase.split()) if phrase else word.lstrip("-").strip(".,;:!?()[]{}'\"")
        if word.lower() == "or" or not any(character.isalnum() for character in term):
            continue
        (exclude if negated or word.startswith("-") else include).append(term.lower())
    return Terms(include, exclude)


def clean_query(text: str) -> str:
    """The query without control characters (NUL included) and with its spaces tidied."""
    printable = "".join(" " if unicodedata.category(character)[0] == "C" else character for character in text)
    return " ".join(printable.split())


# Dates readers may filter on: wide enough for any archive, narrow enough that no date arithmetic overflows.
DATE_RANGE = [
    MinValueValidator(date(1900, 1, 1), message="Choose a date after 1900."),
    MaxValueValidator(date(2999, 12, 31), message="Choose a date before 3000."),
]


class SearchForm(forms.Form):
    q = forms.CharField(
        label="Search",
        required=False,
        max_length=MAX_QUERY_LENGTH,
        error_messages={"max_length": "Searches are limited to %(limit_value)d characters; try fewer words."},
    )
    section = forms.ChoiceField(label="Section", required=False)
    since = forms.DateField(
        label="From", required=False, widget=forms.DateInput(attrs={"type": "date"}), validators=DATE_RANGE
    )
    until = forms.DateField(
        label="To", required=False, widget=forms.DateInput(attrs={"type": "date"}), validators=DATE_RANGE
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.sections = list(
            Section.objects.order_by("position", "name").values_list("pk", "slug", "name", "parent_id")
        )
        self.fields["section"].choices = [("", "All sections")] + [
            (slug, name if parent_id is None else f"– {name}") for _, slug, name, parent_id in self.sections
        ]

    def clean_q(self) -> str:
        return clean_query(self.cleaned_data["q"])

    def clean(self) -> dict:
        cleaned = super().clean()
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and since > until:
            self.add_error("until", "The end date is before the start date.")
        if cleaned.get("q") and not parse(cleaned["q"]).include:
            self.add_error("q", "Type at least one word to look for (a minus sign leaves a word out).")
        return cleaned

    def section_ids(self) -> list[int] | None:
        """The chosen section and its subsections, worked out from the choices already loaded."""
        slug = self.cleaned_data.get("section")
        chosen = [pk for pk, section_slug, _, _ in self.sections if section_slug == slug]
        if not chosen:
            return None
        children: dict[int | None, list[int]] = {}
        for pk, _, _, parent_id in self.sections:
            children.setdefault(parent_id, []).append(pk)
        found, pending = [], chosen
        while pending:
            pk = pending.pop()
            found.append(pk)
            pending.extend(children.get(pk, []))
        return found


# --- Searching ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Hit:
    article: Article
    snippet: SafeString


class SearchPaginator(Paginator):
    """
    Pages of ranked results that carry their own total (a window count), so a page and the number of matches cost one
    query; at most MAX_RESULTS matches are paged through (see the module docstring).
    """

    def __init__(self, ranked: QuerySet[Article], candidates: QuerySet) -> None:
        super().__init__(ranked.annotate(total=Window(Count("pk"))), RESULTS_PER_PAGE)
        self.candidates = candidates  # everything that matched, to tell whether it was more than MAX_RESULTS
        self._count: int | None = None

    @property
    def count(self) -> int:
        if self._count is None:
            raise RuntimeError("Ask for a page first: the count comes with it.")
        return self._count

    @cached_property
    def capped(self) -> bool:
        return self.candidates.order_by()[: MAX_RESULTS + 1].count() > MAX_RESULTS

    @property
    def limit(self) -> int:
        return MAX_RESULTS

    def page(self, number: int | str) -> Page:
        number = self.validate_number_format(number)
        bottom = (number - 1) * self.per_page
        if bottom >= MAX_RESULTS:
            raise EmptyPage("That page is past the results shown.")
        results = list(self.object_list[bottom : min(bottom + self.per_page, MAX_RESULTS)])
        if not results and number > 1:
            raise EmptyPage("That page contains no results.")
        self._count = min(results[0].total, MAX_RESULTS) if results else 0
        return Page(results, number, self)

    def validate_number_format(self, number: int | str) -> int:
        try:
            number = int(number)
        except (TypeError, ValueError) as error:
            raise PageNotAnInteger("That page number is not an integer.") from error
        if number < 1:
            raise EmptyPage("That page number is less than 1.")
        return number


def search_articles(
    *,
    text: str,
    section_ids: Collection[int] | None = None,
    since: date | None = None,
    until: date | None = None,
    at: datetime | None = None,
) -> SearchPaginator:
    """Live stories matching `text` (and the filters), best first, ready to paginate."""
    live = Article.objects.live(at)
    if connection.vendor == "postgresql":
        query = SearchQuery(text, search_type="websearch", config=SEARCH_CONFIG)
        # Matching documents, straight from the GIN index with the copied publish time: no match costs a read of
        # its document or a join. Stories scheduled for later would otherwise be the "newest"; whether a story
        # shows is still up to live().
        candidates = ArticleSearch.objects.filter(document=query, publish_at__lte=at or timezone.now())
        if section_ids is not None:
            candidates = candidates.filter(article__section_id__in=section_ids)
        if since:
            candidates = candidates.filter(publish_at__gte=_start_of(since))
        if until:
            candidates = candidates.filter(publish_at__lt=_start_of(until + timedelta(days=1)))
        newest = candidates.order_by(F("publish_at").desc(nulls_last=True), "-article_id").values("article_id")
        rank = SearchRank(F("search_title__vector"), query)
        # Computed by PostgreSQL after the page is cut, for its results only.
        snippet = SearchHeadline(
            Concat(F("standfirst"), Value(" "), _without_tags("body"), output_field=TextField()),
            query,
            config=SEARCH_CONFIG,
            start_sel=_MARK_START,
            stop_sel=_MARK_END,
            **HEADLINE_OPTIONS,
        )
        ranked = live.filter(pk__in=newest[:MAX_RESULTS]).annotate(rank=rank, snippet_text=snippet)
    else:
        candidates = live
        if section_ids is not None:
            candidates = candidates.filter(section_id__in=section_ids)
        if since:
            candidates = candidates.filter(publish_at__gte=_start_of(since))
        if until:
            candidates = candidates.filter(publish_at__lt=_start_of(until + timedelta(days=1)))
        terms = parse(text)
        for term in terms.include:
            candidates = candidates.filter(_mentions(term))
        for term in terms.exclude:
            candidates = candidates.exclude(_mentions(term))
        newest = candidates.newest_first().values("pk")
        rank = sum((_field_weight(term) for term in terms.include), Value(0))
        ranked = live.filter(pk__in=newest[:MAX_RESULTS]).annotate(rank=rank)
    ranked = ranked.select_related("section").order_by("-rank", "-publish_at", "-pk")
    return SearchPaginator(ranked, candidates)


def hits(articles: Iterable[Article], text: str) -> list[Hit]:
    """The page's results with their snippets, matching words marked with <mark>."""
    terms = parse(text).include
    found = []
    for article in articles:
        raw = getattr(article, "snippet_text", None)
        # ts_headline returns the text as stored: entities from the HTML body, tags already stripped.
        found.append(Hit(article, _marked_html(unescape(raw)) if raw is not None else _snippet(article, terms)))
    return found


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=timezone.get_current_timezone())


def _without_tags(field: str) -> Func:
    return Func(
        F(field), Value("<[^>]*>"), Value(" "), Value("g"), function="regexp_replace", output_field=TextField()
    )


def _mentions(term: str) -> Q:
    return Q(headline__icontains=term) | Q(standfirst__icontains=term) | Q(body__icontains=term)


def _field_weight(term: str) -> Case:
    return Case(
        When(headline__icontains=term, then=Value(4)),
        When(standfirst__icontains=term, then=Value(2)),
        default=Value(1),
        output_field=IntegerField(),
    )


def _marked_html(plain: str) -> SafeString:
    """Plain text with highlights marked by the private-use characters, as escaped HTML with <mark> elements."""
    return mark_safe(escape(plain).replace(_MARK_START, "<mark>").replace(_MARK_END, "</mark>"))  # noqa: S308


def _snippet(article: Article, terms: list[str]) -> SafeString:
    """SQLite: the stretch of standfirst and body around the first match, matches marked."""
    text = " ".join(unescape(_TAG.sub(" ", f"{article.standfirst} {article.body}")).split())
    lowered = text.lower()
    first = min((position for term in terms if (position := lowered.find(term)) >= 0), default=0)
    start = max(0, first - SNIPPET_CHARACTERS // 3)
    excerpt = text[start : start + SNIPPET_CHARACTERS]
    if terms:
        pattern = re.compile("|".join(re.escape(term) for term in sorted(terms, key=len, reverse=True)), re.IGNORECASE)
        excerpt = pattern.sub(lambda match: f"{_MARK_START}{match.group(0)}{_MARK_END}", excerpt)
    prefix, suffix = ("… " if start else ""), (" …" if start + SNIPPET_CHARACTERS < len(text) else "")
    return _marked_html(f"{prefix}{excerpt}{suffix}")
