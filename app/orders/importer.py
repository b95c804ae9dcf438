"""Import orders exported from the shop's platform, a CSV or JSON file read twice as a
stream: `check` reads every order and lists the problems; with none, `import_file` reads it
again and creates or updates the orders, a few hundred at a time, in one transaction. Memory
stays small whatever the CSV's size; a JSON file is parsed whole, so it may be JSON_MAX_BYTES
at most. An order's CSV rows come one after another, as platforms export them.

Problems are `row N: ...` strings. In a CSV file N is the file's line number, the header being
row 1; in a JSON file N is the order's position (1-based) and line problems add `line M: `.
"""

import csv
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from itertools import islice
from pathlib import Path
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models import Order, OrderLine, ReturnLine
from app.models.orders import order_number_key

PAYMENT_METHODS = ("card", "wallet", "gift_card")
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
# Bounded, so a number thousands of digits long is a row problem, never a conversion error.
PRICE = re.compile(r"-?\d{1,12}(?:\.\d{1,12})?")
WHOLE = re.compile(r"\d{1,12}")
# NUL and the other C0/C1 controls (tab excepted): no order field holds them, and a NUL can't
# be typed into the lookup form, so such an order could never be found.
CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f]")
SHOWN = 40  # characters of a bad value quoted in a problem
FLAGS = {"true": True, "yes": True, "1": True, "false": False, "no": False, "0": False, "": False}
MAX_INT = 2**31 - 1  # an INTEGER column on PostgreSQL
MAX_PROBLEMS = 1000  # problems listed; the rest are counted
CHUNK = 500  # orders written (and let go of) at a time
# The json module parses a whole document: 16 MB (25,000 orders) peaks at about 200 MB.
JSON_MAX_BYTES = 16 * 2**20


class ImportFileError(Exception):
    """The file cannot be read as orders at all (missing, wrong type, malformed)."""


class Invalid(ValueError):
    """A value that cannot be imported; the message says why, naming the field."""


@dataclass
class LineRecord:
    sku: str
    name: str
    category: str
    quantity: int
    unit_price_cents: int
    final_sale: bool
    image_url: str | None = None


@dataclass
class OrderRecord:
    number: str
    email: str
    customer_name: str
    address_line1: str
    address_line2: str
    city: str
    region: str
    postal_code: str
    country: str
    currency: str
    payment_method: str
    placed_at: datetime
    delivered_at: datetime | None
    payment_reference: str | None
    lines: list[LineRecord]


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    lines: int = 0


# Converters take a field name and a stripped string (or, from JSON, an int, Decimal or bool)
# and return the value to store; an optional field left blank arrives as "".


def _text(name: str, value) -> str:
    if isinstance(value, Decimal) and value.as_tuple().exponent == 0:
        return str(value)  # JSON order numbers and postal codes are often numbers
    if not isinstance(value, str):
        raise Invalid(f"{name} must be text, got {value!r}")
    return value


def _image_url(name: str, value) -> str | None:
    """The product's photo: an https address, shown on the returns page when its site is
    one of PRODUCT_IMAGE_ORIGINS."""
    value = _text(name, value).strip()
    if not value:
        return None
    parts = urlsplit(value)
    if parts.scheme != "https" or not parts.hostname or len(value) > 500:
        raise Invalid(f"{name} {_shown(value)} is not an https address of 500 characters or less")
    return value


def _order_number(name: str, value) -> str:
    """An order number whose comparable form (order_number_key: compatibility characters
    written out, a few expand to many) fits its column."""
    value = _text(name, value)
    limit = Order.__table__.c.number_key.type.length
    if len(order_number_key(value)) > limit:
        raise Invalid(f"{name} is longer than {limit} characters once written out")
    return value


def _email(name: str, value) -> str:
    """Stored lower-case, so looking an order up by email does not depend on its case."""
    value = _text(name, value)
    if not EMAIL.fullmatch(value):
        raise Invalid(f"{name} {value!r} is not an email address")
    return value.lower()


