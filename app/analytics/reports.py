"""The editors' search report: SQL aggregates over the daily search counters for a date
range and a page language, or every language (searches per day, top queries, queries that
found nothing or that nobody clicked), and one query's own page. A query is counted per
language: "retoure" searched on German pages is not the same query as on English ones.
Plain Python, no Flask."""

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    SQLColumnExpression,
    and_,
    func,
    literal,
    select,
    union_all,
)
from sqlalchemy.sql.base import ReadOnlyColumnCollection
from sqlalchemy.sql.elements import KeyedColumnElement

from app.analytics.dates import DateRange
from app.analytics.stats import share
from app.extensions import db
from app.models.analytics import SearchClick, SearchDaily, SearchDayTotal, SearchEvent

PAGE_ROWS = 50  # rows per table on a page; CSV downloads get up to CSV_ROWS
CSV_ROWS = 10_000
# "Searched often, rarely clicked": enough searches that found articles (no_click_threshold),
# and fewer than this share of them opened one.
NO_CLICK_MAX_CTR = 0.2
NO_CLICK_MIN_SEARCHES = (3, 10)  # the threshold's range, when it follows the traffic
SEARCHES_PER_NO_CLICK = 200  # ...one search in this many of the range's


# A page language to report on (a LANGUAGES code), or None for every language.
Language = str | None


def no_click_threshold(
    rng: DateRange, configured: int | None = None, language: Language = None
) -> int:
    """How many searches that found articles a query needs in the range before "nobody
    opened one" counts: `configured` (INSIGHTS_NO_CLICK_MIN_SEARCHES) when set, else one in
    every 200 searches of the range, from 3 to 10. A small shop's five unopened searches of
    a month are a gap; a large shop's five are noise."""
    if configured:
        return configured
    total = db.session.execute(
        select(func.coalesce(func.sum(SearchDayTotal.searches), 0)).where(
            SearchDayTotal.day.between(rng.start, rng.end),
            *in_language(SearchDayTotal.language, language),
        )
    ).scalar_one()
    low, high = NO_CLICK_MIN_SEARCHES
    return max(low, min(high, round(total / SEARCHES_PER_NO_CLICK)))


# -- searches ------------------------------------------------------------------------------


@dataclass
class SearchDay:
    day: date
    searches: int
    zero_results: int
    clicked_searches: int


@dataclass
class QueryStats:
    """One normalized (redacted) query over the range, searched on pages in `language` ("" when
    it adds up every language's)."""

    language: str
    query: str
    searches: int
    zero_results: int
    clicked_searches: int
    clicks: int
    position_sum: int
    last_seen: datetime
    last_zero_at: datetime | None
    example: str = ""

    @property
    def with_results(self) -> int:
        return self.searches - self.zero_results

    @property
    def ctr(self) -> float | None:
        """Share of the searches that opened a result."""
        return share(self.clicked_searches, self.searches)

    @property
    def results_ctr(self) -> float | None:
        """Share of the searches that found articles and opened one."""
        return share(self.clicked_searches, self.with_results)

    @property
    def no_clicks(self) -> int:
        return self.with_results - self.clicked_searches

    @property
    def avg_position(self) -> float | None:
        return share(self.position_sum, self.clicks)


@dataclass
class SearchReport:
    range: DateRange
    days: list[SearchDay]
    top: list[QueryStats]
    zero: list[QueryStats]
    no_click: list[QueryStats]

    @property
    def searches(self) -> int:
        return sum(d.searches for d in self.days)

    @property
    def zero_results(self) -> int:
        return sum(d.zero_results for d in self.days)

    @property
    def clicked_searches(self) -> int:
        return sum(d.clicked_searches for d in self.days)


# A query's sums, in QueryStats' order (but the example): language, query, searches,
# zero_results, clicked_searches, clicks, position_sum, last_seen, last_zero_at.
PerQuery = Select[str, str, int, int, int, int, int, datetime, datetime | None]
# Which rows of the per-query sums a list shows (None: all), and in what order.
ListRule = tuple[ColumnElement[bool] | None, tuple[ColumnElement[Any], ...]]


