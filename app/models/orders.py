"""Orders as the shop's platform knows them (imported or seeded): who bought what, when."""

import unicodedata
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from app.extensions import Model
from app.models.types import UTCDateTime


def order_number_key(number: str) -> str:
    """An order number as customers may type it, made comparable: Unicode compatibility forms
    folded (a fullwidth "ＪＰ" is "JP"), every space removed, upper case."""
    return "".join(unicodedata.normalize("NFKC", number).split()).upper()


class Order(Model):
    __tablename__ = "orders"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(40), unique=True)
    # Unique too: "jp-10481" beside "JP-10481" would make both impossible to look up.
    number_key: Mapped[str] = mapped_column(String(80), unique=True)
    email: Mapped[str] = mapped_column(String(254), index=True)
    customer_name: Mapped[str] = mapped_column(String(200), default="")
    address_line1: Mapped[str] = mapped_column(String(200), default="")
    address_line2: Mapped[str] = mapped_column(String(200), default="")
    city: Mapped[str] = mapped_column(String(100), default="")
    region: Mapped[str] = mapped_column(String(100), default="")
    postal_code: Mapped[str] = mapped_column(String(20), default="")
    country: Mapped[str] = mapped_column(String(2), default="US")
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    # The customer's language as the shop knows it (a site language code), None when unknown.
    language: Mapped[str | None] = mapped_column(String(8))
    payment_method: Mapped[str] = mapped_column(String(20), default="card")
    # The payment provider's id of what the customer paid (a Stripe PaymentIntent, pi_...),
    # which refunds go back through with PAYMENTS=stripe.
    payment_reference: Mapped[str | None] = mapped_column(String(255))
    placed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Bumped at the start of every return transaction: a write that serialises concurrent
    # returns on the same order on every database (a row lock on PostgreSQL, the write lock
    # on SQLite), so two requests can never both take the last returnable unit.
    return_lock: Mapped[int] = mapped_column(Integer, default=0)

    lines: Mapped[list["OrderLine"]] = relationship(
        back_populates="order", cascade="all, delete-orphan", order_by="OrderLine.id"
    )

    @validates("number")
    def _set_number_key(self, _name: str, number: str) -> str:
        self.number_key = order_number_key(number)
        return number


class OrderLine(Model):
    __tablename__ = "order_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    sku: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(64))
    quantity: Mapped[int] = mapped_column(Integer)
    unit_price_cents: Mapped[int] = mapped_column(Integer)
    final_sale: Mapped[bool] = mapped_column(Boolean, default=False)
    image_url: Mapped[str | None] = mapped_column(String(500))  # the product's photo, https

    order: Mapped[Order] = relationship(back_populates="lines")
