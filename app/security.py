"""Security defaults: response headers on every page, production settings that refuse to
start with development secrets, and input no page sends refused before the views read it."""

from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from flask import abort, request
from werkzeug.datastructures import Headers
from werkzeug.routing import IntegerConverter, Map

if TYPE_CHECKING:
    from _typeshed import OptExcInfo
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

from app.config import DEV_CARRIER_SECRET, DEV_SECRET_KEY, InsecureConfiguration


def content_security_policy(image_origins: tuple[str, ...] = ()) -> str:
    """The site's CSP; `image_origins` are the sites product photos come from."""
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            " ".join(["img-src 'self' data:", *image_origins]),
            "font-src 'self'",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


HEADERS = {
    "Content-Security-Policy": content_security_policy(),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "X-Frame-Options": "DENY",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}


SECRET_LENGTH, SECRET_VARIETY = 32, 12  # characters, and different characters among them
WEBHOOK_SECRET_LENGTH, WEBHOOK_SECRET_VARIETY = 16, 8


def _weak(secret: str, length: int, variety: int) -> bool:
    return len(secret) < length or len(set(secret)) < variety


def check_production(config: Mapping[str, Any]) -> None:
    """In production (FRONTDESK_ENV=production, or unset) refuse development or weak secrets,
    plain cookies and a site without its own address."""
    if config.get("ENV_NAME") != "production":
        return
    problems = []
    key = config.get("SECRET_KEY") or ""
    if key == DEV_SECRET_KEY or _weak(key, SECRET_LENGTH, SECRET_VARIETY):
        problems.append(
            f"SECRET_KEY must be set to a random value of at least {SECRET_LENGTH} characters"
            f" (at least {SECRET_VARIETY} different ones)"
        )
    webhook = config.get("CARRIER_WEBHOOK_SECRET") or ""
    if webhook == DEV_CARRIER_SECRET or _weak(
        webhook, WEBHOOK_SECRET_LENGTH, WEBHOOK_SECRET_VARIETY
    ):
        problems.append(
            "CARRIER_WEBHOOK_SECRET must be set to the carrier's signing secret"
            f" (at least {WEBHOOK_SECRET_LENGTH} characters)"
        )
    if not config.get("SESSION_COOKIE_SECURE"):
        problems.append("SESSION_COOKIE_SECURE must stay on (serve the site over HTTPS)")
    site = urlsplit(config.get("SITE_URL") or "")
    if site.scheme not in ("http", "https") or not site.hostname:
        problems.append(
            "SITE_URL must be the site's address (https://help.example.com): links in emails"
            " are built from it, never from a request's Host header"
        )
    if problems:
        raise InsecureConfiguration(
            "Refusing to start in production: "
            + "; ".join(problems)
            + ". (On a development machine, set FRONTDESK_ENV=development.)"
        )


def check_rate_limit_storage(workers: int, config: Mapping[str, Any]) -> None:
    """Several worker processes keep separate counts in `memory://`, so every limit would be
    multiplied by the number of workers: in production they must share a store (Redis)."""
    if (
        workers > 1
        and config.get("ENV_NAME") == "production"
        and config.get("RATELIMIT_ENABLED", True)
        and str(config.get("RATELIMIT_STORAGE_URI", "memory://")).startswith("memory://")
    ):
        raise InsecureConfiguration(
            f"Refusing to start {workers} workers on RATELIMIT_STORAGE_URI=memory://: each would"
            " count on its own, multiplying every rate limit. Set RATELIMIT_STORAGE_URI to a"
            " Redis server (redis://host:6379/0), or WEB_CONCURRENCY=1."
        )


