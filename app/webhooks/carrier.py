"""The carrier's tracking events: check them, record each one once, move the return along.

Plain service code (no request): the webhook view checks the signature and parses the JSON,
then hands the payload to `process`, which commits everything for one event in one
transaction: the CarrierEvent row, the return's new status, its timeline event and the
customer's email.
"""

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models.refunds import CarrierEvent
from app.models.returns import ReturnRequest
from app.returns import timeline
from app.returns.states import TransitionError
from app.returns.workflow import lock_returns, move

log = logging.getLogger(__name__)

ACTOR = "carrier"
# Each event type: the return's action it asks for, and the note on the customer's timeline.
ACTIONS: dict[str, tuple[str, str | None]] = {
    "in_transit": ("carrier_scan", None),
    "delivered": ("receive", timeline.DELIVERED),
}
# Column sizes in CarrierEvent.
MAX_EVENT_ID = 100
MAX_TRACKING_NUMBER = 40


class Outcome(StrEnum):
    PROCESSED = "processed"  # the return moved along
    DUPLICATE = "duplicate"  # this event id was seen before; nothing changed
    IGNORED = "ignored"  # the return's status does not allow it (canceled, already further on)
    UNKNOWN_TRACKING = "unknown_tracking"  # no return has this tracking number; recorded


class InvalidEvent(ValueError):
    """A payload with a field missing or wrong; the message says which."""


@dataclass(frozen=True)
class Event:
    id: str
    kind: str
    tracking_number: str
    occurred_at: datetime


def _text(payload: dict[str, object], name: str, longest: int) -> str:
    value = payload.get(name)
    if not isinstance(value, str) or not value.strip():
        raise InvalidEvent(f'"{name}" is missing or empty.')
    if len(value.strip()) > longest:
        raise InvalidEvent(f'"{name}" is longer than {longest} characters.')
    if "\x00" in value:  # no database text column can hold it
        raise InvalidEvent(f'"{name}" contains a NUL character.')
    return value.strip()


def _moment(value: object) -> datetime:
    if not isinstance(value, str):
        raise InvalidEvent('"occurred_at" is missing.')
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise InvalidEvent('"occurred_at" is not an ISO 8601 date and time.') from None
    if moment.tzinfo is None:
        raise InvalidEvent('"occurred_at" needs a time zone (such as "Z" or "+00:00").')
    try:
        return moment.astimezone(UTC)
    except OverflowError:  # 9999-12-31T23:59-01:00 is in the year 10000
        raise InvalidEvent('"occurred_at" is out of range.') from None


def parse(payload: object) -> Event:
    """The event in a decoded JSON body (raises InvalidEvent)."""
    if not isinstance(payload, dict):
        raise InvalidEvent("The body must be a JSON object.")
    kind = payload.get("type")
    if not isinstance(kind, str) or kind not in ACTIONS:
        raise InvalidEvent(f'"type" must be one of: {", ".join(ACTIONS)}.')
    return Event(
        id=_text(payload, "id", MAX_EVENT_ID),
        kind=kind,
        tracking_number=_text(payload, "tracking_number", MAX_TRACKING_NUMBER),
        occurred_at=_moment(payload.get("occurred_at")),
    )


def _seen(event_id: str) -> bool:
    found = db.session.execute(select(CarrierEvent.id).filter_by(event_id=event_id)).first()
    return found is not None


def _apply(ret: ReturnRequest, event: Event) -> Outcome:
    """Move the return as the event asks, or leave it alone when its status doesn't allow it."""
    # Serialise with every other change to this order's returns (see Order.return_lock), then
    # read the status as it is now: another event may have moved the return meanwhile.
    lock_returns(ret.order_id)
    db.session.refresh(ret)
    action, note = ACTIONS[event.kind]
    try:
        move(ret, action, actor=ACTOR, note=note)
    except TransitionError:
        return Outcome.IGNORED
    return Outcome.PROCESSED


def process(payload: object) -> Outcome:
    """Record the event once and apply it to its return, in one committed transaction.
    Raises InvalidEvent for a payload with a field missing or wrong."""
    return record(parse(payload))


def record(event: Event) -> Outcome:
    """Record a checked event once (our own format's, or another carrier's translated to it:
    app/webhooks/easypost.py) and apply it to its return, in one committed transaction."""
    if _seen(event.id):
        return Outcome.DUPLICATE
    ret = db.session.execute(
        select(ReturnRequest).filter_by(tracking_number=event.tracking_number)
    ).scalar_one_or_none()
    if ret is None:
        outcome = Outcome.UNKNOWN_TRACKING
        log.warning(
            "carrier event for an unknown tracking number",
            extra={"event_id": event.id, "kind": event.kind},
        )
    else:
        outcome = _apply(ret, event)
    db.session.add(
        CarrierEvent(
            event_id=event.id,
            tracking_number=event.tracking_number,
            kind=event.kind,
            return_id=ret.id if ret else None,
            outcome=outcome.value,
        )
    )
    try:
        db.session.commit()
    except IntegrityError:
        # The same event delivered twice at once: the other copy was recorded first.
        db.session.rollback()
        if _seen(event.id):
            return Outcome.DUPLICATE
        raise
    log.info(
        "carrier event recorded",
        extra={
            "event_id": event.id,
            "kind": event.kind,
            "outcome": outcome.value,
            "occurred_at": event.occurred_at.isoformat(),
        },
    )
    return outcome
