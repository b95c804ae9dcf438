"""Money going back to customers, carrier scans received, and mail waiting to be sent."""

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import Model
from app.models.returns import ReturnRequest
from app.models.types import UTCDateTime, utcnow


class Refund(Model):
    """One payment back to the customer; a return may have several (partial refunds)."""

    __tablename__ = "refunds"

    id: Mapped[int] = mapped_column(primary_key=True)
    return_id: Mapped[int] = mapped_column(ForeignKey("return_requests.id"), index=True)
    amount_cents: Mapped[int] = mapped_column(Integer)
    method: Mapped[str] = mapped_column(String(20))  # original payment method or store_credit
    status: Mapped[str] = mapped_column(String(20))  # pending | succeeded | failed
    reference: Mapped[str | None] = mapped_column(String(64))
    idempotency_key: Mapped[str] = mapped_column(String(64), unique=True)
    note: Mapped[str | None] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(100))
    failure: Mapped[str | None] = mapped_column(Text)
    # Times the payment gateway was asked to pay it: a retry after a refusal is a new request
    # to the provider (app.returns.payments.RefundRequest.attempt).
    attempts: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    request: Mapped[ReturnRequest] = relationship(back_populates="refunds")


class CarrierEvent(Model):
    """A tracking event from the carrier's webhook, kept so each is processed once."""

    __tablename__ = "carrier_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[str] = mapped_column(String(100), unique=True)
    tracking_number: Mapped[str] = mapped_column(String(40), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    return_id: Mapped[int | None] = mapped_column(ForeignKey("return_requests.id"))
    outcome: Mapped[str] = mapped_column(String(40))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class OutboxMessage(Model):
    """An email to a customer, written in the same transaction as what it announces and sent
    later by `flask outbox send`, so a failing mail server never blocks or loses anything."""

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    to_address: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    return_id: Mapped[int | None] = mapped_column(ForeignKey("return_requests.id"), index=True)
    status: Mapped[str] = mapped_column(
        String(10), default="pending", index=True
    )  # or sent, failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
