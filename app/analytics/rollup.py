"""The daily search counters behind the reports (per query and day, and per day): updated
with every search and click, and rebuilt from the recorded events when needed."""

from functools import cache

from sqlalchemy import case, delete, func, insert, select, update

from app.analytics.sql import dialect_name, upsert, utc_day
from app.extensions import db
from app.models.analytics import SearchClick, SearchDaily, SearchDayTotal, SearchEvent

# The per-query, per-day counters, in the order both the live upsert and the rebuild write them.
DAILY_COLUMNS = (
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


@cache
def _count_search(dialect: str):
    return upsert(
        dialect,
        SearchDaily,
        list(DAILY_COLUMNS),
        ["query_normalized", "day"],
        lambda new: {
            "searches": SearchDaily.searches + 1,
            "zero_results": SearchDaily.zero_results + new.zero_results,
            "example": new.example,
            "last_seen": new.last_seen,
            "last_zero_at": func.coalesce(new.last_zero_at, SearchDaily.last_zero_at),
        },
    )


@cache
def _count_day(dialect: str):
    return upsert(
        dialect,
        SearchDayTotal,
        ["day", "searches", "zero_results", "clicked_searches"],
        ["day"],
        lambda new: {
            "searches": SearchDayTotal.searches + 1,
            "zero_results": SearchDayTotal.zero_results + new.zero_results,
        },
    )


def count_search(event: SearchEvent) -> None:
    """Add a just-recorded search to its day's counters (in the caller's transaction)."""
    zero = int(event.results_count == 0)
    day = event.created_at.date()
    connection, dialect = db.session.connection(), dialect_name()
    connection.execute(
        _count_search(dialect),
        {
            "query_normalized": event.query_normalized,
            "day": day,
            "searches": 1,
            "zero_results": zero,
            "clicked_searches": 0,
            "clicks": 0,
            "position_sum": 0,
            "example": event.query_raw_redacted,
            "last_seen": event.created_at,
            "last_zero_at": event.created_at if zero else None,
        },
    )
    connection.execute(
        _count_day(dialect),
        {"day": day, "searches": 1, "zero_results": zero, "clicked_searches": 0},
    )


def count_click(event: SearchEvent, position: int, first: bool) -> None:
    """Add a result click to its search's day counters; `first` for the search's first click."""
    day = event.created_at.date()
    db.session.execute(
        update(SearchDaily)
        .where(SearchDaily.query_normalized == event.query_normalized, SearchDaily.day == day)
        .values(
            clicks=SearchDaily.clicks + 1,
            position_sum=SearchDaily.position_sum + position,
            clicked_searches=SearchDaily.clicked_searches + int(first),
        )
    )
    if first:
        db.session.execute(
            update(SearchDayTotal)
            .where(SearchDayTotal.day == day)
            .values(clicked_searches=SearchDayTotal.clicked_searches + 1)
        )


def rebuild_search_daily() -> int:
    """Recompute every search counter from the events and clicks; returns the rows written
    per query and day."""
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
        .group_by(day, SearchEvent.query_normalized)
    )
    db.session.execute(delete(SearchDaily))
    db.session.execute(insert(SearchDaily).from_select(list(DAILY_COLUMNS), rows))
    totals = select(
        SearchDaily.day,
        func.sum(SearchDaily.searches),
        func.sum(SearchDaily.zero_results),
        func.sum(SearchDaily.clicked_searches),
    ).group_by(SearchDaily.day)
    db.session.execute(delete(SearchDayTotal))
    db.session.execute(
        insert(SearchDayTotal).from_select(
            ["day", "searches", "zero_results", "clicked_searches"], totals
        )
    )
    db.session.commit()
    return db.session.scalar(select(func.count()).select_from(SearchDaily))
