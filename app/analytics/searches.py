"""Recording searches and result clicks. Each is stored as it happens; the daily counters and
synonym suggestions they feed are added up in batches (app.analytics.counters)."""

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import insert, select

from app.analytics.counters import Batch, record
from app.analytics.redact import normalise, redact
from app.analytics.synonyms import FoundSearch
from app.config import DEFAULT_LANGUAGE
from app.extensions import db
from app.models.analytics import SearchClick, SearchEvent
from app.models.types import utcnow
from app.search import SearchEngine, SearchResults
from app.signing import SecretKey, sign, unsign

ANSWERED_BY = 3  # of a search another language answered: the first results kept
# Core, on a connection of its own: the ORM's unit of work costs more than the row.
_SEARCH_EVENTS = SearchEvent.metadata.tables[SearchEvent.__tablename__]
_INSERT_SEARCH = insert(_SEARCH_EVENTS).returning(_SEARCH_EVENTS.c.id)


def record_search(
    query: str,
    results_count: int,
    source: str,
    visitor_id: str | None,
    at: datetime | None = None,
    language: str = DEFAULT_LANGUAGE,
    found_in: str | None = None,
    found: Sequence[str] = (),
) -> int:
    """Store a (redacted) search made `at` (now) on a page in `language`, committed at once
    (any worker may receive the click on one of its results); returns its id for click
    attribution. `found_in` is the language of the articles that answered it and `found`
    their paths, best first: when that is not the page's language (its own articles had
    nothing), the search is kept as answered in that language, by its first results."""
    redacted = redact(query.strip())[:200]
    normalized = normalise(redacted)
    at = at or utcnow()
    with db.engine.begin() as connection:
        event_id: int = connection.execute(
            _INSERT_SEARCH,
            {
                "query_raw_redacted": redacted,
                "query_normalized": normalized,
                "results_count": results_count,
                "source": source,
                "visitor_id": visitor_id,
                "created_at": at,
                **answered(results_count, language, found_in, found),
            },
        ).scalar_one()

    def count(batch: Batch) -> None:
        batch.searches.search(language, normalized, redacted, at, results_count)
        if visitor_id and results_count > 0:
            batch.found.append(FoundSearch(event_id, visitor_id, normalized, at, language))

    record(count)
    return event_id


def answered(
    results_count: int, language: str, found_in: str | None, found: Sequence[str]
) -> dict[str, str | list[str] | None]:
    """A search event's language and, when another language's articles answered it (see
    record_search), that language (`answered_in`) and its first results (`answered_by`)."""
    answered_in = found_in if results_count and found_in not in (None, language) else None
    return {
        "language": language,
        "answered_in": answered_in,
        "answered_by": list(found[:ANSWERED_BY]) if answered_in else None,
    }


def record_found(
    query: str,
    results: SearchResults,
    found_by: SearchEngine,
    source: str,
    visitor_id: str | None,
    language: str,
) -> int:
    """record_search for a search made on a page in `language` that `found_by` (the engine
    of the page's language, or the default language's after it) answered with `results`."""
    return record_search(
        query,
        results.total,
        source,
        visitor_id,
        language=language,
        found_in=found_by.library.language,
        found=[hit.path for hit in results.hits],
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
    if article_path in opened:
        return True
    query, example, searched_at = event.query_normalized, event.query_raw_redacted, event.created_at
    language = event.language
    db.session.add(
        SearchClick(
            search_event_id=search_event_id,
            article_path=article_path,
            position=position,
            created_at=at or utcnow(),
        )
    )
    db.session.commit()

    def count(batch: Batch) -> None:
        batch.searches.click(language, query, example, searched_at, position, first=not opened)

    record(count)
    return True


def click_token(secret_key: SecretKey, search_event_id: int) -> str:
    """A signed reference to a search, carried by result links so clicks can't be forged."""
    return sign(secret_key, "search-click", search_event_id)


def read_click_token(secret_key: SecretKey, token: str) -> int | None:
    value = unsign(secret_key, "search-click", token)
    return value if isinstance(value, int) else None
