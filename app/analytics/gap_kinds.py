"""The gaps each source of data shows, one page language's at a time: searches that found
nothing, searches whose results nobody opened, articles readers rate unhelpful, return
reasons no article covers, and English articles that answered another language's searches
or cover the reasons its customers return things for ("translate this"); each with its
numbers for a date range, in words, and its score. The queue that ranks them and keeps the
editors' decisions is app.analytics.gaps."""

from dataclasses import dataclass, field
from datetime import date, datetime
from functools import partial

from app.analytics import article_report as articles
from app.analytics import reports
from app.analytics.dates import DateRange
from app.analytics.gap_outcomes import Outcome, Sources
from app.analytics.returns_report import (
    ReasonCoverage,
    offered_articles,
    reason_coverage,
    returned_items,
)
from app.analytics.stats import percent, plural, share, wilson_lower_bound
from app.analytics.untranslated import Untranslated, answered_in_english, covered_in_english
from app.config import DEFAULT_LANGUAGE, LANGUAGES
from app.models.gaps import SynonymSuggestion

KIND_LABELS = {
    "query": "Search finds nothing",
    "no_click": "Search results not opened",
    "article": "Article rated unhelpful",
    "return_reason": "Return reason without an article",
    "translate": "Translate this",
}
# How much one unit of volume weighs: a search; a vote stands for more readers than the
# few who vote; a returned item costs shipping and handling; a search answered in English
# found something, if not in the reader's language (a "translate this" gap's returned items
# weigh as a return reason's).
WEIGHTS = {"query": 1.0, "no_click": 1.0, "article": 3.0, "return_reason": 5.0, "translate": 0.5}
HALF_LIFE_DAYS = 14  # a gap last seen two weeks ago counts half
ARTICLE_MIN_UNHELPFUL = 0.2  # Wilson lower bound of the "No" share that makes a gap
CANDIDATES = 200  # per kind, before ranking


@dataclass
class Gap:
    kind: str
    key: str
    title: str
    volume: int
    badness: float
    last_seen: datetime | None
    volume_text: str
    badness_text: str
    language: str = DEFAULT_LANGUAGE  # the page language of its searches, votes or returns
    score: float = 0.0
    recency: float = 0.0
    age_days: int | None = None
    status: str = "open"
    note: str = ""
    updated_by: str = ""
    done_at: datetime | None = None
    outcome: Outcome | None = None
    # Synonym suggestions (query gaps).
    followed_by: list[SynonymSuggestion] = field(default_factory=list)
    searched_as: list[str] = field(default_factory=list)  # "translate this": the searches
    # "Translate this": of the volume, items returned for reasons only this article covers,
    # and those reasons.
    returned: int = 0
    returned_for: list[str] = field(default_factory=list)

    @property
    def ref(self) -> tuple[str, str, str]:
        """What the editors' decisions are stored by: kind, language, key."""
        return (self.kind, self.language, self.key)

    @property
    def headline(self) -> str:
        if self.kind == "translate":
            return f"Translate this: {self.title} into {LANGUAGES.get(self.language)}"
        return self.title

    @property
    def weight(self) -> float:
        return WEIGHTS[self.kind]

    @property
    def weighted_volume(self) -> float:
        """The volume times its weight, returned items weighing as a return reason's."""
        searches = self.volume - self.returned
        return self.weight * searches + WEIGHTS["return_reason"] * self.returned

    @property
    def recency_text(self) -> str:
        if self.age_days is None:
            return "not seen in these dates"
        when = {0: "today", 1: "yesterday"}.get(self.age_days, f"{self.age_days} days ago")
        return f"last seen {when}"

    @property
    def score_text(self) -> str:
        weight = f"{self.weight:g} × " if self.weight != 1 else ""
        volume = f"{weight}{self.volume} (volume)"
        if self.returned:
            searches = self.volume - self.returned
            parts = [f"{weight}{plural(searches, 'search')}"] if searches else []
            parts.append(f"{WEIGHTS['return_reason']:g} × {plural(self.returned, 'item')}")
            volume = f"({' + '.join(parts)}) (volume)" if searches else f"{parts[0]} (volume)"
        return (
            f"Score {self.score:.1f} = {volume} × {self.badness:.2f} "
            f"(how bad) × {self.recency:.2f} (recency: {self.recency_text})"
        )

    def rank(self, as_of: date) -> None:
        """Score = weight × volume × how bad × recency (halving every HALF_LIFE_DAYS); a
        "translate this" gap's returned items weigh as a return reason's."""
        if self.last_seen is None:
            self.age_days, self.recency = None, 0.0
        else:
            self.age_days = max(0, (as_of - self.last_seen.date()).days)
            self.recency = 0.5 ** (self.age_days / HALF_LIFE_DAYS)
        self.score = self.weighted_volume * self.badness * self.recency


