"""The daily search counters behind the reports (per page language, query and day, and per
day and language): added to as searches and clicks are recorded (in batches, see
app.analytics.counters), and rebuilt from the recorded events when needed."""

from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache

from sqlalchemy import Connection, case, delete, func, insert, select

from app.analytics.sql import Upsert, later, upsert, utc_day
from app.extensions import db
from app.models.analytics import SearchClick, SearchDaily, SearchDayTotal, SearchEvent

# The per-query, per-day counters, in the order both the live upsert and the rebuild write them.
DAILY_COLUMNS = (
    "language",
    "query_normalized",
    "day",
    "searches",
    "zero_results",
    "clicked_searches",
    "clicks",
    "position_sum",
    "example",
    "last_seen",
    "last_zero_at",
)
DAY_COLUMNS = ("day", "language", "searches", "zero_results", "clicked_searches")


@dataclass
class QueryDay:
    """What to add to one query's counters of one day."""

    searches: int = 0
    zero_results: int = 0
    clicked_searches: int = 0
    clicks: int = 0
    position_sum: int = 0
    example: str = ""  # the wording seen at last_seen
    last_seen: datetime | None = None
    last_zero_at: datetime | None = None

    def seen(self, example: str, at: datetime) -> None:
        if self.last_seen is None or at >= self.last_seen:
            self.example, self.last_seen = example, at

    def add(self, other: "QueryDay") -> None:
        self.searches += other.searches
        self.zero_results += other.zero_results
        self.clicked_searches += other.clicked_searches
        self.clicks += other.clicks
        self.position_sum += other.position_sum
        if other.last_seen is not None:
            self.seen(other.example, other.last_seen)
        if other.last_zero_at and (not self.last_zero_at or other.last_zero_at > self.last_zero_at):
            self.last_zero_at = other.last_zero_at


@dataclass
class DayTotal:
    """What to add to one day's totals."""

    searches: int = 0
    zero_results: int = 0
    clicked_searches: int = 0

    def add(self, other: "DayTotal") -> None:
        self.searches += other.searches
        self.zero_results += other.zero_results
        self.clicked_searches += other.clicked_searches


@dataclass
class SearchCounts:
    """Searches and clicks not yet added to the daily counters."""

    # By (language, query, day), and by (day, language).
    queries: dict[tuple[str, str, date], QueryDay] = field(default_factory=dict)
    days: dict[tuple[date, str], DayTotal] = field(default_factory=dict)

    def _rows(self, language: str, query: str, day: date) -> tuple[QueryDay, DayTotal]:
        row = self.queries.setdefault((language, query, day), QueryDay())
        return row, self.days.setdefault((day, language), DayTotal())

    def search(self, language: str, query: str, example: str, at: datetime, results: int) -> None:
        """A search of `query` (normalized; `example` as typed, redacted) made `at` on a page
        in `language`."""
        row, total = self._rows(language, query, at.date())
        zero = int(results == 0)
        row.searches += 1
        row.zero_results += zero
        row.seen(example, at)
        if zero and (row.last_zero_at is None or at > row.last_zero_at):
            row.last_zero_at = at
        total.searches += 1
        total.zero_results += zero

    def click(
        self,
        language: str,
        query: str,
        example: str,
        searched_at: datetime,
        position: int,
        first: bool,
    ) -> None:
        """A result opened from that search; `first` for the search's first opened result."""
        row, total = self._rows(language, query, searched_at.date())
        row.clicks += 1
        row.position_sum += position
        row.clicked_searches += int(first)
        row.seen(example, searched_at)
        total.clicked_searches += int(first)

    def add(self, other: "SearchCounts") -> None:
        for key, row in other.queries.items():
            self.queries.setdefault(key, QueryDay()).add(row)
        for day, total in other.days.items():
            self.days.setdefault(day, DayTotal()).add(total)


@cache
def _add_to_daily(dialect: str) -> Upsert:
    return upsert(
        dialect,
        SearchDaily,
        list(DAILY_COLUMNS),
        ["language", "query_normalized", "day"],
        lambda new: {
            "searches": SearchDaily.searches + new.searches,
            "zero_results": SearchDaily.zero_results + new.zero_results,
            "clicked_searches": SearchDaily.clicked_searches + new.clicked_searches,
            "clicks": SearchDaily.clicks + new.clicks,
            "position_sum": SearchDaily.position_sum + new.position_sum,
            "example": case(
                (new.last_seen >= SearchDaily.last_seen, new.example), else_=SearchDaily.example
            ),
            "last_seen": later(new.last_seen, SearchDaily.last_seen),
            "last_zero_at": later(new.last_zero_at, SearchDaily.last_zero_at),
        },
    )


@cache
def _add_to_day(dialect: str) -> Upsert:
    return upsert(
        dialect,
        SearchDayTotal,
        list(DAY_COLUMNS),
        ["day", "language"],
        lambda new: {
            "searches": SearchDayTotal.searches + new.searches,
            "zero_results": SearchDayTotal.zero_results + new.zero_results,
            "clicked_searches": SearchDayTotal.clicked_searches + new.clicked_searches,
        },
    )


def write_search_counts(connection: Connection, counts: SearchCounts) -> None:
    """Add the counts to the daily counters, in the caller's transaction: one statement per
    table. Every change adds to a row (or makes it), so batches may land in any order."""
    if not counts.queries:
        return
    dialect = connection.dialect.name
    connection.execute(
        _add_to_daily(dialect),
        [
            {"language": language, "query_normalized": query, "day": day, **vars(row)}
            for (language, query, day), row in counts.queries.items()
        ],
    )
    connection.execute(
        _add_to_day(dialect),
        [
            {"day": day, "language": language, **vars(t)}
            for (day, language), t in counts.days.items()
        ],
    )


def rebuild_search_daily() -> int:
    """Recompute every search counter from the events and clicks; returns the rows written
    per language, query and day."""
    clicks = (
        select(
            SearchClick.search_event_id,
            func.count().label("clicks"),
            func.sum(SearchClick.position).label("positions"),
        )
        .group_by(SearchClick.search_event_id)
        .subquery()
    )
    zero = SearchEvent.results_count == 0
    day = utc_day(SearchEvent.created_at)
    rows = (
        select(
            SearchEvent.language,
            SearchEvent.query_normalized,
            day,
            func.count(),
            func.sum(case((zero, 1), else_=0)),
            func.count(clicks.c.clicks),
            func.coalesce(func.sum(clicks.c.clicks), 0),
            func.coalesce(func.sum(clicks.c.positions), 0),
            func.max(SearchEvent.query_raw_redacted),
            func.max(SearchEvent.created_at),
            func.max(case((zero, SearchEvent.created_at))),
        )
        .outerjoin(clicks, clicks.c.search_event_id == SearchEvent.id)
        .group_by(SearchEvent.language, SearchEvent.query_normalized, day)
    )
    db.session.execute(delete(SearchDaily))
    db.session.execute(insert(SearchDaily).from_select(list(DAILY_COLUMNS), rows))
    totals = select(
        SearchDaily.day,
        SearchDaily.language,
        func.sum(SearchDaily.searches),
        func.sum(SearchDaily.zero_results),
        func.sum(SearchDaily.clicked_searches),
    ).group_by(SearchDaily.day, SearchDaily.language)
    db.session.execute(delete(SearchDayTotal))
    db.session.execute(insert(SearchDayTotal).from_select(list(DAY_COLUMNS), totals))
    db.session.commit()
    return db.session.execute(select(func.count()).select_from(SearchDaily)).scalar_one()
