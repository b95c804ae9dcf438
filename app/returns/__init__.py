"""The returns portal: order lookup, starting a return, the prepaid label and the status page.

The rules live beside the views: policy.py (eligibility, fees), states.py (the state machine),
service.py (creating returns), labels.py and carrier.py (the label and its tracking number).
"""

from flask import Blueprint

bp = Blueprint("returns", __name__, url_prefix="/returns")

from app.returns import views  # noqa: E402,F401  (routes register on bp)
