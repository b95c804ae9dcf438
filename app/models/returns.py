"""Return requests, their lines, their customer-visible timeline, and deflections."""

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import Model
from app.models.analytics import language_column
from app.models.catalogue import Variant
from app.models.orders import Order, OrderLine
from app.models.types import UTCDateTime, utcnow

if TYPE_CHECKING:  # it imports this module; SQLAlchemy finds "Refund" in its registry
    from app.models.refunds import Refund


class ReturnRequest(Model):
    __tablename__ = "return_requests"
    # Overpaying is impossible even for a code path that forgets the order's lock: every
    # refund adds to refunded_cents in the database, within the limit its transaction set.
    __table_args__ = (
        CheckConstraint("refunded_cents <= refund_limit_cents", name="refunds_within_limit"),
        CheckConstraint("refunded_cents >= 0", name="refunded_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    rma_number: Mapped[str] = mapped_column(String(20), unique=True)
    public_token: Mapped[str] = mapped_column(String(64), unique=True)
    idempotency_key: Mapped[str] = mapped_column(String(64), unique=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), index=True)
    # The language the customer is written to in: the order's, else the page's they started in.
    language: Mapped[str] = mapped_column(String(8), default="en", server_default="en")
    resolution: Mapped[str] = mapped_column(String(20))  # refund | store_credit
    method: Mapped[str] = mapped_column(String(20))  # label | drop_off
    carrier: Mapped[str | None] = mapped_column(String(40))
    tracking_number: Mapped[str | None] = mapped_column(String(40), unique=True)
    items_cents: Mapped[int] = mapped_column(Integer, default=0)
    fees_cents: Mapped[int] = mapped_column(Integer, default=0)
    bonus_cents: Mapped[int] = mapped_column(Integer, default=0)
    estimate_cents: Mapped[int] = mapped_column(Integer, default=0)
    # Refunds pending or paid, and what may be refunded in all (app.returns.refunds).
    refunded_cents: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    refund_limit_cents: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # An exchange's replacement parcel: reserved (its stock taken) | sent | released (the
    # return ended first and the stock went back); None when no item is exchanged.
    replacement_status: Mapped[str | None] = mapped_column(String(20), index=True)
    replacement_carrier: Mapped[str | None] = mapped_column(String(40))
    replacement_tracking: Mapped[str | None] = mapped_column(String(60))
    replacement_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    order: Mapped[Order] = relationship()
    lines: Mapped[list["ReturnLine"]] = relationship(
        back_populates="request", cascade="all, delete-orphan", order_by="ReturnLine.id"
    )
    events: Mapped[list["ReturnEvent"]] = relationship(
        back_populates="request", cascade="all, delete-orphan", order_by="ReturnEvent.id"
    )
    refunds: Mapped[list["Refund"]] = relationship(back_populates="request", order_by="Refund.id")
    photos: Mapped[list["ReturnPhoto"]] = relationship(
        back_populates="request", order_by="ReturnPhoto.id"
    )
    shipping_label: Mapped["ShippingLabel | None"] = relationship(back_populates="request")


class ReturnLine(Model):
    __tablename__ = "return_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    return_id: Mapped[int] = mapped_column(ForeignKey("return_requests.id"), index=True)
    order_line_id: Mapped[int] = mapped_column(ForeignKey("order_lines.id"), index=True)
    quantity: Mapped[int] = mapped_column(Integer)
    reason_code: Mapped[str] = mapped_column(String(30))
    comment: Mapped[str | None] = mapped_column(Text)
    received_qty: Mapped[int | None] = mapped_column(Integer)
    damaged_qty: Mapped[int | None] = mapped_column(Integer)
    inspection: Mapped[str | None] = mapped_column(String(20))
    # Why an item was not accepted, as the customer reads it; the note beside it is staff's.
    customer_reason: Mapped[str | None] = mapped_column(Text)
    inspection_note: Mapped[str | None] = mapped_column(Text)
    # An exchange: the variant sent instead of money, as it was when the return was confirmed
    # (its name and price stay what the customer agreed to, whatever the catalogue says later).
    exchange_variant_id: Mapped[int | None] = mapped_column(ForeignKey("catalogue_variants.id"))
    exchange_name: Mapped[str | None] = mapped_column(String(200))
    exchange_price_cents: Mapped[int | None] = mapped_column(Integer)

    request: Mapped[ReturnRequest] = relationship(back_populates="lines")
    order_line: Mapped[OrderLine] = relationship()
    exchange_variant: Mapped[Variant | None] = relationship()

    @property
    def exchanged(self) -> bool:
        return self.exchange_variant_id is not None

    @property
    def unit_refund_cents(self) -> int:
        """What one unit brings back: its price, or for an exchange what the cheaper
        replacement leaves over (never below zero: a dearer one is refused)."""
        price = self.order_line.unit_price_cents
        if self.exchange_price_cents is None:
            return price
        return max(0, price - self.exchange_price_cents)


class ReturnEvent(Model):
    """The append-only timeline of a return; customers see it on the status page."""

    __tablename__ = "return_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    return_id: Mapped[int] = mapped_column(ForeignKey("return_requests.id"), index=True)
    status: Mapped[str] = mapped_column(String(20))
    note: Mapped[str | None] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(100))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    request: Mapped[ReturnRequest] = relationship(back_populates="events")


