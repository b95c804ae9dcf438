"""Webhook endpoints. Thin: check the signature, parse the body, hand it to the service."""

import json
import time
from collections.abc import Callable

from flask import Response, current_app, jsonify, request

from app.extensions import csrf_exempt, limiter
from app.webhooks import bp, easypost, shopify, stripe_events
from app.webhooks.carrier import InvalidEvent, Outcome, process
from app.webhooks.signature import HEADER, SignatureError, verify

MAX_BODY = 64 * 1024  # a tracking event is a few hundred bytes
# EasyPost's Event holds the tracker with its whole history of scans: tens of KB at most.
EASYPOST_MAX_BODY = 512 * 1024
# A Shopify order with hundreds of lines, their discounts, taxes and fulfilments.
SHOPIFY_MAX_BODY = 4 * 1024 * 1024


class BadBody(ValueError):
    """A body that isn't JSON a database can store; the message says why."""


def _json(body: bytes) -> object:
    try:
        payload = json.loads(body)
        # A lone surrogate (\ud800) parses, but no database can store it.
        json.dumps(payload, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        raise BadBody("The body holds text that isn't valid Unicode.") from None
    except ValueError:
        raise BadBody("The body is not valid JSON.") from None
    except RecursionError:  # thousands of nested brackets, inside the size limit
        raise BadBody("The body is not valid JSON: nested too deeply.") from None
    return payload


def _answer(outcome: Outcome) -> tuple[Response, int]:
    return jsonify(status=outcome.value), 202 if outcome is Outcome.UNKNOWN_TRACKING else 200


def _signed_events(
    max_body: int, verify_body: Callable[[bytes], None], process_event: Callable[[object], Outcome]
) -> tuple[Response, int]:
    """A tracking webhook: the signature checked (401), the event read and applied (400 if
    it can't be), and the outcome."""
    request.max_content_length = max_body
    body = request.get_data()
    try:
        verify_body(body)
    except SignatureError as problem:
        return jsonify(error=str(problem)), 401
    try:
        outcome = process_event(_json(body))
    except (BadBody, InvalidEvent) as problem:
        return jsonify(error=str(problem)), 400
    return _answer(outcome)


@bp.post("/carrier")
@csrf_exempt  # the carrier signs its requests instead; it has no session or form token
@limiter.limit("600 per minute")
def carrier() -> tuple[Response, int]:
    """The carrier's tracking events (see "Carrier webhook" in the README)."""
    config = current_app.config

    def check(body: bytes) -> None:
        verify(
            config["CARRIER_WEBHOOK_SECRET"],
            request.headers.get(HEADER),
            body,
            now=time.time(),
            tolerance=config["CARRIER_WEBHOOK_TOLERANCE"],
        )

    return _signed_events(MAX_BODY, check, process)


@bp.post("/easypost")
@csrf_exempt  # EasyPost signs its requests instead
@limiter.limit("600 per minute")
def easypost_events() -> tuple[Response, int]:
    """EasyPost's tracker events, with CARRIER=easypost (see app/webhooks/easypost.py)."""
    secret = current_app.config.get("EASYPOST_WEBHOOK_SECRET", "")

    def check(body: bytes) -> None:
        easypost.verify(secret, request.headers.get(easypost.HEADER), body)

    return _signed_events(EASYPOST_MAX_BODY, check, easypost.process)


@bp.post("/shopify")
@csrf_exempt  # Shopify signs its requests instead
@limiter.limit("600 per minute")
def shopify_orders() -> tuple[Response, int]:
    """Shopify's orders/create and orders/updated, with ORDERS_SOURCE=shopify (see
    app/webhooks/shopify.py)."""
    if current_app.config.get("ORDERS_SOURCE") != "shopify":
        return jsonify(error="Orders don't come from Shopify here (ORDERS_SOURCE)."), 404
    request.max_content_length = SHOPIFY_MAX_BODY
    body = request.get_data()
    try:
        shopify.verify(
            current_app.config.get("SHOPIFY_WEBHOOK_SECRET", ""),
            request.headers.get(shopify.HEADER),
            body,
        )
    except SignatureError as problem:
        return jsonify(error=str(problem)), 401
    try:
        outcome = shopify.receive(
            request.headers.get(shopify.ID_HEADER),
            request.headers.get(shopify.TOPIC_HEADER),
            _json(body),
            current_app.config,
        )
    except (BadBody, shopify.InvalidDelivery) as problem:
        return jsonify(error=str(problem)), 400
    except shopify.Conflict as problem:
        return jsonify(error=str(problem)), 503
    return jsonify(status=outcome.value), 200


@bp.post("/stripe")
@csrf_exempt  # Stripe signs its requests instead
@limiter.limit("600 per minute")
def stripe_refund_events() -> tuple[Response, int]:
    """Stripe's refund events, with PAYMENTS=stripe (see app/webhooks/stripe_events.py)."""
    if current_app.config.get("PAYMENTS") != "stripe":
        return jsonify(error="Refunds don't go through Stripe here (PAYMENTS)."), 404
    request.max_content_length = MAX_BODY
    body = request.get_data()
    try:
        _json(body)
        event = stripe_events.check(
            body,
            request.headers.get(stripe_events.HEADER),
            current_app.config.get("STRIPE_WEBHOOK_SECRET", ""),
        )
    except SignatureError as problem:
        return jsonify(error=str(problem)), 401
    except (BadBody, stripe_events.InvalidEvent) as problem:
        return jsonify(error=str(problem)), 400
    try:
        outcome = stripe_events.process(event)
    except stripe_events.InvalidEvent as problem:
        return jsonify(error=str(problem)), 400
    return jsonify(status=outcome.value), 200
