"""SQLAlchemy models, one module per area. Importing this package registers them all."""

from app.models.analytics import SearchClick, SearchEvent
from app.models.votes import Vote

__all__ = ["SearchClick", "SearchEvent", "Vote"]
