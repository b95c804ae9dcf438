"""The editors' article report: views, votes, the helpful share and its Wilson lower bound,
"No" reasons, comments and the searches that led to each article, for a date range and a page
language (or every language). Plain Python, no Flask: views pass the library in."""

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime

from sqlalchemy import ColumnElement, Select, case, func, select
from sqlalchemy.orm import InstrumentedAttribute

from app.analytics.dates import DateRange
from app.analytics.reports import PAGE_ROWS, Language, in_language
from app.analytics.stats import share, wilson_lower_bound
from app.content import Library
from app.extensions import db
from app.models.analytics import ArticleViewDaily, SearchClick, SearchEvent
from app.models.votes import NO_REASONS, Vote

MIN_VOTES = 5  # fewer votes than this: the helpful share is shown but not ranked

# The conditions that keep a query to the articles asked for (none: every article).
Only = Callable[[InstrumentedAttribute[str]], tuple[ColumnElement[bool], ...]]


@dataclass
class ArticleStats:
    path: str
    title: str
    category: str
    published: bool
    views: int = 0
    votes: int = 0
    helpful: int = 0
    search_clicks: int = 0
    reasons: dict[str, int] = field(default_factory=dict)  # "No" reasons by code
    last_unhelpful_at: datetime | None = None

    @property
    def unhelpful(self) -> int:
        return self.votes - self.helpful

    @property
    def helpful_share(self) -> float | None:
        return share(self.helpful, self.votes)

    @property
    def wilson(self) -> float | None:
        """The 95% Wilson lower bound of the helpful share."""
        return wilson_lower_bound(self.helpful, self.votes)

    @property
    def too_few_votes(self) -> bool:
        return self.votes < MIN_VOTES


@dataclass
class Comment:
    path: str
    reason: str | None
    comment: str
    at: datetime

    @property
    def reason_label(self) -> str:
        return NO_REASONS.get(self.reason or "", "")


SORTS = ("views", "votes", "helpful", "wilson", "clicks", "title")


@dataclass
class ArticleReport:
    range: DateRange
    articles: list[ArticleStats]
    comments: list[Comment]
    sort: str
    descending: bool


def filter_articles(report: ArticleReport, text: str = "", category: str = "") -> ArticleReport:
    """Only the articles whose title or path holds `text` (any case), in `category`."""
    wanted = text.strip().lower()
    kept = [
        a
        for a in report.articles
        if (not wanted or wanted in a.title.lower() or wanted in a.path)
        and (not category or a.category == category)
    ]
    return replace(report, articles=kept)


def _vote_window(rng: DateRange, language: Language) -> tuple[ColumnElement[bool], ...]:
    """Votes given or changed in the range (a changed vote is the reader's current view), on
    pages in `language` (any when None)."""
    return (
        Vote.updated_at >= rng.since,
        Vote.updated_at < rng.until,
        *in_language(Vote.language, language),
    )


def article_stats(
    rng: DateRange,
    library: Library,
    paths: list[str] | None = None,
    usage: bool = True,
    language: Language = None,
) -> dict[str, ArticleStats]:
    """Votes and "No" reasons (and with `usage`, views and search clicks) per article on
    pages in `language` (every language when None), for every published article and any
    other path with data (an article since renamed or deleted)."""
    stats: dict[str, ArticleStats] = {}

    def row(path: str) -> ArticleStats:
        if path not in stats:
            article = library.get(path)
            stats[path] = ArticleStats(
                path=path,
                title=article.title if article else path,
                category=article.category if article else "",
                published=article is not None,
            )
        return stats[path]

    def only(column: InstrumentedAttribute[str]) -> tuple[ColumnElement[bool], ...]:
        return (column.in_(paths),) if paths is not None else ()

    for path in paths if paths is not None else library.articles:
        row(path)
    if usage:
        _usage(rng, row, only, language)
    votes = db.session.execute(
        select(Vote.article_path, func.count(), func.sum(case((Vote.helpful, 1), else_=0)))
        .where(*_vote_window(rng, language), *only(Vote.article_path))
        .group_by(Vote.article_path)
    )
    for path, count, helpful in votes:
        row(path).votes, row(path).helpful = count, helpful
    reasons = db.session.execute(
        select(Vote.article_path, Vote.reason, func.count(), func.max(Vote.updated_at))
        .where(Vote.helpful.is_(False), *_vote_window(rng, language), *only(Vote.article_path))
        .group_by(Vote.article_path, Vote.reason)
    )
    for path, reason, count, last in reasons:
        found = row(path)
        found.reasons[reason or "none"] = count
        if found.last_unhelpful_at is None or last > found.last_unhelpful_at:
            found.last_unhelpful_at = last
    return stats


