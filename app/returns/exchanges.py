"""Exchanges: what an item can be swapped for, and the replacement's stock and parcel.

An exchange is a return whose item comes back as another variant of the same product (a
size, a colour) instead of money. Its units are taken from `Variant.stock` when the return is
confirmed, by a conditional UPDATE, so two customers racing for the last one can't both get
it; they go back when the return ends without the replacement being sent. A cheaper variant
refunds the difference; a dearer one is refused in this version.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import CursorResult, select, update

from app.extensions import db
from app.i18n import N_
from app.models.catalogue import Variant
from app.models.orders import OrderLine
from app.models.returns import ReturnLine, ReturnRequest
from app.models.types import utcnow
from app.phrases import Amount, Phrase
from app.returns import states, timeline
from app.returns.policy import Policy

RESERVED, SENT, RELEASED = "reserved", "sent", "released"
TRACKING_MAX = 60


class ExchangeError(ValueError):
    """A replacement that can't be sent as asked; nothing was changed."""


@dataclass(frozen=True)
class Swap:
    """One variant offered in place of an order line, and why it can't be chosen, if so."""

    variant: Variant
    refund_cents: int  # per unit: what the customer paid less the variant's price, if more
    more_cents: int  # per unit: how much dearer its price is than the ordered variant's
    currency: str

    @property
    def problem(self) -> Phrase | None:
        """Why it can't be chosen, as its option in the list says it: "out of stock"."""
        if self.more_cents > 0:
            return Phrase(N_("costs %(amount)s more"), amount=self._more)
        if self.variant.stock <= 0:
            return Phrase(N_("out of stock"))
        return None

    def problem_for(self, quantity: int) -> Phrase | None:
        """Why this swap can't be had for `quantity` units, in the customer's words."""
        name = self.variant.name
        if self.more_cents > 0:
            dearer = N_(
                "%(name)s costs %(amount)s more than your item, so it can't be an exchange: "
                "choose your money back and order it separately."
            )
            return Phrase(dearer, name=name, amount=self._more)
        if self.variant.stock <= 0:
            sold_out = N_(
                "%(name)s is out of stock. Choose another size or colour, or your money back."
            )
            return Phrase(sold_out, name=name)
        if self.variant.stock < quantity:
            few = N_("Only %(num)d of %(name)s left: choose fewer, or your money back.")
            return Phrase(few, num=self.variant.stock, name=name)
        return None

    @property
    def _more(self) -> Amount:
        return Amount(self.more_cents, self.currency)


def _swap(line: OrderLine, ordered: Variant, variant: Variant) -> Swap:
    """Dearer or not by the catalogue's prices (a size at the same price is an even swap,
    whatever discount the order had); the refund by what the customer paid."""
    return Swap(
        variant,
        refund_cents=max(0, line.unit_price_cents - variant.price_cents),
        more_cents=variant.price_cents - ordered.price_cents,
        currency=line.order.currency,
    )


def swaps_for(lines: Sequence[OrderLine]) -> dict[int, list[Swap]]:
    """For each order line whose product the catalogue knows, the product's other variants
    (two queries, whatever the number of lines)."""
    skus = {line.sku for line in lines}
    ordered = {
        variant.sku: variant
        for variant in db.session.execute(select(Variant).where(Variant.sku.in_(skus))).scalars()
    }
    siblings: dict[str, list[Variant]] = {}
    if ordered:
        products = {variant.product for variant in ordered.values()}
        found = db.session.execute(
            select(Variant).where(Variant.product.in_(products)).order_by(Variant.id)
        ).scalars()
        for variant in found:
            siblings.setdefault(variant.product, []).append(variant)
    return {
        line.id: [
            _swap(line, ordered[line.sku], variant)
            for variant in siblings.get(ordered[line.sku].product, [])
            if variant.sku != line.sku
        ]
        if line.sku in ordered
        else []
        for line in lines
    }


def choose(swaps: Iterable[Swap], sku: str, quantity: int) -> Swap | Phrase:
    """The swap a form chose by SKU, or the message saying why it can't be had."""
    swap = next((swap for swap in swaps if swap.variant.sku == sku), None)
    if swap is None:
        return Phrase(N_("Choose a size or colour from the list."))
    return swap.problem_for(quantity) or swap


def reserve(line: OrderLine, sku: str, quantity: int) -> Variant | Phrase:
    """Take `quantity` units of the variant for this line, in the caller's transaction: the
    variant, or why it can't be had now (sold out meanwhile, or its price went up)."""
    taken = db.session.execute(
        update(Variant)
        .where(Variant.sku == sku, Variant.stock >= quantity)
        .values(stock=Variant.stock - quantity)
        .execution_options(synchronize_session=False)
    )
    assert isinstance(taken, CursorResult)  # an UPDATE's, which execute()'s typing can't say
    variant = db.session.execute(select(Variant).filter_by(sku=sku)).scalar_one_or_none()
    if variant is not None:
        db.session.refresh(variant)
    if variant is None or not taken.rowcount:
        gone = N_(
            "Sorry, %(name)s has just sold out. Choose another size or colour, or your money back."
        )
        if variant is None:
            gone = N_(
                "Sorry, the size or colour you chose has just sold out. Choose another size or "
                "colour, or your money back."
            )
            return Phrase(gone)
        return Phrase(gone, name=variant.name)
    ordered = db.session.execute(select(Variant).filter_by(sku=line.sku)).scalar_one_or_none()
    if ordered is None or variant.price_cents > ordered.price_cents:
        dearer = N_("%(name)s now costs more than your item, so it can't be an exchange.")
        return Phrase(dearer, name=variant.name)
    return variant


