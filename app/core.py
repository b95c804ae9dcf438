"""Site-wide routes that belong to no area: health check and robots.txt."""

from flask import Blueprint, Response, current_app, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import text

from app.config import DEFAULT_LANGUAGE, LANGUAGES
from app.extensions import db
from app.services import services
from app.templating import absolute_url

bp = Blueprint("core", __name__)


@bp.get("/healthz")
def healthz() -> ResponseReturnValue:
    """Liveness and readiness: the database answers and the content library is loaded."""
    checks: dict[str, str | int] = {}
    try:
        db.session.execute(text("SELECT 1"))
        checks["database"] = "ok"
    except Exception:  # noqa: BLE001 - any failure means "not ready"
        current_app.logger.exception("health check: database unreachable")
        checks["database"] = "unavailable"
    library = services().library
    checks["articles"] = len(library.articles)
    healthy = checks["database"] == "ok"
    return {"status": "ok" if healthy else "unavailable", "checks": checks}, 200 if healthy else 503


@bp.get("/robots.txt")
def robots() -> Response:
    private = ("/returns/", "/staff/", "/api/")
    prefixes = ["", *(f"/{code}" for code in LANGUAGES if code != DEFAULT_LANGUAGE)]
    lines = ["User-agent: *"]
    lines += [f"Disallow: {prefix}{path}" for prefix in prefixes for path in private]
    site = absolute_url("help.sitemap").removesuffix(url_for("help.sitemap"))
    lines += [f"Sitemap: {site}{prefix}{url_for('help.sitemap')}" for prefix in prefixes]
    return Response("\n".join(lines) + "\n", mimetype="text/plain")
