"""The staff back office: sign-in, the returns queue and its actions (and, for editors, the
insights). Every page requires sign-in and a role; see access.py."""

from flask import Blueprint

bp = Blueprint("staff", __name__, url_prefix="/staff")

from app.staff import insights, photos, views  # noqa: E402,F401  (routes register on bp)
