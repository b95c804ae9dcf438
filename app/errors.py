"""Error pages in the site's look: never a traceback, never a bare status line."""

import math

from flask import Flask, Response, jsonify, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext, ngettext
from flask_limiter.errors import RateLimitExceeded
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException, InternalServerError, SecurityError

from app.extensions import db
from app.i18n import N_

MESSAGES = {
    400: (N_("Something in that request was not right"), N_("Please go back and try again.")),
    403: (
        N_("You don't have access to that page"),
        N_("Your account's role doesn't include it. An admin can change that."),
    ),
    404: (N_("We couldn't find that page"), N_("It may have moved, or the link may be mistyped.")),
    405: (N_("That action isn't available here"), N_("Please go back and try again.")),
    413: (
        N_("That upload is too large"),
        N_("Photos can be up to 10 MB each. Please go back and choose smaller ones."),
    ),
    429: (
        N_("Too many requests"),
        N_("You've done that a lot in a short time. Please wait a minute and try again."),
    ),
    500: (
        N_("Something went wrong on our side"),
        N_("We've been told about it. Please try again in a few minutes."),
    ),
    503: (
        N_("This part of the site is briefly unavailable"),
        N_("Please try again in a few minutes."),
    ),
}


def _wants_json() -> bool:
    return request.path.startswith(("/api/", "/webhooks/"))


def render_error(
    code: int, title: str | None = None, message: str | None = None
) -> ResponseReturnValue:
    default_title, default_message = MESSAGES.get(code, MESSAGES[400])
    # In the page's language: MESSAGES and the messages below are in the catalogues; a
    # view's own message (an abort's) is shown as it was written.
    title, message = gettext(title or default_title), gettext(message or default_message)
    if _wants_json():
        return jsonify(error=title, message=message), code
    return render_template("errors/error.html", code=code, title=title, message=message), code


def register(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError) -> ResponseReturnValue:
        return render_error(
            400,
            gettext("This form has expired"),
            gettext(
                "For your security, forms expire. Please go back, reload the page and try again."
            ),
        )

    @app.errorhandler(RateLimitExceeded)
    def rate_limited(error: RateLimitExceeded) -> ResponseReturnValue:
        minutes = max(1, math.ceil(error.limit.limit.get_expiry() / 60))
        message = ngettext(
            "You've done that a lot in a short time. Please try again in a minute.",
            "You've done that a lot in a short time. Please try again in about %(num)d minutes.",
            minutes,
        )
        return render_error(429, message=message)

    @app.errorhandler(SecurityError)
    def untrusted_host(error: SecurityError) -> Response:
        """A Host header that isn't the site's (TRUSTED_HOSTS): no page can be built for it,
        since every link would point at that host."""
        return Response("This site doesn't answer to that address.\n", 400, mimetype="text/plain")

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> ResponseReturnValue:
        code = error.code or 500
        description = error.description if code in (403, 409, 503) else None
        return render_error(code, message=description)

    @app.errorhandler(OperationalError)
    def database_unavailable(error: OperationalError) -> ResponseReturnValue:
        app.logger.error("database unavailable on %s: %s", request.path, error.orig)
        db.session.rollback()
        return render_error(503)

    @app.errorhandler(InternalServerError)
    def server_error(error: InternalServerError) -> ResponseReturnValue:
        app.logger.error("unhandled error on %s", request.path, exc_info=error.original_exception)
        return render_error(500)
