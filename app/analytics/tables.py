"""Every report table as headers and rows of plain values, for the CSV downloads. The
pages show the same numbers (the templates read the same report objects)."""

from collections.abc import Iterable
from datetime import date

from app.analytics.article_report import ArticleDetail, ArticleReport, ArticleStats, Comment
from app.analytics.gap_kinds import KIND_LABELS
from app.analytics.gaps import STATUS_LABELS, Queue
from app.analytics.reports import QueryDetail, QueryStats, SearchReport
from app.analytics.returns_report import Returned, ReturnsReport
from app.analytics.synonyms import Suggestion
from app.models.votes import NO_REASONS

Cell = str | int | float | date | None  # a datetime is a date; a bool, an int
Row = list[Cell]
Table = tuple[list[str], list[Row]]  # headers, rows
Tables = dict[str, Table]

QUERY_HEADERS = [
    "query",
    "example (redacted)",
    "searches",
    "zero results",
    "searches with a click",
    "click-through rate",
    "average clicked position",
    "last seen",
    "language",
]


def _query_row(q: QueryStats) -> Row:
    return [
        q.query,
        q.example,
        q.searches,
        q.zero_results,
        q.clicked_searches,
        q.ctr,
        q.avg_position,
        q.last_seen,
        q.language,
    ]


def search_tables(report: SearchReport) -> Tables:
    return {
        "per_day": (
            ["day", "searches", "zero results", "searches with a click"],
            [[d.day, d.searches, d.zero_results, d.clicked_searches] for d in report.days],
        ),
        "top_queries": (QUERY_HEADERS, [_query_row(q) for q in report.top]),
        "zero_results": (
            [
                "query",
                "example (redacted)",
                "searches finding nothing",
                "searches",
                "last seen",
                "language",
            ],
            [
                [q.query, q.example, q.zero_results, q.searches, q.last_zero_at, q.language]
                for q in report.zero
            ],
        ),
        "no_clicks": (
            [
                "query",
                "example (redacted)",
                "searches finding articles",
                "searches with a click",
                "click-through rate",
                "last seen",
                "language",
            ],
            [
                [
                    q.query,
                    q.example,
                    q.with_results,
                    q.clicked_searches,
                    q.results_ctr,
                    q.last_seen,
                    q.language,
                ]
                for q in report.no_click
            ],
        ),
    }


def query_tables(detail: QueryDetail) -> Tables:
    return {
        "per_day": (
            ["day", "searches", "zero results", "searches with a click"],
            [[d.day, d.searches, d.zero_results, d.clicked_searches] for d in detail.days],
        ),
        "wordings": (["wording (redacted)", "searches"], [list(w) for w in detail.wordings]),
        "opened": (["article", "clicks"], [list(o) for o in detail.opened]),
    }


ARTICLE_HEADERS = [
    "article",
    "title",
    "views",
    "votes",
    "helpful",
    "helpful share",
    "helpful at least (95% confidence)",
    "too few votes",
    "search clicks",
    *(f"no: {label}" for label in NO_REASONS.values()),
]


def _article_row(a: ArticleStats) -> Row:
    return [
        a.path,
        a.title,
        a.views,
        a.votes,
        a.helpful,
        a.helpful_share,
        a.wilson,
        a.too_few_votes,
        a.search_clicks,
        *(a.reasons.get(code, 0) for code in NO_REASONS),
    ]


def _comment_rows(comments: list[Comment]) -> list[Row]:
    return [[c.path, c.reason_label, c.comment, c.at] for c in comments]


COMMENT_HEADERS = ["article", "reason", "comment", "when"]


def article_tables(report: ArticleReport) -> Tables:
    return {
        "articles": (ARTICLE_HEADERS, [_article_row(a) for a in report.articles]),
        "comments": (COMMENT_HEADERS, _comment_rows(report.comments)),
    }


def article_detail_tables(detail: ArticleDetail) -> Tables:
    return {
        "views": (["day", "views"], [[v.day, v.views] for v in detail.views_by_day]),
        "reasons": (
            ["reason", "votes"],
            [[label, detail.stats.reasons.get(code, 0)] for code, label in NO_REASONS.items()],
        ),
        "comments": (COMMENT_HEADERS, _comment_rows(detail.comments)),
        "searches": (["query", "clicks"], [list(s) for s in detail.searches]),
    }


def returns_tables(report: ReturnsReport, labels: dict[str, str]) -> Tables:
    reasons = report.reasons

    def returned(rows: Iterable[Returned], first: list[str]) -> Table:
        headers = [
            *first,
            "items returned",
            "of those, exchanged",
            *(labels.get(code, code) for code in reasons),
            "items sold",
            "of those, returned",
            "return rate",
        ]
        body: list[Row] = [
            [
                *([r.key, r.name] if len(first) == 2 else [r.key]),
                r.units,
                r.exchanged,
                *(r.by_reason.get(code, 0) for code in reasons),
                r.sold,
                r.sold_returned,
                r.return_rate,
            ]
            for r in rows
        ]
        return headers, body

    return {
        "by_category": returned(report.by_category, ["category"]),
        "by_sku": returned(report.by_sku, ["sku", "item"]),
        "deflections": (
            ["reason", "article", "shown", "solved", "continued", "solved share"],
            [
                [
                    labels.get(d.reason, d.reason),
                    d.article_path,
                    d.shown,
                    d.solved,
                    d.continued,
                    d.solved_share,
                ]
                for d in report.deflections
            ],
        ),
        "coverage": (
            [
                "reason",
                "items returned",
                "of those, exchanged",
                "frequent",
                "covered",
                "articles",
                "shown",
                "solved",
            ],
            [
                [
                    c.label,
                    c.units,
                    c.exchanged,
                    c.frequent,
                    c.covered,
                    " ".join(c.articles),
                    c.shown,
                    c.solved,
                ]
                for c in report.coverage
            ],
        ),
    }


def gap_tables(queue: Queue, suggestions: list[Suggestion]) -> Tables:
    return {
        "gaps": (
            [
                "rank",
                "kind",
                "key",
                "title",
                "status",
                "score",
                "volume",
                "how bad",
                "recency",
                "last seen",
                "why",
                "note",
                "closed?",
                "language",
            ],
            [
                [
                    rank,
                    KIND_LABELS[g.kind],
                    g.key,
                    g.headline,
                    STATUS_LABELS[g.status],
                    g.score,
                    g.volume,
                    g.badness,
                    g.recency,
                    g.last_seen,
                    f"{g.volume_text}; {g.badness_text}; {g.recency_text}",
                    g.note,
                    g.outcome.text if g.outcome else "",
                    g.language,
                ]
                for rank, g in enumerate(queue.gaps, start=1)
            ],
        ),
        "synonyms": (
            [
                "searched (found nothing)",
                "then searched",
                "times",
                "last seen",
                "synonyms.yml line",
                "file",
                "language",
            ],
            [
                [
                    s.row.zero_query,
                    s.row.followed_by,
                    s.row.count,
                    s.row.last_seen,
                    s.synonyms_line,
                    f"content/{s.synonyms_file}",
                    s.row.language,
                ]
                for s in suggestions
            ],
        ),
    }
