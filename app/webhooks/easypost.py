"""EasyPost's tracker events (CARRIER=easypost): checked against the HMAC-SHA256 signature
EasyPost sends in `X-Hmac-Signature` ("hmac-sha256-hex=<hex of the raw body signed with the
webhook's secret>", the secret NFKD-normalised first), then translated into our own carrier
events and recorded once each by app/webhooks/carrier.py, which moves the return along.

EasyPost posts an Event whose `result` is the Tracker: {"id": "evt_...", "description":
"tracker.updated", "result": {"tracking_code": ..., "status": ..., "updated_at": ...}}. A
parcel scanned on its way (in_transit, out_for_delivery, available_for_pickup) is our
"in_transit", a delivered one our "delivered". Other statuses (pre_transit, return_to_sender,
failure...), other kinds of event and parcels that aren't returns (the account's other
shipments share the webhook) are acknowledged and change nothing.

The signature has no timestamp: a replayed request is stopped by the event's id, recorded once.
"""

import hashlib
import hmac
import unicodedata
from datetime import UTC, datetime

from sqlalchemy import select

from app.extensions import db
from app.models.returns import ReturnRequest
from app.webhooks.carrier import (
    MAX_EVENT_ID,
    MAX_TRACKING_NUMBER,
    Event,
    InvalidEvent,
    Outcome,
    record,
)
from app.webhooks.signature import SignatureError

HEADER = "X-Hmac-Signature"
SCHEME = "hmac-sha256-hex="
TRACKER_EVENTS = ("tracker.created", "tracker.updated")
KINDS = {
    "in_transit": "in_transit",
    "out_for_delivery": "in_transit",
    "available_for_pickup": "in_transit",
    "delivered": "delivered",
}


def sign(secret: str, body: bytes) -> str:
    """The X-Hmac-Signature value EasyPost sends with `body`."""
    key = unicodedata.normalize("NFKD", secret).encode("utf-8")
    return SCHEME + hmac.new(key, body, hashlib.sha256).hexdigest()


def verify(secret: str, header_value: str | None, body: bytes) -> None:
    """Return if the header signs `body` under `secret`; otherwise raise SignatureError."""
    if not secret:
        raise SignatureError("The EasyPost webhook secret (EASYPOST_WEBHOOK_SECRET) is not set.")
    if not header_value:
        raise SignatureError(f"Missing {HEADER} header.")
    if not hmac.compare_digest(sign(secret, body), header_value.strip()):
        raise SignatureError("The signature does not match the body.")


def _text(data: dict[str, object], name: str, longest: int) -> str:
    value = data.get(name)
    if not isinstance(value, str) or not value.strip():
        raise InvalidEvent(f'"{name}" is missing or empty.')
    if len(value.strip()) > longest or "\x00" in value:
        raise InvalidEvent(f'"{name}" is too long or holds a NUL character.')
    return value.strip()


def _moment(*candidates: object) -> datetime:
    """The first of `candidates` that is an ISO 8601 moment with a zone, in UTC; now if none."""
    for value in candidates:
        if not isinstance(value, str):
            continue
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            continue
        if moment.tzinfo is not None:
            try:
                return moment.astimezone(UTC)
            except OverflowError:
                continue
    return datetime.now(UTC)


def translate(payload: object) -> Event | None:
    """Our carrier event for an EasyPost Event, or None when it is one we don't act on.
    Raises InvalidEvent for a body that isn't an EasyPost Event."""
    if not isinstance(payload, dict):
        raise InvalidEvent("The body must be a JSON object.")
    event_id = _text(payload, "id", MAX_EVENT_ID)
    tracker = payload.get("result")
    if payload.get("description") not in TRACKER_EVENTS or not isinstance(tracker, dict):
        return None
    kind = KINDS.get(str(tracker.get("status")))
    if kind is None:
        return None
    return Event(
        id=event_id,
        kind=kind,
        tracking_number=_text(tracker, "tracking_code", MAX_TRACKING_NUMBER),
        occurred_at=_moment(tracker.get("updated_at"), payload.get("updated_at")),
    )


def process(payload: object) -> Outcome:
    """Apply a checked EasyPost Event to its return, once (raises InvalidEvent)."""
    event = translate(payload)
    if event is None:
        return Outcome.IGNORED
    ours = db.session.execute(
        select(ReturnRequest.id).filter_by(tracking_number=event.tracking_number)
    ).first()
    if ours is None:  # another of the account's parcels
        return Outcome.IGNORED
    return record(event)
