"""The editors' content-gap queue (status and notes on gaps found in the data) and synonym
suggestions learnt from customers who searched again after finding nothing."""

from datetime import datetime

from sqlalchemy import JSON, Float, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import Model
from app.models.analytics import language_column
from app.models.types import UTCDateTime, utcnow

GAP_KINDS = ("query", "no_click", "article", "return_reason", "translate")
GAP_STATUSES = ("open", "planned", "done", "dismissed")
SUGGESTION_STATUSES = ("open", "accepted", "dismissed")


class ContentGap(Model):
    """What an editor decided about one gap. The gap itself (its numbers) is computed from the
    data; a row exists once someone changes its status or writes a note."""

    __tablename__ = "content_gaps"
    __table_args__ = (UniqueConstraint("kind", "language", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # one of GAP_KINDS
    key: Mapped[str] = mapped_column(String(300))  # normalized query, article path, reason code
    language: Mapped[str] = language_column()  # of the searches, votes or returns it is about
    status: Mapped[str] = mapped_column(String(20), default="open")
    note: Mapped[str] = mapped_column(Text, default="")
    score: Mapped[float | None] = mapped_column(Float)  # the score when last changed
    # The gap's numbers when it was marked done; "closed" compares today's with these.
    baseline: Mapped[dict[str, int] | None] = mapped_column(JSON)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_by: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class SynonymSuggestion(Model):
    """A search that found nothing, followed in the same visit by one that found articles, on
    pages in the same language: a synonym for that language's synonyms.yml."""

    __tablename__ = "synonym_suggestions"
    __table_args__ = (UniqueConstraint("language", "zero_query", "followed_by"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    language: Mapped[str] = language_column()  # of the pages both searches were made on
    zero_query: Mapped[str] = mapped_column(String(200))  # normalized, redacted
    followed_by: Mapped[str] = mapped_column(String(200))  # normalized, redacted
    count: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(20), default="open", index=True)
    first_seen: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
