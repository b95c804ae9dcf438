"""Search pages: the shareable results page, the JSON endpoint for instant search, and the
result-link redirect that records which result was opened."""

from dataclasses import dataclass, field, replace
from urllib.parse import urlencode

from flask import abort, current_app, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from markupsafe import Markup, escape

from app.analytics.searches import (
    click_token,
    read_click_token,
    record_click,
    record_found,
    record_search,
)
from app.content import ARTICLE_TYPES, Article, Library
from app.extensions import limiter
from app.help import bp
from app.help.votes import popular_articles
from app.i18n import N_, current_language, section_name
from app.search import SearchEngine, SearchResults, SearchUnavailable
from app.search.engine import Hit, search_for_readers
from app.search.nearby import named_section
from app.services import services
from app.visitors import ensure_visitor_id

UNAVAILABLE = N_("Search is briefly unavailable. You can still browse the help articles by topic.")
QUERY_SAFE = "!$'()*,/:;?@"  # left as they are in a query string, as url_for does
LAST_PAGE = 100  # of results: further pages are not offered (refine the search instead)
PAGES_AROUND = 2  # page links either side of the current one


def engine() -> SearchEngine:
    """The engine over the articles of the page's language, else the default language's."""
    return services().search_in(current_language()) or services().search


def find(
    text: str,
    category: str | None = None,
    kind: str | None = None,
    page: int = 1,
    per_page: int = 10,
) -> tuple[SearchResults, SearchEngine]:
    """A search as the page's readers search (see search_for_readers): the results, and
    the engine that found them."""
    own = services().search_in(current_language())
    return search_for_readers(own, services().search, text, category, kind, page, per_page)


def shown_hits(results: SearchResults, lib: Library) -> list[Hit]:
    """The results as the page's reader sees them: a hit the default language's index found
    for an article that has a translation shows the translation (its title, its summary
    for a snippet), which is what the link opens."""
    shown = []
    for hit in results.hits:
        article = lib.get(hit.path)
        if article is not None and article.language != hit.language:
            hit = replace(
                hit,
                title=article.title,
                summary=article.summary,
                snippet=Markup(escape(article.summary)),
                language=article.language,
            )
        shown.append(hit)
    return shown


def library() -> Library:
    return services().library_in(current_language())


def _int_arg(name: str, default: int, low: int, high: int) -> int:
    try:
        return min(high, max(low, int(request.args.get(name, default))))
    except ValueError:
        return default


def _filters() -> tuple[str | None, str | None]:
    category = request.args.get("category") or None
    kind = request.args.get("type") or None
    return (
        category if category and library().category(category) else None,
        kind if kind in ARTICLE_TYPES else None,
    )


def page_links(page: int, pages: int) -> list[int | None]:
    """The page numbers to link under the results: the first and the last, and a few either
    side of this one; None where numbers are left out (shown as a gap)."""
    last = min(pages, LAST_PAGE)
    shown = {1, last, *range(max(1, page - PAGES_AROUND), min(last, page + PAGES_AROUND) + 1)}
    links: list[int | None] = []
    for number in sorted(shown):
        if links and number - (links[-1] or 0) > 1:
            links.append(None)
        links.append(number)
    return links


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
def search() -> ResponseReturnValue:
    text = request.args.get("q", "").strip()
    category, kind = _filters()
    page = _int_arg("page", 1, 1, LAST_PAGE)
    lib = library()
    context = {
        "query": text,
        "category": category,
        "kind": kind,
        "categories": {c.slug: c for c in lib.categories},
    }
    if not text:
        return render_template("help/search.html", results=None, **context)
    try:
        results, found_by = find(text, category=category, kind=kind, page=page)
    except SearchUnavailable:
        return render_template("help/search.html", unavailable=gettext(UNAVAILABLE), **context), 503
    token = None
    if page == 1 and not (category or kind):
        language = current_language()
        event = record_found(text, results, found_by, "page", ensure_visitor_id(), language)
        token = click_token(current_app.secret_key, event)
    nearby = _nearby(lib, text, category, kind) if not results.total else Nearby()
    popular: list[Article] = []
    if not results.total and not nearby.replaces_popular:
        popular = [a for a in popular_articles(lib, 5) if a not in nearby.articles]
    hits = shown_hits(results, lib)
    return render_template(
        "help/search.html",
        results=results,
        hits=hits,
        in_english=any(hit.language != lib.language for hit in hits),
        links=open_urls(results, token),
        page_links=page_links(results.page, results.pages),
        last_page=min(results.pages, LAST_PAGE),
        nearby=nearby,
        popular=popular,
        **context,
    )


