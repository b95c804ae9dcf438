"""The shop's catalogue of variants (sizes, colours) and their stock, for exchanges: from a
catalogue CSV (`flask catalogue import`) for shops whose platform doesn't send it."""

from datetime import datetime

from sqlalchemy import CheckConstraint, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import Model
from app.models.types import UTCDateTime, utcnow


class Variant(Model):
    """One thing a customer can be sent: a product in one size or colour. Variants of the same
    `product` are what an item can be exchanged for. `stock` is what can still be promised:
    an exchange takes its units when the return is confirmed, and gives them back if the
    return ends without the replacement being sent."""

    __tablename__ = "catalogue_variants"
    # Never below zero: a reservation takes units only where enough are left, in the database
    # itself, so the last unit goes to exactly one customer (app/returns/exchanges.py).
    __table_args__ = (CheckConstraint("stock >= 0", name="stock_not_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    sku: Mapped[str] = mapped_column(String(64), unique=True)
    product: Mapped[str] = mapped_column(String(64), index=True)  # what variants share
    name: Mapped[str] = mapped_column(String(200))  # as customers read it, e.g. "Linen shirt, L"
    option: Mapped[str] = mapped_column(String(100))  # what differs, e.g. "sage, L"
    price_cents: Mapped[int] = mapped_column(Integer)
    stock: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
