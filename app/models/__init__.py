"""SQLAlchemy models, one module per area. Importing this package registers them all."""

from app.models.analytics import SearchClick, SearchEvent
from app.models.orders import Order, OrderLine
from app.models.returns import Deflection, ReturnEvent, ReturnLine, ReturnRequest
from app.models.votes import Vote

__all__ = [
    "Deflection",
    "Order",
    "OrderLine",
    "ReturnEvent",
    "ReturnLine",
    "ReturnRequest",
    "SearchClick",
    "SearchEvent",
    "Vote",
]
