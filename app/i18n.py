"""The customer's language. It is the URL's first segment (`/de/articles/...`, `/fr/returns/`),
English without one: LanguagePrefix moves that segment from the path to SCRIPT_NAME, so views
never see it and `url_for` writes every link of the page with it. Translations are gettext
catalogues in app/translations (Flask-Babel), made with `make translations`."""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, cast
from urllib.parse import urlsplit

from flask import current_app, g, has_request_context, request, url_for
from flask_babel import get_locale as babel_locale
from flask_babel import lazy_gettext
from markupsafe import Markup

from app.config import DEFAULT_LANGUAGE, LANGUAGES, site_language

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

    from app.content import Category

ENVIRON_KEY = "frontdesk.language"


class LanguagePrefix:
    """WSGI middleware: `/de/x` is answered as `/x` with `/de` added to SCRIPT_NAME, and the
    language noted in the environ; a path without a known prefix is the default language."""

    def __init__(self, wsgi_app: "WSGIApplication", languages: Iterable[str]) -> None:
        self.wsgi_app = wsgi_app
        self.prefixed = frozenset(languages) - {DEFAULT_LANGUAGE}

    def __call__(
        self, environ: "WSGIEnvironment", start_response: "StartResponse"
    ) -> Iterable[bytes]:
        first, _, rest = environ.get("PATH_INFO", "").lstrip("/").partition("/")
        if first in self.prefixed:
            environ["SCRIPT_NAME"] = environ.get("SCRIPT_NAME", "") + "/" + first
            environ["PATH_INFO"] = "/" + rest
            environ[ENVIRON_KEY] = first
        return self.wsgi_app(environ, start_response)


def lazy(message: str) -> str:
    """Flask-Babel's lazy_gettext, translated when shown (WTForms' labels and messages are
    made at import, before any request has a language), typed as the text it stands for."""
    return cast(str, lazy_gettext(message))


def N_(message: str) -> str:
    """Marks a message for the catalogues (`make translations`) where it is defined; it is
    translated where it is shown, with gettext (gettext's "noop" convention)."""
    return message


def arrival_language() -> str | None:
    """Where a visitor arriving at the default language's home page belongs: the best of
    their browser's languages (Accept-Language) among ours, if that isn't the default. Only
    on arrival (an address typed or bookmarked, a link from another site), never for a link
    on this site, so choosing English in the switcher sticks without a cookie."""
    if ENVIRON_KEY in request.environ:
        return None
    fetched_from = request.headers.get("Sec-Fetch-Site")
    if fetched_from in ("same-origin", "same-site"):
        return None
    if fetched_from is None and _from_this_site(request.referrer):
        return None
    # The browser's languages, most wanted first; "en-GB" is English (Werkzeug's best_match
    # would prefer an exact "de;q=0.5" to it).
    for tag, quality in request.accept_languages:
        language = site_language(tag)
        if language is not None and quality > 0:  # q=0: "not this one"
            return language if language != DEFAULT_LANGUAGE else None
    return None


def site_root() -> str:
    """The request's script root as it was before LanguagePrefix added the page's language:
    where every language's addresses start."""
    here = request.environ.get(ENVIRON_KEY)
    return request.script_root.removesuffix(f"/{here}") if here else request.script_root


def prefix(language: str) -> str:
    """A language's segment of the site's addresses: none for the default language."""
    return "" if language == DEFAULT_LANGUAGE else f"/{language}"


# Areas whose pages aren't translated yet (the staff back office): shown in the default
# language whatever the URL says, so a page never mixes two (its `lang` stays true).
NOT_YET_TRANSLATED = frozenset({"staff"})
# Pages whose query string is part of what they show: their alternates keep it.
QUERY_PAGES = frozenset({"help.search", "help.contact"})


def _from_this_site(referrer: str | None) -> bool:
    """Whether a Referer (what tells it in a browser without Fetch Metadata) is this site."""
    try:
        return bool(referrer) and urlsplit(referrer).netloc == request.host
    except ValueError:  # not a URL at all ("http://["): not this site's link
        return False


def static_url(filename: str) -> str:
    """A static file's address without the page's language: one copy of the stylesheet and
    the script for every language, in browsers and caches."""
    return site_root() + url_for("static", filename=filename).removeprefix(request.script_root)


def select_locale() -> str:
    """Flask-Babel's locale selector: the language the URL names; the default language
    outside a request (a command), unless the command forces one."""
    if not has_request_context():
        return DEFAULT_LANGUAGE
    if request.blueprint in NOT_YET_TRANSLATED:
        return DEFAULT_LANGUAGE
    return str(request.environ.get(ENVIRON_KEY, DEFAULT_LANGUAGE))


def current_language() -> str:
    return str(babel_locale() or DEFAULT_LANGUAGE)


def content_lang(language: str | None) -> Markup:
    """` lang="en"` for an element holding the help center's own words (titles, summaries)
    written in another language than the page's (an article not translated yet)."""
    if not language or language == current_language():
        return Markup("")
    return Markup(f' lang="{language}"')


def section_name(section: "Category") -> Markup:
    """A section's name to put inside a sentence, marked with its language when that is
    not the page's (a section not named in the page's language yet)."""
    lang = content_lang(section.language)
    if not lang:
        return Markup.escape(section.title)
    return Markup("<span{}>{}</span>").format(lang, section.title)


@dataclass(frozen=True)
class Alternate:
    code: str
    name: str
    path: str  # this site's path of the page in that language (the switcher's link)
    url: str  # absolute, on SITE_URL when configured (the hreflang alternate)
    current: bool
    written: bool = True  # in that language: not the default language's words shown there


def alternates() -> list[Alternate]:
    """This page in every language (the switcher's links and the `hreflang` alternates)."""
    site = (current_app.config.get("SITE_URL") or request.host_url).rstrip("/")
    root = site_root()
    if request.blueprint in NOT_YET_TRANSLATED:
        return []  # the same English page at every address: no languages to offer
    # The query only where it makes the page (a search); a shared article page is kept and
    # sent to every visitor, so it must not carry one visitor's query in its links.
    query = request.query_string.decode("latin-1") if request.endpoint in QUERY_PAGES else ""
    path = request.path + (f"?{query}" if query else "")
    here = current_language()
    # A page that isn't in every language (an article written in one alone) names the
    # languages it is in, and whether it is written in each (see app.help.views).
    present: dict[str, bool] | None = g.get("page_languages")
    found = []
    for code, name in LANGUAGES.items():
        if present is not None and code not in present:
            continue
        local = f"{root}{prefix(code)}{path}"
        written = present is None or present[code]
        found.append(Alternate(code, name, local, site + local, code == here, written))
    return found
