"""Shaping returns for pages: label contents, the money as the customer reads it, refund
timing, deflection articles."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from app.content import Article
from app.models.orders import Order
from app.models.refunds import Refund
from app.models.returns import ReturnRequest
from app.returns import exchanges, states
from app.returns.labels import Address, LabelData, SlipItem
from app.returns.policy import Estimate, Policy, refund_window
from app.returns.refunds import method_for, refundable
from app.returns.service import Draft, DraftLine
from app.services import services


@dataclass(frozen=True)
class DeflectionOffer:
    """Help articles for one item the customer is returning, in case they solve its problem
    and the customer keeps it."""

    line: DraftLine
    item_name: str
    reason_label: str
    articles: tuple[Article, ...]


def deflection_offers(
    policy: Policy, order: Order, draft: Draft, limit: int = 3
) -> list[DeflectionOffer]:
    """For each item whose reason a help article may solve (for its product category), the
    articles; never for damage or defects (`keep_offer: false`)."""
    library = services().library
    lines = {line.id: line for line in order.lines}
    offers = []
    for chosen in draft.lines:
        reason = policy.reasons[chosen.reason]
        line = lines[chosen.order_line_id]
        if not reason.keep_offer:
            continue
        found = [library.get(path) for path in reason.articles_for(line.category)]
        articles = tuple(article for article in found if article is not None)[:limit]
        if articles:
            offers.append(DeflectionOffer(chosen, line.name, reason.label, articles))
    return offers


def fee_notes(policy: Policy, order: Order, draft: Draft, money: Estimate) -> list[str]:
    """Why each fee is taken, or why return shipping is free, naming the items and reasons."""
    names = {line.id: line.name for line in order.lines}

    def item(n: int) -> str:
        chosen = draft.lines[n]
        return f"{names[chosen.order_line_id]} ({policy.reasons[chosen.reason].label.lower()})"

    paying = ", ".join(item(n) for n in money.paid_lines)
    notes = []
    if money.shipping_fee_cents:
        notes.append(f"Return shipping is taken from your refund for {paying}.")
    elif money.waived_by is not None:
        notes.append(
            f"Return shipping is free: your parcel holds {item(money.waived_by)}, which we pay "
            "to have sent back."
        )
    elif policy.return_shipping_fee_cents:
        every = ", ".join(item(n) for n in range(len(draft.lines)))
        notes.append(f"Return shipping is free: we pay to have {every} sent back.")
    if money.restocking_fee_cents:
        restocked = ", ".join(item(n) for n in money.paid_lines if not draft.lines[n].exchange)
        notes.append(f"The {policy.restocking_fee_percent}% restocking fee applies to {restocked}.")
    return notes


def qr_payload(ret: ReturnRequest) -> str:
    """What the label's QR code says: drop-off points scan it."""
    return f"RETURN {ret.rma_number} {ret.tracking_number}"


def label_data(ret: ReturnRequest, config: Mapping[str, Any], policy: Policy) -> LabelData:
    """What the label and its packing slip say about `ret`."""
    order = ret.order
    town = " ".join(part for part in (order.city, order.region, order.postal_code) if part)
    customer = tuple(
        line for line in (order.address_line1, order.address_line2, town, order.country) if line
    )
    warehouse = config["RETURNS_WAREHOUSE"]
    reasons = {code: reason.label for code, reason in policy.reasons.items()}
    items = tuple(
        SlipItem(
            name=line.order_line.name,
            sku=line.order_line.sku,
            quantity=line.quantity,
            reason=reasons.get(line.reason_code, line.reason_code),
        )
        for line in ret.lines
    )
    return LabelData(
        ship_from=Address(order.customer_name or order.email, customer),
        ship_to=Address(warehouse[0], tuple(warehouse[1:])),
        rma_number=ret.rma_number,
        order_number=order.number,
        tracking_number=ret.tracking_number or "",
        carrier=ret.carrier or "",
        qr_payload=qr_payload(ret),
        method=ret.method,
        items=items,
    )


