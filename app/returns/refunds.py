"""Refunds: how much a return may still get back, and paying it exactly once per key."""

from dataclasses import dataclass

from sqlalchemy import ColumnElement, select, update
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models.refunds import Refund
from app.models.returns import ReturnRequest
from app.phrases import english_money
from app.returns import states, timeline
from app.returns.payments import PaymentGateway, RefundRequest
from app.returns.policy import ChosenLine, Policy, estimate
from app.returns.workflow import lock_returns, move
from app.templating import money

# Statuses from which staff may refund: after inspection, or earlier when they choose to
# (a parcel lost in transit, a trusted customer).
REFUNDABLE = frozenset(
    {states.APPROVED, states.LABEL_ISSUED, states.IN_TRANSIT, states.RECEIVED, states.INSPECTED,
     states.REFUNDED}
)  # fmt: skip


# Statuses before the parcel reaches the warehouse: a refund then is for a lost parcel only,
# and only when the agent says so.
BEFORE_ARRIVAL = frozenset({states.APPROVED, states.LABEL_ISSUED, states.IN_TRANSIT})


class RefundError(ValueError):
    """A refund that can't be made as asked; nothing was paid or stored."""


OVERPAID = "Another refund was made on this return meanwhile: reload the page to see what is left."
NOT_ARRIVED = (
    "The items haven't arrived yet. Refund before they arrive only when the parcel is lost: "
    'tick "The parcel is lost".'
)
LOST = "Parcel lost in transit."  # on the refund, for staff


@dataclass(frozen=True)
class Refundable:
    total_cents: int  # what the accepted (or, before inspection, requested) items are worth
    paid_cents: int  # refunds already made or under way
    basis: str  # how the total was worked out, for the agent

    @property
    def remaining_cents(self) -> int:
        return max(0, self.total_cents - self.paid_cents)


def refundable(policy: Policy, ret: ReturnRequest) -> Refundable:
    """After inspection: the accepted lines (received quantity less damaged), with the policy's
    fees and store-credit bonus. Before it: the lines as requested."""
    inspected = any(line.inspection for line in ret.lines)
    chosen = []
    for line in ret.lines:
        if inspected:
            if line.inspection != "accepted":
                continue
            quantity = (line.received_qty or 0) - (line.damaged_qty or 0)
        else:
            quantity = line.quantity
        if quantity > 0:
            chosen.append(
                ChosenLine(line.unit_refund_cents, quantity, line.reason_code, line.exchanged)
            )
    total = estimate(policy, chosen, ret.resolution).total_cents if chosen else 0
    paid = sum(r.amount_cents for r in ret.refunds if r.status in ("pending", "succeeded"))
    basis = "accepted items after inspection" if inspected else "requested items (not inspected)"
    return Refundable(total, paid, basis)


def method_for(ret: ReturnRequest) -> str:
    """Where this return's money goes: store credit, or the order's payment method."""
    return "store_credit" if ret.resolution == "store_credit" else ret.order.payment_method


def check_refund(
    policy: Policy,
    ret: ReturnRequest,
    amount_cents: int,
    note: str | None = None,
    parcel_lost: bool = False,
) -> Refundable:
    """What is still refundable, or RefundError saying why this refund can't be made. Writes
    nothing: the confirmation page asks it first, issue_refund again under the lock."""
    if ret.status not in REFUNDABLE:
        raise RefundError(
            f"A return that is {states.CUSTOMER_LABELS[ret.status].lower()} can't be refunded."
        )
    if ret.status in BEFORE_ARRIVAL and not parcel_lost:
        raise RefundError(NOT_ARRIVED)
    available = refundable(policy, ret)
    if amount_cents <= 0:
        raise RefundError("Enter an amount greater than zero.")
    if not available.remaining_cents:
        raise RefundError("Nothing is left to refund on this return: it has been refunded in full.")
    if amount_cents > available.remaining_cents:
        remaining = money(available.remaining_cents, ret.order.currency)
        raise RefundError(f"That is more than the {remaining} still refundable.")
    if amount_cents < available.remaining_cents and not (note or "").strip():
        raise RefundError("Say why the refund is lower than the refundable amount.")
    return available


