"""The parts every area of the site shares: the article library, the search engine, the
return policy, the carrier and the payment gateway, with typed accessors.

One `Services` per app, made by `create_app` without touching the content folder: a command
that doesn't read articles (`flask db upgrade`, `flask orders import`) never loads them, and
the web workers load them when first asked (gunicorn asks before a worker's first request:
see gunicorn.conf.py). Each part is made once per process, under a lock, so the threads of
the development server share one copy.
"""

import logging
import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from cachetools import TTLCache
from flask import Flask, current_app

from app.config import DEFAULT_LANGUAGE, LANGUAGES
from app.content import Library, load_library
from app.content.translations import localise
from app.returns.carrier import Carrier, make_carrier
from app.returns.payments import PaymentGateway, make_gateway
from app.returns.policy import Policy, PolicyError, load_policy
from app.search import SearchEngine, update_index
from app.search.indexer import IndexReport
from app.search.query import Synonyms

if TYPE_CHECKING:  # it uses these services
    from app.analytics.counters import Pending

log = logging.getLogger(__name__)

KEY = "frontdesk"
T = TypeVar("T")
PAGES_KEPT = 1024  # about 10-30 KB each


class Services:
    def __init__(self, config: Mapping[str, Any]) -> None:
        self.content_dir = Path(config["CONTENT_DIR"])
        self.index_dir = Path(config["INDEX_DIR"])
        self.index_on_start = config["SEARCH_INDEX_ON_START"]
        self.body_cache_size = config["CONTENT_CACHE_SIZE"]
        # CARRIER and PAYMENTS choose them; the built-in ones unless set (no keys, no network).
        self.carrier: Carrier = make_carrier(config)
        self.payments: PaymentGateway = make_gateway(config)
        self.analytics: Pending | None = None  # app.analytics.counters.register sets it
        # The article pages every visitor shares, rendered at most once per ARTICLE_MAX_AGE
        # per site address: no longer than a shared cache may keep them (see app.caching).
        # (site address, article path): the shared page and its ETag
        self.pages: TTLCache[tuple[str, str], tuple[str, str]] = TTLCache(
            PAGES_KEPT, config["ARTICLE_MAX_AGE"]
        )
        self.pages_lock = threading.Lock()
        # What bringing the index up to date did when the engine was opened, if it ran.
        self.index_report: IndexReport | None = None
        self._lock = threading.RLock()
        self._library: Library | None = None
        self._policy: tuple[Policy | None] | None = None
        # Each other language's own articles, the help center as its readers find it (see
        # app.content.translations), and the search engine over its own articles.
        self._translated: dict[str, Library] = {}
        self._localised: dict[str, Library] = {}
        self._searches: dict[str, SearchEngine | None] = {}

    @property
    def library(self) -> Library:
        """The articles in CONTENT_DIR, loaded when first asked for."""
        if self._library is None:
            with self._lock:
                if self._library is None:
                    self._library = load_library(self.content_dir, self.body_cache_size)
        return self._library

    @property
    def search(self) -> SearchEngine:
        """The search engine over the default language's articles (see `search_in`)."""
        engine = self.search_in(DEFAULT_LANGUAGE)
        assert engine is not None, "the default language always has an engine"
        return engine

    def _kept(self, kept: dict[str, T], language: str, make: Callable[[str], T]) -> T:
        """`kept[language]`, made once, under the lock, when first asked for."""
        if language not in kept:
            with self._lock:
                if language not in kept:
                    kept[language] = make(language)
        return kept[language]

    def translated(self, language: str) -> Library:
        """A language's own articles, in CONTENT_DIR/<code> or saying so in their front
        matter (the default language's are `library`); empty when it has none."""
        if language == DEFAULT_LANGUAGE:
            return self.library
        return self._kept(
            self._translated,
            language,
            lambda code: load_library(self.content_dir, self.body_cache_size, code),
        )

    def library_in(self, language: str) -> Library:
        """The help center as a visitor reading `language` finds it: translated where it is,
        in the default language where it isn't yet."""
        if language == DEFAULT_LANGUAGE:
            return self.library
        return self._kept(
            self._localised, language, lambda code: localise(self.library, self.translated(code))
        )

    def search_in(self, language: str) -> SearchEngine | None:
        """The search engine over a language's own articles (INDEX_DIR/<code>, INDEX_DIR
        itself for the default language), opened when first asked for; None when another
        language has no articles of its own. With SEARCH_INDEX_ON_START the index is first
        brought up to date with the articles (they still serve if that fails; search then
        answers 503)."""
        return self._kept(self._searches, language, self._open_search)

    def index_dir_of(self, language: str) -> Path:
        return self.index_dir if language == DEFAULT_LANGUAGE else self.index_dir / language

    def _open_search(self, language: str) -> SearchEngine | None:
        library = self.translated(language)
        if language != DEFAULT_LANGUAGE and not library.articles:
            return None
        index_dir = self.index_dir_of(language)
        if self.index_on_start:
            try:
                report = update_index(library, index_dir)
            except Exception:  # noqa: BLE001 - see search_in
                log.exception("%s search index could not be updated at start-up", language)
            else:
                if language == DEFAULT_LANGUAGE:
                    self.index_report = report
        synonyms = Synonyms.load(library.root / "synonyms.yml")
        return SearchEngine(index_dir, library, synonyms)

    @property
    def returns_policy(self) -> Policy | None:
        """The return policy, or None when its file has a problem (logged; the returns
        pages then answer 503 and say why)."""
        if self._policy is None:
            with self._lock:
                if self._policy is None:
                    try:
                        self._policy = (load_policy(self.content_dir),)
                    except PolicyError:
                        log.exception("return policy could not be loaded")
                        self._policy = (None,)
        return self._policy[0]

    def warm(self) -> None:
        """Load everything a request may need now, not during the first request: each
        language's articles and search engine, and the return policy."""
        for language in LANGUAGES:
            self.library_in(language)
            self.search_in(language)
        self.returns_policy  # noqa: B018

    def close(self) -> None:
        for engine in self._searches.values():
            if engine is not None:
                engine.close()


def init_app(app: Flask) -> None:
    app.extensions[KEY] = Services(app.config)


def find(app: object) -> Services | None:
    """The services of `app` if it is this site's app."""
    return app.extensions.get(KEY) if isinstance(app, Flask) else None


def services(app: Flask | None = None) -> Services:
    """The app's services (the current app's when none is named)."""
    found: Services = (app or current_app).extensions[KEY]
    return found
