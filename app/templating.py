"""Template filters and globals shared by every area."""

from datetime import date
from typing import Any
from urllib.parse import urlsplit

from babel.dates import format_date
from flask import Flask, current_app, has_request_context, url_for
from flask_login import current_user

from app.i18n import DEFAULT, alternates, content_lang, current_language, static_url


def absolute_url(endpoint: str, **values: Any) -> str:  # url_for's values
    """An absolute URL, on SITE_URL when configured (canonical links, sitemap, JSON-LD,
    emails). Outside a request (commands), SITE_URL or the development address is the base."""
    site: str | None = current_app.config.get("SITE_URL")
    if not has_request_context():
        with current_app.test_request_context(base_url=site or "http://127.0.0.1:5000"):
            return url_for(endpoint, _external=True, **values)
    if site:
        return site + url_for(endpoint, **values)
    return url_for(endpoint, _external=True, **values)


def long_date(value: date | None) -> str:
    """ "5 December 2026", or as the page's language writes it ("5. Dezember 2026")."""
    if not value:
        return ""
    language = current_language() if has_request_context() else DEFAULT
    if language == DEFAULT:
        return f"{value.day} {value:%B %Y}"
    return format_date(value, format="long", locale=language)


CURRENCY_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "CAD": "CA$", "AUD": "A$"}


def money(cents: int, currency: str = "USD") -> str:
    """Integer cents as the customer reads them: $1,234.50."""
    sign = "-" if cents < 0 else ""
    whole, part = divmod(abs(cents), 100)
    symbol = CURRENCY_SYMBOLS.get(currency)
    amount = f"{whole:,}.{part:02d}"
    return f"{sign}{symbol}{amount}" if symbol else f"{sign}{amount} {currency}"


# How refund methods read, to customers and staff alike (the codes are the importer's).
REFUND_METHODS = {
    "card": "your card",
    "wallet": "your wallet (Apple Pay, Google Pay)",
    "gift_card": "your gift card",
    "store_credit": "store credit",
}


def refund_method(code: str) -> str:
    return REFUND_METHODS.get(code, code.replace("_", " "))


def has_endpoint(name: str) -> bool:
    return name in current_app.view_functions


def product_image(url: str | None) -> str | None:
    """The product photo's address when its site may be shown (PRODUCT_IMAGE_ORIGINS: the
    pages' Content-Security-Policy lets the browser load it), else None."""
    if not url:
        return None
    parts = urlsplit(url)
    origin = f"{parts.scheme}://{parts.netloc}"
    return url if origin in current_app.config["PRODUCT_IMAGE_ORIGINS"] else None


def register(app: Flask) -> None:
    app.add_template_filter(long_date)
    app.add_template_filter(money)
    app.add_template_filter(refund_method)
    app.add_template_global(absolute_url)
    app.add_template_global(has_endpoint)
    app.add_template_global(product_image)
    app.add_template_global(alternates)
    app.add_template_global(current_language)
    app.add_template_global(content_lang)
    app.add_template_global(static_url)
    app.add_template_global(current_user, "current_user")  # a proxy: loaded only where used

    @app.context_processor
    def site_settings() -> dict[str, object]:
        config = current_app.config
        language = current_language()
        return {
            "site_name": config["SITE_NAME"],
            "support": {
                "email": config["SUPPORT_EMAIL"],
                "phone": config["SUPPORT_PHONE"],
                "hours": config["SUPPORT_HOURS_IN"].get(language, config["SUPPORT_HOURS"]),
            },
        }
