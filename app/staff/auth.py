"""Staff sign-in rules: password checks, brief lock-outs after repeated failures, and one
answer for every failure so sign-in reveals nothing about which emails exist."""

from datetime import datetime, timedelta
from functools import cache

from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash

from app.extensions import db
from app.models.staff import ROLES, User
from app.models.types import utcnow

MAX_FAILURES = 5
LOCKOUT = timedelta(minutes=15)
FAILED = (
    "That email and password don't match, or there were too many attempts. "
    "Check them, or wait 15 minutes and try again."
)
MIN_PASSWORD = 10


@cache
def dummy_hash() -> str:
    """Checked against when the email is unknown, so both cases take the same time. Made on
    first use, not at import: hashing takes a third of a second, which every command and test
    process would pay (gunicorn workers make it before their first request)."""
    return generate_password_hash("not a real password")


class UserError(ValueError):
    """A staff account that can't be created as asked."""


def create_user(email: str, password: str, role: str, name: str = "") -> User:
    email = email.strip().lower()
    if role not in ROLES:
        raise UserError(f"role must be one of {', '.join(ROLES)}")
    if "@" not in email:
        raise UserError("that doesn't look like an email address")
    if len(password) < MIN_PASSWORD:
        raise UserError(f"the password needs at least {MIN_PASSWORD} characters")
    if db.session.execute(select(User.id).filter_by(email=email)).first():
        raise UserError(f"{email} already has an account")
    user = User(email=email, name=name, password_hash=generate_password_hash(password), role=role)
    db.session.add(user)
    db.session.commit()
    return user


def authenticate(email: str, password: str, now: datetime | None = None) -> User | None:
    """The user when the password is right and the account isn't locked; None otherwise
    (show FAILED). Failures count towards a brief lock-out."""
    now = now or utcnow()
    user = db.session.execute(
        select(User).where(func.lower(User.email) == email.strip().lower())
    ).scalar_one_or_none()
    if user is None:
        check_password_hash(dummy_hash(), password)
        return None
    if user.locked_until and user.locked_until > now:
        check_password_hash(dummy_hash(), password)
        return None
    if not check_password_hash(user.password_hash, password):
        user.failed_logins += 1
        if user.failed_logins >= MAX_FAILURES:
            user.locked_until, user.failed_logins = now + LOCKOUT, 0
        db.session.commit()
        return None
    user.failed_logins, user.locked_until = 0, None
    db.session.commit()
    return user


def load_user(user_id: str) -> User | None:
    """Flask-Login's loader: `<id>:<session version>`, so a password change ends sessions."""
    number, _, version = user_id.partition(":")
    if not number.isdigit() or not version.isdigit():
        return None
    user = db.session.get(User, int(number))
    return user if user is not None and user.session_version == int(version) else None