def _category(name: str, value) -> str:
    """Lower-case, as the return policy names categories (`shoes`, `gift-cards`)."""
    return _text(name, value).lower()


def _code(name: str, value, length: int) -> str:
    value = _text(name, value)
    if len(value) != length or not value.isascii() or not value.isalpha():
        raise Invalid(f"{name} {value!r} is not a {length}-letter code")
    return value.upper()


def _country(name: str, value) -> str:
    return _code(name, value, 2)


def _currency(name: str, value) -> str:
    return _code(name, value, 3)


def _payment_method(name: str, value) -> str:
    value = _text(name, value).lower()
    if value not in PAYMENT_METHODS:
        raise Invalid(f"{name} {value!r} is not one of {', '.join(PAYMENT_METHODS)}")
    return value


def _payment_reference(name: str, value) -> str | None:
    """The payment provider's id of the payment (a Stripe PaymentIntent, pi_...), which
    refunds go back through with PAYMENTS=stripe; blank: none."""
    return _text(name, value) or None


def _timestamp(name: str, value) -> datetime | None:
    """An ISO date (midnight UTC) or datetime (UTC when it has no offset), in UTC."""
    if value == "":
        return None
    try:
        moment = datetime.fromisoformat(_text(name, value))
    except ValueError:
        raise Invalid(f"{name} {value!r} is not an ISO date or date and time") from None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def _number_text(value):
    """JSON numbers as the text they were written as (Decimal keeps "49.95" exact)."""
    if isinstance(value, int | Decimal) and not isinstance(value, bool):
        return str(value)
    return value


def _quantity(name: str, value) -> int:
    text = _number_text(value)
    if not isinstance(text, str) or not WHOLE.fullmatch(text) or not 0 < int(text) <= MAX_INT:
        raise Invalid(f"{name} {_shown(text)} is not a positive whole number")
    return int(text)


def _cents(name: str, value) -> int:
    """A price like "49.95" as integer cents, computed with Decimal so nothing is rounded."""
    text = _number_text(value)
    if not isinstance(text, str) or not PRICE.fullmatch(text):
        raise Invalid(f"{name} {_shown(text)} is not a price like 49.95")
    cents = Decimal(text) * 100
    if cents < 0:
        raise Invalid(f"{name} {text!r} is negative")
    if cents != cents.to_integral_value():
        raise Invalid(f"{name} {text!r} has more than 2 decimals")
    if cents > MAX_INT:
        raise Invalid(f"{name} {text!r} is too large")
    return int(cents)


def _flag(name: str, value) -> bool:
    if isinstance(value, bool):
        return value
    key = str(value).lower() if isinstance(value, str | Decimal) else None
    if key not in FLAGS:
        raise Invalid(f"{name} {value!r} is not one of true, false, yes, no, 1, 0")
    return FLAGS[key]


# The file's field -> (the model's column, converter, required).
ORDER_FIELDS = {
    "order_number": ("number", _order_number, True),
    "email": ("email", _email, True),
    "customer_name": ("customer_name", _text, True),
    "address_line1": ("address_line1", _text, True),
    "address_line2": ("address_line2", _text, False),
    "city": ("city", _text, True),
    "region": ("region", _text, False),
    "postal_code": ("postal_code", _text, True),
    "country": ("country", _country, True),
    "currency": ("currency", _currency, True),
    "payment_method": ("payment_method", _payment_method, True),
    "placed_at": ("placed_at", _timestamp, True),
    "delivered_at": ("delivered_at", _timestamp, False),
    "payment_reference": ("payment_reference", _payment_reference, False),
}
LINE_FIELDS = {
    "sku": ("sku", _text, True),
    "name": ("name", _text, True),
    "category": ("category", _category, True),
    "quantity": ("quantity", _quantity, True),
    "unit_price": ("unit_price_cents", _cents, True),
    "final_sale": ("final_sale", _flag, False),
    "image_url": ("image_url", _image_url, False),
}
REQUIRED_COLUMNS = [
    name for fields in (ORDER_FIELDS, LINE_FIELDS) for name, spec in fields.items() if spec[2]
]


