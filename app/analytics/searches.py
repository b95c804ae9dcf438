"""Recording searches and result clicks, with the daily counters and synonym suggestions
they feed."""

from datetime import datetime, timedelta
from functools import cache

from sqlalchemy import select

from app.analytics.redact import normalise, redact
from app.analytics.rollup import count_click, count_search
from app.analytics.sql import dialect_name, upsert
from app.extensions import db
from app.models.analytics import SearchClick, SearchEvent
from app.models.gaps import SynonymSuggestion
from app.models.types import utcnow
from app.signing import sign, unsign

# A visit: a visitor's searches less than this far apart (what they searched next).
VISIT = timedelta(minutes=30)


def record_search(
    query: str,
    results_count: int,
    source: str,
    visitor_id: str | None,
    at: datetime | None = None,
) -> int:
    """Store a (redacted) search made `at` (now); returns its id for click attribution."""
    redacted = redact(query.strip())[:200]
    event = SearchEvent(
        query_raw_redacted=redacted,
        query_normalized=normalise(redacted),
        results_count=results_count,
        source=source,
        visitor_id=visitor_id,
        created_at=at or utcnow(),
    )
    db.session.add(event)
    db.session.flush()
    count_search(event)
    if visitor_id and results_count > 0:
        _learn_synonyms(event)
    db.session.commit()
    return event.id


def _usable(query: str) -> bool:
    """Placeholders ([email], [number]) and empty queries make no synonym."""
    return bool(query) and "[" not in query


def _learn_synonyms(found: SearchEvent) -> None:
    """Pair this successful search with the searches that found nothing just before it in
    the same visit (back to the visitor's previous successful search)."""
    if not _usable(found.query_normalized):
        return
    earlier = db.session.execute(
        select(SearchEvent.query_normalized, SearchEvent.results_count)
        .where(
            SearchEvent.visitor_id == found.visitor_id,
            SearchEvent.created_at >= found.created_at - VISIT,
            SearchEvent.id != found.id,
        )
        .order_by(SearchEvent.created_at.desc(), SearchEvent.id.desc())
        .limit(20)
    )
    failed = []
    for query, results in earlier:
        if results > 0:
            break
        failed.append(query)
    for query in dict.fromkeys(failed):
        # Still typing ("refu" then "refund") is not a synonym.
        if not _usable(query) or found.query_normalized.startswith(query):
            continue
        db.session.connection().execute(
            _suggest(dialect_name()),
            {
                "zero_query": query,
                "followed_by": found.query_normalized,
                "count": 1,
                "status": "open",
                "first_seen": found.created_at,
                "last_seen": found.created_at,
                "updated_at": found.created_at,
            },
        )


@cache
def _suggest(dialect: str):
    return upsert(
        dialect,
        SynonymSuggestion,
        ["zero_query", "followed_by", "count", "status", "first_seen", "last_seen", "updated_at"],
        ["zero_query", "followed_by"],
        lambda new: {"count": SynonymSuggestion.count + 1, "last_seen": new.last_seen},
    )


def record_click(
    search_event_id: int, article_path: str, position: int, at: datetime | None = None
) -> bool:
    """Store a result click once per search and article. False when the search is unknown."""
    event = db.session.get(SearchEvent, search_event_id)
    if event is None:
        return False
    clicked = db.session.execute(
        select(SearchClick.article_path).filter_by(search_event_id=search_event_id)
    ).scalars()
    opened = set(clicked)
    if article_path not in opened:
        db.session.add(
            SearchClick(
                search_event_id=search_event_id,
                article_path=article_path,
                position=position,
                created_at=at or utcnow(),
            )
        )
        count_click(event, position, first=not opened)
        db.session.commit()
    return True


def click_token(secret_key: str, search_event_id: int) -> str:
    """A signed reference to a search, carried by result links so clicks can't be forged."""
    return sign(secret_key, "search-click", search_event_id)


def read_click_token(secret_key: str, token: str) -> int | None:
    value = unsign(secret_key, "search-click", token)
    return value if isinstance(value, int) else None
