"""Moving a return along: the state machine's transition plus the customer's email, in the
caller's transaction. Every change of status goes through here."""

from flask import current_app
from sqlalchemy import update

from app.config import DEFAULT_LANGUAGE
from app.extensions import db
from app.models.orders import Order
from app.models.returns import ReturnEvent, ReturnRequest
from app.notifications.outbox import notify_customer
from app.returns import states
from app.returns.exchanges import release
from app.signing import sign
from app.templating import absolute_url, language_url, written_in


def lock_returns(order_id: int) -> None:
    """Serialise with every other change to this order's returns (see Order.return_lock): a
    write taken first in the transaction, so whatever is read after it is current."""
    db.session.execute(
        update(Order).where(Order.id == order_id).values(return_lock=Order.return_lock + 1)
    )


def status_token(ret: ReturnRequest) -> str:
    """The signed token in a return's status link: unguessable, and useless if altered."""
    return sign(current_app.secret_key, "return-status", ret.public_token)


def status_url(ret: ReturnRequest) -> str:
    """The absolute status link, for emails (SITE_URL outside a request)."""
    return absolute_url("returns.status", token=status_token(ret))


def move(ret: ReturnRequest, action: str, actor: str, note: str | None = None) -> ReturnEvent:
    """Apply `action` (raises states.TransitionError, changing nothing) and queue the email.
    A return that ends gives back the stock its exchange had set aside."""
    event = states.apply(ret, action, actor, note)
    if ret.status in states.RELEASED | {states.CLOSED}:
        release(ret)
    tell_customer(ret, ret.status, note)
    return event


def tell_customer(ret: ReturnRequest, what: str, note: str | None = None) -> None:
    """Queue the customer's email about `what` (a status, or "replacement_sent"), if any:
    in the return's language, its links to that language's pages, whatever page (a staff
    one) or command sends it."""
    token = status_token(ret)
    language = ret.language or DEFAULT_LANGUAGE
    links = {
        name: language_url(language, endpoint, token=token)
        for name, endpoint in (
            ("status_url", "returns.status"),
            ("label_url", "returns.label"),
            ("packing_slip_url", "returns.packing_slip"),
        )
    }
    with written_in(language):
        notify_customer(ret, what, links, note)
