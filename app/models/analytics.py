"""What customers searched for and which results they opened (personal data redacted), and
the daily counters the editors' reports read."""

from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, MappedColumn, mapped_column

from app.config import DEFAULT_LANGUAGE
from app.extensions import Model
from app.models.types import UTCDateTime, utcnow


def language_column() -> MappedColumn[str]:
    """The language of the page a search, view or vote was made on (a LANGUAGES code)."""
    return mapped_column(String(8), default=DEFAULT_LANGUAGE, server_default=DEFAULT_LANGUAGE)


class SearchEvent(Model):
    __tablename__ = "search_events"
    __table_args__ = (
        Index("ix_search_events_normalized_created", "query_normalized", "created_at"),
        # "Same visit": a visitor's searches in time order (synonym suggestions).
        Index("ix_search_events_visitor_created", "visitor_id", "created_at"),
        # "Translate this": the searches another language's articles answered, by date.
        Index("ix_search_events_answered_in_created", "answered_in", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    query_raw_redacted: Mapped[str] = mapped_column(String(200))
    query_normalized: Mapped[str] = mapped_column(String(200))
    results_count: Mapped[int] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(10))  # "page" or "api"
    visitor_id: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    language: Mapped[str] = language_column()
    # When the page's language had nothing and the default language's articles answered:
    # that language, and the paths of the first results it showed (None otherwise).
    answered_in: Mapped[str | None] = mapped_column(String(8))
    answered_by: Mapped[list[str] | None] = mapped_column(JSON)


class SearchClick(Model):
    __tablename__ = "search_clicks"
    # Clicks per article in a date range, read from the index alone.
    __table_args__ = (Index("ix_search_clicks_created", "created_at", "article_path"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    search_event_id: Mapped[int] = mapped_column(ForeignKey("search_events.id"), index=True)
    article_path: Mapped[str] = mapped_column(String(300), index=True)
    position: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SearchDaily(Model):
    """Searches per page language, normalized query and UTC day, kept up to date as searches
    and clicks are recorded, so reports over a million searches add up thousands of rows,
    not millions.
    Derived data: app.analytics.rollup.rebuild_search_daily recomputes it from the events.

    The primary key (language, query, day) orders the rows the way reports group them; on
    SQLite the table is stored in that order (WITHOUT ROWID), so a report reads it in one
    pass, and a report on one language reads only that language's rows."""

    __tablename__ = "search_daily"
    # No other index: with one on the day, SQLite would look each row up through it.
    __table_args__ = {"sqlite_with_rowid": False}

    language: Mapped[str] = mapped_column(String(8), primary_key=True)
    query_normalized: Mapped[str] = mapped_column(String(200), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    searches: Mapped[int] = mapped_column(Integer, default=0)
    zero_results: Mapped[int] = mapped_column(Integer, default=0)
    clicked_searches: Mapped[int] = mapped_column(Integer, default=0)  # with 1+ result opened
    clicks: Mapped[int] = mapped_column(Integer, default=0)
    position_sum: Mapped[int] = mapped_column(Integer, default=0)  # of the clicked positions
    example: Mapped[str] = mapped_column(String(200))  # the latest redacted wording
    last_seen: Mapped[datetime] = mapped_column(UTCDateTime)
    last_zero_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class SearchDayTotal(Model):
    """All searches of a UTC day in one page language (the per-day chart), kept beside
    SearchDaily."""

    __tablename__ = "search_day_totals"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    language: Mapped[str] = mapped_column(String(8), primary_key=True)
    searches: Mapped[int] = mapped_column(Integer, default=0)
    zero_results: Mapped[int] = mapped_column(Integer, default=0)
    clicked_searches: Mapped[int] = mapped_column(Integer, default=0)


class ArticleViewDaily(Model):
    """Article page views per UTC day and page language."""

    __tablename__ = "article_views_daily"
    __table_args__ = (UniqueConstraint("article_path", "day", "language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    article_path: Mapped[str] = mapped_column(String(300))
    day: Mapped[date] = mapped_column(Date, index=True)
    views: Mapped[int] = mapped_column(Integer, default=0)
    language: Mapped[str] = language_column()
