"""Orders from the shop's Shopify store (ORDERS_SOURCE=shopify): a Shopify order (as its
webhooks and the Admin API's REST orders give it) becomes one of our orders, through the same
checks and the same create-or-update the CSV/JSON import uses (app/orders/importer.py).

What is taken from Shopify: the order's name ("#1001", what customers see and type), the
customer's email, the shipping address (else the billing one), the currency and how it was
paid; each line item's SKU (or its variant's id when it has none), title and variant title,
the units the customer got (ordered, less those canceled before shipping), the price paid per
unit (discounts taken off) and, from its product, the type (our category), a final-sale tag
and the variant's image; and the moment of the latest fulfilment, which the return window
counts from (the moment it was delivered when Shopify knows it, else when it shipped).

An order already here keeps its returns: lines are matched by SKU and keep their ids, a line
Shopify no longer lists stays while a return refers to it, and a line never drops below the
units already being returned. What Shopify doesn't say is kept as it was: the payment
reference (Stripe's PaymentIntent from an import), and a line's category, final-sale flag and
image when its product couldn't be read. A copy older than the one held changes nothing
(webhooks may arrive out of order).
"""

import logging
import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import select

from app.extensions import db
from app.models import Order, OrderLine
from app.models.orders import order_number_key
from app.models.shopify import ShopifyLine, ShopifyOrder
from app.orders import importer
from app.orders.importer import ImportReport, OrderRecord
from app.orders.shopify_api import ShopifyClient, ShopifyError
from app.returns.service import returned_quantities

log = logging.getLogger(__name__)

DEFAULT_CATEGORY = "general"  # a product without a type: the policy's default window
GIFT_CARD_CATEGORY = "gift-cards"
FINAL_SALE_TAGS = frozenset({"final-sale", "final sale", "finalsale", "no-returns"})
WALLETS = ("paypal", "amazon", "apple", "google")  # in the gateway's name
NO_VARIANT = "Default Title"  # the variant title of a product with one variant
CENT = Decimal("0.01")
BIGINT = 2**63
_SLUG = re.compile(r"[^a-z0-9]+")


class NotAnOrder(ValueError):
    """A payload that isn't a Shopify order at all; the message says what is wrong."""


class Unusable(ValueError):
    """A Shopify order that can't be one of ours (no email, no address...); the message says
    why."""


