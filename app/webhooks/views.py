"""Webhook endpoints. Thin: check the signature, parse the body, hand it to the service."""

import json
import time

from flask import current_app, jsonify, request

from app.extensions import csrf, limiter
from app.webhooks import bp
from app.webhooks.carrier import InvalidEvent, Outcome, process
from app.webhooks.signature import HEADER, SignatureError, verify

MAX_BODY = 64 * 1024  # a tracking event is a few hundred bytes


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
        payload = json.loads(body)
        # A lone surrogate (\ud800) parses, but no database can store it.
        json.dumps(payload, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return jsonify(error="The body holds text that isn't valid Unicode."), 400
    except ValueError:
        return jsonify(error="The body is not valid JSON."), 400
    except RecursionError:  # thousands of nested brackets, inside the size limit
        return jsonify(error="The body is not valid JSON: nested too deeply."), 400
    try:
        outcome = process(payload)
    except InvalidEvent as problem:
        return jsonify(error=str(problem)), 400
    return jsonify(status=outcome.value), 202 if outcome is Outcome.UNKNOWN_TRACKING else 200
