"""Settings read from environment variables, with safe defaults for development."""

import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
# Public values for a development machine only (check_production refuses them).
DEV_SECRET_KEY = "dev-only-not-secret"
DEV_CARRIER_SECRET = "dev-carrier-secret"
# The site's languages, each named in its own words; the default one has no URL prefix, and
# CONTENT_DIR/<code> holds the others' articles, or their files say so in their front matter
# (see app.i18n, app.content.library).
DEFAULT_LANGUAGE = "en"
LANGUAGES = {"en": "English", "de": "Deutsch", "fr": "Français"}


def site_language(tag: str) -> str | None:
    """The site's language a language tag names: a regional one ("de-DE", "fr_CA") is its
    language; None for a language the site doesn't have."""
    primary = tag.replace("_", "-").split("-")[0].lower()
    return primary if primary in LANGUAGES else None


# The sample shop's words that a shop sets to its own in each language (SITE_NAME,
# SITE_NAME_DE, SITE_NAME_FR ...; see _written_in).
SAMPLE_WORDS = {
    "SITE_NAME": {
        "en": "Juniper & Pine Help Center",
        "de": "Juniper & Pine Hilfe-Center",
        "fr": "Centre d’aide Juniper & Pine",
    },
    "SUPPORT_HOURS": {
        "en": "Monday to Friday, 9:00 to 17:00",
        "de": "Montag bis Freitag, 9 bis 17 Uhr",
        "fr": "du lundi au vendredi, de 9\u00a0h à 17\u00a0h",
    },
}
BODY_CACHE_SIZE = 1000  # rendered article bodies kept per process (about 3-10 KB each)


class InsecureConfiguration(RuntimeError):
    """Settings the site refuses to start with; the message says what to set."""


ENVIRONMENTS = ("development", "test", "production")


def _hosts(listed: str | None, site_url: str) -> list[str] | None:
    if listed:
        return [host.strip() for host in listed.split(",") if host.strip()]
    host = urlsplit(site_url).hostname
    return [host] if host else None


def _written_in(env: Mapping[str, str], name: str) -> dict[str, str]:
    """A setting of words (SITE_NAME, SUPPORT_HOURS) in each language: `name` in the default
    language, `name_DE` ... in the others. Unset, a language has the sample shop's words
    while `name` is the sample's too, else `name` as written."""
    samples = SAMPLE_WORDS[name]
    default = env.get(name) or samples[DEFAULT_LANGUAGE]
    own = name in env
    found = {}
    for code in LANGUAGES:
        written = env.get(f"{name}_{code.upper()}") if code != DEFAULT_LANGUAGE else None
        found[code] = written or (default if own else samples.get(code, default))
    return found


def _bool(value: str | None, default: bool = False) -> bool:
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def origins(listed: str) -> tuple[str, ...]:
    """Comma-separated https origins ("https://cdn.example.com"), each checked."""
    found = []
    for item in (part.strip() for part in listed.split(",")):
        if not item:
            continue
        parts = urlsplit(item)
        if parts.scheme != "https" or not parts.hostname or parts.path not in ("", "/"):
            raise ValueError(f"PRODUCT_IMAGE_ORIGINS: {item!r} is not like https://cdn.example.com")
        found.append(f"https://{parts.netloc}")
    return tuple(found)


def database_url(url: str) -> str:
    """PostgreSQL URLs as usually written (postgres://, postgresql://) use psycopg 3."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def environment(env: Mapping[str, str]) -> str:
    """FRONTDESK_ENV, failing closed: unset is production (which needs real secrets), and a
    value that isn't one of ENVIRONMENTS refuses to start rather than guess."""
    name = env.get("FRONTDESK_ENV")
    if name is None:
        return "production"
    if name not in ENVIRONMENTS:
        raise InsecureConfiguration(
            f"FRONTDESK_ENV must be one of {', '.join(ENVIRONMENTS)}, not {name!r}"
        )
    return name


def _secret(env: Mapping[str, str], name: str, development: str, environment_name: str) -> str:
    """A secret from the environment; the public development value only in development, a
    random one for a test run, and none in production (check_production refuses that)."""
    if name in env:
        return env[name]
    if environment_name == "development":
        return development
    return secrets.token_urlsafe(32) if environment_name == "test" else ""


