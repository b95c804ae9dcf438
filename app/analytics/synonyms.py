"""Synonym suggestions for the editors: a search that found nothing followed, in the same
visit and on pages in the same language, by one that found articles. Each language has its
own synonyms (content/synonyms.yml for the default language, content/<code>/synonyms.yml for
another: its search engine reads them there). Accepting one can't edit content/ (it is
versioned in git), so each suggestion carries the exact line to add, and where."""

import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

import yaml
from sqlalchemy import Connection, Row, case, func, select

from app.analytics.reports import Language, in_language
from app.analytics.sql import Upsert, later, upsert
from app.config import DEFAULT_LANGUAGE, LANGUAGES
from app.content.library import language_file
from app.extensions import db
from app.models.analytics import SearchEvent
from app.models.gaps import SUGGESTION_STATUSES, SynonymSuggestion
from app.search import SearchUnavailable

if TYPE_CHECKING:  # it imports the reports, which the search counters must not wait for
    from app.analytics.gap_outcomes import Sources

SHOWN = 10  # each one asks the search engine where its search leads
# A visit: a visitor's searches less than this far apart (what they searched next).
VISIT = timedelta(minutes=30)

# A recorded search as learning reads it: id, visitor_id, language, created_at,
# query_normalized, results_count.
Event = Row[int, str | None, str, datetime, str, int]
# A visitor reading one language: the searches a synonym is learnt from are theirs, on pages
# in that language.
Reader = tuple[str, str]  # visitor id, page language


@dataclass(frozen=True)
class FoundSearch:
    """A recorded search that found articles, made by a known visitor."""

    id: int
    visitor_id: str
    query: str  # normalized
    at: datetime
    language: str = DEFAULT_LANGUAGE  # of the page it was made on

    @property
    def reader(self) -> Reader:
        return (self.visitor_id, self.language)


def synonyms_file(language: str) -> str:
    """Where a language's synonyms are, under CONTENT_DIR (its search engine reads them
    there: app.services)."""
    return language_file(language, "synonyms.yml")


def _usable(query: str) -> bool:
    """Placeholders ([email], [number]) and empty queries make no synonym."""
    return bool(query) and "[" not in query


VISITORS_PER_QUERY = 500  # visitors whose searches are read in one statement


def learn(connection: Connection, found: list[FoundSearch]) -> None:
    """Pair each successful search with the searches that found nothing just before it in the
    same visit on pages in the same language (back to the visitor's previous successful search
    there; at most 20), in the caller's transaction: a pair is that language's synonym.
    Searches recorded after it don't count, however late this runs. The visitors' searches are
    read VISITORS_PER_QUERY readers at a time (`_searches_of`), and each pair is added to its
    suggestion once, with how many times it was seen."""
    by_reader: dict[Reader, list[FoundSearch]] = {}
    for search in sorted(found, key=lambda f: (f.at, f.id)):
        if _usable(search.query):
            by_reader.setdefault(search.reader, []).append(search)
    # When each pair was seen, by (language, zero_query, followed_by).
    pairs: dict[tuple[str, str, str], list[datetime]] = {}
    readers = list(by_reader)
    for start in range(0, len(readers), VISITORS_PER_QUERY):
        chunk = {
            reader: by_reader[reader] for reader in readers[start : start + VISITORS_PER_QUERY]
        }
        events = _searches_of(connection, chunk)
        for (visitor, language), searches in chunk.items():
            for search, failed in _failed_before(events.get((visitor, language), []), searches):
                for query in dict.fromkeys(failed):
                    # Still typing ("refu" then "refund") is not a synonym.
                    if _usable(query) and not search.query.startswith(query):
                        pairs.setdefault((language, query, search.query), []).append(search.at)
    if pairs:
        connection.execute(
            _suggest(connection.dialect.name),
            [
                {
                    "language": language,
                    "zero_query": zero_query,
                    "followed_by": followed,
                    "count": len(seen),
                    "status": "open",
                    "first_seen": min(seen),
                    "last_seen": max(seen),
                    "updated_at": max(seen),
                }
                # In key order: workers writing at once lock the rows in the same order.
                for (language, zero_query, followed), seen in sorted(pairs.items())
            ],
        )