# -- gaps from each source -----------------------------------------------------------------


def _query_gap(q: reports.QueryStats) -> Gap:
    bad = share(q.zero_results, q.searches) or 0.0
    return Gap(
        kind="query",
        language=q.language,
        key=q.query,
        title=q.example or q.query,
        volume=q.searches,
        badness=bad,
        last_seen=q.last_zero_at or q.last_seen,
        volume_text=plural(q.searches, "search"),
        badness_text="all found nothing"
        if q.zero_results == q.searches
        else f"{q.zero_results} ({percent(bad)}) found nothing",
    )


def _no_click_gap(q: reports.QueryStats) -> Gap:
    bad = share(q.no_clicks, q.with_results) or 0.0
    return Gap(
        kind="no_click",
        language=q.language,
        key=q.query,
        title=q.example or q.query,
        volume=q.with_results,
        badness=bad,
        last_seen=q.last_seen,
        volume_text=f"{plural(q.with_results, 'search')} found articles",
        badness_text=f"{q.no_clicks} ({percent(bad)}) opened none",
    )


def _article_gap(a: articles.ArticleStats, language: str) -> Gap:
    bad = wilson_lower_bound(a.unhelpful, a.votes) or 0.0
    return Gap(
        kind="article",
        language=language,
        key=a.path,
        title=a.title,
        volume=a.votes,
        badness=bad,
        last_seen=a.last_unhelpful_at,
        volume_text=f"{plural(a.votes, 'vote')}, {a.unhelpful} of them No",
        # The one framing editors read everywhere: the helpful share, with its confidence.
        badness_text=f"at most {percent(1 - bad)} found it helpful, with 95% confidence",
    )


def _reason_gap(c: ReasonCoverage, language: str) -> Gap:
    return Gap(
        kind="return_reason",
        language=language,
        key=c.reason,
        title=c.label,
        volume=c.units,
        badness=0.0 if c.covered else 1.0,
        last_seen=c.last_return,
        volume_text=f"{plural(c.units, 'item')} returned",
        badness_text="a help article now covers it"
        if c.covered
        else "no help article covers this reason",
    )


def _translate_gap(u: Untranslated, sources: Sources) -> Gap:
    article = sources.library.get(u.path)
    name = LANGUAGES.get(u.language, u.language)
    opened = f", {u.opened} of them opened it" if u.opened else ""
    needed = []
    if u.searches:
        needed.append(f"{plural(u.searches, 'search')} on {name} pages answered by it{opened}")
    if u.returned:
        reasons = ", ".join(f"“{label}”" for label in u.reasons)
        needed.append(
            f"{plural(u.returned, 'item')} returned by customers written to in {name} "
            f"for {reasons}, which it covers"
        )
    return Gap(
        kind="translate",
        language=u.language,
        key=u.path,
        title=article.title if article else u.path,
        volume=u.searches + u.returned,
        badness=1.0,
        last_seen=u.last_seen,
        volume_text="; ".join(needed),
        badness_text=f"nothing in {name} {'answered them' if u.searches else 'covers it'}: "
        "they read it in English",
        searched_as=u.examples,
        returned=u.returned,
        returned_for=u.reasons,
    )


