"""Returns portal pages. Thin: read the form, call the service, render."""

from collections.abc import Mapping
from datetime import date
from pathlib import Path

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from flask_limiter.util import get_remote_address
from sqlalchemy import select
from werkzeug.wrappers import Response

from app.config import DEFAULT_LANGUAGE
from app.content import Article
from app.extensions import db, limiter
from app.i18n import N_, current_language
from app.models.orders import Order
from app.models.returns import ReturnRequest
from app.returns import lookups, states, timeline
from app.returns.exchanges import cannot_cancel
from app.returns.forms import ConfirmForm, CsrfOnlyForm, FindReturnForm, LookupForm
from app.returns.labels import render_label, render_packing_slip, render_qr_svg
from app.returns.pages import (
    DeflectionOffer,
    deflection_offers,
    fee_notes,
    label_data,
    next_step,
    qr_payload,
    refund_expectation,
    refund_summary,
    status_label,
    timeline_entries,
)
from app.returns.photos import ACCEPT, MAX_PHOTOS
from app.returns.policy import Policy
from app.returns.service import (
    Draft,
    NotReturnable,
    attach_photos,
    cancel_return,
    create_return,
    draft_estimate,
    draft_exchanges,
    draft_photos,
    find_order,
    find_return,
    line_options,
    photo_lines,
    read_selection,
    record_deflection,
)
from app.returns.shipping import refund_unused_label
from app.returns.workflow import status_token
from app.services import services
from app.signing import unsign
from app.templating import translated

bp = Blueprint("returns", __name__, url_prefix="/returns")

USE_EMAIL = N_(
    "For your security, this order can now be found only with the email address it was sent "
    "to. Please enter that email address."
)
NEUTRAL = N_(
    "We couldn't find an order with those details. Check the order number and use the email "
    "address or postal code the order was shipped to."
)


def policy(language: str | None = None) -> Policy:
    """The return policy, its texts in `language` (the page's when not given)."""
    loaded = services().returns_policy
    if loaded is None:
        abort(
            503,
            N_("Returns can't be started right now. Please try again later or contact us."),
        )
    return loaded.in_language(language or current_language())


# Until the carrier's first scan, as staff may (the state machine's own rule for "cancel").
CUSTOMER_CANCELLABLE = states.TRANSITIONS["cancel"][0]


def today() -> date:
    return date.today()


def order_and_client_key() -> str:
    """An order number as one client asks for it (as lookups compare it: "jp-10481" and a
    fullwidth "ＪＰ-10481" are guesses at the same order): a stranger's wrong guesses never
    lock the customer, asking from their own address, out."""
    number = lookups.guess_key(request.form.get("order_number", ""))
    return f"order:{number}|{get_remote_address()}"


def failed_lookup(response: Response) -> bool:
    """Only wrong guesses count against an order's limits; finding it costs nothing."""
    return response.status_code != 303


def _session_order() -> Order:
    order_id = session.get("returns_order")
    order = db.session.get(Order, order_id) if order_id else None
    if order is None:
        session.pop("returns_draft", None)
        abort(redirect(url_for("returns.lookup")))
    return order


def _draft(order: Order) -> Draft:
    data = session.get("returns_draft")
    if not data or data.get("order_id") != order.id:
        abort(redirect(url_for("returns.start")))
    return Draft.from_dict(data)


@bp.route("/", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])
@limiter.limit(
    "5 per 15 minutes", methods=["POST"], key_func=order_and_client_key, deduct_when=failed_lookup
)
def lookup() -> ResponseReturnValue:
    form = LookupForm()
    error = None
    if form.validate_on_submit():  # both required: never None from here
        number, contact = form.order_number.data or "", form.contact.data or ""
        if lookups.needs_email(number, contact):
            error = gettext(USE_EMAIL)
        elif order := find_order(number, contact):
            session["returns_order"] = order.id
            session.pop("returns_draft", None)
            return redirect(url_for("returns.start"), code=303)
        else:
            lookups.count_wrong_guess(number)
            error = gettext(NEUTRAL)
    status = 400 if request.method == "POST" else 200
    return render_template("returns/lookup.html", form=form, error=error), status


@bp.route("/start", methods=["GET", "POST"])
def start() -> ResponseReturnValue:
    order = _session_order()
    rules = policy()
    form = CsrfOnlyForm()
    errors: dict[str, str] = {}
    values = request.form if request.method == "POST" else session.get("returns_form", {})
    if form.validate_on_submit():
        draft, errors = read_selection(rules, order, request.form, today())
        if draft is not None:
            session["returns_draft"] = draft.to_dict()
            session["returns_form"] = dict(request.form.items())
            if photo_lines(rules, draft):
                return redirect(url_for("returns.photos"), code=303)
            return _after_photos(rules, order, draft)
    elif request.method == "POST":
        errors = {"form": gettext("This form expired. Please choose your items again.")}
    return render_template(
        "returns/start.html",
        order=order,
        options=line_options(rules, order, today()),
        policy=rules,
        form=form,
        errors=errors,
        values=values,
    ), 400 if errors else 200