def issue_refund(
    policy: Policy,
    ret: ReturnRequest,
    amount_cents: int,
    idempotency_key: str,
    actor: str,
    gateway: PaymentGateway,
    note: str | None = None,
    parcel_lost: bool = False,
) -> Refund:
    """Pay `amount_cents` back once for this key (a repeat returns the first refund). Before
    the items arrive only with `parcel_lost`, which the refund and the timeline then say."""
    _lock(ret)
    existing = db.session.execute(
        select(Refund).filter_by(idempotency_key=idempotency_key)
    ).scalar_one_or_none()
    if existing is not None:
        return existing
    available = check_refund(policy, ret, amount_cents, note, parcel_lost)
    lost = ret.status in BEFORE_ARRIVAL
    refund = Refund(
        request=ret,
        amount_cents=amount_cents,
        method=method_for(ret),
        status="pending",
        idempotency_key=idempotency_key,
        note=" ".join(filter(None, [LOST if lost else "", (note or "").strip()])) or None,
        actor=actor,
    )
    db.session.add(refund)
    try:
        _count(ret, amount_cents, limit=available.total_cents)
        db.session.commit()  # the key is taken before any money moves
    except IntegrityError:
        db.session.rollback()
        first = db.session.execute(
            select(Refund).filter_by(idempotency_key=idempotency_key)
        ).scalar_one_or_none()
        if first is None:  # the database's limit: another refund was made meanwhile
            raise RefundError(OVERPAID) from None
        return first
    return _pay(ret, refund, gateway, actor)


def _count(ret: ReturnRequest, amount_cents: int, limit: int | None = None) -> None:
    """Add to (or, negative, take from) what the return has refunded, in the database itself,
    so two transactions can't both count from the same starting point; the table's check
    refuses a total over the limit."""
    values: dict[str, ColumnElement[int] | int] = {
        "refunded_cents": ReturnRequest.refunded_cents + amount_cents
    }
    if limit is not None:
        values["refund_limit_cents"] = limit
    db.session.execute(update(ReturnRequest).where(ReturnRequest.id == ret.id).values(**values))


def retry_refund(
    policy: Policy, ret: ReturnRequest, refund: Refund, gateway: PaymentGateway, actor: str
) -> Refund:
    """Pay a failed refund again, if what it asks is still refundable (another refund may
    have paid it meanwhile)."""
    _lock(ret)
    db.session.refresh(refund)
    if refund.status != "failed":
        raise RefundError("Only a failed refund can be retried.")
    available = refundable(policy, ret)
    if refund.amount_cents > available.remaining_cents:
        left = money(available.remaining_cents, ret.order.currency)
        raise RefundError(f"That refund is more than the {left} still refundable.")
    refund.status = "pending"
    refund.attempts += 1
    try:
        _count(ret, refund.amount_cents, limit=available.total_cents)
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise RefundError(OVERPAID) from None
    return _pay(ret, refund, gateway, actor)


def _lock(ret: ReturnRequest) -> None:
    """Serialise with every other change to this order's returns (see Order.return_lock), and
    read the return as it is now: two agents refunding at once would otherwise both see the
    whole amount still refundable, and both pay it."""
    lock_returns(ret.order_id)
    db.session.expire(ret)


def _pay(ret: ReturnRequest, refund: Refund, gateway: PaymentGateway, actor: str) -> Refund:
    result = gateway.refund(
        RefundRequest(
            amount_cents=refund.amount_cents,
            method=refund.method,
            idempotency_key=refund.idempotency_key,
            currency=ret.order.currency,
            payment_reference=ret.order.payment_reference,
            attempt=refund.attempts,
        )
    )
    if not result.succeeded:
        refund.status, refund.failure = "failed", result.error or "the payment gateway refused"
        _count(ret, -refund.amount_cents)
        db.session.commit()
        return refund
    refund.status, refund.reference, refund.failure = "succeeded", result.reference, None
    amount = english_money(refund.amount_cents, ret.order.currency)  # stored: staff read it
    said = {"amount": amount, "reference": refund.reference}
    note = timeline.REFUNDED % said
    if ret.status in BEFORE_ARRIVAL:  # only a lost parcel is refunded before it arrives
        note = f"{note} {timeline.LOST_IN_TRANSIT}"
    if ret.status != states.REFUNDED:
        move(ret, "refund", actor=actor, note=note)
    else:
        states.record(ret, actor=actor, note=timeline.FURTHER_REFUND % said)
    db.session.commit()
    return refund


def failed_later(reference: str, reason: str, actor: str) -> Refund | None:
    """A refund the gateway accepted that failed afterwards (a closed card, a bank sending
    the money back): failed, no longer counted, on the timeline, for staff to retry. The
    refund with this gateway reference, or None when there is none; one already failed is
    left as it is, so a repeated notice changes nothing."""
    found = db.session.execute(select(Refund).filter_by(reference=reference)).scalar_one_or_none()
    if found is None:
        return None
    ret = found.request
    _lock(ret)
    db.session.refresh(found)
    if found.status == "failed":
        db.session.rollback()
        return found
    was_paid = found.status == "succeeded"
    found.status, found.failure = "failed", f"failed after it was made: {reason}"
    _count(ret, -found.amount_cents)
    if was_paid:
        amount = english_money(found.amount_cents, ret.order.currency)
        states.record(ret, actor, timeline.REFUND_FAILED % {"amount": amount, "reason": reason})
    db.session.commit()
    return found
