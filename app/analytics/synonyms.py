"""Synonym suggestions for the editors: a search that found nothing followed, in the same
visit, by one that found articles. Accepting one can't edit content/ (it is versioned in
git), so each suggestion carries the exact line to add there."""

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path

import yaml
from sqlalchemy import Connection, Row, case, func, select

from app.analytics.sql import Upsert, later, upsert
from app.content import Library
from app.extensions import db
from app.models.analytics import SearchEvent
from app.models.gaps import SUGGESTION_STATUSES, SynonymSuggestion
from app.search import SearchEngine, SearchUnavailable

SHOWN = 10  # each one asks the search engine where its search leads
# A visit: a visitor's searches less than this far apart (what they searched next).
VISIT = timedelta(minutes=30)

# A recorded search as learning reads it: id, visitor_id, created_at, query_normalized,
# results_count.
Event = Row[int, str | None, datetime, str, int]


@dataclass(frozen=True)
class FoundSearch:
    """A recorded search that found articles, made by a known visitor."""

    id: int
    visitor_id: str
    query: str  # normalized
    at: datetime


def _usable(query: str) -> bool:
    """Placeholders ([email], [number]) and empty queries make no synonym."""
    return bool(query) and "[" not in query


VISITORS_PER_QUERY = 500  # visitors whose searches are read in one statement


def learn(connection: Connection, found: list[FoundSearch]) -> None:
    """Pair each successful search with the searches that found nothing just before it in the
    same visit (back to the visitor's previous successful search; at most 20), in the caller's
    transaction. Searches recorded after it don't count, however late this runs. The visitors'
    searches are read VISITORS_PER_QUERY visitors at a time (`_searches_of`), and each pair is
    added to its suggestion once, with how many times it was seen."""
    by_visitor: dict[str, list[FoundSearch]] = {}
    for search in sorted(found, key=lambda f: (f.at, f.id)):
        if _usable(search.query):
            by_visitor.setdefault(search.visitor_id, []).append(search)
    pairs: dict[tuple[str, str], list[datetime]] = {}  # when each pair was seen
    visitors = list(by_visitor)
    for start in range(0, len(visitors), VISITORS_PER_QUERY):
        chunk = {
            visitor: by_visitor[visitor] for visitor in visitors[start : start + VISITORS_PER_QUERY]
        }
        events = _searches_of(connection, chunk)
        for visitor, searches in chunk.items():
            for search, failed in _failed_before(events.get(visitor, []), searches):
                for query in dict.fromkeys(failed):
                    # Still typing ("refu" then "refund") is not a synonym.
                    if _usable(query) and not search.query.startswith(query):
                        pairs.setdefault((query, search.query), []).append(search.at)
    if pairs:
        connection.execute(
            _suggest(connection.dialect.name),
            [
                {
                    "zero_query": zero_query,
                    "followed_by": followed,
                    "count": len(seen),
                    "status": "open",
                    "first_seen": min(seen),
                    "last_seen": max(seen),
                    "updated_at": max(seen),
                }
                # In key order: workers writing at once lock the rows in the same order.
                for (zero_query, followed), seen in sorted(pairs.items())
            ],
        )


def _searches_of(
    connection: Connection, by_visitor: dict[str, list[FoundSearch]]
) -> dict[str, list[Event]]:
    """Each visitor's searches from the start of the visit of their first search being learnt
    from to their last, in the order they were recorded (read for all of them at once: from
    the earliest of those starts to the latest of those ends)."""
    windows = {
        visitor: (searches[0].at - VISIT, searches[-1].at)
        for visitor, searches in by_visitor.items()
    }
    earliest = min(start for start, _ in windows.values())
    latest = max(end for _, end in windows.values())
    rows = connection.execute(
        select(
            SearchEvent.id,
            SearchEvent.visitor_id,
            SearchEvent.created_at,
            SearchEvent.query_normalized,
            SearchEvent.results_count,
        )
        .where(
            SearchEvent.visitor_id.in_(list(by_visitor)),
            SearchEvent.created_at >= earliest,
            SearchEvent.created_at <= latest,
        )
        .order_by(SearchEvent.created_at, SearchEvent.id)
    )
    events: dict[str, list[Event]] = {}
    for row in rows:
        start, end = windows[row.visitor_id]
        if start <= row.created_at <= end:
            events.setdefault(row.visitor_id, []).append(row)
    return events


def _failed_before(
    events: list[Event], searches: list[FoundSearch]
) -> Iterator[tuple[FoundSearch, list[str]]]:
    """Each search with the queries of the visitor's searches that found nothing just before
    it, latest first. `events`: the visitor's searches in order, from the start of the visit
    of their first search being learnt from."""
    position = {event.id: number for number, event in enumerate(events)}
    for search in searches:
        here = position.get(search.id)
        if here is None:
            continue
        failed: list[str] = []
        for event in reversed(events[max(0, here - 20) : here]):
            if event.created_at < search.at - VISIT or event.results_count > 0:
                break
            failed.append(event.query_normalized)
        yield search, failed


@cache
def _suggest(dialect: str) -> Upsert:
    return upsert(
        dialect,
        SynonymSuggestion,
        ["zero_query", "followed_by", "count", "status", "first_seen", "last_seen", "updated_at"],
        ["zero_query", "followed_by"],
        lambda new: {
            "count": SynonymSuggestion.count + new.count,
            # Workers write their batches in any order.
            "first_seen": case(
                (new.first_seen < SynonymSuggestion.first_seen, new.first_seen),
                else_=SynonymSuggestion.first_seen,
            ),
            "last_seen": later(new.last_seen, SynonymSuggestion.last_seen),
        },
    )


