"""Staff pages. Thin: check the role, read the form, call the returns services, render."""

import secrets
from decimal import Decimal, InvalidOperation

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import select

from app.extensions import db, limiter
from app.models.refunds import Refund
from app.models.returns import ReturnRequest
from app.models.types import utcnow
from app.returns import states
from app.returns.exchanges import ExchangeError, cannot_cancel, may_send, replacement_items
from app.returns.policy import Policy
from app.returns.processing import (
    complete_exchange,
    record_inspection,
    record_receipt,
    send_replacement,
)
from app.returns.refunds import (
    BEFORE_ARRIVAL,
    Refundable,
    RefundError,
    check_refund,
    issue_refund,
    method_for,
    refundable,
    retry_refund,
)
from app.returns.service import cancel_return
from app.returns.shipping import buy_missing_label, issue_label, refund_unused_label
from app.returns.workflow import lock_returns, move, status_token
from app.services import services
from app.staff import bp
from app.staff.access import (
    AGENTS,
    EDITORS,
    role_required,
    sign_in_browser,
    sign_out_browser,
    signed_in,
    staff_user,
)
from app.staff.auth import FAILED, authenticate
from app.staff.forms import ActionForm, RefundForm, RejectForm, ReplacementForm, SignInForm
from app.staff.queue import (
    AGES,
    KINDS,
    RETURN_METHODS,
    QueueFilter,
    code_label,
    queue_query,
    status_counts,
)
from app.templating import money as format_money


@bp.app_template_filter("staff_label")
def staff_label(code: str | None, kind: str) -> str:
    """A stored code as staff read it: `{{ refund.method|staff_label('refund_method') }}`."""
    policy = services().returns_policy
    return code_label(code, kind, policy.reasons if policy else None)


def _policy() -> Policy:
    """The return policy, which refunds are worked out from: 503 while its file has a problem
    (the log and `flask content check` say which)."""
    loaded = services().returns_policy
    if loaded is None:
        abort(503, "The return policy can't be read right now, so refunds can't be worked out.")
    return loaded


def _safe_next(target: str | None) -> str:
    """Only same-site paths: never send a signed-in agent to another site, nor put a control
    character (a CR or LF would split the Location header) into the redirect."""
    if (
        target
        and target.startswith(request.script_root + "/staff")  # under /de too
        and not target.startswith("//")
        and target.isprintable()
    ):
        return target
    return url_for("staff.home")


@bp.route("/sign-in", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])
def sign_in() -> ResponseReturnValue:
    if signed_in() is not None:
        return redirect(url_for("staff.home"))
    form = SignInForm()
    error = None
    if form.validate_on_submit():
        # Both required: never None from here.
        email, password = form.email.data or "", form.password.data or ""
        user = authenticate(email, password, request.remote_addr or "")
        if user is not None:
            sign_in_browser(user)
            return redirect(_safe_next(request.args.get("next")), code=303)
        error = FAILED
    status = 400 if request.method == "POST" else 200
    return render_template("staff/sign_in.html", form=form, error=error), status


@bp.post("/sign-out")
@role_required("admin", "agent", "editor")
def sign_out() -> ResponseReturnValue:
    if not ActionForm().validate_on_submit():
        abort(400)
    sign_out_browser()
    return redirect(url_for("staff.sign_in"), code=303)


@bp.post("/sign-out-everywhere")
@role_required("admin", "agent", "editor")
def sign_out_everywhere() -> ResponseReturnValue:
    """Every browser this account is signed in on, this one included."""
    if not ActionForm().validate_on_submit():
        abort(400)
    sign_out_browser(everywhere=True)
    flash("You are signed out on every device.")
    return redirect(url_for("staff.sign_in"), code=303)


@bp.get("/")
@role_required("admin", "agent", "editor")
def home() -> ResponseReturnValue:
    if staff_user().role in AGENTS:
        return redirect(url_for("staff.returns_queue"))
    return render_template("staff/home.html", editors=EDITORS)


