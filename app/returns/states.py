"""The return's state machine: the only place a return changes status.

    requested ─approve─▶ approved ─issue_label─▶ label_issued ─carrier_scan─▶ in_transit
        │                                │                                         │
        └─reject─▶ rejected              └─cancel─▶ canceled (until the first scan) ▼
                            received ─inspect─▶ inspected ─refund─▶ refunded ─close─▶ closed

Every transition appends a ReturnEvent (the customer's timeline) naming who did it.
"""

from app.i18n import N_
from app.models.returns import ReturnEvent, ReturnRequest
from app.models.types import utcnow

REQUESTED = "requested"
APPROVED = "approved"
REJECTED = "rejected"
LABEL_ISSUED = "label_issued"
IN_TRANSIT = "in_transit"
RECEIVED = "received"
INSPECTED = "inspected"
REFUNDED = "refunded"
CLOSED = "closed"
CANCELED = "canceled"
EXPIRED = "expired"

# action: (statuses it may start from, status it leads to)
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "approve": (frozenset({REQUESTED}), APPROVED),
    "reject": (frozenset({REQUESTED}), REJECTED),
    "issue_label": (frozenset({APPROVED}), LABEL_ISSUED),
    "cancel": (frozenset({REQUESTED, APPROVED, LABEL_ISSUED}), CANCELED),
    "carrier_scan": (frozenset({LABEL_ISSUED}), IN_TRANSIT),
    "receive": (frozenset({LABEL_ISSUED, IN_TRANSIT}), RECEIVED),
    "inspect": (frozenset({RECEIVED}), INSPECTED),
    "refund": (frozenset({APPROVED, LABEL_ISSUED, IN_TRANSIT, RECEIVED, INSPECTED}), REFUNDED),
    # From inspected: nothing was left to refund (an exchange whose replacement was sent).
    "close": (frozenset({REFUNDED, REJECTED, INSPECTED}), CLOSED),
    "expire": (frozenset({LABEL_ISSUED}), EXPIRED),
}

# Statuses whose units no longer count as "being returned".
RELEASED = frozenset({REJECTED, CANCELED, EXPIRED})

# What the customer reads on the status page (in their language: translated where shown;
# staff read them in English).
CUSTOMER_LABELS = {
    REQUESTED: N_("Return requested"),
    APPROVED: N_("Return approved"),
    REJECTED: N_("Return not accepted"),
    LABEL_ISSUED: N_("Label ready"),
    IN_TRANSIT: N_("On its way to us"),
    RECEIVED: N_("Received at our warehouse"),
    INSPECTED: N_("Checked by our team"),
    REFUNDED: N_("Refund issued"),
    CLOSED: N_("Completed"),
    CANCELED: N_("Canceled"),
    EXPIRED: N_("Label expired"),
}
NEXT_STEPS = {
    REQUESTED: N_("Our team will review your request, usually within one business day."),
    APPROVED: N_("Your label is being prepared."),
    LABEL_ISSUED: N_(
        "Pack the items, attach the label (or show the QR code at a drop-off point) "
        "and send the parcel. We'll update this page when the carrier scans it."
    ),
    IN_TRANSIT: N_("The parcel is on its way to our warehouse."),
    RECEIVED: N_("We'll check the items, usually within two business days."),
    INSPECTED: N_("Your refund is being issued."),
    REFUNDED: N_("The money is on its way to you."),
    CLOSED: N_("This return is complete."),
    REJECTED: N_("If you have questions about this decision, contact us."),
    CANCELED: N_("Nothing more to do. You can start a new return while the window is open."),
    EXPIRED: N_(
        "The label was never used. Start a new return if you still want to send items back."
    ),
}


ACTION_WORDS = {
    "approve": "approved",
    "reject": "rejected",
    "issue_label": "given a label",
    "cancel": "canceled",
    "carrier_scan": "scanned by the carrier",
    "receive": "received",
    "inspect": "inspected",
    "refund": "refunded",
    "close": "closed",
    "expire": "expired",
}


class TransitionError(ValueError):
    """An action that the return's current status does not allow."""


def next_status(current: str, action: str) -> str:
    if action not in TRANSITIONS:
        raise TransitionError(f"Unknown action {action!r}.")
    sources, target = TRANSITIONS[action]
    if current not in sources:
        status = CUSTOMER_LABELS.get(current, current)
        raise TransitionError(
            f"This return's status is \"{status}\", so it can't be {ACTION_WORDS[action]} now."
        )
    return target


def _event(request: ReturnRequest, status: str, actor: str, note: str | None) -> ReturnEvent:
    event = ReturnEvent(status=status, note=note, actor=actor, at=utcnow())
    request.events.append(event)
    return event


def record(request: ReturnRequest, actor: str, note: str) -> ReturnEvent:
    """A note on the timeline without a change of status (a further partial refund)."""
    return _event(request, request.status, actor, note)


def start(request: ReturnRequest, actor: str, note: str | None = None) -> ReturnEvent:
    """The first event of a new return."""
    request.status = REQUESTED
    return _event(request, REQUESTED, actor, note)


def apply(request: ReturnRequest, action: str, actor: str, note: str | None = None) -> ReturnEvent:
    """Move the return along (or raise TransitionError, changing nothing)."""
    request.status = next_status(request.status, action)
    return _event(request, request.status, actor, note)
