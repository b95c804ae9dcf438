"""Stripe's refund events (PAYMENTS=stripe): a refund Stripe accepted can fail days later (the
card was closed, the bank sent the money back). Stripe then sends `refund.failed` (and
`refund.updated`, or `charge.refund.updated` on older API versions) with the refund, its
status `failed` or `canceled` and a `failure_reason`.

The request is checked with the official client's `stripe.Webhook.construct_event`: the
`Stripe-Signature` header (`t=<timestamp>,v1=<HMAC-SHA256 of "<t>.<body>" under the
endpoint's signing secret>`), refused when older than five minutes. The refund it names is
found by its Stripe id and marked failed by app/returns/refunds.py (failed_later); a
refund already failed stays as it is, so Stripe's repeats change nothing. Other events, and
refunds that aren't ours, are acknowledged and change nothing.
"""

from enum import Enum

import stripe

from app.returns.refunds import failed_later
from app.webhooks.signature import SignatureError

HEADER = "Stripe-Signature"
REFUND_EVENTS = frozenset({"refund.failed", "refund.updated", "charge.refund.updated"})
FAILED = frozenset({"failed", "canceled"})


class Outcome(Enum):
    FAILED = "refund_failed"  # a refund of ours is failed now
    IGNORED = "ignored"


class InvalidEvent(ValueError):
    """A signed body that isn't a Stripe event we can read."""


def check(body: bytes, header: str | None, secret: str) -> stripe.Event:
    """The event `body` holds, if `header` signs it under `secret` (SignatureError if not)."""
    if not secret:
        raise SignatureError(
            "The Stripe webhook signing secret (STRIPE_WEBHOOK_SECRET) is not set."
        )
    if not header:
        raise SignatureError(f"Missing {HEADER} header.")
    try:
        event: stripe.Event = stripe.Webhook.construct_event(body, header, secret)
    except stripe.SignatureVerificationError as error:
        raise SignatureError(f"The signature does not match the body: {error}") from None
    except ValueError:  # the client's own check that the body is JSON
        raise InvalidEvent("The body is not a Stripe event.") from None
    return event


def process(event: stripe.Event) -> Outcome:
    """Mark the refund an event says failed as failed (once)."""
    if getattr(event, "type", None) not in REFUND_EVENTS:
        return Outcome.IGNORED
    data = getattr(event, "data", None)
    found = getattr(data, "object", None)
    refund = found.to_dict() if isinstance(found, stripe.StripeObject) else None
    if refund is None or refund.get("object") != "refund":
        raise InvalidEvent("The event holds no refund.")
    refund_id, status = refund.get("id"), refund.get("status")
    if not isinstance(refund_id, str) or status not in FAILED:
        return Outcome.IGNORED
    reason = str(refund.get("failure_reason") or status).replace("_", " ")
    ours = failed_later(refund_id[:64], reason, actor="Stripe")
    return Outcome.IGNORED if ours is None else Outcome.FAILED
