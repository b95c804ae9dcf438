"""The returns queue's filters as a query (plain SQLAlchemy, no request objects), and the
words staff read for the codes a return stores."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import Select, func, or_, select

from app.extensions import db
from app.models.orders import Order
from app.models.returns import ReturnLine, ReturnRequest
from app.models.types import utcnow
from app.returns import states
from app.returns.exchanges import RESERVED
from app.returns.policy import Reason
from app.templating import REFUND_METHODS

AGES = {"1": "older than 1 day", "3": "older than 3 days", "7": "older than a week"}
# Exchanges: all of them, or those whose replacement is set aside and not sent yet.
KINDS = {"exchange": "Exchanges", "to_send": "Replacement to send"}

# What staff read for each stored code (the `staff_label` filter on every staff page). Refund
# methods use the customer's words (app/templating.py) without "your"; reasons come from the
# policy file.
RETURN_METHODS = {"label": "Prepaid label", "drop_off": "Drop-off"}
LABELS: dict[str, Mapping[str, str]] = {
    "status": states.CUSTOMER_LABELS,
    "return_method": RETURN_METHODS,
    "refund_method": {code: words.removeprefix("your ") for code, words in REFUND_METHODS.items()},
    "refund_status": {"pending": "Pending", "succeeded": "Paid", "failed": "Failed"},
    "label_refund": {
        "submitted": "Postage refund asked for",
        "refunded": "Postage refunded",
        "rejected": "Postage refund refused by the carrier",
        "failed": "Postage refund not asked yet (tried again by flask carrier retry)",
    },
    "inspection": {"accepted": "Accepted", "rejected": "Not accepted"},
    "role": {"admin": "Admin", "agent": "Agent", "editor": "Editor"},
}


def code_label(code: str | None, kind: str, reasons: Mapping[str, Reason] | None = None) -> str:
    """`code` (of `kind`: a key of LABELS, or "reason" with the policy's reasons) in words; a
    code nobody named yet reads as words too ("gift_card": "gift card"), never as a code."""
    if not code:
        return "–"
    if kind == "reason" and reasons and code in reasons:
        return reasons[code].label
    words = LABELS.get(kind, {}).get(code) or code.replace("_", " ")
    return words if kind == "refund_method" else words[0].upper() + words[1:]


@dataclass(frozen=True)
class QueueFilter:
    status: str = ""
    reason: str = ""
    method: str = ""
    age: str = ""
    kind: str = ""
    q: str = ""

    @classmethod
    def from_args(cls, args: Mapping[str, str], reasons: Mapping[str, Reason]) -> "QueueFilter":
        """Keep only values the queue knows; anything else means "no filter"."""
        status = args.get("status", "")
        reason = args.get("reason", "")
        method = args.get("method", "")
        age = args.get("age", "")
        kind = args.get("kind", "")
        return cls(
            status=status if status in states.CUSTOMER_LABELS else "",
            reason=reason if reason in reasons else "",
            method=method if method in RETURN_METHODS else "",
            age=age if age in AGES else "",
            kind=kind if kind in KINDS else "",
            q=args.get("q", "").strip()[:100],
        )

    def as_args(self) -> dict[str, str]:
        return {k: v for k, v in vars(self).items() if v}


def queue_query(f: QueueFilter) -> Select[ReturnRequest]:
    query = select(ReturnRequest).join(Order).order_by(ReturnRequest.created_at.desc())
    if f.status:
        query = query.where(ReturnRequest.status == f.status)
    if f.method:
        query = query.where(ReturnRequest.method == f.method)
    if f.age:
        query = query.where(ReturnRequest.created_at < utcnow() - timedelta(days=int(f.age)))
    if f.kind == "exchange":
        query = query.where(ReturnRequest.replacement_status.is_not(None))
    elif f.kind == "to_send":
        query = query.where(ReturnRequest.replacement_status == RESERVED)
    if f.reason:
        query = query.where(
            ReturnRequest.id.in_(select(ReturnLine.return_id).filter_by(reason_code=f.reason))
        )
    if f.q:
        needle = f.q.lower()
        query = query.where(
            or_(
                func.lower(ReturnRequest.rma_number) == needle,
                func.lower(Order.number) == needle,
                func.lower(Order.email) == needle,
                func.lower(ReturnRequest.tracking_number) == needle,
            )
        )
    return query


def status_counts() -> dict[str, int]:
    rows = db.session.execute(
        select(ReturnRequest.status, func.count()).group_by(ReturnRequest.status)
    )
    return dict(rows.all())
