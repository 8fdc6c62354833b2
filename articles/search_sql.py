"""
Search on PostgreSQL, as one statement: the newest `limit` live matches of a query, ranked, and one page of them
with their snippets and how many there were (up to `limit` + 1, so that "more than `limit`" is known too).

Why hand-written: a common word matches most of the archive ("government minister" 92% of 100,000 generated stories),
and finding its newest matches through the whole GIN index reads every match (90,000 index entries and rows, then a
sort: 60 ms and more). Matches are looked for among the newest stories first instead, in widening windows:

    level 1: matches among the newest 3 × (limit + 1) stories
    level 2: matches among the newest 15 × (limit + 1) stories     (only if level 1 found fewer than limit + 1)
    level 3: every match                                            (only if level 2 did too)

A window is "published on or after the day of the Nth newest story" (the b-tree on the copied publish time finds
that story), and the GIN index holds the publish day next to the words (btree_gin; search_document.publish_day), so
PostgreSQL finds a common word's matches within a window by skipping through its long list of documents. Within a
level, matches are taken newest first and checked against `Article.objects.live()` (and the section filter) one by
one until limit + 1 are found: a common word costs about limit + 1 such checks, a rare one its few matches. A level
that finds limit + 1 live matches has the newest limit + 1 of the whole archive (everything outside its window is
older), so the answer is the one ranking every match would give; the levels only decide how much is read. Each level
is evaluated only if the ones before it fell short (PostgreSQL runs a CTE only when asked for its rows).

The live rule is not repeated here: its condition is compiled from `Article.objects.live()` (compiled_sql.py).
Date filters and the present moment bound the publish time outside the index (`(…) IS TRUE`: a plain comparison
would be used as an index key too, and "published before now" matches almost every entry of the index).

Snippets: `ts_headline` parses and stems every word of the text it is given, about a millisecond for an average
story. It is given the standfirst and about 1,000 characters of the body from just before where the last of the
wanted words first appears (found by the word's stem less a last letter that inflection may change: "happi" for
"happy"), and the whole body only when that stretch turns out to hold no match.
"""

from collections.abc import Collection
from datetime import datetime
from typing import Any

from django.db import connections, router

from sections.models import Section

from .compiled_sql import NOW, live_condition
from .models import Article
from .search_document import SEARCH_CONFIG

# The day of a publish time, as the GIN index holds it next to the words: fewer, larger entries than whole times, so
# looking among the last few thousand stories reads a few dozen entries rather than thousands.
PUBLISH_DAY = "date_trunc('day', {} AT TIME ZONE 'UTC')"
# How many of the newest stories levels 1 and 2 look among, in multiples of limit + 1.
WINDOWS = (3, 15)
# The stretch of body given to ts_headline: from a little before the first match.
SNIPPET_LEAD, SNIPPET_STRETCH = 100, 700


def _columns(model: type[Article | Section], wanted: set[str]) -> list[str]:
    # In the model's field order, as `from_db` expects values of a subset of the fields.
    return [field.attname for field in model._meta.concrete_fields if field.attname in wanted]


# What a results page shows of each story; the rest stays deferred (nothing on the page reads it).
ARTICLE_COLUMNS = _columns(Article, {"id", "headline", "slug", "section_id", "publish_at"})
SECTION_COLUMNS = _columns(Section, {"id", "name", "slug", "parent_id", "position", "description"})


def _level(window: int | None, *, section_filter: bool, since: bool, until: bool) -> str:
    """One level: up to limit + 1 live matches, newest first, among the newest `window` × (limit + 1) stories."""
    start = (
        "COALESCE((SELECT n.publish_at FROM articles_articlesearch n WHERE n.publish_at <= %(now)s "
        f"ORDER BY n.publish_at DESC OFFSET %(window_{window})s LIMIT 1), '-infinity')"
    )
    recent = f"AND {PUBLISH_DAY.format('s.publish_at')} >= {PUBLISH_DAY.format(start)}"
    return f"""
    SELECT match.article_id, match.publish_at FROM (
        SELECT s.article_id, s.publish_at FROM articles_articlesearch s
        WHERE s.document @@ websearch_to_tsquery(%(config)s::regconfig, %(text)s)
        {recent if window else ""}
        AND (s.publish_at <= %(now)s) IS TRUE
        {"AND (s.publish_at >= %(since)s) IS TRUE" if since else ""}
        {"AND (s.publish_at < %(until)s) IS TRUE" if until else ""}
        ORDER BY s.publish_at DESC, s.article_id DESC
    ) match
    WHERE EXISTS (
        SELECT 1 FROM articles_article
        WHERE articles_article.id = match.article_id AND {{live}}
        {"AND articles_article.section_id = ANY(%(sections)s::bigint[])" if section_filter else ""}
    )
    ORDER BY match.publish_at DESC, match.article_id DESC
    LIMIT %(limit_and_one)s"""


