"""SQLAlchemy models, one module per area. Importing this package registers them all."""

from app.models.analytics import SearchClick, SearchEvent
from app.models.orders import Order, OrderLine
from app.models.refunds import CarrierEvent, OutboxMessage, Refund
from app.models.returns import Deflection, ReturnEvent, ReturnLine, ReturnRequest
from app.models.staff import User
from app.models.votes import Vote

__all__ = [
    "CarrierEvent",
    "Deflection",
    "Order",
    "OrderLine",
    "OutboxMessage",
    "Refund",
    "ReturnEvent",
    "ReturnLine",
    "ReturnRequest",
    "SearchClick",
    "SearchEvent",
    "User",
    "Vote",
]
