"""Forms of the help center."""

from functools import lru_cache

from flask import current_app, g, session
from flask_wtf import FlaskForm
from flask_wtf.csrf import generate_csrf
from wtforms import EmailField, RadioField, SelectChoice, StringField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, Email, Length, Optional

from app.models.votes import COMMENT_MAX, NO_REASONS

MESSAGE_MAX = 3000


class VoteForm(FlaskForm):
    helpful = StringField(
        validators=[DataRequired("Choose Yes or No."), AnyOf(["yes", "no"], "Choose Yes or No.")]
    )
    reason = RadioField(
        "What went wrong?",
        choices=[SelectChoice(value, label) for value, label in NO_REASONS.items()],
        validators=[Optional()],
        validate_choice=True,
    )
    comment = TextAreaField(
        "Anything else you'd like to tell us? (optional)",
        validators=[
            Optional(),
            Length(max=COMMENT_MAX, message=f"Please keep it under {COMMENT_MAX} characters."),
        ],
    )


class ContactForm(FlaskForm):
    name = StringField("Your name (optional)", validators=[Optional(), Length(max=100)])
    email = EmailField(
        "Your email address, for our reply",
        validators=[
            DataRequired("Enter your email address, so we can reply."),
            Email("Enter an email address like name@example.com."),
            Length(max=254),
        ],
    )
    message = TextAreaField(
        "What do you need help with?",
        validators=[
            DataRequired("Tell us what you need help with."),
            Length(max=MESSAGE_MAX, message=f"Please keep it under {MESSAGE_MAX} characters."),
        ],
    )


@lru_cache(maxsize=4096)
def _signed_token(_secret_key: str, _session_token: str) -> str:
    """Flask-WTF's token for the current request; the arguments are the cache key."""
    return generate_csrf()


def form_token() -> str:
    """The visitor's form token, as `flask_wtf.csrf.generate_csrf` makes it, signed once per
    session token rather than on every page (signing costs more than serving the rest of a
    cached article page). Only while tokens don't expire (WTF_CSRF_TIME_LIMIT None): then any
    token signed for the session's token is as good as a new one."""
    config = current_app.config
    field = config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    session_token = session.get(field)
    if session_token is None or config.get("WTF_CSRF_TIME_LIMIT", 3600) is not None:
        return generate_csrf()
    token = _signed_token(
        config.get("WTF_CSRF_SECRET_KEY") or current_app.secret_key, session_token
    )
    setattr(g, field, token)  # where generate_csrf keeps it for the rest of the request
    return token
