"""Forms of the returns portal. The per-item fields of the start page are read by
service.read_selection; the form class there only carries the CSRF token."""

from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, StringField
from wtforms.validators import DataRequired, Email, Length

from app.i18n import lazy as _l

TOO_LONG = _l("Please keep it under %(max)d characters.")


class LookupForm(FlaskForm):
    order_number = StringField(
        _l("Order number"),
        validators=[DataRequired(_l("Enter your order number.")), Length(max=40, message=TOO_LONG)],
        description=_l("It's in your order confirmation email, for example JP-10482."),
    )
    contact = StringField(
        _l("Email address or shipping postal code"),
        validators=[
            DataRequired(_l("Enter the email or postal code of the order.")),
            Length(max=254, message=TOO_LONG),
        ],
    )


class FindReturnForm(FlaskForm):
    rma_number = StringField(
        _l("Return number"),
        validators=[
            DataRequired(_l("Enter your return number.")),
            Length(max=20, message=TOO_LONG),
        ],
        description=_l("It starts with RMA-, for example RMA-7KQ4M2XT."),
    )
    email = EmailField(
        _l("Email address"),
        validators=[
            DataRequired(_l("Enter the email address of the order.")),
            Email(_l("Enter an email address like name@example.com.")),
            Length(max=254, message=TOO_LONG),
        ],
    )


class CsrfOnlyForm(FlaskForm):
    """Pages whose fields are read elsewhere still need a CSRF token."""


class ConfirmForm(FlaskForm):
    key = HiddenField()