def parse(path: str | Path) -> Iterator[dict]:
    """Read orders as the file gives them, unchecked, one at a time; raises ImportFileError
    (while iterating) if it cannot.

    Each order is `{"row", "fields", "lines", "problems"}`: `fields` maps the order fields to raw
    values, each line is `{"row", "line", "fields"}` (CSV lines also carry `order_fields`, the
    order fields as their own row gives them) and `problems` lists `(line, message)` pairs for
    structure that is not an order at all. `line` is None for CSV, 1-based for JSON.
    """
    path = Path(path)
    readers = {".csv": _read_csv, ".json": _read_json}
    if path.suffix.lower() not in readers:
        raise ImportFileError(f"{path.name}: unsupported file type; use a .csv or .json file")
    try:
        yield from readers[path.suffix.lower()](path)
    except FileNotFoundError:
        raise ImportFileError(f"{path}: no such file") from None
    except OSError as error:
        raise ImportFileError(f"{path}: {error.strerror}") from None
    except UnicodeDecodeError:
        raise ImportFileError(f"{path.name}: not UTF-8 text") from None


def _pick(values: dict, names) -> dict:
    return {name: values[name] for name in names if name in values}


def _read_csv(path: Path) -> Iterator[dict]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        try:
            header = [name.strip().lower() for name in next(reader, [])]
            missing = [name for name in REQUIRED_COLUMNS if name not in header]
            if missing:
                raise ImportFileError(f"{path.name}: missing column(s): {', '.join(missing)}")
            doubled = sorted({name for name in header if name and header.count(name) > 1})
            if doubled:
                raise ImportFileError(f"{path.name}: column(s) given twice: {', '.join(doubled)}")
            order, key = None, None
            last = reader.line_num
            for cells in reader:
                row, last = last + 1, reader.line_num  # a quoted field may span lines
                if not any(cell.strip() for cell in cells):
                    continue  # blank lines and spreadsheets' trailing ",,,," rows
                values = dict(zip(header, cells, strict=False))
                # A row without a number is an order of its own.
                row_key = order_number_key(values["order_number"]) or (None, row)
                if order is None or row_key != key:
                    if order is not None:
                        yield order
                    fields = _pick(values, ORDER_FIELDS)
                    order, key = (
                        {"row": row, "fields": fields, "lines": [], "problems": []},
                        row_key,
                    )
                order["lines"].append(
                    {
                        "row": row,
                        "line": None,
                        "fields": _pick(values, LINE_FIELDS),
                        "order_fields": _pick(values, ORDER_FIELDS),
                    }
                )
            if order is not None:
                yield order
        except csv.Error as error:
            raise ImportFileError(f"{path.name}: row {reader.line_num}: {error}") from None


def _read_json(path: Path) -> Iterator[dict]:
    if path.stat().st_size > JSON_MAX_BYTES:
        raise ImportFileError(
            f"{path.name}: a JSON file is read whole, so it can be at most "
            f"{JSON_MAX_BYTES // 2**20} MB; split it, or export CSV, which any size can be"
        )
    try:
        # Whole numbers as Decimal too: a 5,000-digit one is then a row's bad value, not an
        # error from int() while the file is read.
        data = json.loads(
            path.read_text(encoding="utf-8-sig"), parse_float=Decimal, parse_int=Decimal
        )
    except json.JSONDecodeError as error:
        raise ImportFileError(
            f"{path.name}: not valid JSON: {error.msg} at line {error.lineno}"
        ) from None
    except RecursionError:
        raise ImportFileError(f"{path.name}: not valid JSON: nested too deeply") from None
    if isinstance(data, dict) and "orders" in data:
        data = data["orders"]
    if not isinstance(data, list):
        raise ImportFileError(f'{path.name}: expected a list of orders or {{"orders": [...]}}')
    for index, item in enumerate(data, start=1):
        order = {"row": index, "fields": {}, "lines": [], "problems": []}
        if not isinstance(item, dict):
            order["problems"].append((None, "the order is not an object"))
            yield order
            continue
        order["fields"] = _pick(item, ORDER_FIELDS)
        lines = item.get("lines") or []
        if not isinstance(lines, list):
            order["problems"].append((None, "lines is not a list"))
            yield order
            continue
        for number, line in enumerate(lines, start=1):
            if isinstance(line, dict):
                order["lines"].append(
                    {"row": index, "line": number, "fields": _pick(line, LINE_FIELDS)}
                )
            else:
                order["problems"].append((number, "the line is not an object"))
        yield order