@bp.get("/returns")
@role_required(*AGENTS)
def returns_queue() -> ResponseReturnValue:
    policy = services().returns_policy
    filters = QueueFilter.from_args(request.args, policy.reasons if policy else {})
    page = db.paginate(queue_query(filters), per_page=25, error_out=False)
    return render_template(
        "staff/queue.html",
        page=page,
        filters=filters,
        counts=status_counts(),
        labels=states.CUSTOMER_LABELS,
        reasons=policy.reasons if policy else {},
        methods=RETURN_METHODS,
        ages=AGES,
        kinds=KINDS,
        today=utcnow().date(),
    )


def _return(rma: str) -> ReturnRequest:
    found = db.session.execute(
        select(ReturnRequest).filter_by(rma_number=rma.upper())
    ).scalar_one_or_none()
    if found is None:
        abort(404)
    return found


def _new_refund_form(money: Refundable) -> RefundForm:
    """The refund form as first shown: what is left to refund, and a new idempotency key."""
    return RefundForm(
        formdata=None, amount=f"{money.remaining_cents / 100:.2f}", key=secrets.token_urlsafe(16)
    )


def _detail(
    ret: ReturnRequest,
    status: int = 200,
    errors: dict[str, str] | None = None,
    refund_form: RefundForm | None = None,
    replacement_form: ReplacementForm | None = None,
) -> ResponseReturnValue:
    policy = _policy()
    money = refundable(policy, ret)
    return render_template(
        "staff/return.html",
        ret=ret,
        policy=policy,
        labels=states.CUSTOMER_LABELS,
        refundable=money,
        refund_to=method_for(ret),
        before_arrival=ret.status in BEFORE_ARRIVAL,
        action_form=ActionForm(),
        reject_form=RejectForm(),
        replacement_form=replacement_form
        or ReplacementForm(formdata=None, carrier=services().carrier.name),
        replacement_problem=may_send(policy, ret),
        replacement=replacement_items(ret),
        refund_form=refund_form or _new_refund_form(money),
        errors=errors or {},
        status_url=url_for("returns.status", token=status_token(ret)),
        label_url=url_for("returns.label", token=status_token(ret)),
    ), status


@bp.get("/returns/<rma>")
@role_required(*AGENTS)
def return_detail(rma: str) -> ResponseReturnValue:
    return _detail(_return(rma))


def _refused(ret: ReturnRequest, message: str) -> ResponseReturnValue:
    db.session.rollback()
    return _detail(ret, 409, {"form": message})


@bp.post("/returns/<rma>/<any(approve, reject):action>")
@role_required(*AGENTS)
def transition(rma: str, action: str) -> ResponseReturnValue:
    ret = _return(rma)
    form = RejectForm() if action == "reject" else ActionForm()
    if not form.validate_on_submit():
        return _detail(ret, 400, {"form": "; ".join(e for es in form.errors.values() for e in es)})
    actor = staff_user().label
    problem = None
    try:
        move(ret, action, actor=actor, note=form.note.data or None)
        if action == "approve":
            problem = issue_label(ret, services().carrier)
    except states.TransitionError as refused:
        return _refused(ret, str(refused))
    db.session.commit()
    flash(f"Return {ret.rma_number}: {states.CUSTOMER_LABELS[ret.status].lower()}.")
    if problem:
        flash(f"The label could not be bought: {problem} Try again with “Buy the label”.")
    return redirect(url_for("staff.return_detail", rma=ret.rma_number), code=303)


@bp.post("/returns/<rma>/label")
@role_required(*AGENTS)
def buy_label(rma: str) -> ResponseReturnValue:
    """Buy the label of an approved return the carrier could not sell one to before."""
    ret = _return(rma)
    if not ActionForm().validate_on_submit():
        abort(400)
    if ret.status != states.APPROVED:
        return _refused(ret, "Only an approved return waiting for its label needs one bought.")
    problem = buy_missing_label(ret, services().carrier, staff_user().label)
    if problem:
        return _detail(ret, 502, {"form": f"The label could not be bought: {problem}"})
    flash(f"Return {ret.rma_number}: label bought ({ret.carrier} {ret.tracking_number}).")
    return redirect(url_for("staff.return_detail", rma=ret.rma_number), code=303)


