"""Caching. Over HTTP: pages every visitor shares go out with an ETag and `Cache-Control:
public`, so the browser, a reverse proxy or a CDN may keep them; pages with a visitor's own
state are marked private and never kept.

Inside a process, one rule: a kept value's key names everything it is made from (an
article's content hash, the search index generation), so nothing is ever cleared by hand; a
changed article or a rebuilt index just asks for new keys, and old entries fall out of a
bounded LRU. A value read from the database (the helpful-vote counts) is kept no longer than
a shared cache may keep the page that shows it (ARTICLE_MAX_AGE).
"""

from flask import Flask, Response, current_app, make_response, request
from flask.sessions import SecureCookieSessionInterface, SessionMixin


def shared(html: str, etag: str) -> Response:
    """A page any visitor may be sent, from a shared cache too: fresh for ARTICLE_MAX_AGE
    seconds, then served stale for ARTICLE_STALE_SECONDS while the cache asks again; 304 Not
    Modified when the visitor's copy is current. `etag`: the page's (Werkzeug's
    generate_etag of its bytes), worked out once when the page was made and kept with it."""
    config = current_app.config
    response = make_response(html)
    # The header in one go: each change through `response.cache_control` parses and writes
    # it again, a third of this function's time on a kept article page.
    response.headers["Cache-Control"] = (
        f"public, max-age={config['ARTICLE_MAX_AGE']}, "
        f"stale-while-revalidate={config['ARTICLE_STALE_SECONDS']}"
    )
    response.set_etag(etag)
    response.make_conditional(request)  # (returns the response, typed as Werkzeug's own)
    return response


def personal(body: str | bytes, status: int = 200) -> Response:
    """A page with this visitor's own state: never kept, by a shared cache or the browser."""
    response = make_response(body, status)
    response.cache_control.private = True
    response.cache_control.no_store = True
    return response


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, but a response its view marked public (`shared`) does
    not say `Vary: Cookie`. Flask adds that whenever anything read the session, and
    Flask-Login reads it after every request (to refresh its remember cookie), so without
    this no page could be shared: caches would keep a copy per visitor's cookie."""

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        super().save_session(app, session, response)
        if response.cache_control.public:
            response.vary.discard("Cookie")
