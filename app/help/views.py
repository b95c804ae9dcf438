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

from app.analytics.pageviews import record_article_view
from app.content import Library
from app.extensions import limiter
from app.help import bp
from app.help.forms import VoteForm
from app.help.seo import article_jsonld
from app.help.votes import popular_articles, record_vote, visitor_vote
from app.models.votes import NO_REASONS
from app.search import SearchUnavailable
from app.visitors import ensure_visitor_id, visitor_or_address


def library() -> Library:
    return current_app.extensions["library"]


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
    lib = library()
    article = lib.get(path)
    if article is None:
        abort(404)
    vote = visitor_vote(path, ensure_visitor_id())
    form = form or VoteForm(reason=vote.reason if vote else None)
    context = {"article": article, "vote": vote, "form": form, "reasons": NO_REASONS}
    if request.headers.get("X-Requested-With") == "fetch":
        return render_template("help/_feedback.html", **context), status
    category = lib.category_of(article)
    return (
        render_template(
            "help/article.html",
            category=category,
            related=related_articles(lib, article),
            jsonld=article_jsonld(article, category, current_app.config["SITE_NAME"]),
            policy=current_app.extensions.get("returns_policy"),
            **context,
        ),
        status,
    )


def related_articles(lib: Library, article, limit: int = 5) -> list:
    """The editors' related articles first, then the most similar ones from the index."""
    related = lib.related_to(article)
    try:
        similar = current_app.extensions["search"].similar(article.path, limit)
    except SearchUnavailable:
        similar = []
    for path in similar:
        candidate = lib.get(path)
        if candidate and candidate is not article and candidate not in related:
            related.append(candidate)
    return related[:limit]


@bp.get("/articles/<path:path>")
def article(path: str):
    page = _render_article(path)
    record_article_view(path)
    return page


@bp.post("/articles/<path:path>/vote")
@limiter.limit(lambda: current_app.config["VOTE_RATE_LIMIT"], key_func=visitor_or_address)
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
