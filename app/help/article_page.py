"""The article page. It is the same for every visitor (no form token, no "you voted"), so
a reverse proxy or CDN may keep it: it goes out with an ETag and `Cache-Control: public`.
What a visitor did (their vote, the reason form after a "No") is shown on their own copy,
the feedback page, which is never shared."""

from flask import current_app, g, render_template, request
from markupsafe import Markup
from werkzeug.http import generate_etag

from app.config import LANGUAGES
from app.content import Article, Library
from app.help.forms import VoteForm
from app.help.seo import article_jsonld
from app.help.votes import helpful_tally
from app.i18n import current_language
from app.models.votes import NO_REASONS, Vote
from app.returns.policy import Policy
from app.search import SearchUnavailable
from app.services import services
from app.templating import written_in

SECTION_SHOWN = 10  # articles of the same category listed beside an article


def related_articles(lib: Library, article: Article, limit: int = 5) -> list[Article]:
    """The editors' related articles first, then the most similar ones from the index of
    the article's language."""
    related = lib.related_to(article)
    engine = services().search_in(article.language)
    try:
        similar = engine.similar(article.path, limit) if engine else []
    except SearchUnavailable:
        similar = []
    for path in similar:
        candidate = lib.get(path)
        if candidate and candidate is not article and candidate not in related:
            related.append(candidate)
    return related[:limit]


def feedback_box(
    article: Article, vote: Vote | None = None, form: VoteForm | None = None
) -> Markup:
    """ "Was this article helpful?", with how many found it so: as everyone sees it, or with
    this visitor's vote, or with the form they sent."""
    form = form or VoteForm(formdata=None, reason=vote.reason if vote else None)
    return Markup(
        render_template(
            "help/_feedback.html",
            article=article,
            vote=vote,
            form=form,
            reasons=NO_REASONS,
            tally=helpful_tally(article.path),
        )
    )


def about_returns(lib: Library, article: Article, policy: Policy | None) -> bool:
    """Whether the article belongs with a "Start a return" button: the return policy offers
    it for a reason, shows the policy, or shares a category with an article it offers."""
    if policy is None:
        return False
    offered = {path for reason in policy.reasons.values() for path in reason.all_articles}
    categories = {lib.articles[path].category for path in offered if path in lib.articles}
    return (
        article.path in offered
        or article.embed == "return-policy"
        or (article.category in categories)
    )


def policy_facts(article: Article, policy: Policy | None) -> Markup | None:
    """The return policy's facts for an article that shows them, in the article's language
    (an article not translated yet shows them in English, like its own words)."""
    if article.embed != "return-policy" or policy is None:
        return None
    with written_in(article.language):
        facts = render_template(
            "help/embeds/return_policy.html", policy=policy.in_language(article.language)
        )
    return Markup(facts)


def article_page(lib: Library, article: Article, feedback: Markup | None = None) -> str:
    """The page; `feedback` is a visitor's own box, else the one everyone sees. Its other
    languages are those that have the article (one written in a language alone has none);
    `hreflang` names those it is written in (see app.i18n.alternates)."""
    g.page_languages = {
        code: there.language == code
        for code in LANGUAGES
        if (there := services().library_in(code).get(article.path)) is not None
    }
    category = lib.category_of(article)
    policy = services().returns_policy
    site_name = current_app.config["SITE_NAME_IN"][current_language()]
    return render_template(
        "help/article.html",
        article=article,
        category=category,
        section=category.articles[:SECTION_SHOWN],
        start_a_return=about_returns(lib, article, policy),
        related=related_articles(lib, article),
        jsonld=article_jsonld(article, category, site_name),
        policy_facts=policy_facts(article, policy),
        feedback=feedback if feedback is not None else feedback_box(article),
        personal=feedback is not None,
    )


def shared_page(lib: Library, article: Article) -> tuple[str, str]:
    """The page every visitor is sent, and its ETag, made at most once per ARTICLE_MAX_AGE
    for each site address (its links name it): no longer than a shared cache may keep it
    anyway, so a new vote count, an edited article or a rebuilt index shows as soon as it
    would there."""
    kept, lock = services().pages, services().pages_lock
    key = (request.url_root, article.path)  # the site's address and the page's language
    with lock:
        page = kept.get(key)
    if page is None:
        html = article_page(lib, article)
        page = (html, generate_etag(html.encode()))
        with lock:
            kept[key] = page
    return page
