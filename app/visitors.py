"""The anonymous visitor id: a random token kept in the signed session cookie.

It identifies a browser for one-vote-per-article and rate limits, and ties a visitor's
searches together (what they searched next after finding nothing). It is created when a page
offers a form that needs it (the article's vote form) or records a search, in the same
session cookie that carries the forms' CSRF tokens; no other cookie is set.
"""

import secrets

from flask import session
from flask_limiter.util import get_remote_address


def current_visitor_id() -> str | None:
    return session.get("visitor_id")


def ensure_visitor_id() -> str:
    visitor = session.get("visitor_id")
    if not visitor:
        visitor = secrets.token_urlsafe(16)
        session["visitor_id"] = visitor
        session.permanent = True
    return visitor


def visitor_or_address() -> str:
    """Rate-limit key: the visitor id when there is one, else the client address."""
    visitor = current_visitor_id()
    return f"visitor:{visitor}" if visitor else f"addr:{get_remote_address()}"
