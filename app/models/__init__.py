"""SQLAlchemy models, one module per area. Importing this package registers them all."""

from app.models.votes import Vote

__all__ = ["Vote"]
