"""What links our orders to the shop's Shopify store (ORDERS_SOURCE=shopify): which Shopify
order and line item each one is, and the webhooks already received (app/orders/shopify.py)."""

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import Model
from app.models.types import UTCDateTime, utcnow


class ShopifyOrder(Model):
    """The Shopify order an order came from, and the version of it we hold."""

    __tablename__ = "shopify_orders"

    id: Mapped[int] = mapped_column(primary_key=True)
    shopify_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), unique=True)
    # Shopify's updated_at of the copy written: webhooks may arrive out of order, and an
    # older copy than this one changes nothing.
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    synced_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class ShopifyLine(Model):
    """The Shopify line item, variant and product an order line is."""

    __tablename__ = "shopify_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_line_id: Mapped[int] = mapped_column(
        ForeignKey("order_lines.id", ondelete="CASCADE"), unique=True
    )
    line_item_id: Mapped[int] = mapped_column(BigInteger)
    variant_id: Mapped[int | None] = mapped_column(BigInteger, index=True)
    product_id: Mapped[int | None] = mapped_column(BigInteger)


class ShopifyWebhook(Model):
    """A webhook delivery received (X-Shopify-Webhook-Id), kept so each is applied once."""

    __tablename__ = "shopify_webhooks"

    id: Mapped[int] = mapped_column(primary_key=True)
    webhook_id: Mapped[str] = mapped_column(String(100), unique=True)
    topic: Mapped[str] = mapped_column(String(40))
    shopify_order_id: Mapped[int | None] = mapped_column(BigInteger)
    outcome: Mapped[str] = mapped_column(String(20))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