def _searches_of(
    connection: Connection, by_reader: dict[Reader, list[FoundSearch]]
) -> dict[Reader, list[Event]]:
    """Each reader's searches (a visitor's, on pages in one language) from the start of the
    visit of their first search being learnt from to their last, in the order they were
    recorded (read for all of them at once: from the earliest of those starts to the latest
    of those ends)."""
    windows = {
        reader: (searches[0].at - VISIT, searches[-1].at) for reader, searches in by_reader.items()
    }
    earliest = min(start for start, _ in windows.values())
    latest = max(end for _, end in windows.values())
    rows = connection.execute(
        select(
            SearchEvent.id,
            SearchEvent.visitor_id,
            SearchEvent.language,
            SearchEvent.created_at,
            SearchEvent.query_normalized,
            SearchEvent.results_count,
        )
        .where(
            SearchEvent.visitor_id.in_({visitor for visitor, _ in by_reader}),
            SearchEvent.created_at >= earliest,
            SearchEvent.created_at <= latest,
        )
        .order_by(SearchEvent.created_at, SearchEvent.id)
    )
    events: dict[Reader, list[Event]] = {}
    for row in rows:
        reader = (row.visitor_id, row.language)
        if reader not in windows:
            continue  # the visitor's searches on another language's pages
        start, end = windows[reader]
        if start <= row.created_at <= end:
            events.setdefault(reader, []).append(row)
    return events


def _failed_before(
    events: list[Event], searches: list[FoundSearch]
) -> Iterator[tuple[FoundSearch, list[str]]]:
    """Each search with the queries of the reader's searches that found nothing just before
    it, latest first. `events`: the reader's searches in order, from the start of the visit
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
        [
            "language",
            "zero_query",
            "followed_by",
            "count",
            "status",
            "first_seen",
            "last_seen",
            "updated_at",
        ],
        ["language", "zero_query", "followed_by"],
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
    synonyms_line: str  # the line to add to `synonyms_file`
    synonyms_file: str  # the synonyms of the language where it works, under CONTENT_DIR
    article_path: str | None  # where the successful search leads its readers first
    aliases_line: str | None  # that article's front-matter aliases with this one added
    article_file: str | None  # that article's file under CONTENT_DIR, in the language read
    in_file: bool  # `synonyms_file` has both phrases in one group already


def _quoted(words: list[str]) -> str:
    """A YAML flow list; JSON strings are YAML too and keep "no" or "on" from turning into
    booleans."""
    return "[" + ", ".join(json.dumps(w, ensure_ascii=False) for w in words) + "]"


def load_groups(file: Path) -> list[list[str]]:
    """The synonym groups of a synonyms.yml (nothing when missing or broken)."""
    try:
        data = yaml.safe_load(file.read_text(encoding="utf-8")) or []
    except (OSError, yaml.YAMLError):
        return []
    return [[str(m) for m in group] for group in data if isinstance(group, list)]


def groups_in(content_dir: Path, languages: Iterable[str]) -> dict[str, list[list[str]]]:
    """Each language's synonym groups (see `synonyms_file`)."""
    return {code: load_groups(content_dir / synonyms_file(code)) for code in languages}


def synonyms_line(groups: list[list[str]], zero_query: str, followed_by: str) -> str:
    """The group with both phrases: an existing group that has `followed_by` with the new
    phrase added, or a new group of the two."""
    for group in groups:
        if followed_by in (member.lower() for member in group):
            return "- " + _quoted([*group, zero_query])
    return "- " + _quoted([followed_by, zero_query])


def aliases_line(existing: tuple[str, ...], alias: str) -> str:
    return "aliases: " + _quoted([*existing, alias])


def answering(row: SynonymSuggestion, sources: "Sources") -> tuple[str, str | None]:
    """Where a suggestion's synonym works, and the article it leads to: the language of the
    articles its readers' search for the phrase that worked finds (their own first, the
    default language's when those find nothing: `Sources.find`), whose synonyms.yml that
    search reads, and the first article it finds. The suggestion's own language when search
    is unavailable."""
    try:
        found, answered_in = sources.find(row.followed_by, row.language, per_page=1)
    except SearchUnavailable:
        return row.language, None
    return answered_in, found.hits[0].path if found.hits else None


