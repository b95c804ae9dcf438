"""The demo's return of a shirt (accepted, refunded) and a tote (not accepted), as the
customer and an agent read it in a real browser: the status page, the refund email and the
staff page agree to the cent, and staff's own note stays with staff."""

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from app.models import Order, OutboxMessage, ReturnRequest
from app.returns.workflow import status_token
from tests.staff_helpers import PASSWORD


@pytest.fixture
def app(demo_app):
    return demo_app


@pytest.fixture
def refunded(app):
    """(status page path, RMA, refund email body) of the demo's JP-10487 return."""
    with app.app_context():
        ret = db.session.execute(
            select(ReturnRequest).join(Order).where(Order.number == "JP-10487")
        ).scalar_one()
        emails = db.session.execute(
            select(OutboxMessage).where(OutboxMessage.return_id == ret.id)
        ).scalars()
        refund_email = next(m.body for m in emails if "refund" in m.subject.lower())
        return f"/returns/{status_token(ret)}", ret.rma_number, refund_email


def test_customer_and_agent_read_the_same_money_and_verdicts(app, live_url, page, refunded):
    path, rma, email = refunded
    assert re.search(r"refunded \$58\.05", email)
    assert "1 x Waxed canvas tote: not accepted (The tote shows wear" in email
    assert "1 x Linen camp shirt, clay, S: accepted" in email and "Grease" not in email

    page.goto(live_url + path)
    refund = page.get_by_role("region", name="Refund")
    expect(refund).to_contain_text("$58.05 refunded")
    expect(refund).not_to_contain_text("$153.00")
    items = page.get_by_role("region", name="Items")
    expect(items.get_by_role("listitem").filter(has_text="Linen camp shirt")).to_contain_text(
        "Accepted"
    )
    tote = items.get_by_role("listitem").filter(has_text="Waxed canvas tote")
    expect(tote).to_contain_text("Not accepted: The tote shows wear and a stain from use")
    expect(page.locator("body")).not_to_contain_text("Grease stain")

    page.goto(live_url + "/staff/sign-in")
    page.get_by_label("Email").fill("agent@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{live_url}/staff/returns/{rma}")
    expect(page.get_by_role("heading", level=1)).to_contain_text(rma)
    expect(page.locator("main")).to_contain_text("$58.05")
    expect(page.locator("main")).to_contain_text("Grease stain on the base")  # staff's note
