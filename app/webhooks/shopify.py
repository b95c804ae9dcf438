"""Shopify's order webhooks (ORDERS_SOURCE=shopify): `orders/create` and `orders/updated`,
checked against `X-Shopify-Hmac-Sha256` (the base64 HMAC-SHA256 of the raw body under the
app's client secret), applied once each (`X-Shopify-Webhook-Id`), the order written by
app/orders/shopify.py.

Shopify wants an answer within five seconds and sends a delivery again until it gets a 2xx:
an order we can't keep (no email, say) is acknowledged as skipped, since sending it again
won't change it; products are read with a short timeout and no retry, and lines keep their
images when that fails (`flask orders sync` fills them in later).
"""

import base64
import hashlib
import hmac
import logging
from collections.abc import Mapping
from enum import StrEnum
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models.shopify import ShopifyWebhook
from app.orders import shopify as orders
from app.orders.shopify_api import ShopifyClient
from app.orders.shopify_mapping import NotAnOrder, product_ids, shopify_id
from app.webhooks.signature import SignatureError

log = logging.getLogger(__name__)

HEADER = "X-Shopify-Hmac-Sha256"
ID_HEADER = "X-Shopify-Webhook-Id"
TOPIC_HEADER = "X-Shopify-Topic"
TOPICS = ("orders/create", "orders/updated")
MAX_WEBHOOK_ID = 100
MAX_TOPIC = 40
PRODUCTS_TIMEOUT = 2.0  # seconds, of the five Shopify waits


class Outcome(StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    STALE = "stale"
    SKIPPED = "skipped"
    DUPLICATE = "duplicate"  # this webhook id was applied before; nothing changed
    IGNORED = "ignored"  # a topic we don't act on


class InvalidDelivery(ValueError):
    """Headers or a body that aren't a Shopify order webhook; the message says why."""


class Conflict(RuntimeError):
    """Another delivery wrote the same new order at the same moment: Shopify should send
    this one again (it does, after a 5xx), when it will be an update."""


def sign(secret: str, body: bytes) -> str:
    """The X-Shopify-Hmac-Sha256 value Shopify sends with `body`."""
    digest = hmac.new(secret.encode("utf-8"), body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def verify(secret: str, header_value: str | None, body: bytes) -> None:
    """Return if the header signs `body` under `secret`; otherwise raise SignatureError."""
    if not secret:
        raise SignatureError("The Shopify webhook secret (SHOPIFY_WEBHOOK_SECRET) is not set.")
    if not header_value:
        raise SignatureError(f"Missing {HEADER} header.")
    expected = sign(secret, body).encode("ascii")
    if not hmac.compare_digest(expected, header_value.strip().encode("utf-8", "replace")):
        raise SignatureError("The signature does not match the body.")


def _header(value: str | None, name: str, longest: int) -> str:
    text = (value or "").strip()
    if not text or len(text) > longest or not text.isprintable():
        raise InvalidDelivery(f"Missing or malformed {name} header.")
    return text


def _seen(webhook_id: str) -> bool:
    found = db.session.execute(select(ShopifyWebhook.id).filter_by(webhook_id=webhook_id)).first()
    return found is not None


def receive(
    webhook_id: str | None,
    topic: str | None,
    payload: object,
    config: Mapping[str, Any],
) -> Outcome:
    """Apply a verified delivery once, committing the order and the delivery's id together.
    Raises InvalidDelivery for headers or a body that aren't an order webhook."""
    webhook_id = _header(webhook_id, ID_HEADER, MAX_WEBHOOK_ID)
    topic = _header(topic, TOPIC_HEADER, MAX_TOPIC)
    if _seen(webhook_id):
        return Outcome.DUPLICATE
    if topic not in TOPICS:
        return Outcome.IGNORED
    if not isinstance(payload, dict):
        raise InvalidDelivery("The body must be a JSON object.")
    products = orders.read_products(_client(config), product_ids([payload]))
    try:
        outcome = Outcome(orders.apply(payload, products).value)
    except NotAnOrder as problem:
        db.session.rollback()
        raise InvalidDelivery(str(problem)) from None
    except orders.Unusable as problem:
        db.session.rollback()
        log.warning("Shopify order skipped: %s", problem, extra={"webhook_id": webhook_id})
        outcome = Outcome.SKIPPED
    db.session.add(
        ShopifyWebhook(
            webhook_id=webhook_id,
            topic=topic,
            shopify_order_id=shopify_id(payload),
            outcome=outcome.value,
        )
    )
    try:
        db.session.commit()
    except IntegrityError:
        # The same delivery twice at once (the other copy was recorded first), or the same
        # new order from two deliveries at once: Shopify sends this one again if need be.
        db.session.rollback()
        if _seen(webhook_id):
            return Outcome.DUPLICATE
        raise Conflict("The order was being written by another delivery; send it again.") from None
    log.info(
        "Shopify webhook applied",
        extra={"webhook_id": webhook_id, "topic": topic, "outcome": outcome.value},
    )
    return outcome


def _client(config: Mapping[str, Any]) -> ShopifyClient | None:
    """A client for reading products quickly, if the access token is set."""
    try:
        return ShopifyClient.from_config(
            config, timeout=min(PRODUCTS_TIMEOUT, float(config["PROVIDER_TIMEOUT"])), retries=0
        )
    except ValueError:
        return None