class Deflection(Model):
    """A help article shown before a return, and whether it solved the problem."""

    __tablename__ = "deflections"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    reason_code: Mapped[str] = mapped_column(String(30), index=True)
    article_path: Mapped[str] = mapped_column(String(300))
    outcome: Mapped[str] = mapped_column(String(20))  # solved | continued
    sku: Mapped[str | None] = mapped_column(String(64))
    # The language of the page the article was shown on (the article was in it, or in the
    # default language where it isn't translated yet).
    language: Mapped[str] = language_column()
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ReturnPhoto(Model):
    """A photo the customer attached to an item (damage, defects), kept under
    RETURN_PHOTOS_DIR as `file_name`. It belongs to the customer's draft (`draft_key`) until
    the return is confirmed, then to the return; only staff see it."""

    __tablename__ = "return_photos"

    id: Mapped[int] = mapped_column(primary_key=True)
    draft_key: Mapped[str] = mapped_column(String(64), index=True)
    return_id: Mapped[int | None] = mapped_column(ForeignKey("return_requests.id"), index=True)
    order_line_id: Mapped[int] = mapped_column(ForeignKey("order_lines.id"))
    file_name: Mapped[str] = mapped_column(String(64), unique=True)
    content_type: Mapped[str] = mapped_column(String(40))
    original_name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    request: Mapped[ReturnRequest | None] = relationship(back_populates="photos")
    order_line: Mapped[OrderLine] = relationship()


class ShippingLabel(Model):
    """A label bought from a carrier's API (CARRIER=easypost): the file the customer prints,
    and what became of its postage when the return was called off before the parcel was sent.
    The built-in carrier has none: its label is drawn by app/returns/label_pdf.py."""

    __tablename__ = "shipping_labels"

    id: Mapped[int] = mapped_column(primary_key=True)
    return_id: Mapped[int] = mapped_column(ForeignKey("return_requests.id"), unique=True)
    provider: Mapped[str] = mapped_column(String(20))  # easypost
    shipment_id: Mapped[str] = mapped_column(String(100), unique=True)  # the provider's
    service: Mapped[str] = mapped_column(String(60), default="")  # e.g. GroundAdvantage
    # The file as the carrier made it, kept so the customer's link works for as long as the
    # return does; when it could not be fetched, `label_url` is where the carrier keeps it.
    content: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    content_type: Mapped[str] = mapped_column(String(40), default="application/pdf")
    label_url: Mapped[str | None] = mapped_column(String(1000))
    # Unused postage asked back from the carrier: requested (to ask) | submitted | refunded
    # | rejected | failed (asking again later: `flask carrier retry`).
    refund_status: Mapped[str | None] = mapped_column(String(20), index=True)
    refund_note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    request: Mapped[ReturnRequest] = relationship(back_populates="shipping_label")
