"""Who may open which staff page."""

from collections.abc import Callable
from functools import wraps
from typing import Any, Protocol, cast

from flask import abort, session
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required, login_user, logout_user

from app.models.staff import User
from app.staff.auth import end_every_session, end_session, load_user, start_session

SESSION_TOKEN = "staff_session"  # the session cookie's key for the browser's token

AGENTS = ("admin", "agent")
EDITORS = ("admin", "editor")


View = Callable[..., ResponseReturnValue]


class Guarded(Protocol):
    """A view behind role_required, carrying the roles it lets in (the access tests read them)."""

    allowed_roles: tuple[str, ...]

    def __call__(self, *args: Any, **kwargs: Any) -> ResponseReturnValue: ...


def role_required(*roles: str) -> Callable[[View], Guarded]:
    """Signed in (else to the sign-in page) with one of `roles` (else 403)."""

    def decorate(view: View) -> Guarded:
        def check(*args: Any, **kwargs: Any) -> ResponseReturnValue:
            if staff_user().role not in roles:
                abort(403, description=_who_may(roles))
            return view(*args, **kwargs)

        # Flask-Login's login_required is unannotated; the result is `check`, wrapped.
        guarded = cast(Guarded, wraps(view)(login_required(check)))
        guarded.allowed_roles = roles
        return guarded

    return decorate


def signed_in() -> User | None:
    """The staff member this browser is signed in as, if any (Flask-Login's current_user)."""
    user = current_user._get_current_object()
    return user if isinstance(user, User) else None


def staff_user() -> User:
    """The staff member a page behind role_required is for."""
    user = signed_in()
    if user is None:
        raise RuntimeError("no staff member is signed in: is the view behind role_required?")
    return user


ROLE_NAMES = {"admin": "admins", "agent": "agents", "editor": "editors"}


def _who_may(roles: tuple[str, ...]) -> str:
    names = [ROLE_NAMES.get(role, role) for role in roles]
    who = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    return (
        f"This page is for {who}; you are signed in as {staff_user().role}."
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
        end_every_session(staff_user())
    else:
        end_session(token)
    logout_user()