@dataclass(frozen=True)
class Nearby:
    """What a search that found nothing offers, under a heading that says what it is."""

    heading: str = ""
    articles: list[Article] = field(default_factory=list)
    searched: str | None = None  # the words searched for instead of the query's
    # Matches for the query's own words, or the section it names: popular articles add
    # nothing then. Articles with similar words may be beside the point, so they stay.
    replaces_popular: bool = False


def _nearby(library: Library, text: str, category: str | None, kind: str | None) -> Nearby:
    """For a filtered search that found nothing: what the same words find in every section,
    else the chosen section's articles. For an unfiltered one: what known words alike the
    query's find ("deliverable": "delivered", "delivery"), else the section its words name."""
    if category or kind:
        found = _articles(library, find(text, per_page=5)[0])
        if found:
            return Nearby(gettext("Found in other sections"), found, replaces_popular=True)
        return _section(library, category)
    similar = engine().nearby(text, per_page=5)
    found = _articles(library, similar)
    if similar and found:
        return Nearby(gettext("Articles with similar words"), found, searched=similar.query)
    titles = {c.slug: c.title for c in library.categories}
    return _section(library, named_section(text, titles, engine().words))


def _articles(library: Library, results: SearchResults | None) -> list[Article]:
    found = (library.get(hit.path) for hit in results.hits) if results else ()
    return [article for article in found if article]


def _section(library: Library, slug: str | None) -> Nearby:
    section = library.category(slug) if slug else None
    if section is None or not section.articles:
        return Nearby()
    more = Markup(gettext("More in %(section)s", section=section_name(section)))
    return Nearby(more, section.articles[:5], replaces_popular=True)


@bp.get("/api/search")
@limiter.limit("240 per minute")
def api_search() -> ResponseReturnValue:
    text = request.args.get("q", "").strip()
    limit = _int_arg("limit", 10, 1, 50)
    category, kind = _filters()
    try:
        results, found_by = find(text, category=category, kind=kind, per_page=limit)
    except SearchUnavailable:
        return {"error": gettext(UNAVAILABLE)}, 503
    hits = shown_hits(results, library())
    token = None
    # Instant search asks with instant=1 while the customer types; it repeats the query
    # without it once typing settles, and only that one is recorded.
    if text and request.args.get("instant") != "1":
        language = current_language()
        event = record_found(text, results, found_by, "api", ensure_visitor_id(), language)
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
                "language": hit.language,
            }
            for hit in hits
        ],
    }


@bp.get("/search/open")
@limiter.limit("240 per minute")
def open_result() -> ResponseReturnValue:
    """Record the click (and the search, when it came from instant results) and go on."""
    path = request.args.get("path", "")
    if library().get(path) is None:
        abort(404)
    position = _int_arg("pos", 0, 0, 1000)
    event = read_click_token(current_app.secret_key, request.args.get("e", ""))
    query = request.args.get("q", "").strip()
    if event is None and query:
        language = current_language()
        try:
            results, found_by = find(query, per_page=1)
        except SearchUnavailable:
            event = record_search(query, 0, "instant", ensure_visitor_id(), language=language)
        else:
            event = record_found(query, results, found_by, "instant", ensure_visitor_id(), language)
    if event is not None and position:
        record_click(event, path, position)
    return redirect(url_for("help.article", path=path), code=303)