def in_language(
    column: SQLColumnExpression[str], language: Language
) -> tuple[ColumnElement[bool], ...]:
    """The condition keeping rows to pages in one language, by their `column` (none for
    every language)."""
    return () if language is None else (column == language,)


def _per_query(
    rng: DateRange,
    keys: list[str] | None = None,
    language: Language = None,
    per_language: bool = True,
) -> PerQuery:
    """Per-query sums over the range, from the daily counters (one pass over them): per
    language and query, or with `per_language` False, per query over the languages."""
    d = SearchDaily
    stmt = select(
        (d.language if per_language else literal("")).label("language"),
        d.query_normalized.label("query"),
        func.sum(d.searches).label("searches"),
        func.sum(d.zero_results).label("zero_results"),
        func.sum(d.clicked_searches).label("clicked_searches"),
        func.sum(d.clicks).label("clicks"),
        func.sum(d.position_sum).label("position_sum"),
        func.max(d.last_seen).label("last_seen"),
        func.max(d.last_zero_at).label("last_zero_at"),
    ).where(d.day.between(rng.start, rng.end), *in_language(d.language, language))
    if keys is not None:
        stmt = stmt.where(d.query_normalized.in_(keys))
    if per_language:
        return stmt.group_by(d.language, d.query_normalized)
    return stmt.group_by(d.query_normalized)


def _lists(
    q: ReadOnlyColumnCollection[str, KeyedColumnElement[Any]], min_searches: int
) -> dict[str, ListRule]:
    """Each list of queries the reports show: (which rows, in what order)."""
    found = q.searches - q.zero_results
    return {
        "top": (None, (q.searches.desc(), q.query, q.language)),
        "zero": (
            q.zero_results > 0,
            (q.zero_results.desc(), q.last_zero_at.desc(), q.query, q.language),
        ),
        # found often, and clicked / found < NO_CLICK_MAX_CTR (in integers: no division)
        "no_click": (
            and_(
                found >= min_searches,
                q.clicked_searches * 100 < found * round(NO_CLICK_MAX_CTR * 100),
            ),
            ((found - q.clicked_searches).desc(), q.query, q.language),
        ),
    }


def query_lists(
    rng: DateRange,
    limit: int = PAGE_ROWS,
    names: tuple[str, ...] = ("top", "zero", "no_click"),
    min_searches: int | None = None,
    language: Language = None,
) -> dict[str, list[QueryStats]]:
    """The most searched queries, those that found nothing, and those that found articles
    nobody opened (`min_searches` or more times; no_click_threshold when None), on pages in
    `language` (each language's queries when None): all from one pass over the daily
    counters."""
    per_query = _per_query(rng, language=language).cte("per_query").prefix_with("MATERIALIZED")
    q = per_query.c
    lists = _lists(q, min_searches or no_click_threshold(rng, language=language))
    parts = []
    for name in names:
        where, order = lists[name]
        part = select(
            literal(name).label("list"), func.row_number().over(order_by=order).label("n"), *q
        )
        if where is not None:
            part = part.where(where)
        parts.append(select(part.order_by(*order).limit(limit).subquery()))
    found: dict[str, list[QueryStats]] = {name: [] for name in names}
    ranked = union_all(*parts).subquery()
    for row in db.session.execute(select(ranked).order_by(ranked.c.list, ranked.c.n)):
        found[row.list].append(QueryStats(*row[2:]))
    _with_examples(rng, [stats for rows in found.values() for stats in rows])
    return found


def queries_by_key(
    rng: DateRange, keys: list[str], language: Language = None, per_language: bool = True
) -> list[QueryStats]:
    """These queries' numbers over the range (those searched in it), on pages in `language`
    (every language when None: per language, or added up without `per_language`)."""
    return _with_examples(rng, _rows(_per_query(rng, keys, language, per_language)))


def _rows(stmt: PerQuery) -> list[QueryStats]:
    return [QueryStats(*row) for row in db.session.execute(stmt)]


