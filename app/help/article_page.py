"""The article page. Everything but the feedback box is the same for every visitor, and so is
the box itself for every visitor who hasn't voted, but for its form token. Both are rendered
once per article, site address and search index generation (the related articles come from
the index) and kept for the most recently read articles; a request then renders only what is
its own: the token, or the box of a visitor who voted or sent a form with a mistake."""

import math
import secrets
import time
from functools import lru_cache
from pathlib import Path

from flask import current_app, render_template, request, session
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

from app.content import Article, Library
from app.help.forms import VoteForm, form_token
from app.help.seo import article_jsonld
from app.models.votes import NO_REASONS, Vote
from app.returns.policy import Policy
from app.search import SearchUnavailable
from app.search.indexer import current_generation
from app.services import services

PAGES_KEPT = 256  # about 10-30 KB each
GENERATION_CHECK_SECONDS = 1.0  # how soon a rebuilt index changes the related articles


def related_articles(lib: Library, article: Article, limit: int = 5) -> list[Article]:
    """The editors' related articles first, then the most similar ones from the index."""
    related = lib.related_to(article)
    try:
        similar = services().search.similar(article.path, limit)
    except SearchUnavailable:
        similar = []
    for path in similar:
        candidate = lib.get(path)
        if candidate and candidate is not article and candidate not in related:
            related.append(candidate)
    return related[:limit]


def feedback_box(article: Article, vote: Vote | None = None, form: VoteForm | None = None):
    """ "Was this article helpful?" for this visitor: their vote, or the form they sent."""
    form = form or VoteForm(reason=vote.reason if vote else None)
    return Markup(
        render_template(
            "help/_feedback.html", article=article, vote=vote, form=form, reasons=NO_REASONS
        )
    )


SECTION_SHOWN = 10  # articles of the same category listed beside an article


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


def render_article_page(lib: Library, article: Article, feedback: Markup) -> str:
    category = lib.category_of(article)
    policy = services().returns_policy
    return render_template(
        "help/article.html",
        article=article,
        category=category,
        section=category.articles[:SECTION_SHOWN],
        start_a_return=about_returns(lib, article, policy),
        related=related_articles(lib, article),
        jsonld=article_jsonld(article, category, current_app.config["SITE_NAME"]),
        policy=policy,
        feedback=feedback,
    )


class ArticlePages:
    """The article pages of one library, each kept in four parts: the page up to the feedback
    box, the box of a visitor who hasn't voted up to its form token and after it, and the
    rest of the page. The parts are kept encoded, as they are sent."""

    def __init__(self, library: Library, index_dir: str | Path, capacity: int = PAGES_KEPT):
        self.library = library
        self.index_dir = Path(index_dir)
        # A marker no article can contain, where the feedback box goes.
        self.slot = Markup(f"<!--feedback-{secrets.token_hex(16)}-->")
        self._parts = lru_cache(maxsize=capacity)(self._render_parts)
        self._generation: Path | None = None
        self._checked = -math.inf

    def page(self, article: Article, feedback: Markup | None = None) -> str | bytes:
        """The page for the current request, with `feedback` (this visitor's box), or without
        it, with the box of a visitor who hasn't voted."""
        # A message to show once makes this page unlike the others; without form tokens
        # (CSRF protection turned off) there are no parts to cache.
        parts = None if "_flashes" in session else self._parts(article.path, *self._depends_on())
        if parts is None:
            return render_article_page(self.library, article, feedback or feedback_box(article))
        head, ask, asked, tail = parts
        if feedback is None:
            return b"".join((head, ask, form_token().encode(), asked, tail))
        return b"".join((head, feedback.encode(), tail))

    def _depends_on(self) -> tuple:
        """What a page depends on besides its article: the site's address, the index."""
        now = time.monotonic()
        if now - self._checked >= GENERATION_CHECK_SECONDS:
            self._generation, self._checked = current_generation(self.index_dir), now
        return request.scheme, request.host, request.root_path, self._generation

    def _render_parts(self, path: str, *_depends_on) -> tuple[bytes, ...] | None:
        """Rendered for the current request; the arguments are the cache key."""
        article = self.library.articles[path]
        ask, token, asked = feedback_box(article, form=VoteForm(formdata=None)).partition(
            generate_csrf()
        )
        head, slot, tail = render_article_page(self.library, article, self.slot).partition(
            self.slot
        )
        if not (token and slot):
            return None
        return tuple(part.encode() for part in (head, ask, asked, tail))
