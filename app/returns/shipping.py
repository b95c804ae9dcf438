"""Labels from the carrier: buying one when a return is approved, keeping the carrier's file,
and asking for unused postage back when the return is called off. Plain service code: the
caller passes the carrier (`services().carrier`) and, for a purchase, owns the transaction.

A carrier that can't sell a label (refused, or down) leaves the return approved, which the
customer reads as "your label is being prepared"; staff's "Buy the label" and
`flask carrier retry` try again. A label refund that fails is tried again by the same command.
"""

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select

from app.extensions import db
from app.models.returns import ReturnEvent, ReturnRequest, ShippingLabel
from app.returns import states, timeline
from app.returns.carrier import Carrier, CarrierError, LabelRefund, LabelRequest, PostalAddress
from app.returns.workflow import lock_returns, move

log = logging.getLogger(__name__)

ACTOR = "system"
# Statuses whose label will never be used, and label refund statuses still to ask for.
UNUSED = frozenset({states.CANCELED, states.EXPIRED})
TO_ASK = (None, "failed")


def label_request(ret: ReturnRequest) -> LabelRequest:
    """What the carrier is told: the return, and the order's shipping address."""
    order = ret.order
    customer = PostalAddress(
        name=order.customer_name or order.email,
        street1=order.address_line1,
        street2=order.address_line2,
        city=order.city,
        region=order.region,
        postal_code=order.postal_code,
        country=order.country,
        email=order.email,
    )
    return LabelRequest(ret.rma_number, order.number, customer)


def issue_label(ret: ReturnRequest, carrier: Carrier, actor: str = ACTOR) -> str | None:
    """Buy the approved return's label and move it to label_issued, in the caller's
    transaction. Returns None, or what stopped the carrier (the return then stays approved)."""
    try:
        shipment = carrier.buy_label(label_request(ret))
    except CarrierError as problem:
        log.warning("no label for %s: %s", ret.rma_number, problem)
        return str(problem)
    ret.carrier, ret.tracking_number = shipment.carrier, shipment.tracking_number
    if shipment.shipment_id:
        ret.shipping_label = ShippingLabel(
            provider=carrier.name,
            shipment_id=shipment.shipment_id,
            service=shipment.service,
            content=shipment.label,
            content_type=shipment.label_type,
            label_url=shipment.label_url,
        )
    move(ret, "issue_label", actor=actor)
    return None


def buy_missing_label(ret: ReturnRequest, carrier: Carrier, actor: str = ACTOR) -> str | None:
    """Try again to buy the label of a return left approved, under the order's lock (the
    customer may cancel meanwhile), and commit. Returns None or what went wrong."""
    lock_returns(ret.order_id)
    db.session.refresh(ret)
    if ret.status != states.APPROVED:
        db.session.rollback()
        status = states.CUSTOMER_LABELS.get(ret.status, ret.status).lower()
        return f"This return is {status}: it needs no new label."
    problem = issue_label(ret, carrier, actor)
    if problem:
        db.session.rollback()
        return problem
    db.session.commit()
    return None


def refund_unused_label(ret: ReturnRequest, carrier: Carrier) -> LabelRefund | None:
    """Ask the carrier for the postage of a canceled (or expired) return's label back, once
    it succeeds; record the answer and commit. None when there is nothing to ask: no label
    bought, already asked, or bought through another carrier than the configured one."""
    label = ret.shipping_label
    if label is None or ret.status not in UNUSED or label.refund_status not in TO_ASK:
        return None
    if label.provider != carrier.name:
        log.warning(
            "label of %s was bought through %s, not %s: not refunded",
            ret.rma_number,
            label.provider,
            carrier.name,
        )
        return None
    try:
        answer = carrier.refund_label(label.shipment_id)
    except CarrierError as problem:
        log.warning("label refund for %s failed: %s", ret.rma_number, problem)
        answer = LabelRefund("failed", str(problem))
    label.refund_status, label.refund_note = answer.status, answer.note or None
    db.session.commit()
    return answer


@dataclass
class RetryReport:
    labels_bought: list[str] = field(default_factory=list)  # RMA numbers
    labels_refunded: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # "RMA-...: what the carrier said"


def retry_pending(carrier: Carrier) -> RetryReport:
    """Buy the labels of returns left approved, and ask again for unused labels' postage
    (`flask carrier retry`, for a scheduler)."""
    report = RetryReport()
    waiting = db.session.execute(
        select(ReturnRequest).where(ReturnRequest.status == states.APPROVED)
    ).scalars()
    for ret in list(waiting):
        problem = buy_missing_label(ret, carrier)
        if problem is None:
            report.labels_bought.append(ret.rma_number)
        else:
            report.problems.append(f"{ret.rma_number}: {problem}")
    unused = db.session.execute(
        select(ReturnRequest)
        .join(ShippingLabel)
        .where(
            ReturnRequest.status.in_(UNUSED),
            (ShippingLabel.refund_status.is_(None)) | (ShippingLabel.refund_status == "failed"),
        )
    ).scalars()
    for ret in list(unused):
        answer = refund_unused_label(ret, carrier)
        if answer is None:
            continue
        if answer.status == "failed":
            report.problems.append(f"{ret.rma_number}: {answer.note}")
        else:
            report.labels_refunded.append(ret.rma_number)
    return report


def expire_unused(days: int, carrier: Carrier, now: datetime) -> list[str]:
    """Returns whose label was issued more than `days` ago and never scanned: expired (their
    items, and an exchange's replacement, are released), the customer told, the label's
    postage asked back. Each under the order's lock, so a scan arriving at the same moment
    wins or loses cleanly. The RMA numbers expired (none when `days` is 0)."""
    if days <= 0:
        return []
    issued_before = select(ReturnEvent.return_id).where(
        ReturnEvent.status == states.LABEL_ISSUED, ReturnEvent.at < now - timedelta(days=days)
    )
    found = db.session.execute(
        select(ReturnRequest).where(
            ReturnRequest.status == states.LABEL_ISSUED,
            ReturnRequest.id.in_(issued_before),
            # A replacement sent first: the item must still come back, staff chase it.
            ReturnRequest.replacement_status.is_distinct_from("sent"),
        )
    ).scalars()
    expired = []
    for ret in list(found):
        lock_returns(ret.order_id)
        db.session.refresh(ret)
        if ret.status != states.LABEL_ISSUED:  # scanned or canceled meanwhile
            db.session.rollback()
            continue
        note = timeline.LABEL_EXPIRED(days)
        move(ret, "expire", actor="return policy", note=note)
        db.session.commit()
        refund_unused_label(ret, carrier)
        expired.append(ret.rma_number)
    return expired
