"""Import orders exported from the shop's platform, a CSV or JSON file read twice as a
stream: `check` reads every order and lists the problems; with none, `import_file` reads it
again and creates or updates the orders, a few hundred at a time, in one transaction. Memory
stays small whatever the CSV's size; a JSON file is parsed whole, so it may be JSON_MAX_BYTES
at most. An order's CSV rows come one after another, as platforms export them.

Problems are `row N: ...` strings. In a CSV file N is the file's line number, the header being
row 1; in a JSON file N is the order's position (1-based) and line problems add `line M: `.
What each field may be is app/orders/records.py's; the rules across rows (an order's fields
alike on all its rows, a number or a sku given twice) are here.
"""

import csv
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import partial
from itertools import islice
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models import Order, OrderLine, ReturnLine
from app.models.orders import order_number_key

# Re-exported: app.orders.shopify checks and writes its orders by the import's own rules.
from app.orders.records import CONTROL as CONTROL
from app.orders.records import LineRecord, clean, file_fields, shown, validated
from app.orders.records import OrderRecord as OrderRecord

MAX_PROBLEMS = 1000  # problems listed; the rest are counted
CHUNK = 500  # orders written (and let go of) at a time
# The json module parses a whole document: 16 MB (25,000 orders) peaks at about 200 MB.
JSON_MAX_BYTES = 16 * 2**20
ORDER_FIELDS = file_fields(OrderRecord)
LINE_FIELDS = file_fields(LineRecord)
REQUIRED_COLUMNS = file_fields(OrderRecord, required=True) + file_fields(LineRecord, required=True)
# What an import sets on an order it updates. The number stays as first imported: a
# re-export may write it in another case or spacing (the same order, see order_number_key),
# and emails have shown it already.
UPDATED_FIELDS = [name for name in OrderRecord.model_fields if name not in ("number", "lines")]

# An order as parse() reads it, unchecked: see parse.
RawOrder = dict[str, Any]


class ImportFileError(Exception):
    """The file cannot be read as orders at all (missing, wrong type, malformed)."""


class OrderProblems(ValueError):
    """An order `check_order` refuses; `problems` says what is wrong, in the import's words
    (`email 'x' is not an email address`, `line 2: quantity '0' is not a positive whole
    number`), and the message is them joined by "; "."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems) or "not an order")
        self.problems = problems


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    lines: int = 0


def parse(path: str | Path) -> Iterator[RawOrder]:
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


def _pick(values: dict[str, Any], names: list[str]) -> dict[str, Any]:
    return {name: values[name] for name in names if name in values}


def _raw_order(row: int, fields: dict[str, Any]) -> RawOrder:
    return {"row": row, "fields": fields, "lines": [], "problems": []}


def _read_csv(path: Path) -> Iterator[RawOrder]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        try:
            header = _csv_header(next(reader, []), path.name)
            yield from _csv_orders(_csv_rows(reader, header))
        except csv.Error as error:
            raise ImportFileError(f"{path.name}: row {reader.line_num}: {error}") from None


def _csv_header(cells: list[str], file_name: str) -> list[str]:
    """The column names, lower-case; every required column given, none twice."""
    header = [name.strip().lower() for name in cells]
    missing = [name for name in REQUIRED_COLUMNS if name not in header]
    if missing:
        raise ImportFileError(f"{file_name}: missing column(s): {', '.join(missing)}")
    doubled = sorted({name for name in header if name and header.count(name) > 1})
    if doubled:
        raise ImportFileError(f"{file_name}: column(s) given twice: {', '.join(doubled)}")
    return header


def _csv_rows(reader: Any, header: list[str]) -> Iterator[tuple[int, dict[str, str]]]:
    """Each row that holds anything, by column name, with the file line it starts on."""
    last = reader.line_num
    for cells in reader:
        row, last = last + 1, reader.line_num  # a quoted field may span lines
        if any(cell.strip() for cell in cells):  # not blank, nor a spreadsheet's ",,,,"
            yield row, dict(zip(header, cells, strict=False))


def _csv_orders(rows: Iterator[tuple[int, dict[str, str]]]) -> Iterator[RawOrder]:
    """Rows grouped into orders: an order's rows come one after another, as platforms export
    them, and a row without a number is an order of its own."""
    order: RawOrder | None = None
    key: object = None
    for row, values in rows:
        row_key = order_number_key(values.get("order_number", "")) or (None, row)
        if order is None or row_key != key:
            if order is not None:
                yield order
            order, key = _raw_order(row, _pick(values, ORDER_FIELDS)), row_key
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


def _read_json(path: Path) -> Iterator[RawOrder]:
    for index, item in enumerate(_json_orders(path), start=1):
        yield _json_order(index, item)


def _json_orders(path: Path) -> list[object]:
    """The file's orders, unchecked: a list of them, or one under "orders"."""
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
    return data


def _json_order(index: int, item: object) -> RawOrder:
    """The `index`th order of a JSON file (1-based), its lines numbered from 1."""
    order = _raw_order(index, {})
    if not isinstance(item, dict):
        order["problems"].append((None, "the order is not an object"))
        return order
    order["fields"] = _pick(item, ORDER_FIELDS)
    lines = item.get("lines") or []
    if not isinstance(lines, list):
        order["problems"].append((None, "lines is not a list"))
        return order
    for number, line in enumerate(lines, start=1):
        if isinstance(line, dict):
            order["lines"].append(
                {"row": index, "line": number, "fields": _pick(line, LINE_FIELDS)}
            )
        else:
            order["problems"].append((number, "the line is not an object"))
    return order


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


