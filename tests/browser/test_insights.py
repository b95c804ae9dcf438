"""An editor finds what a customer could not, moments after they searched, and plans it."""

from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from app.models import ContentGap
from tests.staff_helpers import PASSWORD, make_user


def test_editor_sees_a_customers_failed_search_and_marks_it_planned(app, live_url, browser, page):
    customer = browser.new_context().new_page()
    customer.goto(live_url + "/search?q=Velvet+poncho+care")
    expect(customer.locator("main")).to_contain_text("0 results for")
    customer.context.close()
    make_user(app, "erin@example.com", "editor")

    page.goto(live_url + "/staff/sign-in")
    page.get_by_label("Email").fill("erin@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, erin@example.com")
    page.get_by_role("navigation", name="Staff").get_by_role("link", name="Insights").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("What to write next")
    gap = page.locator(".gap").first
    expect(gap.get_by_role("heading")).to_contain_text("Search finds nothing")
    expect(gap.get_by_role("heading")).to_contain_text("“Velvet poncho care”")
    expect(gap).to_contain_text("1 search; all found nothing; last seen today.")

    gap.get_by_label("Status of “Velvet poncho care”").select_option("planned")
    gap.get_by_label("Note on “Velvet poncho care”").fill("Care guide for velvet, due Friday")
    gap.get_by_role("button", name="Save “Velvet poncho care”").click()

    expect(page.get_by_role("status")).to_contain_text("“Velvet poncho care” is now planned.")
    planned = page.locator(".gap").first
    expect(planned.locator(".badge-planned")).to_have_text("Planned")
    expect(planned.get_by_label("Note on “Velvet poncho care”")).to_have_value(
        "Care guide for velvet, due Friday"
    )
    with app.app_context():
        row = db.session.execute(select(ContentGap)).scalar_one()
        assert (row.kind, row.key, row.status, row.updated_by) == (
            "query",
            "velvet poncho care",
            "planned",
            "erin@example.com",
        )
