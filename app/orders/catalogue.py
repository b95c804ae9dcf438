"""The shop's catalogue from a CSV file, for shops whose platform doesn't send its variants:
`flask catalogue import FILE`. Columns: sku, product (what a product's variants share), name,
option (what differs: "sage, L"), price, stock; other columns are ignored. A variant is
created or updated by its SKU, and nothing is imported when any row is wrong."""

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import case, func, select

from app.extensions import db
from app.models.catalogue import Variant
from app.models.returns import ReturnLine, ReturnRequest
from app.orders.records import VariantRecord, file_fields, validated
from app.orders.shopify_api import ShopifyClient
from app.orders.shopify_mapping import catalogue_rows
from app.returns.exchanges import RESERVED


class CatalogueError(Exception):
    """The file can't be imported; `problems` says why, a line each."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class CatalogueReport:
    created: int
    updated: int


def read_catalogue(path: str | Path) -> list[VariantRecord]:
    """Every row as a variant, or CatalogueError naming each wrong row and field."""
    problems: list[str] = []
    records: dict[str, VariantRecord] = {}
    for row, values in _rows(Path(path)):

        def problem(message: str, row: int = row) -> None:
            problems.append(f"row {row}: {message}")

        record = validated(VariantRecord, values, problem)
        if record is None:
            continue
        if record.sku in records:
            problem(f"sku {record.sku!r} is on an earlier row too")
        records[record.sku] = record
    if problems:
        raise CatalogueError(problems)
    if not records:
        raise CatalogueError([f"{Path(path).name} has no variants in it"])
    return list(records.values())


def _rows(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    """(line number, values) for each row; CatalogueError when the file can't be read."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            missing = set(file_fields(VariantRecord, required=True)) - set(reader.fieldnames or [])
            if missing:
                raise CatalogueError(
                    [f"{path.name} has no column {', '.join(sorted(missing))} in its first row"]
                )
            for values in reader:
                yield reader.line_num, {k: v for k, v in values.items() if k is not None}
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise CatalogueError([f"{path.name} can't be read as a UTF-8 CSV file: {error}"]) from None


def import_catalogue(path: str | Path) -> CatalogueReport:
    """Create or update the file's variants, all in one transaction."""
    return save(read_catalogue(path))


def sync_from_shopify(client: ShopifyClient) -> tuple[CatalogueReport, list[str]]:
    """Create or update every variant of the shop's Shopify products (raises ShopifyError,
    saving nothing). A variant that can't be kept (its SKU too long, its price not one, its
    SKU another's too) is left out and named among the problems; the others are saved."""
    problems: list[str] = []
    records: dict[str, VariantRecord] = {}
    shared: set[str] = set()  # SKUs two variants have: which one a line means is unknown
    for page in client.product_pages():
        for product in page:
            for row in catalogue_rows(product):

                def problem(message: str, row: dict[str, object] = row) -> None:
                    problems.append(f"{row['name'] or row['product']}: {message}")

                record = validated(VariantRecord, row, problem)
                if record is not None and (record.sku in records or record.sku in shared):
                    problem(f"sku {record.sku!r} belongs to another variant too; left out")
                    records.pop(record.sku, None)
                    shared.add(record.sku)
                elif record is not None:
                    records[record.sku] = record
    return save(list(records.values())), problems


def save(records: list[VariantRecord]) -> CatalogueReport:
    """Create or update these variants, all in one transaction. The stock given is what the
    shop holds; exchanges waiting for their replacement to be sent have set units aside that
    it still counts, so those are taken off what can be promised."""
    # Locked first (PostgreSQL), so a reservation either is counted below or waits for
    # this transaction and then takes its units from the stock written here.
    existing = {
        variant.sku: variant
        for variant in db.session.execute(
            select(Variant).where(Variant.sku.in_([r.sku for r in records])).with_for_update()
        ).scalars()
    }
    held = _held()
    for record in records:
        values = record.model_dump()
        variant = existing.get(record.sku)
        if variant is None:
            db.session.add(Variant(**values))
            continue
        values["stock"] = max(0, record.stock - held.get(variant.id, 0))
        for name, value in values.items():
            setattr(variant, name, value)
    db.session.commit()
    return CatalogueReport(created=len(records) - len(existing), updated=len(existing))


# What an exchanged line still holds (app.returns.exchanges.units_to_send, in SQL): all it
# asked for until inspected, then the accepted units, none if rejected.
HELD_UNITS = case(
    (ReturnLine.inspection.is_(None), ReturnLine.quantity),
    (
        ReturnLine.inspection == "accepted",
        func.coalesce(ReturnLine.received_qty, 0) - func.coalesce(ReturnLine.damaged_qty, 0),
    ),
    else_=0,
)


def _held() -> dict[int, int]:
    """Units set aside per variant by exchanges whose replacement hasn't been sent."""
    rows = db.session.execute(
        select(ReturnLine.exchange_variant_id, func.sum(HELD_UNITS))
        .join(ReturnRequest)
        .where(
            ReturnRequest.replacement_status == RESERVED,
            ReturnLine.exchange_variant_id.is_not(None),
        )
        .group_by(ReturnLine.exchange_variant_id)
    )
    return {variant_id: int(units) for variant_id, units in rows if variant_id is not None}
