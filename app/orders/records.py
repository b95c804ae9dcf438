"""What an imported order is: the fields of an order and of its lines as pydantic models, each
field's rule stated once, and a rule broken told in a shop owner's words (`email 'x' is not an
email address`) rather than pydantic's.

The values arrive as an export gives them: text from a CSV file; text, Decimal (JSON numbers,
read exactly) or bool from a JSON file; text, int or bool from a Shopify order. A value left
blank (or JSON null) counts as not given: a required field is then missing, an optional one
takes its default. Nothing here opens a file or touches the database.
"""

import re
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated, Any, ClassVar, TypeVar
from urllib.parse import urlsplit

from email_validator import EmailNotValidError, validate_email
from pydantic import (
    BaseModel,
    Field,
    PlainValidator,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import ErrorDetails
from sqlalchemy import FromClause

from app.config import site_language
from app.models import Order, OrderLine, Variant
from app.models.orders import order_number_key

PAYMENT_METHODS = ("card", "wallet", "gift_card")
# Bounded, so a number thousands of digits long is a row problem, never a conversion error.
PRICE = re.compile(r"-?\d{1,12}(?:\.\d{1,12})?")
WHOLE = re.compile(r"\d{1,12}")
# NUL and the other C0/C1 controls (tab excepted): no order field holds them, and a NUL can't
# be typed into the lookup form, so such an order could never be found.
CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f]")
SHOWN = 40  # characters of a bad value quoted in a problem
FLAGS = {"true": True, "yes": True, "1": True, "false": False, "no": False, "0": False}
MAX_INT = 2**31 - 1  # an INTEGER column on PostgreSQL


class Invalid(ValueError):
    """A value that cannot be imported; the message says why, after the field's name
    (`is not a positive whole number`)."""


def shown(value: object) -> str:
    """A value as a problem quotes it: its repr, cut short."""
    text = repr(value)
    return text if len(text) <= SHOWN else text[: SHOWN - 1] + "…"


def clean(value: object) -> object:
    """Text stripped and JSON null as blank text; other values as given."""
    if value is None:
        return ""
    return value.strip() if isinstance(value, str) else value


def column_length(table: FromClause, name: str) -> int | None:
    """The most characters a text column holds (None: no limit, not text, no such column)."""
    column = table.c.get(name)
    length = getattr(column.type, "length", None) if column is not None else None
    return length if isinstance(length, int) else None


# Each field's rule: a function of the value as the export gives it (never blank: see
# _Record), returning what is stored or raising Invalid.


def _text(value: object) -> str:
    if isinstance(value, Decimal) and value.as_tuple().exponent == 0:
        return str(value)  # JSON order numbers and postal codes are often numbers
    if not isinstance(value, str):
        raise Invalid(f"must be text, got {shown(value)}")
    return value


def _order_number(value: object) -> str:
    """An order number whose comparable form (order_number_key: compatibility characters
    written out, a few expand to many) fits its column, so the lookups can compare it."""
    number = _text(value)
    limit = column_length(Order.__table__, "number_key")
    if limit is not None and len(order_number_key(number)) > limit:
        raise Invalid(f"is longer than {limit} characters once written out")
    return number


def _email(value: object) -> str:
    """An address the returns forms' email check (email-validator, as WTForms' Email runs it)
    accepts, so the customer can find the order by it; stored lower-case, so that looking
    an order up does not depend on case."""
    address = _text(value)
    try:
        validate_email(address, check_deliverability=False)
    except EmailNotValidError:
        raise Invalid(f"{shown(address)} is not an email address") from None
    return address.lower()


def _category(value: object) -> str:
    """Lower-case, as the return policy names categories (`shoes`, `gift-cards`)."""
    return _text(value).lower()


def _letter_code(length: int) -> Callable[[object], str]:
    """A code of `length` ASCII letters, stored upper-case (countries, currencies)."""

    def code(value: object) -> str:
        text = _text(value)
        if len(text) != length or not text.isascii() or not text.isalpha():
            raise Invalid(f"{shown(text)} is not a {length}-letter code")
        return text.upper()

    return code


