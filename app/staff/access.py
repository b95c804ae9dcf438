"""Who may open which staff page."""

from collections.abc import Callable
from functools import wraps

from flask import abort
from flask_login import current_user, login_required

AGENTS = ("admin", "agent")
EDITORS = ("admin", "editor")


def role_required(*roles: str) -> Callable:
    """Signed in (else to the sign-in page) with one of `roles` (else 403)."""

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        @login_required
        def guarded(*args, **kwargs):
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        guarded.allowed_roles = roles
        return guarded

    return decorate