def _with_examples(rng: DateRange, rows: list[QueryStats]) -> list[QueryStats]:
    """Fill in each query's latest wording in the range (redacted, as customers typed it), on
    pages in its language (in any, for a query adding up every language's)."""
    if not rows:
        return rows
    d = SearchDaily
    latest = (
        select(d.language, d.query_normalized, func.max(d.day).label("day"))
        .where(d.query_normalized.in_({r.query for r in rows}))
        .where(d.day.between(rng.start, rng.end))
        .group_by(d.language, d.query_normalized)
        .subquery()
    )
    found = db.session.execute(
        select(d.language, d.query_normalized, d.day, d.example).join(
            latest,
            and_(
                latest.c.language == d.language,
                latest.c.query_normalized == d.query_normalized,
                latest.c.day == d.day,
            ),
        )
    ).all()
    examples: dict[tuple[str, str], str] = {}
    any_language: dict[str, tuple[date, str]] = {}
    for language, query, day, example in found:
        examples[language, query] = example
        if query not in any_language or day > any_language[query][0]:
            any_language[query] = (day, example)
    for row in rows:
        fallback = any_language.get(row.query, (None, row.query))[1]
        row.example = examples.get((row.language, row.query), fallback)
    return rows


def search_days(rng: DateRange, language: Language = None) -> list[SearchDay]:
    """Every day of the range (days without searches included), on pages in `language` (in
    every language when None)."""
    t = SearchDayTotal
    rows = db.session.execute(
        select(t.day, func.sum(t.searches), func.sum(t.zero_results), func.sum(t.clicked_searches))
        .where(t.day.between(rng.start, rng.end), *in_language(t.language, language))
        .group_by(t.day)
    )
    counts = {row[0]: row[1:] for row in rows}
    return [SearchDay(day, *counts.get(day, (0, 0, 0))) for day in rng.each_day()]


QUERY_LISTS = ("top", "zero", "no_click")


def search_report(
    rng: DateRange,
    limit: int = PAGE_ROWS,
    lists: tuple[str, ...] = QUERY_LISTS,
    min_searches: int | None = None,
    language: Language = None,
) -> SearchReport:
    """The whole report, or only some of its query `lists` (a CSV download needs one), on
    pages in `language` (every language when None)."""
    found = query_lists(rng, limit, lists, min_searches, language)
    return SearchReport(
        range=rng,
        days=search_days(rng, language),
        top=found.get("top", []),
        zero=found.get("zero", []),
        no_click=found.get("no_click", []),
    )


# -- one query -----------------------------------------------------------------------------


@dataclass
class QueryDetail:
    query: str
    stats: QueryStats | None
    days: list[SearchDay]
    wordings: list[tuple[str, int]]  # redacted wordings, most used first
    opened: list[tuple[str, int]]  # article paths opened from this query


def query_detail(
    rng: DateRange, query: str, limit: int = PAGE_ROWS, language: Language = None
) -> QueryDetail:
    """One query's numbers, on pages in `language` (added up over every language when None)."""
    found = queries_by_key(rng, [query], language, per_language=False)
    d = SearchDaily
    per_day = db.session.execute(
        select(d.day, func.sum(d.searches), func.sum(d.zero_results), func.sum(d.clicked_searches))
        .where(
            d.query_normalized == query,
            d.day.between(rng.start, rng.end),
            *in_language(d.language, language),
        )
        .group_by(d.day)
    )
    counts = {row[0]: row[1:] for row in per_day}
    in_range = (
        SearchEvent.query_normalized == query,
        SearchEvent.created_at >= rng.since,
        SearchEvent.created_at < rng.until,
        *in_language(SearchEvent.language, language),
    )
    wordings = db.session.execute(
        select(SearchEvent.query_raw_redacted, func.count())
        .where(*in_range)
        .group_by(SearchEvent.query_raw_redacted)
        .order_by(func.count().desc(), SearchEvent.query_raw_redacted)
        .limit(limit)
    ).all()
    opened = db.session.execute(
        select(SearchClick.article_path, func.count())
        .join(SearchEvent, SearchEvent.id == SearchClick.search_event_id)
        .where(*in_range)
        .group_by(SearchClick.article_path)
        .order_by(func.count().desc(), SearchClick.article_path)
        .limit(limit)
    ).all()
    return QueryDetail(
        query=query,
        stats=found[0] if found else None,
        days=[SearchDay(day, *counts.get(day, (0, 0, 0))) for day in rng.each_day()],
        wordings=[(wording, count) for wording, count in wordings],
        opened=[(path, count) for path, count in opened],
    )
