"""Help center pages. Thin: look things up, call a service, render."""

import base64

from flask import (
    Response,
    abort,
    current_app,
    g,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue

from app.analytics.counters import count_article_view
from app.caching import personal, shared
from app.config import LANGUAGES
from app.content import Article, Library
from app.content.library import article_path
from app.extensions import csrf_exempt, limiter
from app.help import bp
from app.help.article_page import article_page, feedback_box, shared_page
from app.help.forms import VoteForm
from app.help.votes import popular_articles, record_vote, visitor_vote
from app.i18n import arrival_language, current_language
from app.security import same_origin_only
from app.services import services
from app.visitors import current_visitor_id, ensure_visitor_id, visitor_key


def library() -> Library:
    """The help center in the page's language."""
    return services().library_in(current_language())


@bp.get("/")
def home() -> ResponseReturnValue:
    language = arrival_language()
    if language is not None:
        query = request.query_string.decode("latin-1")  # a campaign's utm_... kept
        response = redirect(f"{request.script_root}/{language}/" + (f"?{query}" if query else ""))
    else:
        lib = library()
        response = make_response(
            render_template(
                "help/home.html",
                categories=lib.categories,
                popular=popular_articles(lib, 6),
                recent=lib.recently_updated(6),
            )
        )
    response.vary.update(("Accept-Language", "Sec-Fetch-Site", "Referer"))
    return response


@bp.get("/categories/<slug>")
def category(slug: str) -> ResponseReturnValue:
    found = library().category(slug)
    if found is None or not found.articles:
        abort(404)
    g.page_languages = {
        code: True
        for code in LANGUAGES
        if (section := services().library_in(code).category(slug)) and section.articles
    }
    return render_template("help/category.html", category=found)


def _article(path: str) -> Article:
    found = library().get(path)
    if found is None:
        abort(404)
    return found


@bp.get("/articles/<path:path>")
def article(path: str) -> ResponseReturnValue:
    if library().get(path) is None and library().get(article_path(path)) is not None:
        # An address as the file is named ("Store Support/Track-your-order"), from a link
        # made before paths were slugged: the article's own address.
        return redirect(url_for("help.article", path=article_path(path)), code=301)
    return shared(*shared_page(library(), _article(path)))


# A transparent 1x1 GIF: the image every article page loads to be counted as read.
SEEN_GIF = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")


@bp.get("/articles/<path:path>/seen")
def article_seen(path: str) -> ResponseReturnValue:
    """Count a view. The article page is served from shared caches, so it counts itself
    with this image, which is never kept (it works without JavaScript too)."""
    _article(path)
    count_article_view(path, current_language())
    response = personal(SEEN_GIF)
    response.mimetype = "image/gif"
    return response


def _visitors_copy(found: Article, form: VoteForm | None = None, status: int = 200) -> Response:
    """The article with this visitor's own feedback box: their vote, or the form they sent
    with its mistakes; the box alone for an enhanced (fetch) request."""
    vote = visitor_vote(found.path, current_visitor_id())
    feedback = feedback_box(found, vote, form)
    if request.headers.get("X-Requested-With") == "fetch":
        return personal(feedback, status)
    return personal(article_page(library(), found, feedback), status)


@bp.get("/articles/<path:path>/feedback")
def feedback(path: str) -> ResponseReturnValue:
    """Where a vote sent without JavaScript lands: the visitor's answer, and after a "No"
    the question of what went wrong."""
    return _visitors_copy(_article(path))


@bp.post("/articles/<path:path>/vote")
@csrf_exempt  # anyone may vote, from a page a shared cache serves: see same_origin_only
@limiter.limit(lambda: current_app.config["VOTE_RATE_LIMIT"], key_func=visitor_key)
# A visitor who drops the cookie is a new visitor: the address limits those too.
@limiter.limit(lambda: current_app.config["VOTE_ADDRESS_RATE_LIMIT"])
def vote(path: str) -> ResponseReturnValue:
    same_origin_only()
    found = _article(path)
    form = VoteForm()
    if not form.validate_on_submit():
        return _visitors_copy(found, form, status=400)
    record_vote(
        path,
        ensure_visitor_id(),
        helpful=form.helpful.data == "yes",
        reason=form.reason.data,
        comment=form.comment.data,
        language=current_language(),
    )
    if request.headers.get("X-Requested-With") == "fetch":
        return _visitors_copy(found)
    return redirect(url_for("help.feedback", path=path, _anchor="feedback"), code=303)


@bp.get("/sitemap.xml")
def sitemap() -> ResponseReturnValue:
    xml = render_template("help/sitemap.xml", library=library())
    return Response(xml, mimetype="application/xml")
