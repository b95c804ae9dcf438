"""Who may open which staff page."""

from collections.abc import Callable
from functools import wraps

from flask import abort, session
from flask_login import current_user, login_required, login_user, logout_user

from app.models.staff import User
from app.staff.auth import end_every_session, end_session, load_user, start_session

SESSION_TOKEN = "staff_session"  # the session cookie's key for the browser's token

AGENTS = ("admin", "agent")
EDITORS = ("admin", "editor")


def role_required(*roles: str) -> Callable:
    """Signed in (else to the sign-in page) with one of `roles` (else 403)."""

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        @login_required
        def guarded(*args, **kwargs):
            if current_user.role not in roles:
                abort(403, description=_who_may(roles))
            return view(*args, **kwargs)

        guarded.allowed_roles = roles
        return guarded

    return decorate


ROLE_NAMES = {"admin": "admins", "agent": "agents", "editor": "editors"}


def _who_may(roles: tuple[str, ...]) -> str:
    names = [ROLE_NAMES.get(role, role) for role in roles]
    who = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    return (
        f"This page is for {who}; you are signed in as {current_user.role}."
        " An admin can change your role."
    )


def session_user(user_id: str) -> User | None:
    """Flask-Login's user loader: the user, if this browser's session is still live."""
    return load_user(user_id, session.get(SESSION_TOKEN))


def sign_in_browser(user: User) -> None:
    login_user(user)
    session[SESSION_TOKEN] = start_session(user)


def sign_out_browser(everywhere: bool = False) -> None:
    """End this browser's session, or every session of the account."""
    token = session.pop(SESSION_TOKEN, None)
    if everywhere:
        end_every_session(current_user)
    else:
        end_session(token)
    logout_user()
