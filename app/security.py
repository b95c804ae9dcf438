"""Security defaults: response headers on every page, and production settings that refuse
to start with development secrets."""

from flask import Flask, Response

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
    hsts = app.config.get("ENV_NAME") == "production"

    @app.after_request
    def add_headers(response: Response) -> Response:
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        if hsts:
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        return response
