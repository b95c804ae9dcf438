"""Search pages: the shareable results page, the JSON endpoint for instant search, and the
result-link redirect that records which result was opened."""

from urllib.parse import urlencode

from flask import abort, current_app, redirect, render_template, request, url_for

from app.analytics.searches import click_token, read_click_token, record_click, record_search
from app.content import ARTICLE_TYPES
from app.extensions import limiter
from app.help import bp
from app.help.votes import popular_articles
from app.search import SearchEngine, SearchResults, SearchUnavailable
from app.services import services
from app.visitors import ensure_visitor_id

UNAVAILABLE = "Search is briefly unavailable. You can still browse the help articles by topic."
QUERY_SAFE = "!$'()*,/:;?@"  # left as they are in a query string, as url_for does


def engine() -> SearchEngine:
    return services().search


def _int_arg(name: str, default: int, low: int, high: int) -> int:
    try:
        return min(high, max(low, int(request.args.get(name, default))))
    except ValueError:
        return default


def _filters() -> tuple[str | None, str | None]:
    library = services().library
    category = request.args.get("category") or None
    kind = request.args.get("type") or None
    return (
        category if category and library.category(category) else None,
        kind if kind in ARTICLE_TYPES else None,
    )


def open_urls(results: SearchResults, token: str | None) -> dict[str, str]:
    """The tracked link to each result: it records the click, then redirects to the article.
    The links differ only in their query, so the route is built once."""
    base = url_for("help.open_result")
    carried = {"e": token} if token else {"q": results.query}
    return {
        hit.path: base
        + "?"
        + urlencode({"path": hit.path, "pos": hit.position, **carried}, safe=QUERY_SAFE)
        for hit in results.hits
    }


@bp.get("/search")
@limiter.limit("120 per minute")
def search():
    text = request.args.get("q", "").strip()
    category, kind = _filters()
    page = _int_arg("page", 1, 1, 100)
    library = services().library
    context = {
        "query": text,
        "category": category,
        "kind": kind,
        "categories": {c.slug: c.title for c in library.categories},
    }
    if not text:
        return render_template("help/search.html", results=None, **context)
    try:
        results = engine().search(text, category=category, kind=kind, page=page)
    except SearchUnavailable:
        return render_template("help/search.html", unavailable=UNAVAILABLE, **context), 503
    token = None
    if page == 1 and not (category or kind):
        event = record_search(text, results.total, "page", ensure_visitor_id())
        token = click_token(current_app.secret_key, event)
    nearby: tuple[str, list] = ("", [])
    if not results.total:
        nearby = _nearby(library, text, category, kind)
    return render_template(
        "help/search.html",
        results=results,
        links=open_urls(results, token),
        nearby=nearby,
        popular=popular_articles(library, 5) if not results.total and not nearby[1] else [],
        **context,
    )


def _nearby(library, text: str, category: str | None, kind: str | None) -> tuple[str, list]:
    """For a filtered search that found nothing: (heading, articles) of what the same words
    find in every section, else of the chosen section's articles."""
    if not (category or kind):
        return "", []
    found = [library.get(hit.path) for hit in engine().search(text, per_page=5).hits]
    if any(found):
        return "Found in other sections", [article for article in found if article]
    section = library.category(category) if category else None
    return (f"More in {section.title}", section.articles[:5]) if section else ("", [])


@bp.get("/api/search")
@limiter.limit("240 per minute")
def api_search():
    text = request.args.get("q", "").strip()
    limit = _int_arg("limit", 10, 1, 50)
    category, kind = _filters()
    try:
        results = engine().search(text, category=category, kind=kind, per_page=limit)
    except SearchUnavailable:
        return {"error": UNAVAILABLE}, 503
    token = None
    # Instant search asks with instant=1 while the customer types; it repeats the query
    # without it once typing settles, and only that one is recorded.
    if text and request.args.get("instant") != "1":
        event = record_search(text, results.total, "api", ensure_visitor_id())
        token = click_token(current_app.secret_key, event)
    links = open_urls(results, token)
    return {
        "query": text,
        "total": results.total,
        "suggestion": results.suggestion,
        "results": [
            {
                "path": hit.path,
                "title": hit.title,
                "url": url_for("help.article", path=hit.path),
                "open_url": links[hit.path],
                "summary": hit.summary,
                "snippet": str(hit.snippet),
                "category": hit.category,
                "type": hit.type,
            }
            for hit in results.hits
        ],
    }


@bp.get("/search/open")
@limiter.limit("240 per minute")
def open_result():
    """Record the click (and the search, when it came from instant results) and go on."""
    path = request.args.get("path", "")
    if services().library.get(path) is None:
        abort(404)
    position = _int_arg("pos", 0, 0, 1000)
    event = read_click_token(current_app.secret_key, request.args.get("e", ""))
    query = request.args.get("q", "").strip()
    if event is None and query:
        try:
            total = engine().search(query, per_page=1).total
        except SearchUnavailable:
            total = 0
        event = record_search(query, total, "instant", ensure_visitor_id())
    if event is not None and position:
        record_click(event, path, position)
    return redirect(url_for("help.article", path=path), code=303)
