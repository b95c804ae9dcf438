"""An agent takes a customer's return from arrival to refund; the customer sees "refunded"."""

from playwright.sync_api import expect

from tests.returns_helpers import choose, confirm, line_ids, look_up, make_order
from tests.staff_helpers import PASSWORD, make_user


def test_agent_receives_inspects_and_refunds(app, live_url, page):
    order_id = make_order(app)
    tee = line_ids(app, order_id)[0]
    customer = app.test_client()
    look_up(customer)
    choose(customer, **{f"qty-{tee}": "1", f"reason-{tee}": "damaged"})
    status_path = confirm(customer)[0].headers["Location"]
    make_user(app, "dana@example.com", "agent")

    page.goto(live_url + "/staff/returns")
    expect(page.get_by_role("heading", level=1)).to_have_text("Staff sign-in")
    page.get_by_label("Email").fill("dana@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Returns")
    page.get_by_role("link", name="RMA-").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Return RMA-")

    page.get_by_role("button", name="Mark received").click()
    expect(page.locator(".status-badge")).to_contain_text("Received at our warehouse")
    page.get_by_role("button", name="Save inspection").click()
    expect(page.locator(".status-badge")).to_contain_text("Checked by our team")
    expect(page.get_by_label("Amount (USD)")).to_have_value("39.00")
    page.get_by_role("button", name="Issue refund").click()
    expect(page.locator(".status-badge")).to_contain_text("Refund issued")
    expect(page.get_by_role("table").last).to_contain_text("succeeded")

    page.goto(live_url + status_path)
    expect(page.get_by_role("status")).to_contain_text("Refund issued")
    expect(
        page.get_by_role("heading", name="Timeline").locator("xpath=following-sibling::ol")
    ).to_contain_text("Checked by our team")
