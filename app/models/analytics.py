"""What customers searched for and which results they opened (personal data redacted)."""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.types import UTCDateTime, utcnow


class SearchEvent(db.Model):
    __tablename__ = "search_events"
    __table_args__ = (
        Index("ix_search_events_normalized_created", "query_normalized", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    query_raw_redacted: Mapped[str] = mapped_column(String(200))
    query_normalized: Mapped[str] = mapped_column(String(200))
    results_count: Mapped[int] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(10))  # "page" or "api"
    visitor_id: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class SearchClick(db.Model):
    __tablename__ = "search_clicks"

    id: Mapped[int] = mapped_column(primary_key=True)
    search_event_id: Mapped[int] = mapped_column(ForeignKey("search_events.id"), index=True)
    article_path: Mapped[str] = mapped_column(String(300), index=True)
    position: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