def _reasons(
    rng: DateRange, sources: Sources, language: str, keys: list[str] | None = None
) -> list[ReasonCoverage]:
    """The reasons (or those `keys`) customers written to in `language` returned items for,
    and the articles covering them in the help center as its readers read it."""
    return reason_coverage(rng, sources.policy, sources.library_for(language), keys, language)


def _untranslated(
    rng: DateRange,
    sources: Sources,
    language: reports.Language,
    paths: list[str] | None = None,
    coverage: dict[str, list[ReasonCoverage]] | None = None,
) -> dict[tuple[str, str], Untranslated]:
    """By (language, article path): the English articles that answered searches on pages in
    `language` (every language when None), or are all that covers a frequent reason its
    customers returned items for (`coverage`, by language, when already read)."""
    found = answered_in_english(rng, language, paths)
    for code in languages(language):
        known = coverage or {}
        reasons = known[code] if code in known else _reasons(rng, sources, code)
        returned = returned_items(rng, [c.reason for c in reasons if c.frequent], code)
        offered = partial(offered_articles, sources.policy, sources.library_for(code))
        covered_in_english(found, code, reasons, returned, offered, sources.is_translated, paths)
    return found


def languages(language: reports.Language) -> list[str]:
    """The page languages a report on `language` covers (every one for None)."""
    return list(LANGUAGES) if language is None else [language]


def candidates(rng: DateRange, sources: Sources, language: reports.Language = None) -> list[Gap]:
    """Every gap the data shows for these dates on pages in `language` (every language when
    None): the largest CANDIDATES of each kind. "Rarely clicked" follows each language's
    own traffic, so a language's gaps are the same whether the queue shows it alone or not."""
    minimum = sources.no_click_min_searches
    zero = reports.query_lists(rng, CANDIDATES, ("zero",), minimum, language)["zero"]
    gaps = [_query_gap(q) for q in zero]
    coverage: dict[str, list[ReasonCoverage]] = {}
    for code in languages(language):
        no_click = reports.query_lists(rng, CANDIDATES, ("no_click",), minimum, code)
        gaps += [_no_click_gap(q) for q in no_click["no_click"]]
        stats = articles.article_stats(rng, sources.library, usage=False, language=code)
        for article in stats.values():
            if article.votes >= articles.MIN_VOTES and article.published:
                gap = _article_gap(article, code)
                if gap.badness >= ARTICLE_MIN_UNHELPFUL:
                    gaps.append(gap)
        # A reason only untranslated articles cover is a "translate this" gap (below).
        coverage[code] = _reasons(rng, sources, code)
        gaps += [_reason_gap(c, code) for c in coverage[code] if c.frequent and not c.covered]
    untranslated = _untranslated(rng, sources, language, coverage=coverage).values()
    translate = [
        _translate_gap(u, sources)
        for u in untranslated
        if not sources.is_translated(u.path, u.language)
    ]
    translate.sort(key=lambda g: (-g.weighted_volume, g.language, g.key))
    return gaps + translate[:CANDIDATES]


def gaps_for(
    rng: DateRange, sources: Sources, kind: str, keys: list[str], language: str = DEFAULT_LANGUAGE
) -> list[Gap]:
    """These gaps' numbers for these dates on pages in `language`, whatever they are (zero
    when nothing happened)."""
    found: list[Gap]
    if kind in ("query", "no_click"):
        make = _query_gap if kind == "query" else _no_click_gap
        found = [make(q) for q in reports.queries_by_key(rng, keys, language)]
    elif kind == "article":
        stats = articles.article_stats(rng, sources.library, keys, usage=False, language=language)
        found = [_article_gap(a, language) for a in stats.values()]
    elif kind == "translate":
        untranslated = _untranslated(rng, sources, language, keys).values()
        found = [_translate_gap(u, sources) for u in untranslated]
    else:
        found = [_reason_gap(c, language) for c in _reasons(rng, sources, language, keys)]
    seen = {g.key for g in found}
    for key in keys:
        if key not in seen:
            article = sources.library.get(key) if kind == "translate" else None
            title = article.title if article else key
            found.append(
                Gap(kind, key, title, 0, 0.0, None, "nothing in these dates", "–", language)
            )
    return found
