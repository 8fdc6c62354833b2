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

Only the newest MAX_RESULTS live matches are ranked and paged through: past that many, readers refine the search
rather than page on (the page says so, and it counts only stories readers may see). On PostgreSQL one statement
(search_sql.py) finds them, ranks them and returns a page with its snippets and the number of matches: it looks for
matches among the newest stories first, so that a common word costs about MAX_RESULTS index entries and rows rather
than one for each of its tens of thousands of matches, and only a phrase makes it read a (large, out-of-line)
document to check the words' positions; the document column has no planner statistics (see migration 0006), so
PostgreSQL always takes the index.
Visibility is decided by `Article.objects.live()`, compiled into that statement (compiled_sql.py).

SQLite has no full-text search built in that Django can use portably, so there the same queries match words and
phrases as substrings of headline, standfirst and body (no stemming; `or` is ignored) and rank headline matches above
standfirst above body.

The vectors are rewritten from the article's columns by `update_search_documents`, which runs after every save that
may change them (signal below) and which bulk loaders call themselves. Only published stories (live, or scheduled to
be) have them: nothing else can be found, and a draft's vectors would be work thrown away, which on the wire desk,
where most agency copy is never published, was a third of what ingesting it cost.
"""

import re
import unicodedata
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from html import escape, unescape
from typing import Any

from django import forms
from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import connection
from django.db.models import Case, Count, IntegerField, Q, Value, When, Window
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from sections.models import Section

from .models import Article, ArticleSearch, ArticleSearchTitle
from .search_document import body_expression, title_expression
from .search_sql import search_page

MAX_QUERY_LENGTH = 200
MAX_RESULTS = 1000
RESULTS_PER_PAGE = 10
SNIPPET_CHARACTERS = 240  # on SQLite; PostgreSQL's ts_headline counts words (below)
# Private-use characters mark highlights inside ts_headline's plain-text output until it is escaped for HTML.
_MARK_START, _MARK_END = "\ue000", "\ue001"
_HEADLINE_OPTIONS = (
    f'StartSel={_MARK_START}, StopSel={_MARK_END}, MaxWords=35, MinWords=15, MaxFragments=2, FragmentDelimiter=" … "'
)
_TAG = re.compile(r"<[^>]*>")
_TERM = re.compile(r'(-?)"([^"]*)"?|(\S+)')


# --- Keeping documents in sync --------------------------------------------------------------------------------------


def update_search_documents(*, article_ids: Iterable[int]) -> None:
    """
    (Re)write the search documents of those of these articles that are published, from their stored text, in one
    statement that reads each article once: the title vector is made once and goes into both tables, the document
    being title || body (`document_expression`). Parsing text into vectors is most of the cost, and a batch of wire
    copy pays it per story. A scheduled or embargoed story is indexed when it is published, ready for its time.
    """
    if connection.vendor != "postgresql":
        return  # SQLite searches the article's own columns
    ids = list(article_ids)
    vectors = (
        Article.objects.filter(pk__in=ids, status=Article.Status.PUBLISHED)
        .order_by()
        .values_list("pk", "publish_at", title_expression(), body_expression())
    )
    select, params = vectors.query.sql_with_params()
    search, title = ArticleSearch._meta.db_table, ArticleSearchTitle._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            # Referenced twice, the CTE is computed once (materialized); its column names are given here.
            f"WITH source (article_id, publish_at, title, body) AS MATERIALIZED ({select}), "  # noqa: S608
            f"titles AS (INSERT INTO {title} (article_id, vector) SELECT article_id, title FROM source "
            f"ON CONFLICT (article_id) DO UPDATE SET vector = EXCLUDED.vector) "
            f"INSERT INTO {search} (article_id, document, publish_at) "
            f"SELECT article_id, title || body, publish_at FROM source "
            f"ON CONFLICT (article_id) DO UPDATE SET document = EXCLUDED.document, publish_at = EXCLUDED.publish_at",
            params,
        )


def remove_search_documents(*, article_ids: Iterable[int]) -> None:
    """Forget the documents of these articles (no longer published: they can't be found, and needn't be stored)."""
    ids = list(article_ids)
    with connection.cursor() as cursor:
        # Plain statements: the ORM's delete() would read the rows back first, to send signals nobody needs.
        for model in (ArticleSearch, ArticleSearchTitle):
            table = connection.ops.quote_name(model._meta.db_table)
            cursor.execute(f"DELETE FROM {table} WHERE article_id = ANY(%s)", [ids])  # noqa: S608


# Saving any of these changes what is stored for search; other saves (a new expiry, a byline) leave it alone.
_INDEXED_FIELDS = frozenset({"headline", "standfirst", "body", "publish_at", "status"})


@receiver(post_save, sender=Article, dispatch_uid="search_article_saved")
def _article_saved(sender: type[Article], instance: Article, raw: bool, update_fields: Any, **kwargs: Any) -> None:
    if raw or connection.vendor != "postgresql":
        return
    if update_fields is not None and not _INDEXED_FIELDS & set(update_fields):
        return
    if instance.status == Article.Status.PUBLISHED:
        update_search_documents(article_ids=[instance.pk])
    elif update_fields is None or "status" in update_fields:
        remove_search_documents(article_ids=[instance.pk])


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
    Pages of ranked results, each fetched with the number of matches (counted up to MAX_RESULTS + 1, so that "more
    than MAX_RESULTS" is known from the same query); at most MAX_RESULTS matches are paged through (see the module
    docstring). `fetch(bottom, size)` returns a page's results and that number.
    """

    def __init__(self, fetch: Callable[[int, int], tuple[list[Article], int]]) -> None:
        super().__init__([], RESULTS_PER_PAGE)
        self.fetch = fetch
        self._found: int | None = None  # live matches, up to MAX_RESULTS + 1

    def _matches(self) -> int:
        if self._found is None:
            raise RuntimeError("Ask for a page first: the count comes with it.")
        return self._found

    @property
    def count(self) -> int:
        return min(self._matches(), MAX_RESULTS)

    @property
    def capped(self) -> bool:
        """Whether more than MAX_RESULTS live stories match (only the newest MAX_RESULTS are shown)."""
        return self._matches() > MAX_RESULTS

    @property
    def limit(self) -> int:
        return MAX_RESULTS

    def page(self, number: int | str) -> Page:
        number = self.validate_number_format(number)
        bottom = (number - 1) * self.per_page
        if bottom >= MAX_RESULTS:
            raise EmptyPage("That page is past the results shown.")
        results, found = self.fetch(bottom, min(self.per_page, MAX_RESULTS - bottom))
        if not results and number > 1:
            raise EmptyPage("That page contains no results.")
        self._found = found if results else 0
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
    at = at or timezone.now()
    start = _start_of(since) if since else None
    end = _start_of(until + timedelta(days=1)) if until else None
    if connection.vendor == "postgresql":

        def fetch(bottom: int, size: int) -> tuple[list[Article], int]:
            return search_page(
                text=text,
                words=" ".join(parse(text).include),
                section_ids=section_ids,
                since=start,
                until=end,
                at=at,
                bottom=bottom,
                size=size,
                limit=MAX_RESULTS,
                start_sel=_MARK_START,
                headline_options=_HEADLINE_OPTIONS,
            )

        return SearchPaginator(fetch)
    candidates = Article.objects.live(at)
    if section_ids is not None:
        candidates = candidates.filter(section_id__in=section_ids)
    if start:
        candidates = candidates.filter(publish_at__gte=start)
    if end:
        candidates = candidates.filter(publish_at__lt=end)
    terms = parse(text)
    for term in terms.include:
        candidates = candidates.filter(_mentions(term))
    for term in terms.exclude:
        candidates = candidates.exclude(_mentions(term))
    newest = candidates.newest_first().values("pk")
    rank = sum((_field_weight(term) for term in terms.include), Value(0))
    ranked = (
        Article.objects.live(at)
        .filter(pk__in=newest[:MAX_RESULTS])
        .annotate(rank=rank, total=Window(Count("pk")))
        .select_related("section")
        .order_by("-rank", "-publish_at", "-pk")
    )

    def fetch_sqlite(bottom: int, size: int) -> tuple[list[Article], int]:
        results = list(ranked[bottom : bottom + size])
        found = results[0].total if results else 0
        # At the cap, one more count tells whether there were more (the live candidates, so only what readers see).
        if found == MAX_RESULTS and newest[: MAX_RESULTS + 1].count() > MAX_RESULTS:
            found += 1
        return results, found

    return SearchPaginator(fetch_sqlite)


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
