"""Guesses at one order from many addresses: after GUESSES wrong lookups of an order number
within an hour, that order is found only by its email address. A postal code has few enough
values to be guessed by many addresses taking turns, an email address doesn't; and the
customer is never locked out, only asked for the email the order was sent to.

Counted in Flask-Limiter's storage (Redis when the workers share it), through its public
rate-limiting strategy (`limiter.limiter`)."""

from limits import parse

from app.extensions import limiter
from app.models.orders import order_number_key

GUESSES = parse("30 per hour")
NAMESPACE = "order-guesses"


def guess_key(order_number: str) -> str:
    """The order number as lookups compare it, bounded: what guesses at one order count on."""
    return order_number_key(order_number)[:80]


def needs_email(order_number: str, contact: str) -> bool:
    """Whether this lookup must use the order's email: its number was guessed at too often
    and the customer gave a postal code."""
    if "@" in contact or not limiter.enabled:
        return False
    return not limiter.limiter.test(GUESSES, NAMESPACE, guess_key(order_number))


def count_wrong_guess(order_number: str) -> None:
    if limiter.enabled:
        limiter.limiter.hit(GUESSES, NAMESPACE, guess_key(order_number))
