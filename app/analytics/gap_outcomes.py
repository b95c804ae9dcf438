"""Whether a content gap marked done has closed: the numbers it had that day (its baseline)
against those since. A search gap closes when the search finds articles and gets clicks, an
article gap when its helpful share rises, a return-reason gap when an article covers the
reason and customers shown it say it solved their problem, a "translate this" gap when the
article is there in that language."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import case, func, select

from app.analytics.article_report import MIN_VOTES
from app.analytics.returns_report import covering_articles
from app.analytics.stats import percent, plural, share
from app.config import DEFAULT_LANGUAGE, LANGUAGES
from app.content import Library
from app.extensions import db
from app.models.analytics import SearchClick, SearchEvent
from app.models.gaps import ContentGap
from app.models.returns import Deflection
from app.models.votes import Vote
from app.returns.policy import Policy
from app.search import SearchEngine, SearchResults, SearchUnavailable
from app.search.engine import search_for_readers

if TYPE_CHECKING:
    from app.services import Services

AFTER_MIN_SEARCHES = 5  # searches with results after "done" before a gap can be judged
AFTER_MIN_VOTES = MIN_VOTES


@dataclass(frozen=True)
class Sources:
    """What the queue reads besides the database."""

    library: Library
    policy: Policy | None
    engine: SearchEngine | None
    no_click_min_searches: int | None = None  # INSIGHTS_NO_CLICK_MIN_SEARCHES, if set
    # A language's own articles (services().translated), and the search over them
    # (services().search_in); without them, no article counts as translated and searches
    # are checked in English.
    translated: Callable[[str], Library] | None = None
    search_in: Callable[[str], SearchEngine | None] | None = None
    # The help center as a language's readers find it (services().library_in); without it,
    # the default language's articles.
    library_in: Callable[[str], Library] | None = None

    def library_for(self, language: str) -> Library:
        """The articles readers of `language` find: translated where they are."""
        return self.library_in(language) if self.library_in else self.library

    def is_translated(self, path: str, language: str) -> bool:
        """Whether the article is there in `language` (the default language has them all)."""
        if language == DEFAULT_LANGUAGE:
            return True
        return self.translated is not None and self.translated(language).get(path) is not None

    def engine_in(self, language: str) -> SearchEngine | None:
        """The search over a language's own articles, else the default language's."""
        own = self.search_in(language) if self.search_in else None
        return own or self.engine

    def find(self, query: str, language: str, per_page: int = 5) -> tuple[SearchResults, str]:
        """What a search on pages in `language` finds today, as the help center searches
        (app.search.engine.search_for_readers), and the language of the articles found.
        SearchUnavailable as the engines raise it."""
        if self.engine is None:
            raise SearchUnavailable("no search engine")
        own = self.search_in(language) if self.search_in else None
        found, engine = search_for_readers(own, self.engine, query, per_page=per_page)
        return found, engine.library.language


def sources_of(found: "Services", no_click_min_searches: int | None = None) -> Sources:
    """What the queue reads, from the app's services, every language's included."""
    return Sources(
        library=found.library,
        policy=found.returns_policy,
        engine=found.search,
        no_click_min_searches=no_click_min_searches,
        translated=found.translated,
        search_in=found.search_in,
        library_in=found.library_in,
    )


@dataclass
class Outcome:
    state: str  # closed | not_yet | waiting
    text: str


def _searches_since(
    query: str, language: str, since: datetime, until: datetime | None = None
) -> dict[str, int]:
    """Searches for a normalized query on pages in `language` from `since`: how many, how
    many found nothing, and how many opened a result."""
    clicked = (
        select(SearchClick.search_event_id)
        .where(SearchClick.search_event_id == SearchEvent.id)
        .exists()
    )
    stmt = select(
        func.count(),
        func.sum(case((SearchEvent.results_count == 0, 1), else_=0)),
        func.sum(case((clicked, 1), else_=0)),
    ).where(
        SearchEvent.query_normalized == query,
        SearchEvent.language == language,
        SearchEvent.created_at >= since,
    )
    if until is not None:
        stmt = stmt.where(SearchEvent.created_at < until)
    searches, zero, opened = db.session.execute(stmt).one()
    return {"searches": searches, "zero_results": zero or 0, "clicked": opened or 0}


def _votes_since(path: str, language: str, since: datetime | None = None) -> dict[str, int]:
    stmt = select(func.count(), func.sum(case((Vote.helpful, 1), else_=0))).where(
        Vote.article_path == path, Vote.language == language
    )
    if since is not None:
        stmt = stmt.where(Vote.updated_at >= since)
    votes, helpful = db.session.execute(stmt).one()
    return {"votes": votes, "helpful": helpful or 0}


def _deflections_since(reason: str, language: str, since: datetime | None = None) -> dict[str, int]:
    """Articles shown for a reason on pages in `language` (since `since`), and how many
    solved the problem."""
    stmt = select(func.count(), func.sum(case((Deflection.outcome == "solved", 1), else_=0))).where(
        Deflection.reason_code == reason, Deflection.language == language
    )
    if since is not None:
        stmt = stmt.where(Deflection.created_at >= since)
    shown, solved = db.session.execute(stmt).one()
    return {"shown": shown, "solved": solved or 0}


BASELINE_DAYS = 30


def baseline(
    kind: str, key: str, now: datetime, sources: Sources, language: str = DEFAULT_LANGUAGE
) -> dict[str, int]:
    """The numbers a gap of pages (or customers) in `language` has when it is marked done:
    the last 30 days of searches, every vote so far, every deflection so far and whether an
    article covers the reason in its readers' help center (a translation has none: it is
    there or not)."""
    if kind in ("query", "no_click"):
        return _searches_since(key, language, now - timedelta(days=BASELINE_DAYS), now)
    if kind == "article":
        return _votes_since(key, language)
    if kind == "translate":
        return {}
    covered = bool(covering_articles(sources.policy, sources.library_for(language), key))
    return {**_deflections_since(key, language), "covered": covered}


def outcome(kind: str, key: str, row: ContentGap, sources: Sources) -> Outcome:
    """Whether a gap marked done has closed, in words ("translate this" gaps, which may be
    done without a decision: translation_outcome)."""
    since = row.done_at or row.updated_at
    when = f"{since.day} {since:%B}"
    before = row.baseline or {}
    language = row.language
    if kind == "query":
        return _query_outcome(key, language, since, when, sources)
    if kind == "no_click":
        now = _searches_since(key, language, since)
        found = now["searches"] - now["zero_results"]
        was = share(
            before.get("clicked", 0), before.get("searches", 0) - before.get("zero_results", 0)
        )
        if found < AFTER_MIN_SEARCHES:
            return Outcome(
                "waiting",
                f"{plural(found, 'search')} with results since {when}; "
                f"{AFTER_MIN_SEARCHES} are needed to tell.",
            )
        rate = now["clicked"] / found
        text = f"{percent(rate)} of searches since {when} opened a result (before: {percent(was)})."
        return Outcome("closed" if rate > (was or 0) else "not_yet", text)
    if kind == "article":
        now = _votes_since(key, language, since)
        was = share(before.get("helpful", 0), before.get("votes", 0))
        if now["votes"] < AFTER_MIN_VOTES:
            return Outcome(
                "waiting",
                f"{plural(now['votes'], 'vote')} since {when}; "
                f"{AFTER_MIN_VOTES} are needed to tell.",
            )
        rate = now["helpful"] / now["votes"]
        text = f"{percent(rate)} found it helpful since {when} (before: {percent(was)})."
        return Outcome("closed" if rate > (was or 0) else "not_yet", text)
    return _reason_outcome(key, language, since, when, before, sources)


def translation_outcome(path: str, language: str, sources: Sources) -> Outcome:
    name = LANGUAGES.get(language, language)
    if sources.is_translated(path, language):
        return Outcome("closed", f"The article is now in {name}.")
    return Outcome("not_yet", f"No {name} translation yet: content/{language}/{path}.md.")


def _query_outcome(
    query: str, language: str, since: datetime, when: str, sources: Sources
) -> Outcome:
    engine = sources.engine_in(language)
    try:
        total = engine.search(query, per_page=1).total if engine else None
    except SearchUnavailable:
        total = None
    if total is None:
        return Outcome("waiting", "Search is unavailable, so this can't be checked now.")
    if total == 0:
        return Outcome("not_yet", "The search still finds nothing.")
    now = _searches_since(query, language, since)
    finds = f"It now finds {plural(total, 'article')}"
    if not now["searches"]:
        return Outcome("waiting", f"{finds}; nobody has searched for it since {when}.")
    if now["clicked"]:
        return Outcome(
            "closed",
            f"{finds}, and {now['clicked']} of {plural(now['searches'], 'search')} since "
            f"{when} opened one.",
        )
    return Outcome(
        "not_yet",
        f"{finds}, but none of {plural(now['searches'], 'search')} since {when} opened one.",
    )


def _reason_outcome(
    reason: str,
    language: str,
    since: datetime,
    when: str,
    before: dict[str, int],
    sources: Sources,
) -> Outcome:
    """Whether an article now covers the reason for readers of `language`, and solves the
    problem of the customers shown it on pages in that language."""
    if not covering_articles(sources.policy, sources.library_for(language), reason):
        return Outcome(
            "not_yet",
            "No help article covers it yet: list one under the reason in "
            "content/returns-policy.yml.",
        )
    now = _deflections_since(reason, language, since)
    if not now["shown"]:
        return Outcome(
            "waiting", f"An article covers it; no customer has been shown it since {when}."
        )
    was = share(before.get("solved", 0), before.get("shown", 0)) or 0.0
    rate = now["solved"] / now["shown"]
    text = (
        f"{now['solved']} of {now['shown']} customers shown an article since {when} said it "
        f"solved their problem (before: {percent(was if before.get('shown') else None)})."
    )
    return Outcome("closed" if now["solved"] and rate > was else "not_yet", text)