class _Problems:
    """Problems by row and line. Orders arrive in the file's order, so each order's problems
    are sorted as it ends (`close_order`); the first MAX_PROBLEMS are kept, the rest counted."""

    def __init__(self) -> None:
        self.pending: list[tuple[int, int, str]] = []
        self.kept: list[str] = []
        self.count = 0

    def add(self, row: int, line: int | None, message: str) -> None:
        self.pending.append((row, line or 0, message))

    def close_order(self) -> None:
        for row, line, message in sorted(self.pending, key=lambda item: item[:2]):
            self.count += 1
            if len(self.kept) < MAX_PROBLEMS:
                self.kept.append(
                    f"row {row}: line {line}: {message}" if line else f"row {row}: {message}"
                )
        self.pending = []


def _clean(value):
    """Strip text and treat JSON null as blank; other JSON values go to the converters."""
    if value is None:
        return ""
    return value.strip() if isinstance(value, str) else value


def _shown(value) -> str:
    text = repr(value)
    return text if len(text) <= SHOWN else text[: SHOWN - 1] + "…"


def _convert(values: dict, fields: dict, model, problems: _Problems, row: int, line=None):
    """Convert `values` to model columns: (the columns that converted, whether all did)."""
    converted, good = {}, True
    for name, (column, convert, required) in fields.items():
        value = _clean(values.get(name))
        try:
            if isinstance(value, str) and CONTROL.search(value):
                raise Invalid(f"{name} contains a control character (such as NUL)")
            if value == "" and required:
                raise Invalid(f"{name} is missing")
            result = convert(name, value)
            limit = getattr(model.__table__.c[column].type, "length", None)
            if isinstance(result, str) and limit and len(result) > limit:
                raise Invalid(f"{name} is longer than {limit} characters")
            converted[column] = result
        except Invalid as error:
            problems.add(row, line, str(error))
            good = False
    return converted, good


def _order_fields(order: dict, problems: _Problems) -> dict:
    """The order's fields, filled in from every CSV row of the order.

    A row may leave an order field blank (some platforms fill them on the first row only),
    but a row giving a different value from an earlier row is a problem.
    """
    fields = {name: _clean(value) for name, value in order["fields"].items()}
    given_on = {name: order["row"] for name, value in fields.items() if value != ""}
    for line in order["lines"]:
        for name, value in line.get("order_fields", {}).items():
            value = _clean(value)
            if value == "" or line["row"] == order["row"]:
                continue
            if name not in given_on:
                fields[name], given_on[name] = value, line["row"]
            elif value != fields[name]:
                problems.add(
                    line["row"],
                    None,
                    f"{name} {value!r} differs from {fields[name]!r} on row {given_on[name]} "
                    f"for the same order",
                )
    return fields


@dataclass
class Checked:
    problems: list[str]  # the first MAX_PROBLEMS
    count: int  # all of them


def check(path: str | Path) -> Checked:
    """Read the whole file and list its problems; raises ImportFileError if it can't be read."""
    problems = _Problems()
    first_row: dict[str, int] = {}  # each order number's row: a few bytes an order
    for order in parse(path):
        number = str(_clean(order["fields"].get("order_number")))
        key = order_number_key(number)
        if key in first_row:
            problems.add(order["row"], None, f"order {number} is also on row {first_row[key]}")
        elif key:
            first_row[key] = order["row"]
        _validate_order(order, problems)
        problems.close_order()
    return Checked(problems.kept, problems.count)


