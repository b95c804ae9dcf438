"""Editor insights: the content-gap queue and the search, article and returns reports.
Thin: read the dates, the language and the filters, call app.analytics, render the page or
one table as CSV."""

from collections.abc import Callable
from contextlib import suppress
from pathlib import Path
from typing import Any

from flask import (
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from werkzeug.wrappers import Response as BaseResponse

from app.analytics import article_report as articles
from app.analytics import gap_kinds, gaps, reports, synonyms
from app.analytics.csvout import to_csv
from app.analytics.dates import DateRange, last_days, parse_range
from app.analytics.gap_outcomes import Sources, sources_of
from app.analytics.redact import normalise, redact
from app.analytics.returns_report import returns_report
from app.analytics.tables import (
    Tables,
    article_detail_tables,
    article_tables,
    gap_tables,
    query_tables,
    returns_tables,
    search_tables,
)
from app.config import DEFAULT_LANGUAGE, LANGUAGES
from app.models.types import utcnow
from app.models.votes import NO_REASONS
from app.search import SearchUnavailable
from app.services import services
from app.staff import bp
from app.staff.access import EDITORS, role_required, staff_user
from app.staff.forms import ActionForm, GapForm


def _range() -> tuple[DateRange, str | None]:
    return parse_range(request.args.get("start"), request.args.get("end"), utcnow().date())


def _language() -> str | None:
    """The page language the reports are about (`?lang=de`), or None for every language."""
    code = request.args.get("lang", "")
    return code if code in LANGUAGES else None


def _filters(rng: DateRange) -> dict[str, str]:
    """The dates and the language, as the query arguments every insights link carries."""
    language = _language()
    return {**rng.as_args(), **({"lang": language} if language else {})}


def _wants_csv() -> bool:
    return request.args.get("format") == "csv"


def _limit() -> int:
    return reports.CSV_ROWS if _wants_csv() else reports.PAGE_ROWS


def this_url(**changes: str) -> str:
    """This page's URL with some query arguments changed (a query argument named like a part
    of the path, ?path=, never replaces it)."""
    values: dict[str, Any] = {**request.args.to_dict(), **changes, **(request.view_args or {})}
    assert request.endpoint is not None  # a view's request matched one
    return url_for(request.endpoint, **values)


def csv_url(table: str) -> str:
    """This page's URL asking for one of its tables as CSV."""
    return this_url(format="csv", table=table)


def _page(
    template: str,
    tables: Callable[[], Tables],
    rng: DateRange,
    problem: str | None,
    **context: object,
) -> ResponseReturnValue:
    """The page, or with ?format=csv&table=NAME that table as a CSV download."""
    if _wants_csv():
        name = request.args.get("table", "")
        found = tables()
        if name not in found:
            abort(404)
        headers, rows = found[name]
        language = _language()
        which = f"-{language}" if language else ""
        filename = f"{name}{which}-{rng.start.isoformat()}-to-{rng.end.isoformat()}.csv"
        return Response(
            to_csv(headers, rows),
            mimetype="text/csv",
            headers={"Content-Disposition": f'attachment; filename="{filename}"'},
        )
    today = utcnow().date()
    return render_template(
        template,
        rng=rng,
        range_problem=problem,
        presets={days: last_days(today, days) for days in (7, 30, 90)},
        csv_url=csv_url,
        this_url=this_url,
        filters=_filters(rng),
        language=_language(),
        languages=LANGUAGES,
        **context,
    )


def _sources() -> Sources:
    return sources_of(services(), current_app.config["INSIGHTS_NO_CLICK_MIN_SEARCHES"])


@bp.get("/insights")
@role_required(*EDITORS)
def insights() -> ResponseReturnValue:
    rng, problem = _range()
    status = request.args.get("status", "")
    sources = _sources()
    limit = None if _wants_csv() else reports.PAGE_ROWS
    language = _language()
    queue = gaps.build_queue(rng, sources, status, limit, language)
    content_dir = Path(current_app.config["CONTENT_DIR"])
    every = request.args.get("suggestions") == "all" or _wants_csv()
    suggestions = synonyms.described(
        synonyms.open_suggestions(min_count=1 if every else 2, language=language),
        content_dir,
        sources,
    )
    accepted = synonyms.described(
        synonyms.accepted_suggestions(language=language), content_dir, sources
    )
    return _page(
        "staff/insights/gaps.html",
        lambda: gap_tables(queue, suggestions),
        rng,
        problem,
        queue=queue,
        suggestions=suggestions,
        accepted=accepted,
        hidden_once=0 if every else synonyms.seen_once(language),
        suggestion_counts=synonyms.suggestion_counts(language),
        kinds=gap_kinds.KIND_LABELS,
        statuses=gaps.STATUS_LABELS,
        weights=gap_kinds.WEIGHTS,
        half_life=gap_kinds.HALF_LIFE_DAYS,
        note_max=gaps.NOTE_MAX,
        visit_minutes=int(synonyms.VISIT.total_seconds() // 60),
    )


def _back_to_queue(anchor: str) -> BaseResponse:
    kept = ("start", "end", "lang", "status", "suggestions")
    back: dict[str, Any] = {k: v for k, v in request.args.items() if k in kept}
    return redirect(url_for("staff.insights", **back, _anchor=anchor), code=303)


@bp.post("/insights/gaps")
@role_required(*EDITORS)
def update_gap() -> ResponseReturnValue:
    form = GapForm()
    if not form.validate_on_submit():
        problems = "; ".join(e for errors in form.errors.values() for e in errors)
        flash(f"Nothing was saved: {problems}")
        return _back_to_queue("queue")
    gaps.update_gap(
        form.kind.data or "",  # validated: one of the kinds
        form.key.data or "",  # validated: required
        form.status.data,
        form.note.data or "",
        staff_user().label,
        utcnow(),
        _sources(),
        form.language.data or DEFAULT_LANGUAGE,
    )
    title = request.form.get("title") or form.key.data
    flash(f"“{title}” is now {gaps.STATUS_LABELS[form.status.data].lower()}.")
    return _back_to_queue("queue")


@bp.post("/insights/synonyms/<int:suggestion_id>")
@role_required(*EDITORS)
def update_synonym(suggestion_id: int) -> ResponseReturnValue:
    status = request.form.get("status", "")
    if not ActionForm().validate_on_submit() or status not in ("accepted", "dismissed", "open"):
        abort(400)
    row = synonyms.set_status(suggestion_id, status)
    if row is None:
        abort(404)
    if status == "accepted":
        flash(f"Accepted “{row.zero_query}” → “{row.followed_by}”: its line is under Accepted.")
        return _back_to_queue("accepted")
    flash(f"“{row.zero_query}” → “{row.followed_by}”: {status}.")
    return _back_to_queue("synonyms")


@bp.get("/insights/searches")
@role_required(*EDITORS)
def insights_searches() -> ResponseReturnValue:
    rng, problem = _range()
    wanted = {"top_queries": ("top",), "zero_results": ("zero",), "no_clicks": ("no_click",)}
    lists = wanted.get(request.args.get("table", ""), ()) if _wants_csv() else None
    configured = current_app.config["INSIGHTS_NO_CLICK_MIN_SEARCHES"]
    language = _language()
    min_searches = reports.no_click_threshold(rng, configured, language)
    report = reports.search_report(
        rng, _limit(), lists or reports.QUERY_LISTS, min_searches, language
    )
    return _page(
        "staff/insights/searches.html",
        lambda: search_tables(report),
        rng,
        problem,
        report=report,
        min_searches=min_searches,
        max_ctr=reports.NO_CLICK_MAX_CTR,
    )


@bp.get("/insights/searches/query")
@role_required(*EDITORS)
def insights_query() -> ResponseReturnValue:
    rng, problem = _range()
    # Stored queries are redacted and normalized: look up what was typed the same way.
    query = normalise(redact(request.args.get("q", "")))
    if not query:
        dates: dict[str, Any] = _filters(rng)  # (url_for's values)
        return redirect(url_for("staff.insights_searches", **dates))
    detail = reports.query_detail(rng, query, _limit(), _language())
    sources = _sources()
    now_finds, found_in = None, DEFAULT_LANGUAGE
    with suppress(SearchUnavailable):  # the page says search is unavailable
        now_finds, found_in = sources.find(query, _language() or DEFAULT_LANGUAGE)
    return _page(
        "staff/insights/query.html",
        lambda: query_tables(detail),
        rng,
        problem,
        detail=detail,
        now_finds=now_finds,
        found_in=found_in,
        followed_by=synonyms.followed_by([query], _language())[query],
        library=sources.library,
    )


@bp.get("/insights/articles")
@role_required(*EDITORS)
def insights_articles() -> ResponseReturnValue:
    rng, problem = _range()
    sort = request.args.get("sort", "views")
    descending = request.args.get("dir", "desc") != "asc"
    library = services().library
    text, category = request.args.get("q", "")[:200], request.args.get("category", "")
    report = articles.filter_articles(
        articles.article_report(rng, library, sort, descending, _language()), text, category
    )
    return _page(
        "staff/insights/articles.html",
        lambda: article_tables(report),
        rng,
        problem,
        report=report,
        reasons=NO_REASONS,
        min_votes=articles.MIN_VOTES,
        text=text,
        category=category,
        categories=library.categories,
    )


@bp.get("/insights/articles/<path:path>")
@role_required(*EDITORS)
def insights_article(path: str) -> ResponseReturnValue:
    rng, problem = _range()
    library = services().library
    detail = articles.article_detail(rng, library, path, _limit(), _language())
    if not detail.stats.published and not (detail.stats.votes or detail.stats.views):
        abort(404)
    return _page(
        "staff/insights/article.html",
        lambda: article_detail_tables(detail),
        rng,
        problem,
        detail=detail,
        reasons=NO_REASONS,
        min_votes=articles.MIN_VOTES,
    )


@bp.get("/insights/returns")
@role_required(*EDITORS)
def insights_returns() -> ResponseReturnValue:
    rng, problem = _range()
    policy = services().returns_policy
    language = _language()
    library = services().library_in(language or DEFAULT_LANGUAGE)
    report = returns_report(rng, policy, library, language)
    labels = {code: reason.label for code, reason in policy.reasons.items()} if policy else {}
    return _page(
        "staff/insights/returns.html",
        lambda: returns_tables(report, labels),
        rng,
        problem,
        report=report,
        labels=labels,
        library=library,
    )
