"""An agent takes a customer's return from arrival to refund; the customer sees "refunded".
Refunds and cancels are confirmed on a page of their own, with JavaScript on and off, and
those pages pass axe-core."""

from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from app.models import Refund, ReturnRequest
from tests.browser.test_accessibility import RUN_AXE, WCAG_21_AA, readable
from tests.returns_helpers import choose, confirm, line_ids, look_up, make_order
from tests.staff_helpers import PASSWORD, make_user

AXE_PATH = "/__axe-core.js"  # served to the page by Playwright, from the site's own origin


def start_return(app, number="JP-10001"):
    """A customer's return of one linen tee ($39.00), its label issued: the status path."""
    order_id = make_order(app, number=number)
    tee = line_ids(app, order_id)[0]
    customer = app.test_client()
    look_up(customer, number)
    choose(customer, **{f"qty-{tee}": "1", f"reason-{tee}": "damaged"})
    return confirm(customer)[0].headers["Location"]


def sign_in(page, live_url, email="dana@example.com"):
    page.goto(live_url + "/staff/returns")
    expect(page.get_by_role("heading", level=1)).to_have_text("Staff sign-in")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Returns")


def refunds(app) -> list[tuple[int, str, str | None]]:
    with app.app_context():
        return [
            (r.amount_cents, r.status, r.note)
            for r in db.session.execute(select(Refund).order_by(Refund.id)).scalars()
        ]


def status_of(app, number: str) -> str:
    with app.app_context():
        return next(
            r.status
            for r in db.session.execute(select(ReturnRequest)).scalars()
            if r.order.number == number
        )


class Axe:
    """axe-core on the page as it is now, the Content-Security-Policy left on: the script
    is answered by Playwright at an address of the site itself (script-src 'self'). axe
    needs JavaScript, so with it off the walk goes on unchecked."""

    def __init__(self, page, live_url, axe_script, subtests, javascript: bool):
        self.page, self.url, self.subtests, self.on = (
            page,
            live_url + AXE_PATH,
            subtests,
            javascript,
        )
        if javascript:
            page.route(self.url, lambda route: route.fulfill(path=str(axe_script)))

    def check(self, name: str) -> None:
        if not self.on:
            return
        with self.subtests.test(page=name):
            self.page.add_script_tag(url=self.url)
            violations = self.page.evaluate(RUN_AXE, WCAG_21_AA)
            assert not violations, f"{name}: WCAG 2.1 A/AA violations\n{readable(violations)}"


def test_agent_receives_inspects_and_refunds(app, live_url, page):
    status_path = start_return(app)
    make_user(app, "dana@example.com", "agent")
    sign_in(page, live_url)

    page.get_by_role("link", name="RMA-").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Return RMA-")
    expect(page.get_by_role("banner")).to_contain_text("Signed in as dana@example.com (Agent)")

    page.get_by_role("button", name="Mark received").click()
    expect(page.locator(".status-badge")).to_contain_text("Received at our warehouse")
    page.get_by_role("button", name="Save inspection").click()
    expect(page.locator(".status-badge")).to_contain_text("Checked by our team")
    expect(page.get_by_label("Amount (USD)")).to_have_value("39.00")
    page.get_by_role("button", name="Review refund").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Confirm the refund for RMA-")
    assert refunds(app) == []  # nothing paid on review
    page.get_by_role("button", name="Confirm refund of $39.00").click()
    expect(page.locator(".status-badge")).to_contain_text("Refund issued")
    expect(page.get_by_role("table").last).to_contain_text("Paid")
    assert refunds(app) == [(3900, "succeeded", None)]

    page.goto(live_url + status_path)
    expect(page.get_by_role("status")).to_contain_text("Refund issued")
    expect(
        page.get_by_role("heading", name="Timeline").locator("xpath=following-sibling::ol")
    ).to_contain_text("Checked by our team")


def test_refund_and_cancel_are_confirmed_first(app, live_url, page, axe_script, subtests, request):
    """A lost parcel refunded through its confirmation page (and back once), then another
    return canceled through its own; nothing is paid or canceled before Confirm."""
    start_return(app, "JP-10001")
    start_return(app, "JP-10002")
    make_user(app, "dana@example.com", "agent")
    axe = Axe(page, live_url, axe_script, subtests, request.node.callspec.params["page"])
    sign_in(page, live_url)
    queue = page.url

    page.get_by_role("row").filter(has_text="JP-10001").get_by_role("link", name="RMA-").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Return RMA-")
    expect(page.get_by_role("button", name="Review refund")).to_have_count(0)
    page.get_by_role("link", name="The parcel is lost: refund it…").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Refund a lost parcel")
    axe.check("staff: refund a lost parcel")

    page.get_by_role("button", name="Review refund").click()  # the box left unticked
    expect(page.get_by_role("alert")).to_contain_text("The items haven't arrived yet.")
    axe.check("staff: refund a lost parcel, refused")
    assert refunds(app) == []

    page.get_by_label("The parcel is lost in transit").check()
    page.get_by_label("Note (required when refunding less)").fill("Carrier confirmed the loss")
    page.get_by_role("button", name="Review refund").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Confirm the refund for RMA-")
    summary = page.locator("dl.figures")
    expect(summary).to_contain_text("$39.00")
    expect(summary).to_contain_text("card")
    expect(page.locator("main")).to_contain_text("The parcel is lost:")
    expect(page.locator("main")).to_contain_text("Linen tee")
    axe.check("staff: confirm a refund")
    assert refunds(app) == []

    page.get_by_role("button", name="Back: change the refund").click()
    expect(page.get_by_label("Amount (USD)")).to_have_value("39.00")
    expect(page.get_by_label("The parcel is lost in transit")).to_be_checked()
    expect(page.get_by_label("Note (required when refunding less)")).to_have_value(
        "Carrier confirmed the loss"
    )
    page.get_by_role("button", name="Review refund").click()
    page.get_by_role("button", name="Confirm refund of $39.00").click()
    expect(page.get_by_role("status").first).to_contain_text("Refunded $39.00 to card")
    expect(page.locator(".status-badge")).to_contain_text("Refund issued")
    expect(page.locator(".timeline")).to_contain_text("The parcel was lost in transit")
    axe.check("staff: return refunded as a lost parcel")
    assert refunds(app) == [
        (3900, "succeeded", "Parcel lost in transit. Carrier confirmed the loss")
    ]

    page.goto(queue)
    page.get_by_role("row").filter(has_text="JP-10002").get_by_role("link", name="RMA-").click()
    page.get_by_role("link", name="Cancel this return…").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Cancel return RMA-")
    axe.check("staff: confirm a cancel")
    page.get_by_role("link", name="No, keep the return").click()
    expect(page.locator(".status-badge")).to_contain_text("Label ready")
    assert status_of(app, "JP-10002") == "label_issued"
    page.get_by_role("link", name="Cancel this return…").click()
    page.get_by_role("button", name="Yes, cancel this return").click()
    expect(page.locator(".status-badge")).to_contain_text("Canceled")
    assert status_of(app, "JP-10002") == "canceled"
