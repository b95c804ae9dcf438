"""Orders from the shop's Shopify store (ORDERS_SOURCE=shopify): a Shopify order (as its
webhooks and the Admin API's REST orders give it) becomes one of our orders, through the same
checks and the same create-or-update the CSV/JSON import uses (app/orders/importer.py).

What is taken from Shopify: the order's name ("#1001", what customers see and type), the
customer's email and language (`customer_locale`: "de-DE" is German; a language the site
doesn't have is left out), the shipping address (else the billing one), the currency and how
it was paid; each line item's SKU (or its variant's id when it has none), title and variant
title, the units the customer got (ordered, less those canceled before shipping), the price
paid per unit (discounts taken off) and, from its product, the type (our category), a
final-sale tag and the variant's image; and the moment of the latest fulfilment, which the
return window counts from (the moment it was delivered when Shopify knows it, else when it
shipped).

An order already here keeps its returns: lines are matched by SKU and keep their ids, a line
Shopify no longer lists stays while a return refers to it, and a line never drops below the
units already being returned. What Shopify doesn't say is kept as it was: the payment
reference (Stripe's PaymentIntent from an import), the customer's language, and a line's
category, final-sale flag and image when its product couldn't be read. A copy older than the
one held changes nothing (webhooks may arrive out of order).
"""

import logging
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import select

from app.extensions import db
from app.models import Order, OrderLine
from app.models.orders import order_number_key
from app.models.shopify import ShopifyLine, ShopifyOrder
from app.orders import importer
from app.orders.importer import OrderRecord
from app.orders.shopify_api import ShopifyClient, ShopifyError
from app.orders.shopify_mapping import (
    LineLink,
    NotAnOrder,
    Product,
    moment,
    order_fields,
    order_lines,
    order_name,
    product_ids,
    product_info,
    shopify_id,
    updated_at,
)
from app.returns.service import returned_quantities

log = logging.getLogger(__name__)


class Unusable(ValueError):
    """A Shopify order that can't be one of ours (no email, no address...); the message says
    why."""


class Outcome(StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    STALE = "stale"  # older than the copy we hold: nothing changed
    SKIPPED = "skipped"  # unusable (see Unusable): nothing changed


@dataclass
class Mapped:
    """A Shopify order as the importer's record, with what links it to Shopify."""

    shopify_id: int
    updated_at: datetime
    record: OrderRecord
    links: dict[str, LineLink]  # by the line's SKU


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


def to_record(
    order: Mapping[str, Any], products: Mapping[int, Product], existing: Order | None
) -> Mapped:
    """The importer's record of a Shopify order, checked by the importer's own rules, with
    what Shopify doesn't say kept from `existing` (raises NotAnOrder, Unusable)."""
    changed = updated_at(order)
    order_id = shopify_id(order)
    assert order_id is not None  # updated_at checked it
    fields = order_fields(order)
    number = fields["order_number"]
    if existing is not None:
        # The number stays as first written here (the importer keeps it on an update).
        fields["order_number"] = existing.number
    lines = order_lines(order, products, _returning(existing) if existing is not None else {})
    try:
        record = importer.check_order(fields, [line.fields for line in lines])
    except importer.OrderProblems as error:
        said = "; ".join(error.problems)
        raise Unusable(f"Shopify order {number or order_id}: {said or 'not usable'}") from None
    if existing is not None:
        _keep(record, existing, {line.fields["sku"] for line in lines if line.product is None})
    return Mapped(
        order_id,
        changed,
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
    record.language = record.language or existing.language
    by_sku = {line.sku: line for line in existing.lines}
    for item in record.lines:
        line = by_sku.get(item.sku)
        if line is None:
            continue
        if item.sku in unknown:
            item.category, item.final_sale = line.category, line.final_sale
        item.image_url = item.image_url or line.image_url


def _existing(order_id: int, number: str) -> tuple[Order | None, ShopifyOrder | None]:
    """Our order for a Shopify order: the one linked to it, else the one with its number
    (imported before). Raises Unusable when that number is another Shopify order's."""
    link = db.session.execute(
        select(ShopifyOrder).filter_by(shopify_id=order_id)
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
    order_id = shopify_id(order)
    if order_id is None:
        raise NotAnOrder("This is not a Shopify order: it has no id.")
    existing, link = _existing(order_id, order_name(order))
    changed = moment(order.get("updated_at"))
    if link is not None and changed is not None and changed < link.updated_at:
        return Outcome.STALE
    mapped = to_record(order, products, existing)
    report = importer.save([mapped.record])
    db.session.flush()
    saved = db.session.execute(
        select(Order).filter_by(number_key=order_number_key(mapped.record.number))
    ).scalar_one()
    if link is None:
        link = ShopifyOrder(shopify_id=order_id, order_id=saved.id)
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
    found = moment(text.strip())
    if found is None:
        raise ValueError(f"{text!r} is not a date like 2026-11-01 or an ISO 8601 moment")
    return found


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