class SecurityHeaders:
    """WSGI middleware adding the security headers to every response, error pages and static
    files included, unless the view set one itself. The values are constants, checked once
    here rather than by Werkzeug's header validation on every response."""

    def __init__(
        self,
        wsgi_app: "WSGIApplication",
        production: bool = False,
        image_origins: tuple[str, ...] = (),
    ) -> None:
        headers = dict(HEADERS)
        headers["Content-Security-Policy"] = content_security_policy(image_origins)
        if production:
            headers["Strict-Transport-Security"] = "max-age=31536000"
        self.wsgi_app = wsgi_app
        self.headers = [(name.lower(), name, value) for name, value in Headers(headers).items()]

    def __call__(
        self, environ: "WSGIEnvironment", start_response: "StartResponse"
    ) -> Iterable[bytes]:
        def start_with_headers(
            status: str,
            headers: list[tuple[str, str]],
            exc_info: "OptExcInfo | None" = None,
        ) -> Callable[[bytes], object]:
            present = {name.lower() for name, _ in headers}
            headers.extend((name, value) for key, name, value in self.headers if key not in present)
            return start_response(status, headers, exc_info)

        return self.wsgi_app(environ, start_with_headers)


FORM_METHODS = ("POST", "PUT", "PATCH", "DELETE")  # those Flask-WTF reads a form from


def _has_nul(pairs: Iterable[tuple[str, str]]) -> bool:
    return any("\x00" in key or "\x00" in value for key, value in pairs)


def _nul_in_address() -> bool:
    """A NUL in the path or the query. The raw query is looked at first: a NUL reaches its
    values only as %00 (or raw), and most pages have no query to parse."""
    environ = request.environ
    query = environ.get("QUERY_STRING", "")
    return "\x00" in environ.get("PATH_INFO", "") or (
        ("%00" in query or "\x00" in query) and _has_nul(request.args.items(multi=True))
    )


# The views that take files: customers' photos of damaged items (app.returns.photos).
UPLOADS = frozenset({"returns.photos"})


def refuse_malformed_input() -> None:
    """Refuse, before Flask-WTF's CSRF check and the views read it, input no page sends and
    the forms or the database can't take (each answered 500): a NUL character in the path,
    the query or the form (PostgreSQL text can't hold one); files or unnamed parts in a
    multipart body (only the pages in UPLOADS take files); JSON posted to a page, which
    Flask-WTF would read as the form's fields whatever its shape. The webhooks read their raw
    body and check it themselves; a GET's body is read by nothing, so it is not parsed."""
    if request.blueprint == "webhooks" or request.routing_exception is not None:
        return  # the webhooks read their raw body; a 404 or 405 says enough
    if _nul_in_address():
        abort(400)
    if request.method not in FORM_METHODS:
        return
    if request.mimetype == "multipart/form-data":
        takes_files = request.endpoint in UPLOADS
        if (request.files and not takes_files) or None in request.form:
            abort(400)
    if _has_nul(request.form.items(multi=True)):
        abort(400)
    if request.is_json:
        abort(415)


CROSS_SITE_MESSAGE = (
    "That came from another website, so we didn't act on it. Please answer on this site."
)


def same_origin_only() -> None:
    """The CSRF defence of a form anyone may send from a page a shared cache serves (so the
    page can't carry a per-visitor token): refuse a request the browser says came from
    another site. Browsers say so in `Sec-Fetch-Site`; older ones send only `Origin`, which
    must then be this site. A request with neither comes from no browser, so no other site
    can have made a visitor's browser send it."""
    site = request.headers.get("Sec-Fetch-Site")
    if site is not None:
        if site not in ("same-origin", "none"):
            abort(403, CROSS_SITE_MESSAGE)
        return
    origin = request.headers.get("Origin")
    if origin is not None and origin != request.host_url.rstrip("/"):
        abort(403, CROSS_SITE_MESSAGE)


class RowId(IntegerConverter):
    """`<int:...>` in routes: a database id, so a number no id column holds (INTEGER, 32 bits
    on PostgreSQL) is a 404 rather than an out-of-range error from the database (a 500)."""

    def __init__(self, map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(map, *args, **kwargs)