def from_env(instance_path: str) -> dict[str, Any]:
    """Build the configuration mapping from the process environment."""
    env = os.environ
    instance = Path(instance_path)
    database = database_url(env.get("DATABASE_URL") or f"sqlite:///{instance / 'frontdesk.db'}")
    name = environment(env)
    production = name == "production"
    site_url = env.get("SITE_URL", "").rstrip("/")
    return {
        "ENV_NAME": name,
        "SECRET_KEY": _secret(env, "SECRET_KEY", DEV_SECRET_KEY, name),
        "SQLALCHEMY_DATABASE_URI": database,
        # A pooled connection is tested before use (SQLAlchemy's "pessimistic" disconnect
        # handling), so once a lost database is back, no worker answers 503 for a connection
        # that went stale while it was gone.
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "CONTENT_DIR": env.get("CONTENT_DIR", str(ROOT / "content")),
        # Rendered article bodies each process keeps (the most recently read ones).
        "CONTENT_CACHE_SIZE": int(env.get("CONTENT_CACHE_SIZE", str(BODY_CACHE_SIZE))),
        "INDEX_DIR": env.get("INDEX_DIR", str(instance / "index")),
        # Sites product photos (order lines' image_url) may come from, e.g. a shop's CDN.
        "PRODUCT_IMAGE_ORIGINS": origins(env.get("PRODUCT_IMAGE_ORIGINS", "")),
        # Searches that found articles a query needs before "nobody opened one" is a content
        # gap; unset, it follows the traffic (app.analytics.reports.no_click_threshold).
        "INSIGHTS_NO_CLICK_MIN_SEARCHES": int(env["INSIGHTS_NO_CLICK_MIN_SEARCHES"])
        if env.get("INSIGHTS_NO_CLICK_MIN_SEARCHES")
        else None,
        # Photos customers attach to damaged items; only staff see them.
        "RETURN_PHOTOS_DIR": env.get("RETURN_PHOTOS_DIR", str(instance / "return-photos")),
        # A request's largest body: a few items' photos (10 MB each at most).
        "MAX_CONTENT_LENGTH": int(env.get("MAX_CONTENT_LENGTH", str(64 * 1024 * 1024))),
        "SEARCH_INDEX_ON_START": _bool(env.get("SEARCH_INDEX_ON_START"), True),
        "SITE_NAME": _written_in(env, "SITE_NAME")[DEFAULT_LANGUAGE],
        "SITE_NAME_IN": _written_in(env, "SITE_NAME"),
        "SITE_URL": site_url,
        # Host headers the site answers to (Flask checks them): SITE_URL's host in production
        # unless listed here, comma-separated; any in development.
        "TRUSTED_HOSTS": _hosts(env.get("TRUSTED_HOSTS"), site_url) if production else None,
        "SUPPORT_EMAIL": env.get("SUPPORT_EMAIL", "support@juniperandpine.example"),
        "SUPPORT_PHONE": env.get("SUPPORT_PHONE", "+1 555 0134"),
        "SUPPORT_HOURS": _written_in(env, "SUPPORT_HOURS")[DEFAULT_LANGUAGE],
        "SUPPORT_HOURS_IN": _written_in(env, "SUPPORT_HOURS"),
        "RETURNS_WAREHOUSE": tuple(
            env.get(
                "RETURNS_WAREHOUSE",
                "Juniper & Pine Returns|1200 Mill Race Road|Alder Falls, OR 97045|United States",
            ).split("|")
        ),
        # Customer email: "console" prints messages (development), "smtp" sends them.
        "MAIL_BACKEND": env.get("MAIL_BACKEND", "console"),
        "MAIL_SERVER": env.get("MAIL_SERVER", "localhost"),
        "MAIL_PORT": int(env.get("MAIL_PORT", "25")),
        "MAIL_USE_TLS": _bool(env.get("MAIL_USE_TLS")),
        "MAIL_USERNAME": env.get("MAIL_USERNAME", ""),
        "MAIL_PASSWORD": env.get("MAIL_PASSWORD", ""),
        "MAIL_FROM": env.get("MAIL_FROM", "Juniper & Pine <care@juniperandpine.example>"),
        "MAIL_SEND_AFTER_REQUEST": _bool(env.get("MAIL_SEND_AFTER_REQUEST"), False),
        # The carrier signs its tracking webhooks with this secret (HMAC-SHA256).
        "CARRIER_WEBHOOK_SECRET": _secret(env, "CARRIER_WEBHOOK_SECRET", DEV_CARRIER_SECRET, name),
        "CARRIER_WEBHOOK_TOLERANCE": int(env.get("CARRIER_WEBHOOK_TOLERANCE", "300")),
        # Who sells return labels and pays refunds: the built-in ones unless set (no keys, no
        # network); "easypost" and "stripe" are the real ones (README: "Carrier and payments").
        "CARRIER": env.get("CARRIER", "local"),
        "EASYPOST_API_KEY": env.get("EASYPOST_API_KEY", ""),
        "EASYPOST_WEBHOOK_SECRET": env.get("EASYPOST_WEBHOOK_SECRET", ""),
        "RETURN_PARCEL_WEIGHT_OZ": float(env.get("RETURN_PARCEL_WEIGHT_OZ", "32")),
        "PAYMENTS": env.get("PAYMENTS", "local"),
        "STRIPE_API_KEY": env.get("STRIPE_API_KEY", ""),
        "STRIPE_WEBHOOK_SECRET": env.get("STRIPE_WEBHOOK_SECRET", ""),
        # Where orders come from: "import" (flask orders import, the default) or "shopify" (its
        # webhooks and flask orders sync; README: "Orders from Shopify").
        "ORDERS_SOURCE": env.get("ORDERS_SOURCE", "import"),
        "SHOPIFY_SHOP_DOMAIN": env.get("SHOPIFY_SHOP_DOMAIN", ""),
        "SHOPIFY_ACCESS_TOKEN": env.get("SHOPIFY_ACCESS_TOKEN", ""),
        "SHOPIFY_WEBHOOK_SECRET": env.get("SHOPIFY_WEBHOOK_SECRET", ""),
        "SHOPIFY_API_VERSION": env.get("SHOPIFY_API_VERSION", "2025-10"),
        "SHOPIFY_API_BASE": env.get("SHOPIFY_API_BASE", ""),
        # Seconds to wait for the carrier's or Stripe's answer, and tries after the first.
        "PROVIDER_TIMEOUT": int(env.get("PROVIDER_TIMEOUT", "20")),
        "PROVIDER_RETRIES": int(env.get("PROVIDER_RETRIES", "2")),
        "LOG_LEVEL": env.get("LOG_LEVEL", "INFO"),
        # Article views, searches and clicks are added to the editors' daily counters in
        # batches: every this many records or seconds, whichever comes first, and at exit.
        "ANALYTICS_FLUSH_EVERY": int(env.get("ANALYTICS_FLUSH_EVERY", "1000")),
        "ANALYTICS_FLUSH_SECONDS": float(env.get("ANALYTICS_FLUSH_SECONDS", "5")),
        # How many reverse proxies (load balancer, TLS terminator) sit in front of the app and
        # set X-Forwarded-For/-Proto/-Host; 0 trusts none. Rate limits key on the client's
        # address, so behind a proxy this must be set or every customer shares one limit.
        "TRUSTED_PROXIES": int(env.get("TRUSTED_PROXIES", "0")),
        "RATELIMIT_STORAGE_URI": env.get("RATELIMIT_STORAGE_URI", "memory://"),
        "RATELIMIT_ENABLED": _bool(env.get("RATELIMIT_ENABLED"), True),
        "RATELIMIT_HEADERS_ENABLED": True,
        "VOTE_RATE_LIMIT": env.get("VOTE_RATE_LIMIT", "20 per minute"),
        "VOTE_ADDRESS_RATE_LIMIT": env.get("VOTE_ADDRESS_RATE_LIMIT", "60 per minute"),
        "SESSION_COOKIE_HTTPONLY": True,
        # The session (visitor id, CSRF token) lasts 31 days from when it was made; re-signing
        # and re-sending the cookie on every page view would cost each request for nothing.
        "SESSION_REFRESH_EACH_REQUEST": False,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": _bool(env.get("SESSION_COOKIE_SECURE"), production),
        "REMEMBER_COOKIE_SECURE": _bool(env.get("SESSION_COOKIE_SECURE"), production),
        "REMEMBER_COOKIE_HTTPONLY": True,
        # A form's token lasts as long as the session, not Flask-WTF's default hour: an agent
        # or customer who leaves a form open over lunch would otherwise lose what they typed.
        "WTF_CSRF_TIME_LIMIT": None,
        # Article pages may be kept by a proxy or CDN: fresh this many seconds, then served
        # while it asks the site again (so an edit shows within about a minute).
        "ARTICLE_MAX_AGE": int(env.get("ARTICLE_MAX_AGE", "60")),
        "ARTICLE_STALE_SECONDS": int(env.get("ARTICLE_STALE_SECONDS", "600")),
    }
