"""Searches that a language's own articles could not answer and English ones did, and
returns whose reason only English articles cover: per language and English article, how
often its readers needed it. The articles they opened answered a search; when they opened
none, the first results did. Plain Python, no Flask."""

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select

from app.analytics.dates import DateRange
from app.analytics.reports import in_language
from app.analytics.returns_report import ReasonCoverage, ReturnedItems
from app.config import DEFAULT_LANGUAGE
from app.extensions import db
from app.models.analytics import SearchClick, SearchEvent

EXAMPLES = 3  # wordings shown per article


@dataclass
class Untranslated:
    """One English article that answered searches on pages in `language`, or covers the
    reasons its customers returned items for."""

    language: str
    path: str
    searches: int = 0
    opened: int = 0  # of those searches, the ones that opened it
    last_seen: datetime | None = None
    queries: Counter[str] = field(default_factory=Counter)  # normalized, redacted
    returned: int = 0  # items returned after it was offered in English (covered_in_english)
    reasons: list[str] = field(default_factory=list)  # those reasons' labels, most returned first

    @property
    def examples(self) -> list[str]:
        """The most searched wordings first."""
        ranked = sorted(self.queries.items(), key=lambda item: (-item[1], item[0]))
        return [query for query, _ in ranked[:EXAMPLES]]

    def add(self, query: str, at: datetime, opened: bool) -> None:
        self.searches += 1
        self.opened += int(opened)
        self.queries[query] += 1
        self._seen(at)

    def add_returns(self, label: str, items: ReturnedItems) -> None:
        self.returned += items.units
        if label not in self.reasons:
            self.reasons.append(label)
        self._seen(items.last_return)

    def _seen(self, at: datetime | None) -> None:
        if at is not None and (self.last_seen is None or at > self.last_seen):
            self.last_seen = at


def answered_in_english(
    rng: DateRange, language: str | None = None, paths: list[str] | None = None
) -> dict[tuple[str, str], Untranslated]:
    """By (language, article path): the searches in the range, on pages in `language` (every
    other language when None), that only the default language's articles answered; only
    those `paths` when given."""
    stmt = select(
        SearchEvent.id,
        SearchEvent.language,
        SearchEvent.query_normalized,
        SearchEvent.created_at,
        SearchEvent.answered_by,
    ).where(
        SearchEvent.answered_in == DEFAULT_LANGUAGE,
        SearchEvent.created_at >= rng.since,
        SearchEvent.created_at < rng.until,
        *in_language(SearchEvent.language, language),
    )
    events = db.session.execute(stmt).all()
    opened: dict[int, list[str]] = {}
    if events:
        clicks = db.session.execute(
            select(SearchClick.search_event_id, SearchClick.article_path)
            .where(SearchClick.search_event_id.in_(stmt.with_only_columns(SearchEvent.id)))
            .order_by(SearchClick.id)
        )
        for event_id, path in clicks:
            opened.setdefault(event_id, []).append(path)
    wanted = set(paths) if paths is not None else None
    found: dict[tuple[str, str], Untranslated] = {}
    for event_id, page_language, query, at, answered_by in events:
        clicked = opened.get(event_id, [])
        for path in dict.fromkeys(clicked or answered_by or []):
            if wanted is None or path in wanted:
                key = (page_language, path)
                found.setdefault(key, Untranslated(page_language, path)).add(
                    query, at, bool(clicked)
                )
    return found


def covered_in_english(
    found: dict[tuple[str, str], Untranslated],
    language: str,
    coverage: Iterable[ReasonCoverage],
    returned: Iterable[ReturnedItems],
    offered: Callable[[str, str], list[str]],
    is_translated: Callable[[str, str], bool],
    paths: list[str] | None = None,
) -> None:
    """Add to `found` the items customers written to in `language` returned for a frequent
    reason (`coverage`; `returned`, by reason and product category) where the articles the
    portal offered them (`offered(reason, category)`, as its readers read the help center)
    have no `language` translation: each item to the first of those articles, the one
    shown first, so none counts twice (only those `paths` when given)."""
    wanted = set(paths) if paths is not None else None
    by_reason: dict[str, list[ReturnedItems]] = {}
    for items in returned:
        by_reason.setdefault(items.reason, []).append(items)
    for reason in coverage:
        if not reason.frequent:
            continue
        for items in by_reason.get(reason.reason, []):
            articles = offered(items.reason, items.category)
            if not articles or any(is_translated(p, language) for p in articles):
                continue
            if wanted is None or articles[0] in wanted:
                key = (language, articles[0])
                found.setdefault(key, Untranslated(*key)).add_returns(reason.label, items)
