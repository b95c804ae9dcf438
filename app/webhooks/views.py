"""Webhook endpoints. Thin: check the signature, parse the body, hand it to the service."""

import json
import time

from flask import Response, current_app, jsonify, request

from app.extensions import csrf, limiter
from app.webhooks import bp, easypost
from app.webhooks.carrier import InvalidEvent, Outcome, process
from app.webhooks.signature import HEADER, SignatureError, verify

MAX_BODY = 64 * 1024  # a tracking event is a few hundred bytes
# EasyPost's Event holds the tracker with its whole history of scans: tens of KB at most.
EASYPOST_MAX_BODY = 512 * 1024


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


@bp.post("/carrier")
@csrf.exempt  # the carrier signs its requests instead; it has no session or form token
@limiter.limit("600 per minute")
def carrier():
    """The carrier's tracking events (see "Carrier webhook" in the README)."""
    request.max_content_length = MAX_BODY
    body = request.get_data()
    try:
        verify(
            current_app.config["CARRIER_WEBHOOK_SECRET"],
            request.headers.get(HEADER),
            body,
            now=time.time(),
            tolerance=current_app.config["CARRIER_WEBHOOK_TOLERANCE"],
        )
    except SignatureError as problem:
        return jsonify(error=str(problem)), 401
    try:
        outcome = process(_json(body))
    except (BadBody, InvalidEvent) as problem:
        return jsonify(error=str(problem)), 400
    return _answer(outcome)


@bp.post("/easypost")
@csrf.exempt  # EasyPost signs its requests instead
@limiter.limit("600 per minute")
def easypost_events():
    """EasyPost's tracker events, with CARRIER=easypost (see app/webhooks/easypost.py)."""
    request.max_content_length = EASYPOST_MAX_BODY
    body = request.get_data()
    try:
        easypost.verify(
            current_app.config.get("EASYPOST_WEBHOOK_SECRET", ""),
            request.headers.get(easypost.HEADER),
            body,
        )
    except SignatureError as problem:
        return jsonify(error=str(problem)), 401
    try:
        outcome = easypost.process(_json(body))
    except (BadBody, InvalidEvent) as problem:
        return jsonify(error=str(problem)), 400
    return _answer(outcome)