@dataclass
class Suggestion:
    row: SynonymSuggestion
    synonyms_line: str  # the line to add to content/synonyms.yml
    article_path: str | None  # where the successful search leads first
    aliases_line: str | None  # that article's front-matter aliases with this one added


def _quoted(words: list[str]) -> str:
    """A YAML flow list; JSON strings are YAML too and keep "no" or "on" from turning into
    booleans."""
    return "[" + ", ".join(json.dumps(w, ensure_ascii=False) for w in words) + "]"


def load_groups(file: Path) -> list[list[str]]:
    """The synonym groups of content/synonyms.yml (nothing when missing or broken)."""
    try:
        data = yaml.safe_load(file.read_text(encoding="utf-8")) or []
    except (OSError, yaml.YAMLError):
        return []
    return [[str(m) for m in group] for group in data if isinstance(group, list)]


def synonyms_line(groups: list[list[str]], zero_query: str, followed_by: str) -> str:
    """The group with both phrases: an existing group that has `followed_by` with the new
    phrase added, or a new group of the two."""
    for group in groups:
        if followed_by in (member.lower() for member in group):
            return "- " + _quoted([*group, zero_query])
    return "- " + _quoted([followed_by, zero_query])


def aliases_line(existing: tuple[str, ...], alias: str) -> str:
    return "aliases: " + _quoted([*existing, alias])


def describe(
    row: SynonymSuggestion,
    groups: list[list[str]],
    library: Library,
    engine: SearchEngine | None,
) -> Suggestion:
    """A suggestion with the exact lines an editor would add to accept it."""
    path = None
    if engine is not None:
        try:
            hits = engine.search(row.followed_by, per_page=1).hits
        except SearchUnavailable:
            hits = []
        path = hits[0].path if hits else None
    article = library.get(path) if path else None
    return Suggestion(
        row=row,
        synonyms_line=synonyms_line(groups, row.zero_query, row.followed_by),
        article_path=path if article else None,
        aliases_line=aliases_line(article.aliases, row.zero_query) if article else None,
    )


def landed_line(groups: list[list[str]], zero_query: str, followed_by: str) -> str | None:
    """The line of content/synonyms.yml that has both phrases in one group, if any."""
    for group in groups:
        if {zero_query, followed_by} <= {member.lower() for member in group}:
            return "- " + _quoted(group)
    return None


def landed(groups: list[list[str]], zero_query: str, followed_by: str) -> bool:
    """Whether content/synonyms.yml already has both phrases in one group."""
    return landed_line(groups, zero_query, followed_by) is not None


def open_suggestions(limit: int = SHOWN, min_count: int = 1) -> list[SynonymSuggestion]:
    """The open suggestions with the most evidence first; `min_count` leaves out those seen
    fewer times (a single sighting may be a coincidence)."""
    return list(
        db.session.execute(
            select(SynonymSuggestion)
            .where(SynonymSuggestion.status == "open", SynonymSuggestion.count >= min_count)
            .order_by(
                SynonymSuggestion.count.desc(),
                SynonymSuggestion.last_seen.desc(),
                SynonymSuggestion.id,
            )
            .limit(limit)
        ).scalars()
    )


def accepted_suggestions(limit: int = SHOWN) -> list[SynonymSuggestion]:
    """The latest accepted suggestions, for the list of lines still to add."""
    return list(
        db.session.execute(
            select(SynonymSuggestion)
            .where(SynonymSuggestion.status == "accepted")
            .order_by(SynonymSuggestion.updated_at.desc(), SynonymSuggestion.id.desc())
            .limit(limit)
        ).scalars()
    )


def seen_once() -> int:
    """Open suggestions seen a single time (hidden unless asked for)."""
    return db.session.execute(
        select(func.count()).where(SynonymSuggestion.status == "open", SynonymSuggestion.count < 2)
    ).scalar_one()


def suggestion_counts() -> dict[str, int]:
    rows = db.session.execute(
        select(SynonymSuggestion.status, func.count()).group_by(SynonymSuggestion.status)
    )
    return {status: 0 for status in SUGGESTION_STATUSES} | dict(rows.all())


def followed_by(queries: list[str]) -> dict[str, list[SynonymSuggestion]]:
    """For each zero-result query, what the same visitors searched next and found."""
    found: dict[str, list[SynonymSuggestion]] = {q: [] for q in queries}
    if not queries:
        return found
    rows = db.session.execute(
        select(SynonymSuggestion)
        .where(
            SynonymSuggestion.zero_query.in_(queries),
            SynonymSuggestion.status != "dismissed",
        )
        .order_by(SynonymSuggestion.count.desc(), SynonymSuggestion.followed_by)
    ).scalars()
    for row in rows:
        found[row.zero_query].append(row)
    return found


def set_status(suggestion_id: int, status: str) -> SynonymSuggestion | None:
    """Accept or dismiss a suggestion (or reopen it). None when it doesn't exist."""
    if status not in SUGGESTION_STATUSES:
        raise ValueError(f"unknown status {status!r}")
    row = db.session.get(SynonymSuggestion, suggestion_id)
    if row is None:
        return None
    row.status = status
    db.session.commit()
    return row
