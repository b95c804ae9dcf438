"""Forms of the help center."""

from flask_wtf import FlaskForm
from wtforms import RadioField, SelectChoice, StringField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, Length, Optional

from app.models.votes import COMMENT_MAX, NO_REASONS


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