@bp.post("/returns/<rma>/<any(receive, inspect):step>")
@role_required(*AGENTS)
def record(rma: str, step: str) -> ResponseReturnValue:
    ret = _return(rma)
    if not ActionForm().validate_on_submit():
        abort(400)
    recorder = record_receipt if step == "receive" else record_inspection
    lock_returns(ret.order_id)  # serialised with the carrier, a replacement sent, a refund
    db.session.refresh(ret)
    try:
        errors = recorder(ret, request.form, staff_user().label)
    except states.TransitionError as refused:
        return _refused(ret, str(refused))
    if errors:
        db.session.rollback()
        return _detail(ret, 400, errors)
    if step == "inspect":  # an exchange whose replacement went first may be complete now
        complete_exchange(_policy(), ret, staff_user().label)
    db.session.commit()
    flash(f"Return {ret.rma_number}: {states.CUSTOMER_LABELS[ret.status].lower()}.")
    return redirect(url_for("staff.return_detail", rma=ret.rma_number), code=303)


@bp.post("/returns/<rma>/replacement")
@role_required(*AGENTS)
def replacement(rma: str) -> ResponseReturnValue:
    """An exchange's replacement sent: its carrier and tracking number."""
    ret = _return(rma)
    form = ReplacementForm()
    if not form.validate_on_submit():
        problems = "; ".join(e for es in form.errors.values() for e in es)
        return _detail(ret, 400, {"replacement": problems}, replacement_form=form)
    try:
        send_replacement(
            _policy(), ret, form.carrier.data or "", form.tracking.data or "", staff_user().label
        )
    except ExchangeError as refused:
        db.session.rollback()
        return _detail(ret, 409, {"replacement": str(refused)}, replacement_form=form)
    db.session.commit()
    flash(f"Return {ret.rma_number}: replacement sent ({ret.replacement_tracking}).")
    return redirect(url_for("staff.return_detail", rma=ret.rma_number), code=303)


@bp.route("/returns/<rma>/cancel", methods=["GET", "POST"])
@role_required(*AGENTS)
def cancel(rma: str) -> ResponseReturnValue:
    """A confirmation page; only its "Yes, cancel this return" button (step=confirm) cancels,
    so an old page's one-click form, or a stray post, asks first too."""
    ret = _return(rma)
    try:
        states.next_status(ret.status, "cancel")
        if refusal := cannot_cancel(ret):
            raise states.TransitionError(refusal)
    except states.TransitionError as refused:
        return _refused(ret, str(refused))
    form = ActionForm()
    confirmed = request.form.get("step") == "confirm"
    if not (confirmed and form.validate_on_submit()):
        status = 400 if confirmed else 200
        return render_template("staff/confirm_cancel.html", ret=ret, form=form), status
    try:
        cancel_return(ret, staff_user().label, (form.note.data or "").strip() or None)
    except states.TransitionError as refused:  # the carrier scanned it meanwhile
        return _refused(ret, str(refused))
    db.session.commit()
    flash(f"Return {ret.rma_number}: canceled.")
    postage = refund_unused_label(ret, services().carrier)
    if postage is not None and postage.status == "failed":
        flash(f"The label's postage could not be asked back yet: {postage.note}")
    return redirect(url_for("staff.return_detail", rma=ret.rma_number), code=303)


def _cents(text: str) -> int | None:
    try:
        value = Decimal(text.strip().replace(",", "").lstrip("$"))
        if not value.is_finite() or value != value.quantize(Decimal("0.01")):
            return None  # Infinity, NaN, sNaN, or more than two decimals
    except InvalidOperation:  # not a number, or too large to have cents
        return None
    return int(value * 100)


def _lost_page(
    ret: ReturnRequest,
    status: int = 200,
    error: str | None = None,
    form: RefundForm | None = None,
) -> ResponseReturnValue:
    money = refundable(_policy(), ret)
    return render_template(
        "staff/parcel_lost.html",
        ret=ret,
        refundable=money,
        refund_to=method_for(ret),
        refund_form=form or _new_refund_form(money),
        error=error,
    ), status