def _validate_order(order: dict, problems: _Problems) -> OrderRecord | None:
    row = order["row"]
    for line, message in order["problems"]:
        problems.add(row, line, message)
    if any(line is None for line, _ in order["problems"]):
        return None  # not an order at all: its fields mean nothing
    fields, good = _convert(_order_fields(order, problems), ORDER_FIELDS, Order, problems, row)
    placed, delivered = fields.get("placed_at"), fields.get("delivered_at")
    if placed and delivered and delivered < placed:
        problems.add(row, None, "delivered_at is before placed_at")
    if not order["lines"] and not order["problems"]:
        problems.add(row, None, "the order has no lines")
    lines, first_seen = [], {}
    for line in order["lines"]:
        where = (line["row"], line["line"])
        converted, line_good = _convert(line["fields"], LINE_FIELDS, OrderLine, problems, *where)
        sku = _clean(line["fields"].get("sku"))
        if isinstance(sku, str) and sku in first_seen:
            problems.add(*where, f"sku {sku!r} is already in this order ({first_seen[sku]})")
        elif isinstance(sku, str) and sku:
            first_seen[sku] = (
                f"row {line['row']}" if line["line"] is None else f"line {line['line']}"
            )
        if line_good:
            lines.append(LineRecord(**converted))
    return OrderRecord(**fields, lines=lines) if good else None


def import_file(path: str | Path) -> ImportReport:
    """Create or update every order of a file `check` found no problem in, in one
    transaction, matching each order by number and its lines by sku. A few hundred orders are
    written at a time and let go of, so memory stays small.

    Updated lines keep their ids (return lines point at them). A line whose sku is no longer in
    the order is deleted, unless a return line refers to it: then it stays.
    """
    report = ImportReport()
    try:
        records = _records(path)
        while chunk := list(islice(records, CHUNK)):
            _import_chunk(chunk, report)
            db.session.flush()
            db.session.expunge_all()
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return report


def _records(path: str | Path) -> Iterator[OrderRecord]:
    for order in parse(path):
        problems = _Problems()
        record = _validate_order(order, problems)
        if record is None or problems.pending:
            raise ImportFileError(f"{Path(path).name} changed while it was being imported")
        yield record


def _import_chunk(records: list[OrderRecord], report: ImportReport) -> None:
    keys = [order_number_key(record.number) for record in records]
    existing = {
        order.number_key: order
        for order in db.session.scalars(
            select(Order).where(Order.number_key.in_(keys)).options(selectinload(Order.lines))
        )
    }
    for key, record in zip(keys, records, strict=True):
        order = existing.get(key)
        if order is None:
            order = Order(number=record.number)
            db.session.add(order)
            report.created += 1
        else:
            report.updated += 1
        _update(order, record)
        report.lines += len(record.lines)


def _update(order: Order, record: OrderRecord) -> None:
    for name, value in vars(record).items():
        # The number stays as first imported: a re-export may write it in another case or
        # spacing (the same order, see order_number_key), and emails have shown it already.
        if name not in ("lines", "number"):
            setattr(order, name, value)
    by_sku: dict[str, OrderLine] = {}
    for line in order.lines:
        by_sku.setdefault(line.sku, line)
    wanted = {item.sku for item in record.lines}
    gone = [line for line in order.lines if line.sku not in wanted or by_sku[line.sku] is not line]
    for item in record.lines:
        line = by_sku.get(item.sku)
        if line is None:
            line = OrderLine()
            order.lines.append(line)
        for name, value in vars(item).items():
            setattr(line, name, value)
    ids = [line.id for line in gone if line.id is not None]
    referenced = set()
    if ids:
        referenced = set(
            db.session.scalars(
                select(ReturnLine.order_line_id).where(ReturnLine.order_line_id.in_(ids))
            )
        )
    for line in gone:
        if line.id not in referenced:
            order.lines.remove(line)  # delete-orphan deletes the row
