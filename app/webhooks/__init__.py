"""Webhooks: signed notifications from outside services (the carrier's tracking events).

The rules live beside the view: signature.py (checking the signature header) and carrier.py
(recording each tracking event once and moving the return along).
"""

from flask import Blueprint

bp = Blueprint("webhooks", __name__, url_prefix="/webhooks")

from app.webhooks import views  # noqa: E402,F401  (routes register on bp)