def _payment_method(value: object) -> str:
    method = _text(value).lower()
    if method not in PAYMENT_METHODS:
        raise Invalid(f"{shown(method)} is not one of {', '.join(PAYMENT_METHODS)}")
    return method


def _timestamp(value: object) -> datetime:
    """An ISO date (midnight UTC) or date and time (UTC when it has no offset), in UTC."""
    try:
        moment = datetime.fromisoformat(_text(value))
    except ValueError:
        raise Invalid(f"{shown(value)} is not an ISO date or date and time") from None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def _number_text(value: object) -> object:
    """JSON numbers as the text they were written as (Decimal keeps "49.95" exact)."""
    if isinstance(value, int | Decimal) and not isinstance(value, bool):
        return str(value)
    return value


def _quantity(value: object) -> int:
    text = _number_text(value)
    if not isinstance(text, str) or not WHOLE.fullmatch(text) or not 0 < int(text) <= MAX_INT:
        raise Invalid(f"{shown(text)} is not a positive whole number")
    return int(text)


def _stock(value: object) -> int:
    text = _number_text(value)
    if not isinstance(text, str) or not WHOLE.fullmatch(text) or int(text) > MAX_INT:
        raise Invalid(f"{shown(text)} is not a whole number of units (0 or more)")
    return int(text)


def _cents(value: object) -> int:
    """A price like "49.95" as integer cents, computed with Decimal so nothing is rounded."""
    text = _number_text(value)
    if not isinstance(text, str) or not PRICE.fullmatch(text):
        raise Invalid(f"{shown(text)} is not a price like 49.95")
    cents = Decimal(text) * 100
    if cents < 0:
        raise Invalid(f"{shown(text)} is negative")
    if cents != cents.to_integral_value():
        raise Invalid(f"{shown(text)} has more than 2 decimals")
    if cents > MAX_INT:
        raise Invalid(f"{shown(text)} is too large")
    return int(cents)


def _flag(value: object) -> bool:
    if isinstance(value, bool):
        return value
    key = str(value).lower() if isinstance(value, str | Decimal) else None
    if key not in FLAGS:
        raise Invalid(f"{shown(value)} is not one of true, false, yes, no, 1, 0")
    return FLAGS[key]


def _language(value: object) -> str | None:
    """The customer's language as one of the site's codes: a regional tag ("de-DE", "fr_CA")
    is its language; any other value is a language the site doesn't have, so not given."""
    return site_language(value) if isinstance(value, str) else None


def _image_url(value: object) -> str:
    """The product's photo: an https address, shown on the returns page when its site is
    one of PRODUCT_IMAGE_ORIGINS."""
    address = _text(value)
    parts = urlsplit(address)
    if parts.scheme != "https" or not parts.hostname or len(address) > 500:
        raise Invalid(f"{shown(address)} is not an https address of 500 characters or less")
    return address


Text = Annotated[str, PlainValidator(_text)]


class _Record(BaseModel):
    """The rules every field shares: blank is not given, no control characters, and text
    no longer than its column (`table`) holds, so the database never refuses a value."""

    table: ClassVar[FromClause]

    @model_validator(mode="before")
    @classmethod
    def _blank_is_not_given(cls, values: object) -> object:
        if not isinstance(values, Mapping):
            return values
        cleaned = {name: clean(value) for name, value in values.items()}
        return {name: value for name, value in cleaned.items() if value != ""}

    @field_validator("*", mode="before")
    @classmethod
    def _no_control_characters(cls, value: object) -> object:
        if isinstance(value, str) and CONTROL.search(value):
            raise Invalid("contains a control character (such as NUL)")
        return value

    @field_validator("*")
    @classmethod
    def _fits_its_column(cls, value: object, info: ValidationInfo) -> object:
        limit = column_length(cls.table, info.field_name) if info.field_name else None
        if isinstance(value, str) and limit is not None and len(value) > limit:
            raise Invalid(f"is longer than {limit} characters")
        return value