def _order_fields(order: RawOrder, problems: _Problems) -> dict[str, object]:
    """The order's fields, filled in from every CSV row of the order.

    A row may leave an order field blank (some platforms fill them on the first row only),
    but a row giving a different value from an earlier row is a problem.
    """
    fields = {name: clean(value) for name, value in order["fields"].items()}
    given_on = {name: order["row"] for name, value in fields.items() if value != ""}
    for line in order["lines"]:
        for name, value in line.get("order_fields", {}).items():
            value = clean(value)
            if value == "" or line["row"] == order["row"]:
                continue
            if name not in given_on:
                fields[name], given_on[name] = value, line["row"]
            elif value != fields[name]:
                problems.add(
                    line["row"],
                    None,
                    f"{name} {shown(value)} differs from {shown(fields[name])} on row "
                    f"{given_on[name]} for the same order",
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
        number = str(clean(order["fields"].get("order_number")))
        key = order_number_key(number)
        if key in first_row:
            problems.add(order["row"], None, f"order {number} is also on row {first_row[key]}")
        elif key:
            first_row[key] = order["row"]
        _validate_order(order, problems)
        problems.close_order()
    return Checked(problems.kept, problems.count)


def _validate_order(order: RawOrder, problems: _Problems) -> OrderRecord | None:
    """The order as a record, adding its problems; None when a field or line is unusable (a
    record may still come with problems: callers import nothing while there are any)."""
    row = order["row"]
    for line, message in order["problems"]:
        problems.add(row, line, message)
    if any(line is None for line, _ in order["problems"]):
        return None  # not an order at all: its fields mean nothing
    record = validated(
        OrderRecord, _order_fields(order, problems), partial(problems.add, row, None)
    )
    if not order["lines"] and not order["problems"]:
        problems.add(row, None, "the order has no lines")
    lines = [
        validated(LineRecord, line["fields"], partial(problems.add, line["row"], line["line"]))
        for line in order["lines"]
    ]
    _repeated_skus(order["lines"], problems)
    usable = [line for line in lines if line is not None]
    if record is None or len(usable) < len(lines):
        return None
    record.lines = usable
    return record


def _repeated_skus(lines: list[dict[str, Any]], problems: _Problems) -> None:
    """A sku given twice in an order is a problem: a re-import matches lines by sku."""
    first_seen: dict[str, str] = {}
    for line in lines:
        sku = clean(line["fields"].get("sku"))
        if not isinstance(sku, str) or not sku:
            continue
        if sku in first_seen:
            message = f"sku {shown(sku)} is already in this order ({first_seen[sku]})"
            problems.add(line["row"], line["line"], message)
        else:
            first_seen[sku] = (
                f"row {line['row']}" if line["line"] is None else f"line {line['line']}"
            )


def check_order(fields: Mapping[str, object], lines: Sequence[Mapping[str, object]]) -> OrderRecord:
    """An order from elsewhere than a file (a Shopify order), given as the file's fields
    (`order_number`, `email`...) and each line's (`sku`, `unit_price`...), checked by the
    import's rules: the record `save` takes, or OrderProblems naming each field wrong."""
    order = _raw_order(1, dict(fields))
    order["lines"] = [
        {"row": 1, "line": number, "fields": dict(line)} for number, line in enumerate(lines, 1)
    ]
    problems = _Problems()
    record = _validate_order(order, problems)
    problems.close_order()
    if record is None or problems.count:
        raise OrderProblems([problem.removeprefix("row 1: ") for problem in problems.kept])
    return record


def save(records: Iterable[OrderRecord]) -> ImportReport:
    """Create or update these checked orders (see check_order) in the session, as
    import_file does, without committing: each matched by number, its lines by sku."""
    report = ImportReport()
    _import_chunk(list(records), report)
    return report


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
    for name in UPDATED_FIELDS:
        setattr(order, name, getattr(record, name))
    _remove_unless_returned(order, _update_lines(order, record.lines))


def _update_lines(order: Order, items: list[LineRecord]) -> list[OrderLine]:
    """Set each of the order's lines from the item with its sku, adding a line for a new sku;
    returns the lines no item is for (a sku gone, or a second line with one sku)."""
    by_sku: dict[str, OrderLine] = {}
    for line in order.lines:
        by_sku.setdefault(line.sku, line)
    wanted = {item.sku for item in items}
    gone = [line for line in order.lines if line.sku not in wanted or by_sku[line.sku] is not line]
    for item in items:
        target = by_sku.get(item.sku)
        if target is None:
            target = OrderLine()
            order.lines.append(target)
        for name in LineRecord.model_fields:
            setattr(target, name, getattr(item, name))
    return gone


def _remove_unless_returned(order: Order, lines: list[OrderLine]) -> None:
    """Delete these lines of the order, but for those a return line refers to."""
    ids = [line.id for line in lines if line.id is not None]
    referenced: set[int] = set()
    if ids:
        referenced = set(
            db.session.scalars(
                select(ReturnLine.order_line_id).where(ReturnLine.order_line_id.in_(ids))
            )
        )
    for line in lines:
        if line.id not in referenced:
            order.lines.remove(line)  # delete-orphan deletes the row