@dataclass(frozen=True)
class RefundSummary:
    """The money of a return as the customer should read it: what was paid back, what is on
    its way, and, before any of that, what is still to come (an estimate until the items are
    checked)."""

    refunds: tuple[Refund, ...]  # paid back, oldest first
    paid_cents: int
    pending_cents: int
    due_cents: int  # still to be refunded
    estimate: bool  # due_cents is an estimate: the items haven't been checked yet


def refund_summary(policy: Policy, ret: ReturnRequest) -> RefundSummary:
    paid = tuple(r for r in ret.refunds if r.status == "succeeded")
    pending = sum(r.amount_cents for r in ret.refunds if r.status == "pending")
    if ret.status in states.RELEASED | {states.REFUNDED, states.CLOSED}:
        # Nothing more is due: a return that ended, or one refunded (a partial refund staff
        # explained is the whole of it), but for a refund that failed after it was made.
        due, estimate = failed_still_due(policy, ret), False
    else:
        owed = refundable(policy, ret)
        estimate = not any(line.inspection for line in ret.lines)
        due = owed.remaining_cents if (paid or pending or not estimate) else ret.estimate_cents
    return RefundSummary(
        refunds=paid,
        paid_cents=sum(r.amount_cents for r in paid),
        pending_cents=pending,
        due_cents=due,
        estimate=estimate,
    )


def failed_still_due(policy: Policy, ret: ReturnRequest) -> int:
    """What refunds that failed (even after they were made) leave unpaid, as far as the
    return still owes it: none once another refund has paid it."""
    failed = sum(r.amount_cents for r in ret.refunds if r.status == "failed")
    return min(failed, refundable(policy, ret).remaining_cents) if failed else 0


def _long(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def next_step(policy: Policy, ret: ReturnRequest) -> str:
    """What happens next, as the status page says it: an exchange's replacement is the next
    thing the customer waits for once the items are with us."""
    if ret.replacement_status == exchanges.RESERVED and ret.status == states.INSPECTED:
        return "We're packing your replacement; we'll email you its tracking number."
    if ret.replacement_status == exchanges.RESERVED and ret.status == states.RECEIVED:
        return (
            "We'll check the items, usually within two business days, then send your replacement."
        )
    if ret.replacement_status == exchanges.SENT and ret.status == states.INSPECTED:
        return "Your replacement is on its way."
    return states.NEXT_STEPS.get(ret.status, "")


def refund_expectation(policy: Policy, ret: ReturnRequest) -> str:
    """When the money should arrive, as the customer would like to read it."""
    method = method_for(ret)
    if exchanges.kept_sale(ret) and not refundable(policy, ret).total_cents:
        return "Nothing is refunded: you get a replacement instead."
    if ret.status in (states.REFUNDED, states.CLOSED):
        if failed_still_due(policy, ret):
            return "A refund didn't go through; we'll issue it again and email you when we do."
        refunded = next((e.at for e in reversed(ret.events) if e.status == states.REFUNDED), None)
        return f"Refunded on {_long(refunded.date())}." if refunded else "Refunded."
    if ret.status in states.RELEASED or ret.status == states.REJECTED:
        return "No refund is due for this return."
    inspected = next((e.at for e in reversed(ret.events) if e.status == states.INSPECTED), None)
    if inspected is not None:
        first, last = refund_window(policy, method, inspected.date())
        if first == last:
            return f"Expected on {_long(first)}."
        return f"Expected between {_long(first)} and {_long(last)}."
    fastest, slowest = policy.refund_days.get(method, (3, 10))
    if method == "store_credit":
        return "Store credit is added to your account as soon as we've checked your return."
    return (
        f"Usually {fastest}–{slowest} business days after we've received and checked your "
        "return, depending on your bank."
    )