def units_to_send(line: ReturnLine) -> int:
    """The replacement units an exchanged line still calls for: all it asked for until the
    item is inspected, then those accepted (received and undamaged), none if rejected."""
    if not line.exchanged or line.inspection == "rejected":
        return 0
    if line.inspection is None:
        return line.quantity
    return max(0, (line.received_qty or 0) - (line.damaged_qty or 0))


def _give_back(variant_id: int | None, units: int) -> None:
    if variant_id is not None and units > 0:
        db.session.execute(
            update(Variant)
            .where(Variant.id == variant_id)
            .values(stock=Variant.stock + units)
            .execution_options(synchronize_session=False)
        )


def release(ret: ReturnRequest) -> None:
    """Give a reserved replacement's units back (the return ended before it was sent)."""
    if ret.replacement_status != RESERVED:
        return
    for line in ret.lines:
        _give_back(line.exchange_variant_id, units_to_send(line))
    ret.replacement_status = RELEASED


def settle_inspection(ret: ReturnRequest, inspected: dict[ReturnLine, int]) -> None:
    """After inspection (`inspected`: each line and what it called for before), give back
    the units of a reserved replacement that the accepted items no longer call for; when
    none are left to send, the replacement is released."""
    if ret.replacement_status != RESERVED:
        return  # sent first (ship_first): what left, left
    for line, before in inspected.items():
        _give_back(line.exchange_variant_id, before - units_to_send(line))
    if not any(units_to_send(line) for line in ret.lines):
        ret.replacement_status = RELEASED
        states.record(ret, "return policy", timeline.NO_REPLACEMENT)


def may_send(policy: Policy, ret: ReturnRequest) -> str | None:
    """Why the replacement can't be sent now, or None when it can."""
    if ret.replacement_status == SENT:
        return "The replacement has been sent already."
    if ret.replacement_status != RESERVED:
        return "This return has no replacement waiting to be sent."
    if policy.exchanges.ship_first:
        if ret.status not in SEND_FIRST:
            return "The replacement can be sent once the return is approved."
    elif ret.status not in SEND_AFTER_INSPECTION:
        return "The replacement is sent once the returned item has been received and inspected."
    return None


SEND_AFTER_INSPECTION = frozenset({states.INSPECTED, states.REFUNDED})
SEND_FIRST = SEND_AFTER_INSPECTION | {
    states.APPROVED,
    states.LABEL_ISSUED,
    states.IN_TRANSIT,
    states.RECEIVED,
}


def replacement_items(ret: ReturnRequest) -> str:
    """The replacement's contents in words: "1 × Linen camp shirt, sage, L"."""
    return ", ".join(
        f"{units_to_send(line)} × {line.exchange_name}" for line in ret.lines if units_to_send(line)
    )


def send_replacement(
    policy: Policy, ret: ReturnRequest, carrier: str, tracking: str, actor: str
) -> None:
    """Record the replacement parcel's dispatch, on the timeline and in an email to the
    customer (the caller holds the order's lock and commits). Raises ExchangeError."""
    carrier, tracking = " ".join(carrier.split()), tracking.strip()
    if not tracking or len(tracking) > TRACKING_MAX or not tracking.isprintable():
        raise ExchangeError(f"Enter the tracking number (up to {TRACKING_MAX} characters).")
    if not carrier or len(carrier) > 40:
        raise ExchangeError("Enter the carrier's name (up to 40 characters).")
    problem = may_send(policy, ret)
    if problem:
        raise ExchangeError(problem)
    items = replacement_items(ret)
    ret.replacement_status, ret.replacement_sent_at = SENT, utcnow()
    ret.replacement_carrier, ret.replacement_tracking = carrier, tracking
    sent = {"items": items, "tracking": tracking, "carrier": carrier}
    states.record(ret, actor, timeline.REPLACEMENT_SENT % sent)


def nothing_left(ret: ReturnRequest, remaining_cents: int) -> bool:
    """An inspected exchange whose replacement was sent (or isn't due: nothing accepted) and
    with no money left to refund: complete."""
    return (
        ret.status == states.INSPECTED
        and ret.replacement_status in (SENT, RELEASED)
        and remaining_cents == 0
    )


def kept_sale(ret: ReturnRequest) -> bool:
    """Whether the customer gets (or got) a replacement rather than money for the items."""
    return ret.replacement_status in (RESERVED, SENT) and ret.status not in states.RELEASED


def cannot_cancel(ret: ReturnRequest) -> str | None:
    """Why a return can't be called off although its status allows it: its replacement has
    left (ship_first), so the item must still come back."""
    if ret.replacement_status == SENT:
        return (
            "The replacement has been sent, so this return can't be canceled: please send "
            "the item back."
        )
    return None