def _clicks(rng: DateRange, language: Language) -> Select[str, int]:
    """Search clicks per article in the range, from searches on pages in `language`."""
    stmt = select(SearchClick.article_path, func.count()).where(
        SearchClick.created_at >= rng.since, SearchClick.created_at < rng.until
    )
    if language is not None:
        stmt = stmt.join(SearchEvent, SearchEvent.id == SearchClick.search_event_id).where(
            SearchEvent.language == language
        )
    return stmt.group_by(SearchClick.article_path)


def _usage(
    rng: DateRange, row: Callable[[str], ArticleStats], only: Only, language: Language
) -> None:
    """Views and search clicks per article in the range."""
    views = db.session.execute(
        select(ArticleViewDaily.article_path, func.sum(ArticleViewDaily.views))
        .where(
            ArticleViewDaily.day.between(rng.start, rng.end),
            *only(ArticleViewDaily.article_path),
            *in_language(ArticleViewDaily.language, language),
        )
        .group_by(ArticleViewDaily.article_path)
    )
    for path, count in views:
        row(path).views = count
    clicks = db.session.execute(_clicks(rng, language).where(*only(SearchClick.article_path)))
    for path, count in clicks:
        row(path).search_clicks = count


def sort_articles(rows: list[ArticleStats], sort: str, descending: bool) -> list[ArticleStats]:
    """Sorted by one column. By helpfulness, articles with too few votes come last either
    way: they are marked, not ranked."""
    if sort == "title":
        return sorted(rows, key=lambda r: r.title.lower(), reverse=descending)
    if sort in ("helpful", "wilson"):
        ranked = [r for r in rows if not r.too_few_votes]
        unranked = [r for r in rows if r.too_few_votes]
        share_of: Callable[[ArticleStats], float | None] = (
            (lambda r: r.helpful_share) if sort == "helpful" else (lambda r: r.wilson)
        )
        ranked.sort(key=lambda r: (share_of(r), r.votes), reverse=descending)
        unranked.sort(key=lambda r: (-r.votes, r.title.lower()))
        return ranked + unranked
    value: Callable[[ArticleStats], int] = {
        "views": lambda r: r.views,
        "votes": lambda r: r.votes,
        "clicks": lambda r: r.search_clicks,
    }[sort]
    return sorted(sorted(rows, key=lambda r: r.title.lower()), key=value, reverse=descending)


def latest_comments(
    rng: DateRange, limit: int = 10, path: str | None = None, language: Language = None
) -> list[Comment]:
    stmt = (
        select(Vote.article_path, Vote.reason, Vote.comment, Vote.updated_at)
        .where(Vote.comment.is_not(None), Vote.helpful.is_(False), *_vote_window(rng, language))
        .order_by(Vote.updated_at.desc(), Vote.id.desc())
        .limit(limit)
    )
    if path is not None:
        stmt = stmt.where(Vote.article_path == path)
    # The comment is never None here (the query's first condition).
    rows = db.session.execute(stmt)
    return [Comment(path, reason, comment or "", at) for path, reason, comment, at in rows]


def article_report(
    rng: DateRange,
    library: Library,
    sort: str = "views",
    descending: bool = True,
    language: Language = None,
) -> ArticleReport:
    sort = sort if sort in SORTS else "views"
    rows = list(article_stats(rng, library, language=language).values())
    return ArticleReport(
        range=rng,
        articles=sort_articles(rows, sort, descending),
        comments=latest_comments(rng, language=language),
        sort=sort,
        descending=descending,
    )


@dataclass
class DayViews:
    day: date
    views: int


@dataclass
class ArticleDetail:
    stats: ArticleStats
    views_by_day: list[DayViews]
    comments: list[Comment]
    searches: list[tuple[str, int]]  # normalized queries whose results led here


def article_detail(
    rng: DateRange, library: Library, path: str, limit: int = PAGE_ROWS, language: Language = None
) -> ArticleDetail:
    stats = article_stats(rng, library, [path], language=language)[path]
    views = dict(
        db.session.execute(
            select(ArticleViewDaily.day, func.sum(ArticleViewDaily.views))
            .where(
                ArticleViewDaily.article_path == path,
                ArticleViewDaily.day.between(rng.start, rng.end),
                *in_language(ArticleViewDaily.language, language),
            )
            .group_by(ArticleViewDaily.day)
        ).all()
    )
    searches = db.session.execute(
        select(SearchEvent.query_normalized, func.count())
        .join(SearchClick, SearchClick.search_event_id == SearchEvent.id)
        .where(
            SearchClick.article_path == path,
            SearchClick.created_at >= rng.since,
            SearchClick.created_at < rng.until,
            *in_language(SearchEvent.language, language),
        )
        .group_by(SearchEvent.query_normalized)
        .order_by(func.count().desc(), SearchEvent.query_normalized)
        .limit(limit)
    ).all()
    return ArticleDetail(
        stats=stats,
        views_by_day=[DayViews(day, views.get(day, 0)) for day in rng.each_day()],
        comments=latest_comments(rng, limit, path, language),
        searches=[(query, clicks) for query, clicks in searches],
    )
