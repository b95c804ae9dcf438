"""Template filters and globals shared by every area."""

from datetime import date
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

from babel.dates import format_date
from babel.numbers import format_currency
from flask import Flask, current_app, has_request_context, request, url_for
from flask_babel import force_locale, gettext, ngettext
from flask_login import current_user

from app.config import DEFAULT_LANGUAGE
from app.i18n import (
    N_,
    alternates,
    content_lang,
    current_language,
    prefix,
    section_name,
    site_root,
    static_url,
)
from app.phrases import Amount, Phrase, english_date, english_money

DEVELOPMENT_SITE = "http://127.0.0.1:5000"  # links made outside a request without SITE_URL
# Languages whose nouns keep their capital letters: a label inside a sentence stays as written.
CAPITALISED_NOUNS = frozenset({"de"})


def absolute_url(endpoint: str, **values: Any) -> str:  # url_for's values
    """An absolute URL, on SITE_URL when configured (canonical links, sitemap, JSON-LD,
    emails). Outside a request (commands), SITE_URL or the development address is the base."""
    site: str | None = current_app.config.get("SITE_URL")
    if not has_request_context():
        with current_app.test_request_context(base_url=site or DEVELOPMENT_SITE):
            return url_for(endpoint, _external=True, **values)
    if site:
        return site + url_for(endpoint, **values)
    return url_for(endpoint, _external=True, **values)


def language_url(language: str, endpoint: str, **values: Any) -> str:  # url_for's values
    """absolute_url of the page in `language`, whatever the page or command making it (an
    email's links are in the return's language, even when an English staff page sends it)."""
    site: str | None = current_app.config.get("SITE_URL")
    if not has_request_context():
        with current_app.test_request_context(base_url=site or DEVELOPMENT_SITE):
            return language_url(language, endpoint, **values)
    path = url_for(endpoint, **values).removeprefix(request.script_root)
    return (site or request.host_url.rstrip("/")) + site_root() + prefix(language) + path


# Words, dates and money made inside are in `language` (an email in the customer's language),
# in a request in another one or in a command: Flask-Babel's own, which needs no request.
written_in = force_locale


def long_date(value: date | None) -> str:
    """ "5 December 2026", or as the page's language writes it ("5. Dezember 2026")."""
    if not value:
        return ""
    language = current_language()
    if language == DEFAULT_LANGUAGE:
        return english_date(value)
    return format_date(value, format="long", locale=language)


def money(cents: int, currency: str = "USD") -> str:
    """Integer cents as the customer reads them: $1,234.50 in English; in another language
    Babel's way (1.234,50 $ in German, 1 234,50 $US in French), with two decimals as in
    English."""
    language = current_language()
    if language == DEFAULT_LANGUAGE:
        return english_money(cents, currency)
    amount = Decimal(cents) / 100
    return format_currency(amount, currency, locale=language, currency_digits=False)


def translated(text: str | None) -> str:
    """What the returns rules said (a Phrase: app/phrases.py) in the page's or email's
    language, its dates and amounts that language's way; any other text (the shop's own,
    staff's) as it was written."""
    if not isinstance(text, Phrase):
        return text or ""
    if text.parts:
        return " ".join(translated(part) for part in text.parts)
    values = {name: _said(value) for name, value in text.values.items()}
    if text.plural is not None:
        num = values.pop("num")
        assert isinstance(num, int)  # Phrase.counted's
        return ngettext(text.template, text.plural, num, **values)
    return gettext(text.template, **values)


def _said(value: object) -> object:
    if isinstance(value, Phrase):
        return translated(value)
    if isinstance(value, date):
        return long_date(value)
    if isinstance(value, Amount):
        return money(value.cents, value.currency)
    return value


def mid_sentence(label: str) -> str:
    """A label (a return reason) inside a sentence: lower-case, but in a language whose nouns
    keep their capitals."""
    return label if current_language() in CAPITALISED_NOUNS else label.lower()


# How refund methods read, to customers and staff alike (the codes are the importer's);
# customers read them in their language (refund_method).
REFUND_METHODS = {
    "card": N_("your card"),
    "wallet": N_("your wallet (Apple Pay, Google Pay)"),
    "gift_card": N_("your gift card"),
    "store_credit": N_("store credit"),
}


def refund_method(code: str) -> str:
    method = REFUND_METHODS.get(code)
    return gettext(method) if method else code.replace("_", " ")


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
    app.add_template_filter(translated)
    app.add_template_filter(mid_sentence)
    app.add_template_global(absolute_url)
    app.add_template_global(has_endpoint)
    app.add_template_global(product_image)
    app.add_template_global(alternates)
    app.add_template_global(current_language)
    app.add_template_global(content_lang)
    app.add_template_global(section_name)
    app.add_template_global(static_url)
    app.add_template_global(current_user, "current_user")  # a proxy: loaded only where used

    @app.context_processor
    def site_settings() -> dict[str, object]:
        config = current_app.config
        language = current_language()
        return {
            "site_name": config["SITE_NAME_IN"].get(language, config["SITE_NAME"]),
            "support": {
                "email": config["SUPPORT_EMAIL"],
                "phone": config["SUPPORT_PHONE"],
                "hours": config["SUPPORT_HOURS_IN"].get(language, config["SUPPORT_HOURS"]),
            },
        }
