"""The help center: home, categories, articles, helpfulness votes, search, sitemap."""

from flask import Blueprint

bp = Blueprint("help", __name__)

from app.help import contact, search, views  # noqa: E402,F401  (routes register on bp)