def describe(
    row: SynonymSuggestion, groups: Mapping[str, list[list[str]]], sources: "Sources"
) -> Suggestion:
    """A suggestion with the exact lines an editor would add to accept it: to the synonyms
    of the language where it works (`answering`; `groups` are each language's), and to the
    front matter of the article it leads to, as its readers read it."""
    language, path = answering(row, sources)
    article = sources.library_for(row.language).get(path) if path else None
    return Suggestion(
        row=row,
        synonyms_line=synonyms_line(groups[language], row.zero_query, row.followed_by),
        synonyms_file=synonyms_file(language),
        article_path=path if article else None,
        aliases_line=aliases_line(article.aliases, row.zero_query) if article else None,
        article_file=article.source if article else None,
        in_file=landed(groups[language], row.zero_query, row.followed_by),
    )


def described(
    rows: list[SynonymSuggestion], content_dir: Path, sources: "Sources"
) -> list[Suggestion]:
    """Each suggestion described (`describe`), with the synonyms of CONTENT_DIR
    (`content_dir`)."""
    groups = groups_in(content_dir, LANGUAGES)
    return [describe(row, groups, sources) for row in rows]


def landed_line(groups: list[list[str]], zero_query: str, followed_by: str) -> str | None:
    """The line of a synonyms.yml that has both phrases in one group, if any."""
    for group in groups:
        if {zero_query, followed_by} <= {member.lower() for member in group}:
            return "- " + _quoted(group)
    return None


def landed(groups: list[list[str]], zero_query: str, followed_by: str) -> bool:
    """Whether a synonyms.yml (its `groups`) already has both phrases in one group."""
    return landed_line(groups, zero_query, followed_by) is not None


def open_suggestions(
    limit: int = SHOWN, min_count: int = 1, language: Language = None
) -> list[SynonymSuggestion]:
    """The open suggestions of `language` (every one's for None) with the most evidence
    first; `min_count` leaves out those seen fewer times (a single sighting may be a
    coincidence)."""
    return list(
        db.session.execute(
            select(SynonymSuggestion)
            .where(
                SynonymSuggestion.status == "open",
                SynonymSuggestion.count >= min_count,
                *in_language(SynonymSuggestion.language, language),
            )
            .order_by(
                SynonymSuggestion.count.desc(),
                SynonymSuggestion.last_seen.desc(),
                SynonymSuggestion.id,
            )
            .limit(limit)
        ).scalars()
    )


def accepted_suggestions(limit: int = SHOWN, language: Language = None) -> list[SynonymSuggestion]:
    """The latest accepted suggestions of `language`, for the list of lines still to add."""
    return list(
        db.session.execute(
            select(SynonymSuggestion)
            .where(
                SynonymSuggestion.status == "accepted",
                *in_language(SynonymSuggestion.language, language),
            )
            .order_by(SynonymSuggestion.updated_at.desc(), SynonymSuggestion.id.desc())
            .limit(limit)
        ).scalars()
    )


def seen_once(language: Language = None) -> int:
    """Open suggestions of `language` seen a single time (hidden unless asked for)."""
    return db.session.execute(
        select(func.count()).where(
            SynonymSuggestion.status == "open",
            SynonymSuggestion.count < 2,
            *in_language(SynonymSuggestion.language, language),
        )
    ).scalar_one()


def suggestion_counts(language: Language = None) -> dict[str, int]:
    rows = db.session.execute(
        select(SynonymSuggestion.status, func.count())
        .where(*in_language(SynonymSuggestion.language, language))
        .group_by(SynonymSuggestion.status)
    )
    return {status: 0 for status in SUGGESTION_STATUSES} | dict(rows.all())


def followed_by(
    queries: list[str], language: Language = None
) -> dict[str, list[SynonymSuggestion]]:
    """For each zero-result query searched on pages in `language` (every language for
    None), what the same visitors searched next there and found."""
    found: dict[str, list[SynonymSuggestion]] = {q: [] for q in queries}
    if not queries:
        return found
    rows = db.session.execute(
        select(SynonymSuggestion)
        .where(
            SynonymSuggestion.zero_query.in_(queries),
            SynonymSuggestion.status != "dismissed",
            *in_language(SynonymSuggestion.language, language),
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
