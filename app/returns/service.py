"""Starting returns: finding the order, what each line allows, validating a selection, and
creating the return exactly once. No Flask request objects here."""

import secrets
import string
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import IO, Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app.config import DEFAULT_LANGUAGE
from app.extensions import db
from app.i18n import N_
from app.models.catalogue import Variant
from app.models.orders import Order, OrderLine, order_number_key
from app.models.returns import Deflection, ReturnLine, ReturnPhoto, ReturnRequest
from app.phrases import Phrase
from app.returns import exchanges, states, timeline
from app.returns.carrier import Carrier
from app.returns.exchanges import Swap, choose, swaps_for
from app.returns.photos import MAX_PHOTOS, PhotoError, store_photo
from app.returns.policy import ChosenLine, Eligibility, Estimate, LineFacts, Policy
from app.returns.policy import eligibility as line_eligibility
from app.returns.policy import estimate as policy_estimate
from app.returns.shipping import issue_label
from app.returns.workflow import lock_returns, move

COMMENT_MAX = 500


class NotReturnable(ValueError):
    """The selection is no longer possible (say, another return took the last unit);
    `args[0]` says why, a Phrase (app/phrases.py) or the policy's own words."""


def _clean(value: str) -> str:
    return "".join(value.split()).upper()


def find_order(number: str, email_or_postal_code: str) -> Order | None:
    """The order with this number whose email or shipping postal code matches."""
    number, contact = number.strip(), email_or_postal_code.strip()
    if not number or not contact:
        return None
    # Shops number orders "#1001" (Shopify) or "1001"; customers type either.
    key = order_number_key(number)
    bare = key.removeprefix("#")
    found = db.session.execute(
        select(Order).where(Order.number_key.in_({key, bare, "#" + bare}))
    ).scalars()
    order = min(found, key=lambda candidate: candidate.number_key != key, default=None)
    if order is None:
        return None
    if "@" in contact:
        return order if order.email.strip().lower() == contact.lower() else None
    return order if _clean(order.postal_code) == _clean(contact) else None


def find_return(rma_number: str, email: str) -> ReturnRequest | None:
    request = db.session.execute(
        select(ReturnRequest).where(
            func.upper(ReturnRequest.rma_number) == rma_number.strip().upper()
        )
    ).scalar_one_or_none()
    if request is None or request.order.email.strip().lower() != email.strip().lower():
        return None
    return request


def returned_quantities(order_id: int) -> dict[int, int]:
    """Units per order line already returned or on their way back (rejected, canceled and
    expired returns release theirs)."""
    rows = db.session.execute(
        select(ReturnLine.order_line_id, func.sum(ReturnLine.quantity))
        .join(ReturnRequest)
        .where(ReturnRequest.order_id == order_id, ReturnRequest.status.not_in(states.RELEASED))
        .group_by(ReturnLine.order_line_id)
    )
    return {line_id: int(total) for line_id, total in rows}


def facts(line: OrderLine) -> LineFacts:
    delivered = line.order.delivered_at
    return LineFacts(
        line.category, line.quantity, line.final_sale, delivered.date() if delivered else None
    )


@dataclass
class LineOption:
    line: OrderLine
    eligibility: Eligibility
    already: int
    swaps: list[Swap] = field(default_factory=list)  # what it may be exchanged for


def line_options(policy: Policy, order: Order, today: date) -> list[LineOption]:
    taken = returned_quantities(order.id)
    swaps = swaps_for(order.lines) if policy.exchanges.enabled else {}
    return [
        LineOption(
            line,
            line_eligibility(policy, facts(line), today, taken.get(line.id, 0)),
            taken.get(line.id, 0),
            swaps.get(line.id, []),
        )
        for line in order.lines
    ]


@dataclass
class DraftLine:
    order_line_id: int
    quantity: int
    reason: str
    comment: str = ""
    exchange: str = ""  # the SKU of the variant wanted instead of money, if any


@dataclass
class Draft:
    """A customer's choices before they confirm; kept in the session between pages."""

    order_id: int
    lines: list[DraftLine]
    resolution: str
    method: str
    key: str = field(default_factory=lambda: secrets.token_urlsafe(24))

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def without(self, order_line_id: int) -> "Draft":
        """The same choices less one item (its problem was solved: the customer keeps it)."""
        kept = [line for line in self.lines if line.order_line_id != order_line_id]
        return Draft(self.order_id, kept, self.resolution, self.method, self.key)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "Draft":
        return cls(
            order_id=int(data["order_id"]),
            lines=[DraftLine(**line) for line in data["lines"]],
            resolution=str(data["resolution"]),
            method=str(data["method"]),
            key=str(data["key"]),
        )


