"""Staff sign-in rules: password checks, a growing wait for a client that keeps sending wrong
passwords (never for the account's owner elsewhere), one answer for every failure so
sign-in reveals nothing about which emails exist, and sessions ended on the server."""

import hashlib
import secrets
from datetime import datetime, timedelta
from functools import cache

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash

from app.extensions import db
from app.models.staff import ROLES, SignInThrottle, StaffSession, User
from app.models.types import utcnow

MAX_FAILURES = 5  # wrong passwords from one client before it has to wait
FIRST_WAIT = timedelta(minutes=1)  # then doubling with each further wrong password
LONGEST_WAIT = timedelta(hours=1)
FAILED = (
    "That email and password don't match, or there were too many attempts. "
    "Check them, or wait a few minutes and try again."
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


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise UserError(f"the password needs at least {MIN_PASSWORD} characters")


def create_user(email: str, password: str, role: str, name: str = "") -> User:
    email = email.strip().lower()
    if role not in ROLES:
        raise UserError(f"role must be one of {', '.join(ROLES)}")
    if "@" not in email:
        raise UserError("that doesn't look like an email address")
    _check_password(password)
    if db.session.execute(select(User.id).filter_by(email=email)).first():
        raise UserError(f"{email} already has an account")
    user = User(email=email, name=name, password_hash=generate_password_hash(password), role=role)
    db.session.add(user)
    db.session.commit()
    return user


def set_password(email: str, password: str) -> User:
    """A new password for an account; every browser signed in with the old one is signed out."""
    user = db.session.execute(
        select(User).where(func.lower(User.email) == email.strip().lower())
    ).scalar_one_or_none()
    if user is None:
        raise UserError(f"{email.strip()} has no account")
    _check_password(password)
    user.password_hash = generate_password_hash(password)
    end_every_session(user)
    return user


def authenticate(
    email: str, password: str, client: str, now: datetime | None = None
) -> User | None:
    """The user when the password is right and this client isn't made to wait; None
    otherwise (show FAILED). Wrong passwords slow down only the client that sends them."""
    now = now or utcnow()
    user = db.session.execute(
        select(User).where(func.lower(User.email) == email.strip().lower())
    ).scalar_one_or_none()
    throttle = None
    if user is not None:
        throttle = db.session.execute(
            select(SignInThrottle).filter_by(user_id=user.id, client=client[:64])
        ).scalar_one_or_none()
    if user is None or (throttle and throttle.blocked_until and throttle.blocked_until > now):
        check_password_hash(dummy_hash(), password)  # the same time as a real check
        return None
    if not check_password_hash(user.password_hash, password):
        _count_failure(user, client[:64], throttle, now)
        return None
    if throttle is not None:
        db.session.delete(throttle)
        db.session.commit()
    return user


def _count_failure(user: User, client: str, throttle: SignInThrottle | None, now: datetime) -> None:
    if throttle is None:
        throttle = SignInThrottle(user_id=user.id, client=client, failures=0)
        db.session.add(throttle)
    throttle.failures += 1
    if throttle.failures >= MAX_FAILURES:
        wait = FIRST_WAIT * 2 ** min(throttle.failures - MAX_FAILURES, 12)
        throttle.blocked_until = now + min(wait, LONGEST_WAIT)
    try:
        db.session.commit()
    except IntegrityError:  # the same client's other request counted first: one is enough
        db.session.rollback()


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(user: User) -> str:
    """A new signed-in browser for `user`: the token its cookie carries."""
    token = secrets.token_urlsafe(32)
    db.session.add(StaffSession(user_id=user.id, token_hash=_hash(token)))
    db.session.commit()
    return token


def end_session(token: str | None) -> None:
    """Sign one browser out: its cookie, and every copy of it, stops working."""
    if not token:
        return
    db.session.execute(
        update(StaffSession)
        .where(StaffSession.token_hash == _hash(token), StaffSession.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    db.session.commit()


def end_every_session(user: User) -> None:
    """Sign the user out everywhere (and end sessions from before session rows existed)."""
    db.session.execute(
        update(StaffSession)
        .where(StaffSession.user_id == user.id, StaffSession.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    user.session_version += 1
    db.session.commit()


def load_user(user_id: str, token: str | None) -> User | None:
    """Flask-Login's loader: `<id>:<session version>` (a password change or "sign out
    everywhere" ends sessions), and the browser's token must name a session not revoked."""
    number, _, version = user_id.partition(":")
    if not number.isdigit() or not version.isdigit() or not token:
        return None
    return db.session.execute(
        select(User)
        .join(StaffSession, StaffSession.user_id == User.id)
        .where(
            User.id == int(number),
            User.session_version == int(version),
            StaffSession.token_hash == _hash(token),
            StaffSession.revoked_at.is_(None),
        )
    ).scalar_one_or_none()
