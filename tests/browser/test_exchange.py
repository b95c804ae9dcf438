"""A customer exchanges a shirt for the next size up, from the order lookup to the replacement's
dispatch, with JavaScript on and off; and two customers race for the last unit of a size."""

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from app.models import ReturnRequest, Variant
from tests.browser.test_staff import Axe, sign_in
from tests.returns_helpers import make_order

SHIRT = [
    {
        "sku": "SHIRT-LIN-M",
        "name": "Linen camp shirt, sage, M",
        "category": "tops",
        "quantity": 1,
        "unit_price_cents": 6400,
    }
]


@pytest.fixture
def app(demo_app):
    """The demo: its catalogue has the sage shirt's last L, and an agent (dana is added)."""
    return demo_app


def stock(app, sku: str) -> int:
    with app.app_context():
        return db.session.execute(select(Variant.stock).filter_by(sku=sku)).scalar_one()


def choose_exchange(page, live_url, number: str, email: str, size: str) -> None:
    """Look the order up and ask for its shirt in another size, up to the review page."""
    page.goto(live_url + "/returns/")
    page.get_by_label("Order number").fill(number)
    page.get_by_label("Email address or shipping postal code").fill(email)
    page.get_by_role("button", name="Find my order").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Choose what to send back")
    shirt = page.get_by_role("group", name="Linen camp shirt, sage, M")
    shirt.get_by_label("Return this item").check()
    shirt.get_by_label("Reason").select_option(label="Too small")
    exchange = shirt.get_by_label("Money back or exchange")
    expect(exchange.locator("option", has_text="sage, XL (out of stock)")).to_be_disabled()
    expect(exchange.locator("option", has_text="sage, XXL (costs $5.00 more)")).to_be_disabled()
    exchange.select_option(label=size)
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Before you send it back")
    page.get_by_role("button", name="Continue my return").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Review your return")


def test_exchange_from_lookup_to_dispatch(app, live_url, page, browser, axe_script, subtests,
                                          request):  # fmt: skip
    javascript = request.node.callspec.params["page"]
    axe = Axe(page, live_url, axe_script, subtests, javascript)
    choose_exchange(page, live_url, "JP-10481", "maya.chen@example.com",
                    "Exchange for sage, L, only 1 left")  # fmt: skip
    expect(page.get_by_role("table")).to_contain_text("Exchange for Linen camp shirt, sage, L")
    expect(page.locator(".estimate .total")).to_contain_text("$0.00")
    expect(page.get_by_role("region", name="Your exchange")).to_contain_text(
        "we set aside Linen camp shirt, sage, L for you"
    )
    axe.check("review with an exchange")
    page.get_by_role("button", name="Confirm return").click()

    expect(page.get_by_role("status")).to_contain_text("Label ready")
    exchange = page.get_by_role("region", name="Your exchange")
    expect(exchange).to_contain_text("1 × Linen camp shirt, sage, L in place of")
    expect(exchange).to_contain_text("We've set it aside for you.")
    expect(page.get_by_text("Nothing is refunded: you get a replacement instead.")).to_be_visible()
    axe.check("status page of an exchange")
    status_url = page.url
    assert stock(app, "SHIRT-LIN-L") == 0

    staff = browser.new_context(java_script_enabled=javascript).new_page()
    sign_in(staff, live_url, "agent@example.com")
    staff.get_by_label("Exchanges").select_option(label="Replacement to send")
    staff.get_by_role("button", name="Filter").click()
    row = staff.get_by_role("row").filter(has_text="JP-10481")
    expect(row).to_contain_text("Exchange (to send)")
    row.get_by_role("link", name="RMA-").click()
    expect(staff.get_by_role("table").first).to_contain_text(
        "Exchange for Linen camp shirt, sage, L"
    )
    expect(staff.get_by_role("button", name="Replacement sent")).to_have_count(0)  # not here yet
    staff.get_by_role("button", name="Mark received").click()
    expect(staff.locator(".status-badge")).to_contain_text("Received at our warehouse")
    expect(staff.get_by_role("button", name="Replacement sent")).to_have_count(0)  # not checked
    staff.get_by_role("button", name="Save inspection").click()
    expect(staff.locator(".status-badge")).to_contain_text("Checked by our team")
    staff.get_by_label("Tracking number").fill("PC-55501")
    staff.get_by_role("button", name="Replacement sent").click()
    expect(staff.locator(".status-badge")).to_contain_text("Completed")
    replacement = staff.get_by_role("region", name="Replacement")
    expect(replacement).to_contain_text("with Juniper Local Post, tracking PC-55501")
    staff.context.close()

    page.goto(status_url)
    expect(page.get_by_role("status")).to_contain_text("Completed")
    exchange = page.get_by_role("region", name="Your exchange")
    expect(exchange).to_contain_text("tracking number PC-55501")
    timeline = page.get_by_role("heading", name="Timeline").locator("xpath=following-sibling::ol")
    expect(timeline).to_contain_text("Replacement sent: 1 × Linen camp shirt, sage, L")
    expect(timeline).to_contain_text("Exchange complete.")
    assert stock(app, "SHIRT-LIN-L") == 0


def test_two_customers_race_for_the_last_unit(app, live_url, page, browser, request):
    """Both see the last L and reach their review; the first to confirm gets it, the other is
    told and offered the sizes left."""
    make_order(app, number="JP-20001", lines=SHIRT, email="kai@example.com")
    make_order(app, number="JP-20002", lines=SHIRT, email="lou@example.com")
    javascript = request.node.callspec.params["page"]
    other = browser.new_context(java_script_enabled=javascript).new_page()
    last = "Exchange for sage, L, only 1 left"
    choose_exchange(page, live_url, "JP-20001", "kai@example.com", last)
    choose_exchange(other, live_url, "JP-20002", "lou@example.com", last)

    page.get_by_role("button", name="Confirm return").click()
    expect(page.get_by_role("status")).to_contain_text("Label ready")
    other.get_by_role("button", name="Confirm return").click()
    expect(other.get_by_role("heading", level=1)).to_have_text("We couldn't start that return")
    expect(other.get_by_role("alert")).to_contain_text(
        "Sorry, Linen camp shirt, sage, L has just sold out."
    )
    other.get_by_role("link", name="Choose your items again").click()
    shirt = other.get_by_role("group", name="Linen camp shirt, sage, M")
    expect(shirt.locator("option", has_text="sage, L (out of stock)")).to_be_disabled()
    other.context.close()

    assert stock(app, "SHIRT-LIN-L") == 0
    with app.app_context():
        numbers = [r.order.number for r in db.session.execute(select(ReturnRequest)).scalars()]
    assert numbers.count("JP-20001") == 1 and "JP-20002" not in numbers
