"""Forms of the returns portal. The per-item fields of the start page are read by
service.read_selection; the form class there only carries the CSRF token."""

from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, StringField
from wtforms.validators import DataRequired, Email, Length


class LookupForm(FlaskForm):
    order_number = StringField(
        "Order number",
        validators=[DataRequired("Enter your order number."), Length(max=40)],
        description="It's in your order confirmation email, for example JP-10482.",
    )
    contact = StringField(
        "Email address or shipping postal code",
        validators=[DataRequired("Enter the email or postal code of the order."), Length(max=254)],
    )


class FindReturnForm(FlaskForm):
    rma_number = StringField(
        "Return number",
        validators=[DataRequired("Enter your return number."), Length(max=20)],
        description="It starts with RMA-, for example RMA-7KQ4M2XT.",
    )
    email = EmailField(
        "Email address",
        validators=[
            DataRequired("Enter the email address of the order."),
            Email("Enter an email address like name@example.com."),
            Length(max=254),
        ],
    )


class CsrfOnlyForm(FlaskForm):
    """Pages whose fields are read elsewhere still need a CSRF token."""


class ConfirmForm(FlaskForm):
    key = HiddenField()
