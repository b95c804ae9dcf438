"""Forms of the help center."""

from flask_wtf import FlaskForm
from wtforms import EmailField, RadioField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # not in the stubs
from wtforms.validators import AnyOf, DataRequired, Email, Length, Optional

from app.models.votes import COMMENT_MAX, NO_REASONS

MESSAGE_MAX = 3000


class VoteForm(FlaskForm):
    """Anyone may vote, from a page every visitor shares, so the form carries no token: the
    vote view refuses votes sent from other sites instead (app.security.same_origin_only)."""

    class Meta:
        csrf = False

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
