"""The anonymous visitor id: a random token kept in the signed session cookie.

It identifies a browser for one-vote-per-article and rate limits, and ties a visitor's
searches together (what they searched next after finding nothing). It is created when the
visitor first votes or searches, in the same session cookie that carries the forms' CSRF
tokens; no other cookie is set. Until then there is no vote of theirs to look up.
"""

import secrets

from flask import session


def current_visitor_id() -> str | None:
    return session.get("visitor_id")


def keep_session() -> None:
    """A page offering a form keeps the session that holds its token (and later the visitor
    id) for 31 days. Set once: the cookie is only sent again when the session changes."""
    if not session.permanent:
        session.permanent = True


def ensure_visitor_id() -> str:
    visitor = session.get("visitor_id")
    if not visitor:
        visitor = secrets.token_urlsafe(16)
        session["visitor_id"] = visitor
        session.permanent = True
    return visitor


def visitor_key() -> str:
    """Rate-limit key of a vote: the visitor's id, made now if this is their first vote."""
    return f"visitor:{ensure_visitor_id()}"