def _statement(*, section_filter: bool, since: bool, until: bool) -> str:
    levels = [*WINDOWS, None]
    ctes = [
        f"level_{n} AS MATERIALIZED ({_level(window, section_filter=section_filter, since=since, until=until)})"
        for n, window in enumerate(levels, start=1)
    ]
    # Each level is read only if the ones before it fell short (PostgreSQL evaluates a CTE only when asked for rows).
    found = [f"(SELECT count(*) FROM level_{n})" for n in range(1, len(levels) + 1)]
    branches = []
    for n in range(1, len(levels) + 1):
        conditions = [f"{count} <= %(limit)s" for count in found[: n - 1]]
        if n < len(levels):
            conditions.append(f"{found[n - 1]} > %(limit)s")
        branches.append(f"SELECT * FROM level_{n}" + (f" WHERE {' AND '.join(conditions)}" if conditions else ""))
    article_columns = ", ".join(f"a.{column}" for column in ARTICLE_COLUMNS)
    section_columns = ", ".join(f"section.{column}" for column in SECTION_COLUMNS)
    return rf"""
WITH {", ".join(ctes)},
newest AS ({" UNION ALL ".join(branches)}),
ranked AS (
    SELECT shown.article_id, shown.publish_at,
        COALESCE(ts_rank(title.vector, websearch_to_tsquery(%(config)s::regconfig, %(text)s)), 0) AS rank
    FROM (SELECT * FROM newest ORDER BY publish_at DESC, article_id DESC LIMIT %(limit)s) shown
    LEFT JOIN articles_articlesearchtitle title ON title.article_id = shown.article_id
),
page AS (
    SELECT * FROM ranked ORDER BY rank DESC, publish_at DESC, article_id DESC LIMIT %(size)s OFFSET %(bottom)s
),
word_starts AS MATERIALIZED (
    -- How each wanted word may begin in the HTML, as a pattern: its stem less a last letter that inflection may
    -- change ("happi" for "happy"), in any case, after a space or a tag.
    SELECT '(^|[\s>])' || regexp_replace(
        left(stem.lexeme, greatest(length(stem.lexeme) - 1, 3)), '([^[:alnum:]])', '\\\1', 'g'
    ) AS pattern
    FROM unnest(to_tsvector(%(config)s::regconfig, %(words)s)) stem
)
SELECT {article_columns}, {section_columns}, page.rank, (SELECT count(*) FROM newest) AS total,
    CASE WHEN near.found IS NULL OR strpos(near.snippet, %(start_sel)s) > 0 THEN near.snippet
    ELSE ts_headline(%(config)s::regconfig, a.standfirst || ' ' || regexp_replace(a.body, '<[^>]*>', ' ', 'g'),
        websearch_to_tsquery(%(config)s::regconfig, %(text)s), %(headline_options)s)
    END AS snippet
FROM page
JOIN articles_article a ON a.id = page.article_id
JOIN sections_section section ON section.id = a.section_id
CROSS JOIN LATERAL (
    SELECT first.found, ts_headline(%(config)s::regconfig,
        a.standfirst || ' ' || regexp_replace(
            substr(a.body, greatest(1, coalesce(first.found, 1) - %(lead)s), %(stretch)s),
            '<[^>]*>|^[^<]*>|<[^>]*$', ' ', 'g'),
        websearch_to_tsquery(%(config)s::regconfig, %(text)s), %(headline_options)s) AS snippet
    -- The stretch starts where the last of the words first appears: the others are most likely near it then.
    FROM (SELECT max(nullif(regexp_instr(a.body, pattern, 1, 1, 0, 'i'), 0)) AS found FROM word_starts) first
    -- Not merged into the outer query, which would compute the snippet again for each use of it.
    OFFSET 0
) near
ORDER BY page.rank DESC, page.publish_at DESC, page.article_id DESC"""


_statements: dict[tuple[str, bool, bool, bool], tuple[str, list[Any]]] = {}


def search_page(
    *,
    text: str,
    words: str,
    section_ids: Collection[int] | None,
    since: datetime | None,
    until: datetime | None,
    at: datetime,
    bottom: int,
    size: int,
    limit: int,
    start_sel: str,
    headline_options: str,
) -> tuple[list[Article], int]:
    """
    Results `bottom` to `bottom + size` of the newest `limit` live matches of `text`, best first, with `snippet_text`
    and `rank`; and the number of live matches, counted up to limit + 1. `words` are the query's wanted words (not
    those left out) for placing the snippets.
    """
    connection = connections[router.db_for_read(Article)]
    live = live_condition(connection.alias)
    shape = (connection.alias, section_ids is not None, since is not None, until is not None)
    if shape not in _statements:
        sql = _statement(section_filter=shape[1], since=shape[2], until=shape[3])
        # The live condition's own parameters are positional; they become named ones of this statement.
        pieces = live.sql.split("%s")
        names = [f"live_{n}" for n in range(len(pieces) - 1)]
        condition = pieces[0] + "".join(f"%({name})s{piece}" for name, piece in zip(names, pieces[1:], strict=True))
        _statements[shape] = (sql.replace("{live}", condition), names)
    sql, names = _statements[shape]
    params: dict[str, Any] = dict(zip(names, live.fill(connection, {NOW: at}), strict=True))
    params.update(
        config=SEARCH_CONFIG,
        text=text,
        words=words,
        now=at,
        since=since,
        until=until,
        sections=list(section_ids or []),
        limit=limit,
        limit_and_one=limit + 1,
        size=size,
        bottom=bottom,
        lead=SNIPPET_LEAD,
        stretch=SNIPPET_STRETCH,
        start_sel=start_sel,
        headline_options=headline_options,
        **{f"window_{window}": window * (limit + 1) - 1 for window in WINDOWS},
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    articles, total = [], 0
    split = len(ARTICLE_COLUMNS)
    sections = split + len(SECTION_COLUMNS)
    for row in rows:
        article = Article.from_db(connection.alias, ARTICLE_COLUMNS, row[:split])
        article.section = Section.from_db(connection.alias, SECTION_COLUMNS, row[split:sections])
        article.rank, total, article.snippet_text = row[sections:]
        articles.append(article)
    return articles, total
