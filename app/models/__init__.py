"""SQLAlchemy models, one module per area. Importing this package registers them all."""

from app.models.analytics import (
    ArticleViewDaily,
    SearchClick,
    SearchDaily,
    SearchDayTotal,
    SearchEvent,
)
from app.models.catalogue import Variant
from app.models.gaps import ContentGap, SynonymSuggestion
from app.models.orders import Order, OrderLine
from app.models.refunds import CarrierEvent, OutboxMessage, Refund
from app.models.returns import Deflection, ReturnEvent, ReturnLine, ReturnPhoto, ReturnRequest
from app.models.shopify import ShopifyLine, ShopifyOrder, ShopifyWebhook
from app.models.staff import SignInThrottle, StaffSession, User
from app.models.votes import Vote

__all__ = [
    "ArticleViewDaily",
    "CarrierEvent",
    "ContentGap",
    "Deflection",
    "Order",
    "OrderLine",
    "OutboxMessage",
    "Refund",
    "ReturnEvent",
    "ReturnLine",
    "ReturnPhoto",
    "ReturnRequest",
    "SearchClick",
    "SearchDaily",
    "SearchDayTotal",
    "SearchEvent",
    "ShopifyLine",
    "ShopifyOrder",
    "ShopifyWebhook",
    "SignInThrottle",
    "StaffSession",
    "SynonymSuggestion",
    "User",
    "Variant",
    "Vote",
]