def _read_line(
    policy: Policy, option: LineOption, form: Mapping[str, str]
) -> DraftLine | tuple[str, str]:
    """One ticked order line of the start-a-return form: the draft line, or (field, message)
    for its first mistake."""
    line_id = option.line.id
    raw = (form.get(f"qty-{line_id}") or "1").strip()
    try:
        quantity = int(raw)
    except ValueError:
        return f"qty-{line_id}", Phrase(N_("Enter how many, as a number."))
    if quantity < 1 or quantity > option.eligibility.returnable:
        return f"qty-{line_id}", (
            (option.eligibility.problem or Phrase(N_("This item can't be returned.")))
            if not option.eligibility.ok
            else Phrase(
                N_("You can return up to %(num)d of this item."),
                num=option.eligibility.returnable,
            )
        )
    reason = (form.get(f"reason-{line_id}") or "").strip()
    if reason not in policy.reasons:
        return f"reason-{line_id}", Phrase(N_("Choose a reason for returning this item."))
    comment = (form.get(f"comment-{line_id}") or "").strip()
    if len(comment) > COMMENT_MAX:
        too_long = N_("Please keep comments under %(max)d characters.")
        return f"comment-{line_id}", Phrase(too_long, max=COMMENT_MAX)
    exchange = (form.get(f"exchange-{line_id}") or "").strip()
    if exchange:
        swap = choose(option.swaps, exchange, quantity)
        if isinstance(swap, str):
            return f"exchange-{line_id}", swap
    return DraftLine(line_id, quantity, reason, comment, exchange)


def _foreign_items(form: Mapping[str, str], options: Mapping[int, LineOption]) -> bool:
    """Whether the form names an item that isn't one of this order's lines."""
    submitted = [key.split("-", 1)[1] for key in form if key.startswith(("qty-", "return-"))]
    return any(not key.isdigit() or int(key) not in options for key in submitted)


def read_selection(
    policy: Policy, order: Order, form: Mapping[str, str], today: date
) -> tuple[Draft | None, dict[str, str]]:
    """Validate the start-a-return form. Fields per order line: `return-<id>` (ticked: the
    item goes back), `qty-<id>` (how many, 1 when not given), `reason-<id>`, `comment-<id>`;
    and `resolution`, `method`. Returns (draft, {field: message}), each message a Phrase or
    the policy's own words."""
    errors: dict[str, str] = {}
    options = {option.line.id: option for option in line_options(policy, order, today)}
    chosen: list[DraftLine] = []
    for line_id, option in options.items():
        if form.get(f"return-{line_id}"):
            read = _read_line(policy, option, form)
            if isinstance(read, DraftLine):
                chosen.append(read)
            else:
                errors[read[0]] = read[1]
    if _foreign_items(form, options):
        errors["items"] = Phrase(N_("Some of the items you chose aren't in this order."))
    if not chosen and not errors:
        errors["items"] = Phrase(N_("Choose at least one item to return."))
    if form.get("resolution", "") not in policy.resolutions:
        errors["resolution"] = Phrase(N_("Choose a refund or store credit."))
    if form.get("method", "") not in policy.methods:
        errors["method"] = Phrase(N_("Choose how you'll send the items back."))
    if errors:
        return None, errors
    return Draft(order.id, chosen, form["resolution"], form["method"]), {}


def draft_estimate(
    policy: Policy, order: Order, draft: Draft, swaps: dict[int, Swap] | None = None
) -> Estimate:
    """What the draft brings back: each item's price, or for an exchange what the cheaper
    replacement leaves over. `swaps`: the draft's exchanges, when already read."""
    prices = {line.id: line.unit_price_cents for line in order.lines}
    wanted = draft_exchanges(order, draft)[0] if swaps is None else swaps
    chosen = []
    for d in draft.lines:
        swap = wanted.get(d.order_line_id)
        price = swap.refund_cents if swap else prices[d.order_line_id]
        chosen.append(ChosenLine(price, d.quantity, d.reason, swap is not None))
    return policy_estimate(policy, chosen, draft.resolution)


