"""Flask's signed-cookie sessions, with each cookie's signature checked once per process.

Every page a returning visitor opens sends the same session cookie until the session changes;
Flask derives the signing key and checks the HMAC again each time, which was a third of what
a cached article page cost. Here a cookie that verified is remembered (bounded, newest kept)
with when it was signed, so a repeat only has its age checked and its data copied. A cookie
is only remembered after it verified with the current key, so nothing unsigned gets in.
"""

import threading
import time

from flask import Request as FlaskRequest
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import BadSignature
from werkzeug.http import parse_cookie
from werkzeug.utils import cached_property

CHECKED_COOKIES = 4096  # per process; a cookie is about 150 bytes


class Request(FlaskRequest):
    @cached_property
    def cookies(self):
        """The cookies, read from the environ's one Cookie header (what Werkzeug's own finds
        by walking every header of the environ, which costs more than the parsing)."""
        return parse_cookie(self.environ.get("HTTP_COOKIE"), cls=self.dict_storage_class)


class SignedCookieSessions(SecureCookieSessionInterface):
    def __init__(self, capacity: int = CHECKED_COOKIES):
        self.capacity = capacity
        self._serializers: dict[tuple, object] = {}
        self._checked: dict[tuple, tuple[float, dict]] = {}
        self._lock = threading.Lock()

    def get_signing_serializer(self, app):
        """One serializer per secret key (Flask builds a new one for every request)."""
        keys = (app.secret_key, tuple(app.config.get("SECRET_KEY_FALLBACKS") or ()))
        serializer = self._serializers.get(keys)
        if serializer is None:
            serializer = super().get_signing_serializer(app)
            if serializer is not None:
                with self._lock:  # new keys: what the old ones verified no longer counts
                    self._serializers = {keys: serializer}
                    self._checked.clear()
        return serializer

    def open_session(self, app, request):
        serializer = self.get_signing_serializer(app)
        if serializer is None:
            return None
        value = request.cookies.get(self.get_cookie_name(app))
        if not value:
            return self.session_class()
        max_age = app.permanent_session_lifetime.total_seconds()
        key = (serializer.secret_keys[-1], value)
        with self._lock:
            checked = self._checked.get(key)
        if checked is None:
            try:
                data, signed_at = serializer.loads(
                    value, max_age=int(max_age), return_timestamp=True
                )
            except BadSignature:
                return self.session_class()
            checked = (signed_at.timestamp(), data)
            with self._lock:
                if len(self._checked) >= self.capacity:
                    self._checked.pop(next(iter(self._checked)))
                self._checked[key] = checked
        elif time.time() - checked[0] > max_age:
            return self.session_class()  # expired since it was first checked
        return self.session_class(_fresh(checked[1]))

    def save_session(self, app, session, response):
        """Flask's, without reading the seven cookie settings when no cookie is sent: the
        session is unchanged and not re-sent on every request (SESSION_REFRESH_EACH_REQUEST)."""
        if self.should_set_cookie(app, session):  # modified, or re-sent on every request
            return super().save_session(app, session, response)
        if not session.accessed:
            return
        if "Vary" in response.headers:
            response.vary.add("Cookie")
        else:
            response.headers["Vary"] = "Cookie"  # as vary.add would, without parsing


def _fresh(value):
    """A copy of session data (what JSON and Flask's tags decode to) sharing nothing mutable:
    a request may change nested values, such as its flashed messages, in place."""
    if isinstance(value, dict):
        return {key: _fresh(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_fresh(item) for item in value)
    return value