def _after_photos(rules: Policy, order: Order, draft: Draft) -> Response:
    if deflection_offers(rules, order, draft):
        return redirect(url_for("returns.before_you_send"), code=303)
    return redirect(url_for("returns.review"), code=303)


@bp.route("/photos", methods=["GET", "POST"])
@limiter.limit("30 per hour", methods=["POST"])
def photos() -> ResponseReturnValue:
    """Photos of the items returned as damaged or defective (optional), for staff."""
    order = _session_order()
    draft = _draft(order)
    rules = policy()
    lines = photo_lines(rules, draft)
    if not lines:
        return redirect(url_for("returns.review"), code=303)
    form = CsrfOnlyForm()
    errors: dict[str, str] = {}
    if form.validate_on_submit():
        uploads = {
            line.order_line_id: [
                (upload.filename or "photo", upload.stream)
                for upload in request.files.getlist(f"photos-{line.order_line_id}")
                if upload.filename
            ]
            for line in lines
        }
        folder = Path(current_app.config["RETURN_PHOTOS_DIR"])
        errors = attach_photos(rules, draft, uploads, folder)
        if not errors:
            return _after_photos(rules, order, draft)
    elif request.method == "POST":
        errors = {"form": gettext("This form expired. Please choose your photos again.")}
    names = {line.id: line.name for line in order.lines}
    return render_template(
        "returns/photos.html",
        lines=lines,
        names=names,
        policy=rules,
        held=draft_photos(draft),
        form=form,
        errors=errors,
        max_photos=MAX_PHOTOS,
        accept=ACCEPT,
    ), 400 if errors else 200


@bp.route("/before-you-send", methods=["GET", "POST"])
def before_you_send() -> ResponseReturnValue:
    order = _session_order()
    draft = _draft(order)
    rules = policy()
    offers = deflection_offers(rules, order, draft)
    if not offers:
        return redirect(url_for("returns.review"), code=303)
    form = CsrfOnlyForm()
    if form.validate_on_submit():
        solved = _solved_offer(offers, request.form)
        if solved is not None:
            offer, article = solved
            record_deflection(order, [offer.line], article.path, "solved", current_language())
            draft = draft.without(offer.line.order_line_id)
            if not draft.lines:
                session.pop("returns_draft", None)
                return render_template("returns/solved.html", article=article)
            session["returns_draft"] = draft.to_dict()
            flash(
                gettext(
                    "Glad that helped. %(item)s is no longer part of your return.",
                    item=offer.item_name,
                )
            )
            return redirect(url_for("returns.before_you_send"), code=303)
        for path in dict.fromkeys(a.path for offer in offers for a in offer.articles):
            shown = [offer.line for offer in offers if path in {a.path for a in offer.articles}]
            record_deflection(order, shown, path, "continued", current_language())
        return redirect(url_for("returns.review"), code=303)
    return render_template("returns/before_you_send.html", offers=offers, form=form, order=order)


def _solved_offer(
    offers: list[DeflectionOffer], form: Mapping[str, str]
) -> tuple[DeflectionOffer, Article] | None:
    """The item and article a "This solved it" button names, if they were offered."""
    if form.get("outcome") != "solved":
        return None
    for offer in offers:
        if str(offer.line.order_line_id) == form.get("line", ""):
            for article in offer.articles:
                if article.path == form.get("article", ""):
                    return offer, article
    return None


@bp.route("/review", methods=["GET"])
def review() -> ResponseReturnValue:
    order = _session_order()
    draft = _draft(order)
    rules = policy()
    swaps, gone = draft_exchanges(order, draft)
    if gone:  # sold out (or changed) since the items were chosen: choose again
        flash(translated(gone))
        return redirect(url_for("returns.start"), code=303)
    lines = {line.id: line for line in order.lines}
    money = draft_estimate(rules, order, draft, swaps)
    return render_template(
        "returns/review.html",
        order=order,
        draft=draft,
        lines=lines,
        policy=rules,
        money=money,
        swaps=swaps,
        fee_notes=fee_notes(rules, order, draft, money),
        photos={line_id: len(kept) for line_id, kept in draft_photos(draft).items()},
        asks_photos=bool(photo_lines(rules, draft)),
        form=ConfirmForm(key=draft.key),
    )