def draft_exchanges(order: Order, draft: Draft) -> tuple[dict[int, Swap], str | None]:
    """The variant each exchanged item of the draft would be swapped for, by order line, and
    why one of them can't be had any more (sold out, dearer now, no longer a size of that
    item), if so: from one read of the catalogue."""
    exchanged = {d.order_line_id: d for d in draft.lines if d.exchange}
    if not exchanged:
        return {}, None
    offered = swaps_for([line for line in order.lines if line.id in exchanged])
    found: dict[int, Swap] = {}
    for line_id, chosen in exchanged.items():
        swap = choose(offered.get(line_id, []), chosen.exchange, chosen.quantity)
        if isinstance(swap, str):
            return found, swap
        found[line_id] = swap
    return found, None


def record_deflection(
    order: Order,
    draft: Draft | list[DraftLine],
    article_path: str,
    outcome: str,
    language: str = DEFAULT_LANGUAGE,
) -> None:
    """Remember that an article was shown for these items' reasons (once per reason) on a
    page in `language`, and whether it solved things."""
    chosen = draft.lines if isinstance(draft, Draft) else draft
    skus = {line.id: line.sku for line in order.lines}
    for reason in sorted({d.reason for d in chosen}):
        sku = next(skus[d.order_line_id] for d in chosen if d.reason == reason)
        db.session.add(
            Deflection(
                order_id=order.id,
                reason_code=reason,
                article_path=article_path,
                outcome=outcome,
                sku=sku,
                language=language,
            )
        )
    db.session.commit()


def photo_lines(policy: Policy, draft: Draft) -> list[DraftLine]:
    """The chosen items whose reasons ask for photos (damage, defects)."""
    return [line for line in draft.lines if policy.reasons[line.reason].photos]


def draft_photos(draft: Draft) -> dict[int, list[ReturnPhoto]]:
    """The photos attached so far, by order line."""
    found: dict[int, list[ReturnPhoto]] = {}
    rows = db.session.execute(
        select(ReturnPhoto).filter_by(draft_key=draft.key).order_by(ReturnPhoto.id)
    ).scalars()
    for photo in rows:
        found.setdefault(photo.order_line_id, []).append(photo)
    return found


def attach_photos(
    policy: Policy, draft: Draft, uploads: Mapping[int, list[tuple[str, IO[bytes]]]], folder: Path
) -> dict[str, str]:
    """Keep each good photo of `uploads` ({order line id: [(name, stream)]}) for the draft;
    returns {field: message} for the files that can't be kept (the others are kept), each
    message a Phrase."""
    allowed = {line.order_line_id for line in photo_lines(policy, draft)}
    held = draft_photos(draft)
    errors: dict[str, str] = {}
    for line_id, files in uploads.items():
        if line_id not in allowed:
            continue
        problems: list[str] = []
        for name, stream in files:
            if len(held.get(line_id, [])) >= MAX_PHOTOS:
                most = N_("Only %(num)d photos of each item can be attached.")
                problems.append(Phrase(most, num=MAX_PHOTOS))
                break
            try:
                stored = store_photo(stream, name, folder)
            except PhotoError as problem:
                problems.append(problem.said)
                continue
            photo = ReturnPhoto(
                draft_key=draft.key,
                order_line_id=line_id,
                file_name=stored.file_name,
                content_type=stored.content_type,
                original_name=name[:200],
            )
            db.session.add(photo)
            held.setdefault(line_id, []).append(photo)
        if problems:
            errors[f"photos-{line_id}"] = Phrase.joined(problems)
    db.session.commit()
    return errors


def _rma() -> str:
    alphabet = string.ascii_uppercase.replace("O", "").replace("I", "") + string.digits[2:]
    return "RMA-" + "".join(secrets.choice(alphabet) for _ in range(8))


