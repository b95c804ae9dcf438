"""Help center pages. Thin: look things up, call a service, render."""

from flask import (
    Response,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    url_for,
)

from app.analytics.counters import count_article_view
from app.content import Library
from app.content.library import article_path
from app.extensions import limiter
from app.help import bp
from app.help.article_page import ArticlePages, feedback_box
from app.help.forms import VoteForm
from app.help.votes import popular_articles, record_vote, visitor_vote
from app.services import services
from app.visitors import current_visitor_id, ensure_visitor_id, keep_session, visitor_key


def library() -> Library:
    return services().library


def article_pages() -> ArticlePages:
    return services().article_pages


@bp.get("/")
def home():
    lib = library()
    return render_template(
        "help/home.html",
        categories=lib.categories,
        popular=popular_articles(lib, 6),
        recent=lib.recently_updated(6),
    )


@bp.get("/categories/<slug>")
def category(slug: str):
    found = library().category(slug)
    if found is None or not found.articles:
        abort(404)
    return render_template("help/category.html", category=found)


def _render_article(path: str, form: VoteForm | None = None, status: int = 200):
    article = library().get(path)
    if article is None:
        abort(404)
    vote = visitor_vote(path, current_visitor_id())
    keep_session()
    fetch = request.headers.get("X-Requested-With") == "fetch"
    if vote is None and form is None and not fetch:
        return article_pages().page(article), status
    feedback = feedback_box(article, vote, form)
    if fetch:
        return feedback, status
    return article_pages().page(article, feedback), status


@bp.get("/articles/<path:path>")
def article(path: str):
    if library().get(path) is None and library().get(article_path(path)) is not None:
        # An address as the file is named ("Store Support/Track-your-order"), from a link
        # made before paths were slugged: the article's own address.
        return redirect(url_for("help.article", path=article_path(path)), code=301)
    page = _render_article(path)
    count_article_view(path)
    return page


@bp.post("/articles/<path:path>/vote")
@limiter.limit(lambda: current_app.config["VOTE_RATE_LIMIT"], key_func=visitor_key)
# A visitor who drops the cookie is a new visitor: the address limits those too.
@limiter.limit(lambda: current_app.config["VOTE_ADDRESS_RATE_LIMIT"])
def vote(path: str):
    if library().get(path) is None:
        abort(404)
    form = VoteForm()
    if not form.validate_on_submit():
        return _render_article(path, form=form, status=400)
    record_vote(
        path,
        ensure_visitor_id(),
        helpful=form.helpful.data == "yes",
        reason=form.reason.data,
        comment=form.comment.data,
    )
    if request.headers.get("X-Requested-With") == "fetch":
        return _render_article(path)
    return redirect(url_for("help.article", path=path, _anchor="feedback"), code=303)


@bp.get("/sitemap.xml")
def sitemap():
    xml = render_template("help/sitemap.xml", library=library())
    return Response(xml, mimetype="application/xml")
