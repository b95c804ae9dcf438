"""`flask catalogue sync`: the variants exchanges offer, and their stock, from the shop's
Shopify products page by page; errors, timeouts and retries against the local fake."""

import re

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Variant
from tests.fake_shopify import (
    SHIRT,
    catalogue,
    errors_body,
    order,
    shopify,  # noqa: F401
    shopify_settings,
)
from tests.returns_helpers import look_up

PRODUCTS = r"/admin/api/2025-10/products\.json"


@pytest.fixture
def app(make_app, shopify):  # noqa: F811
    catalogue(shopify)
    return make_app(**shopify_settings(shopify))


def sync(app):
    return app.test_cli_runner().invoke(args=["catalogue", "sync"])


def variants(app) -> dict[str, tuple[str, str, str, int, int]]:
    with app.app_context():
        return {
            v.sku: (v.product, v.name, v.option, v.price_cents, v.stock)
            for v in db.session.execute(select(Variant)).scalars()
        }


def test_sync_pages_through_the_products_and_keeps_each_variant_with_its_stock(app, shopify):  # noqa: F811
    shopify.page_size = 1
    result = sync(app)
    assert result.exit_code == 0, result.output
    assert "Synced variants from Shopify: 5 created, 0 updated." in result.output
    shirt = f"shopify-{SHIRT}"
    assert variants(app) == {
        "SHIRT-LIN-SAGE-M": (shirt, "Linen shirt — M / Sage", "M / Sage", 4500, 4),
        "SHIRT-LIN-SAGE-L": (shirt, "Linen shirt — L / Sage", "L / Sage", 4500, 1),
        "SHIRT-LIN-SAGE-XL": (shirt, "Linen shirt — XL / Sage", "XL / Sage", 4500, 0),  # oversold
        "SHIRT-LIN-CLAY-M": (shirt, "Linen shirt — M / Clay", "M / Clay", 3900, 10_000),
        "variant-8003": ("shopify-7002", "Silk scarf", "Silk scarf", 6000, 1),  # no SKU
    }
    assert shopify.count("GET", PRODUCTS) == 2  # one product a page, then the next
    again = sync(app)
    assert "0 created, 5 updated" in again.output


def test_an_order_from_shopify_can_be_exchanged_for_the_synced_sizes(app, shopify):  # noqa: F811
    shopify.orders.append(order(1001))
    assert (
        app.test_cli_runner().invoke(args=["orders", "sync", "--since", "2020-01-01"]).exit_code
        == 0
    )
    assert sync(app).exit_code == 0
    customer = app.test_client()
    assert look_up(customer, "#1001", "ana@example.com").status_code == 303
    page = customer.get("/returns/start").get_data(as_text=True)
    options = re.search(r'<select id="exchange-\d+".*?</select>', page, re.S).group(0)
    # The same price as the medium: an even swap, though the order had a discount.
    assert re.search(r'value="SHIRT-LIN-SAGE-L"\s*>Exchange for L / Sage, only 1 left<', options)
    assert "Exchange for M / Clay ($3.50 back each)" in options  # $42.50 paid, $39 now
    assert re.search(
        r'value="SHIRT-LIN-SAGE-XL" disabled\s*>Exchange for XL / Sage \(out of stock\)', options
    )


def test_variants_that_cant_be_kept_are_left_out_and_named(app, shopify):  # noqa: F811
    shirt = shopify.products[SHIRT]
    shirt["variants"][0]["price"] = "free"
    shirt["variants"][1]["sku"] = "SHIRT-LIN-CLAY-M"  # the same SKU as another variant
    result = sync(app)
    assert result.exit_code == 0, result.output
    assert (
        "left out: Linen shirt — M / Sage: price 'free' is not a price like 49.95" in result.output
    )
    assert (
        "left out: Linen shirt — M / Clay: sku 'SHIRT-LIN-CLAY-M' belongs to another"
        in result.output
    )
    assert sorted(variants(app)) == ["SHIRT-LIN-SAGE-XL", "variant-8003"]


def test_a_refusal_is_reported_and_nothing_is_stored(make_app, shopify):  # noqa: F811
    catalogue(shopify)
    app = make_app(**shopify_settings(shopify, SHOPIFY_ACCESS_TOKEN="shpat_revoked"))
    result = sync(app)
    assert result.exit_code == 1
    assert "Shopify refused to list the products (HTTP 401)" in result.output
    assert shopify.count("GET", PRODUCTS) == 1  # a refusal is not retried
    assert variants(app) == {}


def test_an_answer_too_late_or_busy_is_asked_again(app, shopify):  # noqa: F811
    shopify.answer_late("GET", PRODUCTS, seconds=1.5)
    shopify.fail("GET", PRODUCTS, 503, errors_body("Service Unavailable"))
    result = sync(app)
    assert result.exit_code == 0, result.output
    assert shopify.count("GET", PRODUCTS) == 3
    assert len(variants(app)) == 5


def test_no_answer_at_all_stores_nothing(app, shopify):  # noqa: F811
    shopify.fail("GET", PRODUCTS, 502, errors_body("Bad Gateway"), times=3)
    result = sync(app)
    assert result.exit_code == 1
    assert "Shopify did not answer in time or was unavailable" in result.output
    assert variants(app) == {}
