"""Synonym suggestions for the editors: a search that found nothing followed, in the same
visit, by one that found articles. Accepting one can't edit content/ (it is versioned in
git), so each suggestion carries the exact line to add there."""

import json
from dataclasses import dataclass
from pathlib import Path

import yaml
from sqlalchemy import func, select

from app.content import Library
from app.extensions import db
from app.models.gaps import SUGGESTION_STATUSES, SynonymSuggestion
from app.search import SearchEngine, SearchUnavailable

SHOWN = 10  # each one asks the search engine where its search leads


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


def open_suggestions(limit: int = SHOWN) -> list[SynonymSuggestion]:
    return list(
        db.session.execute(
            select(SynonymSuggestion)
            .where(SynonymSuggestion.status == "open")
            .order_by(
                SynonymSuggestion.count.desc(),
                SynonymSuggestion.last_seen.desc(),
                SynonymSuggestion.id,
            )
            .limit(limit)
        ).scalars()
    )


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
