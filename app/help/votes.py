"""Recording "Was this article helpful?" answers: one row per visitor per article."""

import logging
from datetime import datetime, timedelta
from typing import NamedTuple

from sqlalchemy import case, func, select
from sqlalchemy.exc import IntegrityError, OperationalError

from app.config import DEFAULT_LANGUAGE
from app.content import Article, Library
from app.extensions import db
from app.models.types import utcnow
from app.models.votes import Vote

log = logging.getLogger(__name__)


def visitor_vote(article_path: str, visitor_id: str | None) -> Vote | None:
    if not visitor_id:
        return None
    return db.session.execute(
        select(Vote).filter_by(article_path=article_path, visitor_id=visitor_id)
    ).scalar_one_or_none()


class Tally(NamedTuple):
    helpful: int
    votes: int


def helpful_tally(article_path: str) -> Tally | None:
    """How many visitors found the article helpful, of how many who answered; None while
    the database is unreachable (the article itself needs no database, so it still shows)."""
    try:
        votes, helpful = db.session.execute(
            select(func.count(), func.sum(case((Vote.helpful.is_(True), 1), else_=0))).where(
                Vote.article_path == article_path
            )
        ).one()
    except OperationalError as error:
        log.warning("helpful votes of %s not counted: %s", article_path, error.orig)
        db.session.rollback()
        return None
    return Tally(helpful or 0, votes)


def record_vote(
    article_path: str,
    visitor_id: str,
    helpful: bool,
    reason: str | None = None,
    comment: str | None = None,
    language: str = DEFAULT_LANGUAGE,
) -> Vote:
    """Create or update the visitor's vote, given on a page in `language`. A "Yes" clears
    any earlier reason and comment; a "No" keeps them unless new ones are given."""
    try:
        return _save_vote(article_path, visitor_id, helpful, reason, comment, language)
    except IntegrityError:
        # A parallel request from the same visitor inserted first: update that row instead.
        db.session.rollback()
        return _save_vote(article_path, visitor_id, helpful, reason, comment, language)


def _save_vote(
    article_path: str,
    visitor_id: str,
    helpful: bool,
    reason: str | None,
    comment: str | None,
    language: str,
) -> Vote:
    vote = visitor_vote(article_path, visitor_id)
    if vote is None:
        vote = Vote(article_path=article_path, visitor_id=visitor_id, helpful=helpful)
        db.session.add(vote)
    vote.helpful, vote.language = helpful, language
    if helpful:
        vote.reason = vote.comment = None
    else:
        vote.reason = reason or vote.reason
        vote.comment = comment.strip() if comment and comment.strip() else vote.comment
    db.session.commit()
    return vote


def most_helpful(limit: int, days: int = 90, now: datetime | None = None) -> list[str]:
    """Article paths with the most "Yes" votes in the last `days` days."""
    since = (now or utcnow()) - timedelta(days=days)
    rows = db.session.execute(
        select(Vote.article_path, func.count().label("yes"))
        .where(Vote.helpful.is_(True), Vote.updated_at >= since)
        .group_by(Vote.article_path)
        .order_by(func.count().desc(), Vote.article_path)
        .limit(limit)
    )
    return [path for path, _ in rows]


def popular_articles(library: Library, limit: int) -> list[Article]:
    """The most helpful articles lately, topped up with the editors' ordering."""
    popular = [library.articles[p] for p in most_helpful(limit) if p in library.articles]
    if len(popular) < limit:
        by_order = sorted(library.articles.values(), key=lambda a: (a.order, a.path))
        popular += [a for a in by_order if a not in popular][: limit - len(popular)]
    return popular
