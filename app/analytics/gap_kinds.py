"""The gaps each source of data shows, one page language's at a time: searches that found
nothing, searches whose results nobody opened, articles readers rate unhelpful, return
reasons no article covers, and English articles that answered another language's searches
("translate this"); each with its numbers for a date range, in words, and its score. The
queue that ranks them and keeps the editors' decisions is app.analytics.gaps."""

from dataclasses import dataclass, field
from datetime import date, datetime

from app.analytics import article_report as articles
from app.analytics import reports
from app.analytics.dates import DateRange
from app.analytics.gap_outcomes import Outcome, Sources
from app.analytics.returns_report import ReasonCoverage, reason_coverage
from app.analytics.stats import percent, plural, share, wilson_lower_bound
from app.analytics.untranslated import Untranslated, answered_in_english
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
# found something, if not in the reader's language.
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
    def recency_text(self) -> str:
        if self.age_days is None:
            return "not seen in these dates"
        when = {0: "today", 1: "yesterday"}.get(self.age_days, f"{self.age_days} days ago")
        return f"last seen {when}"

    @property
    def score_text(self) -> str:
        weight = f"{self.weight:g} × " if self.weight != 1 else ""
        return (
            f"Score {self.score:.1f} = {weight}{self.volume} (volume) × {self.badness:.2f} "
            f"(how bad) × {self.recency:.2f} (recency: {self.recency_text})"
        )

    def rank(self, as_of: date) -> None:
        """Score = weight × volume × how bad × recency (halving every HALF_LIFE_DAYS)."""
        if self.last_seen is None:
            self.age_days, self.recency = None, 0.0
        else:
            self.age_days = max(0, (as_of - self.last_seen.date()).days)
            self.recency = 0.5 ** (self.age_days / HALF_LIFE_DAYS)
        self.score = self.weight * self.volume * self.badness * self.recency


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


def _reason_gap(c: ReasonCoverage) -> Gap:
    return Gap(
        kind="return_reason",
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
    return Gap(
        kind="translate",
        language=u.language,
        key=u.path,
        title=article.title if article else u.path,
        volume=u.searches,
        badness=1.0,
        last_seen=u.last_seen,
        volume_text=f"{plural(u.searches, 'search')} on {name} pages answered by it{opened}",
        badness_text=f"nothing in {name} answered them: they read it in English",
        searched_as=u.examples,
    )


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
    for code in languages(language):
        no_click = reports.query_lists(rng, CANDIDATES, ("no_click",), minimum, code)
        gaps += [_no_click_gap(q) for q in no_click["no_click"]]
        stats = articles.article_stats(rng, sources.library, usage=False, language=code)
        for article in stats.values():
            if article.votes >= articles.MIN_VOTES and article.published:
                gap = _article_gap(article, code)
                if gap.badness >= ARTICLE_MIN_UNHELPFUL:
                    gaps.append(gap)
    # The queue's return-reason gaps aren't split by language yet (the returns report is):
    # they count every customer's returns, about the (English) articles.
    if language in (None, DEFAULT_LANGUAGE):
        for coverage in reason_coverage(rng, sources.policy, sources.library):
            if coverage.frequent and not coverage.covered:
                gaps.append(_reason_gap(coverage))
    untranslated = answered_in_english(rng, language).values()
    ranked = sorted(untranslated, key=lambda u: (-u.searches, u.language, u.path))
    gaps += [
        _translate_gap(u, sources) for u in ranked if not sources.is_translated(u.path, u.language)
    ][:CANDIDATES]
    return gaps


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
        found = [
            _translate_gap(u, sources) for u in answered_in_english(rng, language, keys).values()
        ]
    else:
        coverage = reason_coverage(rng, sources.policy, sources.library, keys)
        found = [_reason_gap(c) for c in coverage]
    seen = {g.key for g in found}
    for key in keys:
        if key not in seen:
            article = sources.library.get(key) if kind == "translate" else None
            title = article.title if article else key
            found.append(
                Gap(kind, key, title, 0, 0.0, None, "nothing in these dates", "–", language)
            )
    return found
