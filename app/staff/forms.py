"""Forms of the staff back office."""

from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, PasswordField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional


class SignInForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired("Enter your email."), Length(max=254)])
    password = PasswordField(
        "Password", validators=[DataRequired("Enter your password."), Length(max=200)]
    )


class ActionForm(FlaskForm):
    """Approve, cancel and similar one-click actions, with an optional note."""

    note = TextAreaField("Note (optional)", validators=[Optional(), Length(max=1000)])


class RejectForm(FlaskForm):
    note = TextAreaField(
        "Reason the customer will see",
        validators=[DataRequired("Say why, for the customer."), Length(max=1000)],
    )


class RefundForm(FlaskForm):
    amount = StringField("Amount", validators=[DataRequired("Enter an amount."), Length(max=20)])
    note = TextAreaField("Note", validators=[Optional(), Length(max=1000)])
    key = HiddenField()