@bp.get("/returns/<rma>/parcel-lost")
@role_required(*AGENTS)
def parcel_lost(rma: str) -> ResponseReturnValue:
    """Before the items arrive the return's page offers no refund form: only this one, for a
    parcel lost in transit."""
    ret = _return(rma)
    if ret.status not in BEFORE_ARRIVAL:
        flash("This return isn't waiting for its parcel: refund it from its page.")
        return redirect(url_for("staff.return_detail", rma=ret.rma_number), code=303)
    return _lost_page(ret)


def _refund_again(
    ret: ReturnRequest, form: RefundForm, status: int, error: str | None
) -> ResponseReturnValue:
    """The refund form again, as the agent filled it in, with what stops it (if anything):
    on the lost-parcel page before the items arrive, on the return's page after."""
    if ret.status in BEFORE_ARRIVAL:
        return _lost_page(ret, status, error, form)
    return _detail(ret, status, {"refund": error} if error else {}, form)


def _form_problem(form: RefundForm) -> str:
    for field in (form.amount, form.note):
        if field.errors:
            return field.errors[0]
    form.key.data = secrets.token_urlsafe(16)  # missing or malformed: this page gets a new one
    return "This refund form was incomplete. Check the amount and review it again."


@bp.post("/returns/<rma>/refund")
@role_required(*AGENTS)
def refund(rma: str) -> ResponseReturnValue:
    """Two steps. The form's "Review refund" shows a confirmation page (nothing is paid);
    only that page's "Confirm refund" (step=confirm) pays, once per the form's key, which
    both steps carry. "Change" (step=edit) goes back to the form as it was filled in."""
    ret = _return(rma)
    form = RefundForm()
    if not form.validate_on_submit() or not form.key.data:
        return _refund_again(ret, form, 400, _form_problem(form))
    step = request.form.get("step")
    if step == "edit":
        return _refund_again(ret, form, 200, None)
    amount = _cents(form.amount.data or "")
    if amount is None:
        return _refund_again(ret, form, 400, "Enter an amount like 24.50.")
    policy = _policy()
    lost = bool(form.parcel_lost.data)
    if step != "confirm":
        try:
            money = check_refund(policy, ret, amount, form.note.data, lost)
        except RefundError as refused:
            return _refund_again(ret, form, 409, str(refused))
        return render_template(
            "staff/confirm_refund.html",
            ret=ret,
            form=form,
            amount_cents=amount,
            refundable=money,
            refund_to=method_for(ret),
            lost=ret.status in BEFORE_ARRIVAL,
        )
    gateway = services().payments
    try:
        made = issue_refund(
            policy, ret, amount, form.key.data, staff_user().label, gateway, form.note.data, lost
        )
    except RefundError as refused:
        db.session.rollback()
        return _refund_again(ret, form, 409, str(refused))
    method = staff_label(made.method, "refund_method")
    paid = f"{format_money(made.amount_cents, ret.order.currency)} to {method}"
    if made.status == "failed":
        flash(f"The refund of {paid} failed: {made.failure}. You can retry it.")
    else:
        flash(f"Refunded {paid} ({made.reference}).")
    return redirect(url_for("staff.return_detail", rma=ret.rma_number), code=303)


@bp.post("/returns/<rma>/refunds/<int:refund_id>/retry")
@role_required(*AGENTS)
def retry(rma: str, refund_id: int) -> ResponseReturnValue:
    ret = _return(rma)
    found = db.session.get(Refund, refund_id)
    if found is None or found.return_id != ret.id or not ActionForm().validate_on_submit():
        abort(404)
    policy = _policy()
    gateway = services().payments
    try:
        retry_refund(policy, ret, found, gateway, staff_user().label)
    except RefundError as refused:
        db.session.rollback()
        return _detail(ret, 409, {"form": str(refused)})
    return redirect(url_for("staff.return_detail", rma=ret.rma_number), code=303)