@bp.post("/confirm")
def confirm() -> ResponseReturnValue:
    order = _session_order()
    draft = _draft(order)
    form = ConfirmForm()
    if not form.validate_on_submit() or form.key.data != draft.key:
        abort(400)
    try:
        created = create_return(
            policy(), draft, services().carrier, today(), language=current_language()
        )
    except NotReturnable as problem:
        session.pop("returns_draft", None)
        message = translated(problem.args[0])
        return render_template("returns/not_returnable.html", message=message), 409
    session.pop("returns_draft", None)
    session.pop("returns_form", None)
    return redirect(url_for("returns.status", token=status_token(created)), code=303)


def _by_token(token: str) -> ReturnRequest:
    public = unsign(current_app.secret_key, "return-status", token)
    found = None
    if isinstance(public, str):
        found = db.session.execute(
            select(ReturnRequest).filter_by(public_token=public)
        ).scalar_one_or_none()
    if found is None:
        abort(404)
    return found


@bp.get("/<token>")
def status(token: str) -> ResponseReturnValue:
    found = _by_token(token)
    rules = policy()
    return render_template(
        "returns/status.html",
        ret=found,
        token=token,
        policy=rules,
        status=status_label(found.status),
        timeline=timeline_entries(found),
        next_step=next_step(rules, found),
        refund=refund_expectation(rules, found),
        money=refund_summary(rules, found),
        cancellable=found.status in CUSTOMER_CANCELLABLE and not cannot_cancel(found),
    )


@bp.route("/<token>/cancel", methods=["GET", "POST"])
def cancel(token: str) -> ResponseReturnValue:
    """A confirmation page, then the cancel itself (a form: it works without JavaScript)."""
    found = _by_token(token)
    form = CsrfOnlyForm()
    if found.status in CUSTOMER_CANCELLABLE and not cannot_cancel(found):
        if not form.validate_on_submit():
            return render_template("returns/cancel.html", ret=found, token=token, form=form)
        try:
            cancel_return(found, "customer", timeline.CANCELED_BY_CUSTOMER)
        except states.TransitionError:
            pass  # the carrier scanned it a moment ago
        else:
            refund_unused_label(found, services().carrier)  # a failure is retried later
            return redirect(url_for("returns.status", token=token), code=303)
    message = gettext(
        "This return can't be canceled any more: the carrier has it, or it has ended."
    )
    return render_template("returns/not_returnable.html", message=message, token=token), 409


def _labelled(token: str) -> ReturnRequest:
    """The return of a signed token, if it has a label (a tracking number)."""
    found = _by_token(token)
    if not found.tracking_number:
        abort(404)
    return found


@bp.get("/<token>/label.pdf")
def label(token: str) -> ResponseReturnValue:
    """The carrier's own label when it made one (kept when bought), else the site's."""
    found = _labelled(token)
    bought = found.shipping_label
    if bought is not None and bought.content:
        return _pdf(bought.content, f"{found.rma_number}-label.pdf", bought.content_type)
    if bought is not None:
        if not bought.label_url:
            abort(503, N_("Your label can't be fetched right now. Please try again later."))
        return redirect(bought.label_url)  # the carrier's copy, which could not be kept
    pdf = render_label(label_data(found, current_app.config, policy(DEFAULT_LANGUAGE)))
    return _pdf(pdf, f"{found.rma_number}-label.pdf")


@bp.get("/<token>/packing-slip.pdf")
def packing_slip(token: str) -> ResponseReturnValue:
    """The packing slip alone, to go with a label the carrier made."""
    found = _labelled(token)
    pdf = render_packing_slip(label_data(found, current_app.config, policy(DEFAULT_LANGUAGE)))
    return _pdf(pdf, f"{found.rma_number}-packing-slip.pdf")


def _pdf(content: bytes, file_name: str, mimetype: str = "application/pdf") -> Response:
    return current_app.response_class(
        content,
        mimetype=mimetype,
        headers={"Content-Disposition": f'inline; filename="{file_name}"'},
    )


@bp.get("/<token>/qr.svg")
def label_qr(token: str) -> ResponseReturnValue:
    """The label's QR code alone, shown large on the status page for drop-off."""
    svg = render_qr_svg(qr_payload(_labelled(token)))
    return current_app.response_class(svg, mimetype="image/svg+xml")


@bp.route("/find", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])
def find() -> ResponseReturnValue:
    form = FindReturnForm()
    error = None
    if form.validate_on_submit():  # both required: never None from here
        found = find_return(form.rma_number.data or "", form.email.data or "")
        if found is not None:
            return redirect(url_for("returns.status", token=status_token(found)), code=303)
        error = gettext(
            "We couldn't find a return with those details. Check the return number and email."
        )
    return render_template("returns/find.html", form=form, error=error), (
        400 if request.method == "POST" else 200
    )
