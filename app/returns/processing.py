"""What staff record about returned items: how many arrived (and damaged), and the
inspection of each line. Reads plain form mappings; no Flask request objects."""

from collections.abc import Mapping

from app.extensions import db
from app.models.returns import ReturnLine, ReturnRequest
from app.returns import exchanges, states, timeline
from app.returns.policy import Policy
from app.returns.refunds import refundable
from app.returns.workflow import lock_returns, move, tell_customer


def _count(form: Mapping[str, str], key: str) -> int | None:
    raw = (form.get(key) or "").strip()
    return int(raw) if raw.isdigit() else None


def record_receipt(ret: ReturnRequest, form: Mapping[str, str], actor: str) -> dict[str, str]:
    """`received-<line id>` and `damaged-<line id>` per line. Returns errors (nothing
    changed) or {} after marking the return received."""
    errors: dict[str, str] = {}
    counts: dict[ReturnLine, tuple[int, int]] = {}
    for line in ret.lines:
        received = _count(form, f"received-{line.id}")
        damaged = _count(form, f"damaged-{line.id}") if form.get(f"damaged-{line.id}") else 0
        if received is None or received > line.quantity:
            errors[f"received-{line.id}"] = f"Enter a number from 0 to {line.quantity}."
        elif damaged is None or damaged > received:
            errors[f"damaged-{line.id}"] = "Damaged can't be more than received."
        else:
            counts[line] = (received, damaged)
    if errors:
        return errors
    if ret.status != states.RECEIVED:  # the carrier's delivery scan may have marked it already
        summary = ", ".join(f"{r} × {line.order_line.name}" for line, (r, _) in counts.items())
        move(ret, "receive", actor=actor, note=timeline.COUNTED % {"items": summary})
    for line, (received, damaged) in counts.items():
        line.received_qty, line.damaged_qty = received, damaged
    return {}


def record_inspection(ret: ReturnRequest, form: Mapping[str, str], actor: str) -> dict[str, str]:
    """Per line: `inspection-<line id>` (accepted | rejected), `inspection-reason-<line id>`
    (what the customer reads when an item is rejected: required then) and
    `inspection-note-<line id>` (staff's own note, never shown to the customer)."""
    if ret.status != states.RECEIVED:
        states.next_status(ret.status, "inspect")  # raises TransitionError with the reason
    if any(line.received_qty is None for line in ret.lines):
        return {"form": "Record what arrived before inspecting."}
    errors: dict[str, str] = {}
    verdicts: dict[ReturnLine, tuple[str, str | None]] = {}
    for line in ret.lines:
        verdict = form.get(f"inspection-{line.id}", "")
        reason = (form.get(f"inspection-reason-{line.id}") or "").strip()
        if verdict not in ("accepted", "rejected"):
            errors[f"inspection-{line.id}"] = "Accept or reject this item."
        elif verdict == "rejected" and not reason:
            errors[f"inspection-reason-{line.id}"] = "Say why, for the customer."
        verdicts[line] = (verdict, reason if verdict == "rejected" else None)
    if errors:
        return errors
    before = {line: exchanges.units_to_send(line) for line in ret.lines}
    told = []
    for line, (verdict, why) in verdicts.items():
        line.inspection, line.customer_reason = verdict, why
        line.inspection_note = (form.get(f"inspection-note-{line.id}") or "").strip() or None
        name = line.order_line.name
        said = {"item": name, "why": why}
        told.append((timeline.NOT_ACCEPTED if why else timeline.ACCEPTED) % said)
    # The timeline note is the customer's: what was accepted, and why anything wasn't.
    move(ret, "inspect", actor=actor, note=" ".join(told))
    exchanges.settle_inspection(ret, before)
    return {}


def send_replacement(
    policy: Policy, ret: ReturnRequest, carrier: str, tracking: str, actor: str
) -> None:
    """Record that an exchange's replacement left the warehouse, email the customer, and
    complete the return when nothing is left to do (inspected, nothing to refund). Serialised
    with the return's other changes; raises exchanges.ExchangeError, changing nothing."""
    lock_returns(ret.order_id)
    db.session.refresh(ret)
    exchanges.send_replacement(policy, ret, carrier, tracking, actor)
    tell_customer(ret, "replacement_sent")
    complete_exchange(policy, ret, actor)


def complete_exchange(policy: Policy, ret: ReturnRequest, actor: str) -> None:
    """Close an inspected exchange whose replacement was sent and which owes nothing more."""
    if exchanges.nothing_left(ret, refundable(policy, ret).remaining_cents):
        move(ret, "close", actor=actor, note=timeline.EXCHANGE_COMPLETE)
