"""Recording searches and result clicks."""

from sqlalchemy import select

from app.analytics.redact import normalise, redact
from app.extensions import db
from app.models.analytics import SearchClick, SearchEvent
from app.signing import sign, unsign


def record_search(query: str, results_count: int, source: str, visitor_id: str | None) -> int:
    """Store a (redacted) search; returns its id for click attribution."""
    redacted = redact(query.strip())[:200]
    event = SearchEvent(
        query_raw_redacted=redacted,
        query_normalized=normalise(redacted),
        results_count=results_count,
        source=source,
        visitor_id=visitor_id,
    )
    db.session.add(event)
    db.session.commit()
    return event.id


def record_click(search_event_id: int, article_path: str, position: int) -> bool:
    """Store a result click once per search and article. False when the search is unknown."""
    if db.session.get(SearchEvent, search_event_id) is None:
        return False
    seen = db.session.execute(
        select(SearchClick.id).filter_by(search_event_id=search_event_id, article_path=article_path)
    ).first()
    if seen is None:
        db.session.add(
            SearchClick(
                search_event_id=search_event_id, article_path=article_path, position=position
            )
        )
        db.session.commit()
    return True


def click_token(secret_key: str, search_event_id: int) -> str:
    """A signed reference to a search, carried by result links so clicks can't be forged."""
    return sign(secret_key, "search-click", search_event_id)


def read_click_token(secret_key: str, token: str) -> int | None:
    value = unsign(secret_key, "search-click", token)
    return value if isinstance(value, int) else None
