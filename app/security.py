"""Security defaults: response headers on every page, production settings that refuse to
start with development secrets, and input no page sends refused before the views read it."""

from flask import Flask, Response, abort, request
from werkzeug.routing import IntegerConverter

DEV_SECRET_KEY = "dev-only-not-secret"
DEV_CARRIER_SECRET = "dev-carrier-secret"

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "X-Frame-Options": "DENY",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}


class InsecureConfiguration(RuntimeError):
    """Production settings that would be unsafe; the message says what to set."""


def check_production(config: dict) -> None:
    """In production (FRONTDESK_ENV=production) refuse development secrets and plain cookies."""
    if config.get("ENV_NAME") != "production":
        return
    problems = []
    key = config.get("SECRET_KEY") or ""
    if key == DEV_SECRET_KEY or len(key) < 32:
        problems.append("SECRET_KEY must be set to a random value of at least 32 characters")
    if config.get("CARRIER_WEBHOOK_SECRET") in (None, "", DEV_CARRIER_SECRET):
        problems.append("CARRIER_WEBHOOK_SECRET must be set to the carrier's signing secret")
    if not config.get("SESSION_COOKIE_SECURE"):
        problems.append("SESSION_COOKIE_SECURE must stay on (serve the site over HTTPS)")
    if problems:
        raise InsecureConfiguration("Refusing to start in production: " + "; ".join(problems))


def register_security_headers(app: Flask) -> None:
    headers = dict(HEADERS)
    if app.config.get("ENV_NAME") == "production":
        headers["Strict-Transport-Security"] = "max-age=31536000"
    wanted = [(name.lower(), name, value) for name, value in headers.items()]

    @app.after_request
    def add_headers(response: Response) -> Response:
        """Each header the view hasn't set itself."""
        present = {name.lower() for name, _ in response.headers}
        response.headers.extend((name, value) for key, name, value in wanted if key not in present)
        return response


FORM_METHODS = ("POST", "PUT", "PATCH", "DELETE")  # those Flask-WTF reads a form from


def _has_nul(pairs) -> bool:
    return any("\x00" in key or "\x00" in value for key, value in pairs)


def refuse_malformed_input() -> None:
    """Refuse, before the CSRF check and the views read it, input no page sends and the forms
    or the database can't take (each answered 500): a NUL character in the path, the query
    or the form (PostgreSQL text can't hold one); files or unnamed parts in a multipart body
    (the site takes no uploads); JSON posted to a page, which Flask-WTF would read as the
    form's fields whatever its shape. The webhooks read their raw body and check it themselves;
    a GET's body is read by nothing, so it is not parsed either."""
    if request.blueprint == "webhooks" or request.routing_exception is not None:
        return  # the webhooks read their raw body; a 404 or 405 says enough
    if "\x00" in request.path or _has_nul(request.args.items(multi=True)):
        abort(400)
    if request.method not in FORM_METHODS:
        return
    if request.mimetype == "multipart/form-data" and (request.files or None in request.form):
        abort(400)
    if _has_nul(request.form.items(multi=True)):
        abort(400)
    if request.is_json:
        abort(415)


class RowId(IntegerConverter):
    """`<int:...>` in routes: a database id, so a number no id column holds (INTEGER, 32 bits
    on PostgreSQL) is a 404 rather than an out-of-range error from the database (a 500)."""

    def __init__(self, map, *args, **kwargs) -> None:
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(map, *args, **kwargs)
