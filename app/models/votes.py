"""Helpfulness votes on articles: one row per visitor per article."""

from datetime import datetime

from sqlalchemy import Boolean, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import Model
from app.i18n import N_
from app.models.analytics import language_column
from app.models.types import UTCDateTime, utcnow

# In English for the editors; customers read them in their language (marked for the
# catalogues by N_, translated where they are shown: app/help/forms.py).
NO_REASONS = {
    "outdated": N_("The information is out of date"),
    "unclear": N_("It was hard to understand"),
    "missing_info": N_("Something I needed was missing"),
    "didnt_solve": N_("It didn't solve my problem"),
    "other": N_("Something else"),
}
COMMENT_MAX = 1000


class Vote(Model):
    __tablename__ = "votes"
    __table_args__ = (
        UniqueConstraint("article_path", "visitor_id"),
        # The editors' article report: votes given in a date range, read from the index alone.
        Index("ix_votes_updated", "updated_at", "article_path", "helpful", "reason"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    article_path: Mapped[str] = mapped_column(String(300))
    visitor_id: Mapped[str] = mapped_column(String(64))
    helpful: Mapped[bool] = mapped_column(Boolean)
    reason: Mapped[str | None] = mapped_column(String(20))
    comment: Mapped[str | None] = mapped_column(Text)
    language: Mapped[str] = language_column()  # the page's, at the latest vote
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