def create_return(
    policy: Policy, draft: Draft, carrier: Carrier, today: date, language: str = DEFAULT_LANGUAGE
) -> ReturnRequest:
    """Create the return once per draft key (a double submit gets the same return back),
    re-checking every quantity under the order's lock. Raises NotReturnable. The customer is
    written to in the order's language when the shop gave one, else in `language` (the
    page's they confirmed on)."""
    existing = _by_key(draft.key)
    if existing is not None:
        return existing
    # Take the order's lock first, before reading anything (see Order.return_lock).
    lock_returns(draft.order_id)
    order = db.session.get(Order, draft.order_id)
    if order is None:  # removed (say, by a new import) after the draft was made
        db.session.rollback()
        raise NotReturnable(
            Phrase(N_("That order can no longer be found. Please look it up again."))
        )
    options = {o.line.id: o for o in line_options(policy, order, today)}
    for chosen in draft.lines:
        option = options.get(chosen.order_line_id)
        if option is None or chosen.quantity > option.eligibility.returnable:
            db.session.rollback()
            problem = option.eligibility.problem if option else None
            raise NotReturnable(
                problem or Phrase(N_("Those items can no longer be returned in that quantity."))
            )
    money = draft_estimate(policy, order, draft)
    replacements = _reserve(policy, order, draft)
    # Read before the new return is in the session (no autoflush).
    photos = list(db.session.execute(select(ReturnPhoto).filter_by(draft_key=draft.key)).scalars())
    request = ReturnRequest(
        rma_number=_rma(),
        public_token=secrets.token_urlsafe(24),
        idempotency_key=draft.key,
        order=order,
        language=order.language or language,
        resolution=draft.resolution,
        method=draft.method,
        items_cents=money.items_cents,
        fees_cents=money.fees_cents,
        bonus_cents=money.bonus_cents,
        estimate_cents=money.total_cents,
    )
    for chosen in draft.lines:
        variant = replacements.get(chosen.order_line_id)
        request.lines.append(
            ReturnLine(
                order_line_id=chosen.order_line_id,
                quantity=chosen.quantity,
                reason_code=chosen.reason,
                comment=chosen.comment or None,
                exchange_variant=variant,
                exchange_name=variant.name if variant else None,
                exchange_price_cents=variant.price_cents if variant else None,
            )
        )
    if replacements:
        request.replacement_status = exchanges.RESERVED
    states.start(request, actor="customer")
    for photo in photos:
        if photo.order_line_id in {line.order_line_id for line in draft.lines}:
            photo.request = request
    db.session.add(request)
    try:
        if policy.auto_approve:
            db.session.flush()  # the email queued below refers to the return's id
            move(request, "approve", actor="return policy", note=timeline.APPROVED_AUTOMATICALLY)
            issue_label(request, carrier)  # a carrier that can't leaves it approved
        db.session.commit()
    except IntegrityError:
        # The same draft confirmed twice at once: the other request won (its insert is what
        # the flush above, or the commit, ran into); answer with its return.
        db.session.rollback()
        existing = _by_key(draft.key)
        if existing is None:
            raise
        return existing
    return request


def _reserve(policy: Policy, order: Order, draft: Draft) -> dict[int, Variant]:
    """Take the stock of every exchanged item's replacement (under the order's lock, in the
    return's transaction): the variants by order line, or NotReturnable, taking nothing."""
    lines = {line.id: line for line in order.lines}
    taken = {}
    if any(chosen.exchange for chosen in draft.lines) and not policy.exchanges.enabled:
        db.session.rollback()
        raise NotReturnable(
            Phrase(N_("Exchanges aren't offered any more: please choose your money back."))
        )
    for chosen in draft.lines:
        if chosen.exchange:
            got = exchanges.reserve(lines[chosen.order_line_id], chosen.exchange, chosen.quantity)
            if isinstance(got, str):
                db.session.rollback()
                raise NotReturnable(got)
            taken[chosen.order_line_id] = got
    return taken


def _by_key(key: str) -> ReturnRequest | None:
    return db.session.execute(
        select(ReturnRequest).filter_by(idempotency_key=key)
    ).scalar_one_or_none()


def cancel_return(ret: ReturnRequest, actor: str, note: str | None) -> None:
    """Call the return off, until the carrier's first scan and while no replacement has left.
    Serialised with the carrier's webhook, refunds and a replacement being sent (see
    Order.return_lock), so one arriving at the same moment wins or loses cleanly. Raises
    TransitionError, changing nothing, once it can't be canceled."""
    lock_returns(ret.order_id)
    db.session.refresh(ret)
    try:
        refused = exchanges.cannot_cancel(ret)
        if refused:
            raise states.TransitionError(refused)
        move(ret, "cancel", actor=actor, note=note)
    except states.TransitionError:
        db.session.rollback()
        raise
    db.session.commit()
