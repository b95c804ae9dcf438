"""Asking the support team, for readers an article didn't help: the article and the reader's
last search go with the message, to the support inbox through the outbox. The message and the
reader's email are never added to the analytics."""

from flask import abort, current_app, render_template, request
from flask.typing import ResponseReturnValue
from sqlalchemy import select

from app.extensions import db, limiter
from app.help import bp
from app.help.forms import ContactForm
from app.i18n import current_language
from app.models.analytics import SearchEvent
from app.notifications.outbox import queue_email
from app.services import services
from app.templating import absolute_url
from app.visitors import current_visitor_id, keep_session


def last_search() -> str:
    """The reader's latest search, as recorded (redacted), if any."""
    visitor = current_visitor_id()
    if not visitor:
        return ""
    return (
        db.session.scalar(
            select(SearchEvent.query_raw_redacted)
            .where(SearchEvent.visitor_id == visitor)
            .order_by(SearchEvent.id.desc())
            .limit(1)
        )
        or ""
    )


def message_body(form: ContactForm, article_title: str, article_url: str, search: str) -> str:
    lines = [
        f"From: {form.name.data or 'a customer'} <{form.email.data}> (reply to this address)",
        f"About the article: {article_title} ({article_url})",
    ]
    if search:
        lines.append(f"Their last search: {search}")
    return "\n".join([*lines, "", (form.message.data or "").strip(), ""])


@bp.route("/contact", methods=["GET", "POST"])
@limiter.limit("5 per hour", methods=["POST"])
def contact() -> ResponseReturnValue:
    library = services().library_in(current_language())
    article = library.get(request.values.get("article", ""))
    if article is None:
        abort(404)
    form = ContactForm()
    search = last_search()
    if form.validate_on_submit():
        article_url = absolute_url("help.article", path=article.path)
        queue_email(
            current_app.config["SUPPORT_EMAIL"],
            f"Help request: {article.title}",
            message_body(form, article.title, article_url, search),
        )
        db.session.commit()
        return render_template("help/contact_sent.html", email=form.email.data, article=article)
    keep_session()
    status = 400 if request.method == "POST" else 200
    return render_template("help/contact.html", form=form, article=article, search=search), status
