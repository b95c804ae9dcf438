"""`flask orders sync --since DATE`: the orders Shopify updated since then, page by page through
the Admin API, written like the webhooks write them; errors, timeouts and retries."""

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Order
from tests.fake_shopify import (
    SHIRT_M_PHOTO,
    FakeShopify,
    ago,
    catalogue,
    errors_body,
    order,
    shopify,  # noqa: F401
    shopify_settings,
)
from tests.returns_helpers import look_up

ORDERS = r"/admin/api/2025-10/orders\.json"


@pytest.fixture
def app(make_app, shopify):  # noqa: F811
    catalogue(shopify)
    return make_app(**shopify_settings(shopify))


def stock(api: FakeShopify) -> None:
    """Three orders updated in the last days, one closed, and one from long ago."""
    api.orders += [
        order(1001, updated_at=ago(days=3)),
        order(1002, email="bo@example.com", updated_at=ago(days=2), closed_at=ago(days=2)),
        order(1003, email="cy@example.com", updated_at=ago(hours=5)),
        order(900, email="old@example.com", updated_at=ago(days=90), fulfilled_at=ago(days=95)),
    ]


def sync(app, since: str = ago(days=10)[:10]):
    return app.test_cli_runner().invoke(args=["orders", "sync", "--since", since])


def numbers(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(Order.number).order_by(Order.number)))


def test_sync_pages_through_the_orders_updated_since_the_date(app, shopify):  # noqa: F811
    stock(shopify)
    shopify.page_size = 2
    result = sync(app)
    assert result.exit_code == 0, result.output
    assert "Synced 3 orders from Shopify (3 created, 0 updated" in result.output
    assert "in 2 page(s)" in result.output
    assert numbers(app) == ["#1001", "#1002", "#1003"]
    first, second = shopify.queries
    assert first["status"] == "any" and first["updated_at_min"].startswith(ago(days=10)[:10])
    assert set(second) == {"limit", "page_info"}  # the cursor alone, as Shopify requires
    with app.app_context():
        shirt = db.session.execute(select(Order).filter_by(number="#1003")).scalar_one().lines[0]
        assert (shirt.quantity, shirt.unit_price_cents, shirt.image_url) == (2, 4250, SHIRT_M_PHOTO)
    customer = app.test_client()
    assert look_up(customer, "#1002", "bo@example.com").headers["Location"] == "/returns/start"
    # Again: the same orders, nothing new.
    again = sync(app)
    assert "(0 created, 3 updated" in again.output and numbers(app) == ["#1001", "#1002", "#1003"]


def test_a_refusal_is_reported_and_nothing_is_stored(make_app, shopify):  # noqa: F811
    stock(shopify)
    app = make_app(**shopify_settings(shopify, SHOPIFY_ACCESS_TOKEN="shpat_revoked"))
    result = sync(app)
    assert result.exit_code == 1
    assert "Shopify refused to list the orders (HTTP 401)" in result.output
    assert "Invalid API key or access token" in result.output
    assert shopify.count("GET", ORDERS) == 1  # a refusal is not retried
    assert numbers(app) == []


def test_an_answer_too_late_is_asked_again(app, shopify):  # noqa: F811
    stock(shopify)
    shopify.answer_late("GET", ORDERS, seconds=1.5)
    result = sync(app)
    assert result.exit_code == 0, result.output
    assert shopify.count("GET", ORDERS) == 2
    assert numbers(app) == ["#1001", "#1002", "#1003"]


def test_shopify_busy_or_rate_limited_is_retried(app, shopify):  # noqa: F811
    stock(shopify)
    shopify.fail("GET", ORDERS, 429, errors_body("Exceeded 2 calls per second for api client."))
    shopify.fail("GET", ORDERS, 503, errors_body("Service Unavailable"))
    result = sync(app)
    assert result.exit_code == 0, result.output
    assert shopify.count("GET", ORDERS) == 3
    assert numbers(app) == ["#1001", "#1002", "#1003"]


def test_a_sync_that_stops_part_way_keeps_the_pages_it_wrote(app, shopify):  # noqa: F811
    stock(shopify)
    shopify.page_size = 2
    # The first page answers (on time); the next fails three times: the first try, two more.
    shopify.answer_late("GET", ORDERS, seconds=0, times=1)
    shopify.fail("GET", ORDERS, 502, errors_body("Bad Gateway"), times=3)
    result = sync(app)
    assert result.exit_code == 1
    assert "Shopify did not answer in time or was unavailable" in result.output
    assert numbers(app) == ["#1001", "#1002"]
    assert sync(app).exit_code == 0 and numbers(app) == ["#1001", "#1002", "#1003"]


def test_unusable_orders_are_skipped_and_said(app, shopify):  # noqa: F811
    shopify.orders += [order(1001), order(1002, email="", contact_email="", customer={})]
    result = sync(app)
    assert result.exit_code == 0
    assert "Skipped: Shopify order #1002: email is missing" in result.output
    assert numbers(app) == ["#1001"]


def test_sync_needs_orders_from_shopify_and_a_date(make_app, shopify):  # noqa: F811
    assert "ORDERS_SOURCE=shopify" in sync(make_app()).output
    app = make_app(**shopify_settings(shopify))
    wrong = sync(app, "last tuesday")
    assert wrong.exit_code == 2 and "is not a date like 2026-11-01" in wrong.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Order)) == 0