class LineRecord(_Record):
    """One line of an order, as OrderLine stores it; the file's fields are these, but for
    unit_price (a price like 49.95, stored as cents)."""

    table = OrderLine.__table__

    sku: Text
    name: Text
    category: Annotated[str, PlainValidator(_category)]
    quantity: Annotated[int, PlainValidator(_quantity)]
    unit_price_cents: Annotated[int, PlainValidator(_cents)] = Field(alias="unit_price")
    final_sale: Annotated[bool, PlainValidator(_flag)] = False
    image_url: Annotated[str | None, PlainValidator(_image_url)] = None


class OrderRecord(_Record):
    """An order, as Order stores it; the file's fields are these, but for order_number.
    Its lines are checked one by one (each problem names its own row) and set afterwards."""

    table = Order.__table__

    number: Annotated[str, PlainValidator(_order_number)] = Field(alias="order_number")
    email: Annotated[str, PlainValidator(_email)]
    customer_name: Text
    address_line1: Text
    address_line2: Text = ""
    city: Text
    region: Text = ""
    postal_code: Text
    country: Annotated[str, PlainValidator(_letter_code(2))]
    currency: Annotated[str, PlainValidator(_letter_code(3))]
    payment_method: Annotated[str, PlainValidator(_payment_method)]
    placed_at: Annotated[datetime, PlainValidator(_timestamp)]
    delivered_at: Annotated[datetime | None, PlainValidator(_timestamp)] = None
    # The customer's language, when the shop knows it: their emails and the returns pages
    # they're sent to are in it (unknown languages are left out, not refused).
    language: Annotated[str | None, PlainValidator(_language)] = None
    # The payment provider's id of the payment (a Stripe PaymentIntent, pi_...), which
    # refunds go back through with PAYMENTS=stripe.
    payment_reference: Annotated[str | None, PlainValidator(_text)] = None
    lines: list[LineRecord] = Field(default_factory=list)

    @field_validator("delivered_at")
    @classmethod
    def _not_before_placed(cls, value: datetime | None, info: ValidationInfo) -> datetime | None:
        placed = info.data.get("placed_at")
        if value is not None and placed is not None and value < placed:
            raise Invalid("is before placed_at")
        return value


class VariantRecord(_Record):
    """A variant of the shop's catalogue (a product in one size or colour), as Variant stores
    it; the file's fields are these, but for price (a price like 49.95, stored as cents)."""

    table = Variant.__table__

    sku: Text
    product: Text
    name: Text
    option: Text
    price_cents: Annotated[int, PlainValidator(_cents)] = Field(alias="price")
    stock: Annotated[int, PlainValidator(_stock)]


def file_fields(model: type[_Record], required: bool = False) -> list[str]:
    """The names an export gives the model's fields, in the model's order (all, or only
    the required ones)."""
    return [
        field.alias or name
        for name, field in model.model_fields.items()
        if name != "lines" and (field.is_required() or not required)
    ]


R = TypeVar("R", bound=_Record)


def validated(
    model: type[R], values: Mapping[str, object], problem: Callable[[str], None]
) -> R | None:
    """`values` as a `model`, or None after telling `problem` what each wrong field is."""
    try:
        return model.model_validate(values)
    except ValidationError as error:
        for detail in error.errors():
            problem(_in_words(detail))
        return None


def _in_words(detail: ErrorDetails) -> str:
    """A pydantic error as a problem naming the field, in the words of the rule it broke."""
    name = ".".join(str(part) for part in detail["loc"]) or "the order"
    cause: Any = detail.get("ctx", {}).get("error")
    if detail["type"] == "missing":
        return f"{name} is missing"
    if isinstance(cause, Invalid):
        return f"{name} {cause}"
    return f"{name} {shown(detail['input'])} is not valid: {detail['msg']}"