class Outcome(StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    STALE = "stale"  # older than the copy we hold: nothing changed
    SKIPPED = "skipped"  # unusable (see Unusable): nothing changed


@dataclass(frozen=True)
class Product:
    """What an order line takes from its product."""

    category: str | None
    final_sale: bool
    image_url: str | None
    variant_images: Mapping[int, str]


@dataclass(frozen=True)
class LineLink:
    line_item_id: int
    variant_id: int | None
    product_id: int | None


@dataclass
class Mapped:
    """A Shopify order as the importer's record, with what links it to Shopify."""

    shopify_id: int
    updated_at: datetime
    record: OrderRecord
    links: dict[str, LineLink]  # by the line's SKU


def _id(value: object) -> int | None:
    """A Shopify id: a positive whole number that fits a BIGINT column."""
    return value if type(value) is int and 0 < value < BIGINT else None


def _str(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


def _dict(data: Mapping[str, Any], key: str) -> dict[str, Any]:
    value = data.get(key)
    return value if isinstance(value, dict) else {}


def _list(data: Mapping[str, Any], key: str) -> list[dict[str, Any]]:
    value = data.get(key)
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _moment(value: object) -> datetime | None:
    """An ISO 8601 moment in UTC (Shopify's carry their offset), or None."""
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    try:
        return moment.replace(tzinfo=moment.tzinfo or UTC).astimezone(UTC)
    except OverflowError:
        return None


def _https(value: object) -> str | None:
    text = _str(value)
    return text if text.startswith("https://") else None


def product_info(product: Mapping[str, Any]) -> Product:
    """Our category (the product type as a slug: "Gift Cards" is "gift-cards"), whether it is
    final sale (a final-sale tag) and its images, from a REST product."""
    kind = _SLUG.sub("-", _str(product.get("product_type")).lower()).strip("-")
    tags = {tag.strip().lower() for tag in _str(product.get("tags")).split(",")}
    variant_images: dict[int, str] = {}
    for image in _list(product, "images"):
        url = _https(image.get("src"))
        variant_ids = image.get("variant_ids")
        for variant_id in variant_ids if url and isinstance(variant_ids, list) else []:
            if type(variant_id) is int and url:
                variant_images.setdefault(variant_id, url)
    first = _list(product, "images")
    return Product(
        category=kind[:64] or None,
        final_sale=bool(tags & FINAL_SALE_TAGS),
        image_url=_https(_dict(product, "image").get("src"))
        or (_https(first[0].get("src")) if first else None),
        variant_images=variant_images,
    )


def product_ids(orders: Iterable[Mapping[str, Any]]) -> set[int]:
    """The products the orders' line items are of."""
    return {
        product_id
        for order in orders
        for item in _list(order, "line_items")
        if (product_id := _id(item.get("product_id"))) is not None
    }


def read_products(client: ShopifyClient | None, ids: Collection[int]) -> dict[int, Product]:
    """The products as order lines need them; none when there is no client or Shopify can't
    be read now (the lines then keep what they had)."""
    if client is None or not ids:
        return {}
    try:
        return {key: product_info(value) for key, value in client.products(ids).items()}
    except ShopifyError as error:
        log.warning("Shopify: products not read, lines keep their images: %s", error)
        return {}


def shopify_id(order: Mapping[str, Any]) -> int | None:
    """The order's Shopify id, if it has a valid one."""
    return _id(order.get("id"))


def order_name(order: Mapping[str, Any]) -> str:
    """The order's number as the customer knows it ("#1001")."""
    number = _id(order.get("order_number"))
    return _str(order.get("name")) or (f"#{number}" if number else "")


def _payment_method(order: Mapping[str, Any]) -> str:
    names = order.get("payment_gateway_names")
    gateways = [name.lower() for name in names if isinstance(name, str)] if names else []
    if gateways and all(name == "gift_card" for name in gateways):
        return "gift_card"
    if any(wallet in name for name in gateways for wallet in WALLETS):
        return "wallet"
    return "card"


def _address(order: Mapping[str, Any]) -> dict[str, Any]:
    return _dict(order, "shipping_address") or _dict(order, "billing_address")


def _customer_name(order: Mapping[str, Any], address: Mapping[str, Any], email: str) -> str:
    customer = _dict(order, "customer")
    for source in (address, customer):
        name = _str(source.get("name")) or " ".join(
            part for part in (_str(source.get("first_name")), _str(source.get("last_name"))) if part
        )
        if name:
            return name[:200]
    return email


def _delivered_at(order: Mapping[str, Any]) -> datetime | None:
    """The latest successful fulfilment's delivery (when Shopify knows the parcel arrived,
    its last update) or shipping moment."""
    moments = []
    for fulfilment in _list(order, "fulfillments"):
        if _str(fulfilment.get("status")) not in ("success", ""):
            continue  # canceled, failed, still being made
        delivered = _str(fulfilment.get("shipment_status")) == "delivered"
        moment = _moment(fulfilment.get("updated_at") if delivered else None) or _moment(
            fulfilment.get("created_at")
        )
        if moment is not None:
            moments.append(moment)
    return max(moments, default=None)


def _canceled_units(order: Mapping[str, Any]) -> dict[int, int]:
    """Units per line item refunded before they shipped (restock type "cancel")."""
    units: dict[int, int] = {}
    for refund in _list(order, "refunds"):
        for item in _list(refund, "refund_line_items"):
            line_item_id, quantity = _id(item.get("line_item_id")), _id(item.get("quantity"))
            if item.get("restock_type") == "cancel" and line_item_id and quantity:
                units[line_item_id] = units.get(line_item_id, 0) + quantity
    return units


def _unit_price(item: Mapping[str, Any], ordered: int) -> str:
    """The price paid per unit: the line's price less its share of the line's discounts."""
    given = _str(item.get("price"))
    try:
        price = Decimal(given)
        discount = sum(
            (Decimal(_str(d.get("amount")) or "0") for d in _list(item, "discount_allocations")),
            Decimal(0),
        )
        if not price.is_finite() or not discount.is_finite():
            return given
        if discount and ordered > 0:
            price = max(price - discount / ordered, Decimal(0))
        return str(price.quantize(CENT, rounding=ROUND_HALF_UP))
    except ArithmeticError:  # not a number, or one too large to be a price
        return given  # the importer says what is wrong with it


def _line_name(item: Mapping[str, Any]) -> str:
    title, variant = _str(item.get("title")), _str(item.get("variant_title"))
    name = f"{title} — {variant}" if title and variant and variant != NO_VARIANT else title
    return (name or _str(item.get("name")))[:200]


def _sku(item: Mapping[str, Any], taken: set[str]) -> str:
    """The line's key within the order: its SKU, else its variant's id, else its own; a SKU
    given twice is told apart by the line item's id."""
    variant_id, line_item_id = _id(item.get("variant_id")), _id(item.get("id"))
    sku = _str(item.get("sku")) or (f"variant-{variant_id}" if variant_id else "")
    sku = sku or f"item-{line_item_id}"
    return f"{sku}-{line_item_id}" if sku in taken else sku


@dataclass
class _Line:
    fields: dict[str, Any]
    link: LineLink
    product: Product | None


def _lines(
    order: Mapping[str, Any], products: Mapping[int, Product], returning: Mapping[str, int]
) -> list[_Line]:
    """The order's lines; `returning` is the units of each SKU on their way back, which
    a line keeps whatever Shopify says."""
    canceled = _canceled_units(order)
    taken: set[str] = set()
    lines = []
    for item in _list(order, "line_items"):
        line_item_id = _id(item.get("id"))
        ordered = _id(item.get("quantity")) or 0
        if line_item_id is None:
            raise NotAnOrder("a line item has no id")
        sku = _sku(item, taken)
        taken.add(sku)
        quantity = max(ordered - canceled.get(line_item_id, 0), returning.get(sku, 0))
        if quantity <= 0:
            continue  # removed before it shipped
        variant_id, product_id = _id(item.get("variant_id")), _id(item.get("product_id"))
        product = products.get(product_id) if product_id is not None else None
        gift_card = item.get("gift_card") is True
        category = GIFT_CARD_CATEGORY if gift_card else (product and product.category)
        image = product and (
            (product.variant_images.get(variant_id) if variant_id else None) or product.image_url
        )
        lines.append(
            _Line(
                fields={
                    "sku": sku,
                    "name": _line_name(item),
                    "category": category or DEFAULT_CATEGORY,
                    "quantity": quantity,
                    "unit_price": _unit_price(item, ordered),
                    "final_sale": bool(product and product.final_sale),
                    "image_url": image or "",
                },
                link=LineLink(line_item_id, variant_id, product_id),
                product=product,
            )
        )
    return lines


def to_record(
    order: Mapping[str, Any], products: Mapping[int, Product], existing: Order | None
) -> Mapped:
    """The importer's record of a Shopify order, checked by the importer's own rules, with
    what Shopify doesn't say kept from `existing` (raises NotAnOrder, Unusable)."""
    shopify_id = _id(order.get("id"))
    if shopify_id is None or not isinstance(order.get("line_items"), list):
        raise NotAnOrder("This is not a Shopify order: it needs an id and line_items.")
    updated_at = _moment(order.get("updated_at")) or _moment(order.get("created_at"))
    if updated_at is None:
        raise NotAnOrder("The order has no updated_at or created_at.")
    email = _str(order.get("email")) or _str(order.get("contact_email"))
    email = email or _str(_dict(order, "customer").get("email"))
    address = _address(order)
    placed = _moment(order.get("processed_at")) or _moment(order.get("created_at"))
    delivered = _delivered_at(order)
    if placed and delivered and delivered < placed:
        delivered = placed
    number = order_name(order)
    lines = _lines(order, products, _returning(existing) if existing is not None else {})
    raw = {
        "row": 1,
        "fields": {
            # The number stays as first written here (the importer keeps it on an update).
            "order_number": existing.number if existing is not None else number,
            "email": email,
            "customer_name": _customer_name(order, address, email),
            "address_line1": _str(address.get("address1")),
            "address_line2": _str(address.get("address2")),
            "city": _str(address.get("city")),
            "region": _str(address.get("province_code")) or _str(address.get("province")),
            "postal_code": _str(address.get("zip")),
            "country": _str(address.get("country_code")),
            "currency": _str(order.get("currency")),
            "payment_method": _payment_method(order),
            "placed_at": placed.isoformat() if placed else "",
            "delivered_at": delivered.isoformat() if delivered else "",
            "payment_reference": "",
        },
        "lines": [{"row": 1, "line": n, "fields": line.fields} for n, line in enumerate(lines, 1)],
        "problems": [],
    }
    problems = importer._Problems()
    record = importer._validate_order(raw, problems)
    problems.close_order()
    if record is None or problems.count:
        said = "; ".join(problem.removeprefix("row 1: ") for problem in problems.kept)
        raise Unusable(f"Shopify order {number or shopify_id}: {said or 'not usable'}")
    if existing is not None:
        _keep(record, existing, {line.fields["sku"] for line in lines if line.product is None})
    return Mapped(
        shopify_id,
        updated_at,
        record,
        {line.fields["sku"]: line.link for line in lines},
    )


def _returning(existing: Order) -> dict[str, int]:
    """Units of each SKU of the order being returned (or returned)."""
    returned = returned_quantities(existing.id)
    return {line.sku: returned[line.id] for line in existing.lines if line.id in returned}


def _keep(record: OrderRecord, existing: Order, unknown: set[str]) -> None:
    """What Shopify didn't say stays as `existing` has it."""
    record.payment_reference = record.payment_reference or existing.payment_reference
    record.delivered_at = record.delivered_at or existing.delivered_at
    by_sku = {line.sku: line for line in existing.lines}
    for item in record.lines:
        line = by_sku.get(item.sku)
        if line is None:
            continue
        if item.sku in unknown:
            item.category, item.final_sale = line.category, line.final_sale
        item.image_url = item.image_url or line.image_url


def _existing(shopify_id: int, number: str) -> tuple[Order | None, ShopifyOrder | None]:
    """Our order for a Shopify order: the one linked to it, else the one with its number
    (imported before). Raises Unusable when that number is another Shopify order's."""
    link = db.session.execute(
        select(ShopifyOrder).filter_by(shopify_id=shopify_id)
    ).scalar_one_or_none()
    if link is not None:
        return db.session.get(Order, link.order_id), link
    if importer.CONTROL.search(number):
        return None, None  # no order's number holds one (the import's checks say so)
    order = db.session.execute(
        select(Order).filter_by(number_key=order_number_key(number))
    ).scalar_one_or_none()
    if order is not None:
        other = db.session.execute(
            select(ShopifyOrder.shopify_id).filter_by(order_id=order.id)
        ).scalar_one_or_none()
        if other is not None:
            raise Unusable(f"order {number} is already Shopify order {other}")
    return order, None


def apply(order: Mapping[str, Any], products: Mapping[int, Product]) -> Outcome:
    """Create or update our copy of a Shopify order, in the session (not committed). Raises
    NotAnOrder and Unusable (nothing changed)."""
    shopify_id = _id(order.get("id"))
    if shopify_id is None:
        raise NotAnOrder("This is not a Shopify order: it has no id.")
    existing, link = _existing(shopify_id, order_name(order))
    updated_at = _moment(order.get("updated_at"))
    if link is not None and updated_at is not None and updated_at < link.updated_at:
        return Outcome.STALE
    mapped = to_record(order, products, existing)
    report = ImportReport()
    importer._import_chunk([mapped.record], report)
    db.session.flush()
    saved = db.session.execute(
        select(Order).filter_by(number_key=order_number_key(mapped.record.number))
    ).scalar_one()
    if link is None:
        link = ShopifyOrder(shopify_id=shopify_id, order_id=saved.id)
        db.session.add(link)
    link.updated_at = mapped.updated_at
    _link_lines(saved, mapped.links)
    db.session.flush()
    return Outcome.CREATED if report.created else Outcome.UPDATED


def _link_lines(order: Order, links: Mapping[str, LineLink]) -> None:
    lines: dict[int, OrderLine] = {line.id: line for line in order.lines if line.sku in links}
    held = {
        row.order_line_id: row
        for row in db.session.scalars(
            select(ShopifyLine).where(ShopifyLine.order_line_id.in_(list(lines)))
        )
    }
    for line_id, line in lines.items():
        link = links[line.sku]
        row = held.get(line_id) or ShopifyLine(order_line_id=line_id)
        row.line_item_id, row.variant_id, row.product_id = (
            link.line_item_id,
            link.variant_id,
            link.product_id,
        )
        db.session.add(row)


def since(text: str) -> datetime:
    """A date (midnight UTC) or ISO 8601 moment (UTC without a zone), as `--since` takes it;
    raises ValueError."""
    moment = _moment(text.strip())
    if moment is None:
        raise ValueError(f"{text!r} is not a date like 2026-11-01 or an ISO 8601 moment")
    return moment


@dataclass
class SyncReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0  # older than what we hold
    pages: int = 0
    skipped: list[str] = field(default_factory=list)


def sync(client: ShopifyClient, since: datetime) -> SyncReport:
    """Create or update every order Shopify has updated since `since`, a page at a time,
    each order committed as it is written (so a sync that stops part way keeps what it did,
    and running it again is harmless). Raises ShopifyError when Shopify refuses or can't
    be reached."""
    report = SyncReport()
    for page in client.order_pages(since):
        products = read_products(client, product_ids(page))
        for order in page:
            try:
                outcome = apply(order, products)
            except (NotAnOrder, Unusable) as problem:
                db.session.rollback()
                report.skipped.append(str(problem))
                continue
            if outcome is Outcome.CREATED:
                report.created += 1
            elif outcome is Outcome.UPDATED:
                report.updated += 1
            else:
                report.unchanged += 1
            db.session.commit()
        report.pages += 1
    return report
