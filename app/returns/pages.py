"""Shaping returns for pages: label contents, the money as the customer reads it, refund
timing, deflection articles, the timeline. In the page's language (gettext)."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import gettext

from app.content import Article
from app.i18n import current_language
from app.models.orders import Order
from app.models.refunds import Refund
from app.models.returns import ReturnRequest
from app.returns import exchanges, states, timeline
from app.returns.labels import PACKING_SLIP_NOTE, Address, LabelData, SlipItem, method_note
from app.returns.policy import Estimate, Policy, refund_window
from app.returns.refunds import method_for, refundable
from app.returns.service import Draft, DraftLine
from app.services import services
from app.templating import long_date, mid_sentence, translated


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
    articles, in the page's language where they are translated (see Reason.offered_for)."""
    library = services().library_in(current_language())
    lines = {line.id: line for line in order.lines}
    offers = []
    for chosen in draft.lines:
        reason = policy.reasons[chosen.reason]
        line = lines[chosen.order_line_id]
        found = [library.get(path) for path in reason.offered_for(line.category)]
        articles = tuple(article for article in found if article is not None)[:limit]
        if articles:
            offers.append(DeflectionOffer(chosen, line.name, reason.label, articles))
    return offers


def fee_notes(policy: Policy, order: Order, draft: Draft, money: Estimate) -> list[str]:
    """Why each fee is taken, or why return shipping is free, naming the items and reasons."""
    names = {line.id: line.name for line in order.lines}

    def item(n: int) -> str:
        chosen = draft.lines[n]
        reason = mid_sentence(policy.reasons[chosen.reason].label)
        return f"{names[chosen.order_line_id]} ({reason})"

    paying = ", ".join(item(n) for n in money.paid_lines)
    notes = []
    if money.shipping_fee_cents:
        notes.append(
            gettext("Return shipping is taken from your refund for %(items)s.", items=paying)
        )
    elif money.waived_by is not None:
        notes.append(
            gettext(
                "Return shipping is free: your parcel holds %(item)s, which we pay to have sent "
                "back.",
                item=item(money.waived_by),
            )
        )
    elif policy.return_shipping_fee_cents:
        every = ", ".join(item(n) for n in range(len(draft.lines)))
        notes.append(
            gettext("Return shipping is free: we pay to have %(items)s sent back.", items=every)
        )
    if money.restocking_fee_cents:
        restocked = ", ".join(item(n) for n in money.paid_lines if not draft.lines[n].exchange)
        notes.append(
            gettext(
                "The %(percent)d%% restocking fee applies to %(items)s.",
                percent=policy.restocking_fee_percent,
                items=restocked,
            )
        )
    return notes


def qr_payload(ret: ReturnRequest) -> str:
    """What the label's QR code says: drop-off points scan it."""
    return f"RETURN {ret.rma_number} {ret.tracking_number}"


def label_data(ret: ReturnRequest, config: Mapping[str, Any], policy: Policy) -> LabelData:
    """What the label and its packing slip say about `ret`: the carrier and our warehouse
    read them, so in the policy's own words (give it the default language's), but for the
    notes telling the customer what to do, in the page's language."""
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
        note=gettext(method_note(ret.method)),
        slip_note=gettext(PACKING_SLIP_NOTE),
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


def status_label(status: str) -> str:
    """A return's status as the customer reads it."""
    label = states.CUSTOMER_LABELS.get(status)
    return gettext(label) if label else status


def next_step(policy: Policy, ret: ReturnRequest) -> str:
    """What happens next, as the status page says it: an exchange's replacement is the next
    thing the customer waits for once the items are with us."""
    if ret.replacement_status == exchanges.RESERVED and ret.status == states.INSPECTED:
        return gettext("We're packing your replacement; we'll email you its tracking number.")
    if ret.replacement_status == exchanges.RESERVED and ret.status == states.RECEIVED:
        return gettext(
            "We'll check the items, usually within two business days, then send your replacement."
        )
    if ret.replacement_status == exchanges.SENT and ret.status == states.INSPECTED:
        return gettext("Your replacement is on its way.")
    step = states.NEXT_STEPS.get(ret.status)
    return gettext(step) if step else ""


def refund_expectation(policy: Policy, ret: ReturnRequest) -> str:
    """When the money should arrive, as the customer would like to read it ("" for a return
    that ended without one: the page says no refund is due)."""
    method = method_for(ret)
    if exchanges.kept_sale(ret) and not refundable(policy, ret).total_cents:
        return gettext("Nothing is refunded: you get a replacement instead.")
    if ret.status in (states.REFUNDED, states.CLOSED):
        if failed_still_due(policy, ret):
            return gettext(
                "A refund didn't go through; we'll issue it again and email you when we do."
            )
        refunded = next((e.at for e in reversed(ret.events) if e.status == states.REFUNDED), None)
        if refunded is None:
            return gettext("Refunded.")
        return gettext("Refunded on %(date)s.", date=long_date(refunded.date()))
    if ret.status in states.RELEASED or ret.status == states.REJECTED:
        return ""  # the page says no refund is due
    inspected = next((e.at for e in reversed(ret.events) if e.status == states.INSPECTED), None)
    if inspected is not None:
        first, last = refund_window(policy, method, inspected.date())
        if first == last:
            return gettext("Expected on %(date)s.", date=long_date(first))
        return gettext(
            "Expected between %(first)s and %(last)s.", first=long_date(first), last=long_date(last)
        )
    fastest, slowest = policy.refund_days.get(method, (3, 10))
    if method == "store_credit":
        return gettext(
            "Store credit is added to your account as soon as we've checked your return."
        )
    return gettext(
        "Usually %(fastest)d–%(slowest)d business days after we've received and checked your "
        "return, depending on your bank.",
        fastest=fastest,
        slowest=slowest,
    )


@dataclass(frozen=True)
class TimelineEntry:
    """One event of a return as the customer reads it."""

    status: str
    at: datetime
    note: str | None  # the site's own notes in the customer's language; staff's as written


def timeline_entries(ret: ReturnRequest) -> list[TimelineEntry]:
    """The return's events, newest first, in the page's language."""
    entries = []
    for event in reversed(ret.events):
        note = event.note
        if note:
            note = translated(timeline.read(note, ret.order.currency) or note)
        entries.append(TimelineEntry(status_label(event.status), event.at, note))
    return entries
