"""Forms of the staff back office."""

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    PasswordField,
    SelectField,
    StringField,
    TextAreaField,
)

# New in WTForms 3.3; types-WTForms (3.2) doesn't know it yet.
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]
from wtforms.validators import AnyOf, DataRequired, Length, Optional

from app.analytics.gaps import NOTE_MAX, STATUS_LABELS
from app.config import DEFAULT_LANGUAGE, LANGUAGES
from app.models.gaps import GAP_KINDS


class SignInForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired("Enter your email."), Length(max=254)])
    password = PasswordField(
        "Password", validators=[DataRequired("Enter your password."), Length(max=200)]
    )


class ActionForm(FlaskForm):
    """Approve, cancel and similar one-click actions, with an optional note."""

    note = TextAreaField("Note (optional)", validators=[Optional(), Length(max=1000)])


class RejectForm(ActionForm):
    """An action whose note is required: the customer reads it."""

    note = TextAreaField(
        "Reason the customer will see",
        validators=[DataRequired("Say why, for the customer."), Length(max=1000)],
    )


class ReplacementForm(FlaskForm):
    """The parcel an exchange's replacement left in."""

    carrier = StringField(
        "Carrier",
        validators=[DataRequired("Enter the carrier's name."), Length(max=40)],
    )
    tracking = StringField(
        "Tracking number",
        validators=[DataRequired("Enter the parcel's tracking number."), Length(max=60)],
    )


class RefundForm(FlaskForm):
    """Reviewed on a confirmation page before anything is paid; `key` (the idempotency key)
    travels through both steps, so a double submit pays once."""

    amount = StringField(
        "Amount",
        validators=[
            DataRequired("Enter an amount."),
            Length(max=20, message="Enter an amount like 24.50."),
        ],
    )
    note = TextAreaField("Note", validators=[Optional(), Length(max=1000)])
    parcel_lost = BooleanField(
        "The parcel is lost in transit: refund without waiting for the items",
        description="Recorded on the return's timeline, which the customer reads too.",
    )
    key = HiddenField(validators=[Length(max=64)])


class GapForm(FlaskForm):
    """An editor's decision on one content gap (the queue renders one per gap)."""

    kind = HiddenField(validators=[AnyOf(GAP_KINDS)])
    language = HiddenField(default=DEFAULT_LANGUAGE, validators=[AnyOf(list(LANGUAGES))])
    key = HiddenField(validators=[DataRequired(), Length(max=300)])
    status = SelectField(
        "Status", choices=[SelectChoice(value, label) for value, label in STATUS_LABELS.items()]
    )
    note = TextAreaField("Note", validators=[Optional(), Length(max=NOTE_MAX)])
