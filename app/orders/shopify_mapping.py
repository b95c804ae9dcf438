"""A Shopify order (as its webhooks and the Admin API's REST orders give it) read as the
fields of an order and its lines the import takes (app/orders/importer.py): plain Python, no
database; app/orders/shopify.py checks and writes them. What is taken, and how, is listed in
that module's docstring."""

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

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


def moment(value: object) -> datetime | None:
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


def shopify_id(order: Mapping[str, Any]) -> int | None:
    """The order's Shopify id, if it has a valid one."""
    return _id(order.get("id"))


def order_name(order: Mapping[str, Any]) -> str:
    """The order's number as the customer knows it ("#1001")."""
    number = _id(order.get("order_number"))
    return _str(order.get("name")) or (f"#{number}" if number else "")


def _payment_method(order: Mapping[str, Any]) -> str:
    names = order.get("payment_gateway_names")
    listed = names if isinstance(names, list) else []  # anything else names no gateway
    gateways = [name.lower() for name in listed if isinstance(name, str)]
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
        when = moment(fulfilment.get("updated_at") if delivered else None) or moment(
            fulfilment.get("created_at")
        )
        if when is not None:
            moments.append(when)
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


def _variant_name(title: str, variant: str) -> str:
    """A product's variant as an order line and the catalogue name it: "Linen shirt — M"."""
    return f"{title} — {variant}" if title and variant and variant != NO_VARIANT else title


def _line_name(item: Mapping[str, Any]) -> str:
    name = _variant_name(_str(item.get("title")), _str(item.get("variant_title")))
    return (name or _str(item.get("name")))[:200]


def _variant_sku(sku: object, variant_id: object) -> str:
    """A variant's key, as order lines and the catalogue know it: its SKU, else its id."""
    found = _id(variant_id)
    return _str(sku) or (f"variant-{found}" if found else "")


def _sku(item: Mapping[str, Any], taken: set[str]) -> str:
    """The line's key within the order: its SKU, else its variant's id, else its own; a SKU
    given twice is told apart by the line item's id."""
    line_item_id = _id(item.get("id"))
    sku = _variant_sku(item.get("sku"), item.get("variant_id")) or f"item-{line_item_id}"
    return f"{sku}-{line_item_id}" if sku in taken else sku


# Stock for a variant whose inventory Shopify doesn't track: it sells it whatever the count.
UNTRACKED_STOCK = 10_000


def catalogue_rows(product: Mapping[str, Any]) -> list[dict[str, object]]:
    """A Shopify product's variants as rows of the catalogue (app/orders/catalogue.py): the
    SKU order lines carry, the product they share, the name an order line would have, the
    price as Shopify writes it, and what is in stock (never below zero: Shopify counts
    overselling as negative)."""
    title = _str(product.get("title"))
    product_id = _id(product.get("id"))
    variants = product.get("variants")
    rows: list[dict[str, object]] = []
    for variant in variants if isinstance(variants, list) else []:
        if not isinstance(variant, dict) or product_id is None:
            continue
        option = _str(variant.get("title"))
        count = variant.get("inventory_quantity")
        tracked = variant.get("inventory_management") is not None
        rows.append(
            {
                "sku": _variant_sku(variant.get("sku"), variant.get("id")),
                "product": f"shopify-{product_id}",
                "name": _variant_name(title, option)[:200],
                "option": option if option != NO_VARIANT else title,
                "price": variant.get("price"),
                "stock": max(0, count) if tracked and type(count) is int else UNTRACKED_STOCK,
            }
        )
    return rows


@dataclass
class Line:
    fields: dict[str, Any]
    link: LineLink
    product: Product | None


def order_lines(
    order: Mapping[str, Any], products: Mapping[int, Product], returning: Mapping[str, int]
) -> list[Line]:
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
            Line(
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


def updated_at(order: Mapping[str, Any]) -> datetime:
    """When Shopify last changed the order (raises NotAnOrder)."""
    if shopify_id(order) is None or not isinstance(order.get("line_items"), list):
        raise NotAnOrder("This is not a Shopify order: it needs an id and line_items.")
    found = moment(order.get("updated_at")) or moment(order.get("created_at"))
    if found is None:
        raise NotAnOrder("The order has no updated_at or created_at.")
    return found


def order_fields(order: Mapping[str, Any]) -> dict[str, str]:
    """The order's fields as the import's file gives them (unchecked)."""
    email = _str(order.get("email")) or _str(order.get("contact_email"))
    email = email or _str(_dict(order, "customer").get("email"))
    address = _address(order)
    placed = moment(order.get("processed_at")) or moment(order.get("created_at"))
    delivered = _delivered_at(order)
    if placed and delivered and delivered < placed:
        delivered = placed
    return {
        "order_number": order_name(order),
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
        # Where the customer bought: "de", "fr-CA", "fr-Fr" (records.py keeps the language).
        "language": _str(order.get("customer_locale")),
    }
