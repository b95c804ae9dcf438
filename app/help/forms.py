"""Forms of the help center."""

from flask_wtf import FlaskForm
from wtforms import EmailField, RadioField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # not in the stubs
from wtforms.validators import AnyOf, DataRequired, Email, Length, Optional

from app.i18n import lazy as _l
from app.models.votes import COMMENT_MAX, NO_REASONS

MESSAGE_MAX = 3000


class VoteForm(FlaskForm):
    """Anyone may vote, from a page every visitor shares, so the form carries no token: the
    vote view refuses votes sent from other sites instead (app.security.same_origin_only)."""

    class Meta:
        csrf = False

    helpful = StringField(
        validators=[
            DataRequired(_l("Choose Yes or No.")),
            AnyOf(["yes", "no"], _l("Choose Yes or No.")),
        ]
    )
    reason = RadioField(
        _l("What went wrong?"),
        choices=[SelectChoice(value, _l(label)) for value, label in NO_REASONS.items()],
        validators=[Optional()],
        validate_choice=True,
    )
    comment = TextAreaField(
        _l("Anything else you'd like to tell us? (optional)"),
        validators=[
            Optional(),
            Length(max=COMMENT_MAX, message=_l("Please keep it under %(max)d characters.")),
        ],
    )


class ContactForm(FlaskForm):
    name = StringField(_l("Your name (optional)"), validators=[Optional(), Length(max=100)])
    email = EmailField(
        _l("Your email address, for our reply"),
        validators=[
            DataRequired(_l("Enter your email address, so we can reply.")),
            Email(_l("Enter an email address like name@example.com.")),
            Length(max=254),
        ],
    )
    message = TextAreaField(
        _l("What do you need help with?"),
        validators=[
            DataRequired(_l("Tell us what you need help with.")),
            Length(max=MESSAGE_MAX, message=_l("Please keep it under %(max)d characters.")),
        ],
    )
