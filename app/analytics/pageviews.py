"""Counting article page views: one row per article and UTC day, one upsert per view."""

import logging
from functools import cache

from sqlalchemy.exc import SQLAlchemyError

from app.analytics.sql import dialect_name, upsert
from app.extensions import db
from app.models.analytics import ArticleViewDaily
from app.models.types import utcnow

log = logging.getLogger(__name__)


@cache
def _count_view(dialect: str):
    return upsert(
        dialect,
        ArticleViewDaily,
        ["article_path", "day", "views"],
        ["article_path", "day"],
        lambda new: {"views": ArticleViewDaily.views + 1},
    )


def record_article_view(article_path: str) -> None:
    """Count one view. A failure is logged, never shown: the article matters more."""
    values = {"article_path": article_path, "day": utcnow().date(), "views": 1}
    try:
        db.session.connection().execute(_count_view(dialect_name()), values)
        db.session.commit()
    except SQLAlchemyError:
        db.session.rollback()
        log.warning("article view not counted: %s", article_path, exc_info=True)
