"""axe-core (from the npm registry, see tests/browser/package.json) on every page type a
customer or a member of staff meets: no WCAG 2.1 A or AA violations."""

import re

import pytest
from flask import url_for
from playwright.sync_api import expect

from tests.staff_helpers import PASSWORD

WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
RUN_AXE = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: "tag", values: tags}});
  return result.violations.map((v) => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    url: v.helpUrl,
    targets: v.nodes.map((node) => node.target.join(" ")),
  }));
}"""


@pytest.fixture
def app(demo_app):
    return demo_app


SCREENS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}


@pytest.fixture(params=list(SCREENS))
def page(request, browser):
    """A desktop and a phone screen, JavaScript on, and the site's Content-Security-Policy
    (script-src 'self') bypassed so axe can be added to the page as an inline script. This
    context is for axe only."""
    context = browser.new_context(
        bypass_csp=True,
        viewport=SCREENS[request.param],
        is_mobile=request.param == "phone",
        has_touch=request.param == "phone",
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def readable(violations: list[dict]) -> str:
    return "\n".join(
        f"- {v['id']} ({v['impact']}): {v['help']}\n    {v['url']}\n"
        + "\n".join(f"    at {target}" for target in v["targets"])
        for v in violations
    )


def assert_accessible(page, axe_script, subtests, name: str) -> None:
    """Run axe on the page as it is now; report each violation with where it is."""
    with subtests.test(page=name):
        page.add_script_tag(path=str(axe_script))
        violations = page.evaluate(RUN_AXE, WCAG_21_AA)
        if violations:
            print(f"\n{name} ({page.url}):\n{readable(violations)}")
        assert not violations, f"{name}: WCAG 2.1 A/AA violations\n{readable(violations)}"


def sign_in(page, live_url, email: str, password: str = PASSWORD) -> None:
    page.goto(live_url + "/staff/sign-in")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def test_help_center_pages(live_url, page, axe_script, subtests):
    page.goto(live_url + "/")
    expect(page.get_by_role("heading", level=1)).to_have_text("How can we help?")
    assert_accessible(page, axe_script, subtests, "home")

    box = page.get_by_role("combobox", name="Search for answers")
    box.press_sequentially("refund", delay=30)
    expect(page.get_by_role("listbox").get_by_role("option").first).to_be_visible()
    box.press("ArrowDown")
    assert_accessible(page, axe_script, subtests, "instant search suggestions")
    box.press("Escape")

    page.get_by_role("link", name="Returns & refunds").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Returns & refunds")
    assert_accessible(page, axe_script, subtests, "category")

    page.goto(live_url + "/articles/returns-refunds/how-to-return-an-item")
    expect(page.get_by_role("navigation", name="On this page")).to_be_visible()
    assert_accessible(page, axe_script, subtests, "tutorial article with contents")

    page.goto(live_url + "/articles/orders-shipping/track-my-order")
    page.locator("#feedback").get_by_role("button", name="No").click()
    expect(page.locator("#feedback")).to_contain_text("What went wrong?")
    assert_accessible(page, axe_script, subtests, "FAQ article asking why it didn't help")

    page.goto(live_url + "/search?q=refund")
    expect(page.locator(".results > li").first).to_be_visible()
    assert_accessible(page, axe_script, subtests, "search results")

    page.goto(live_url + "/search?q=xyzzyqwv")
    expect(page.locator(".results")).to_have_count(0)
    assert_accessible(page, axe_script, subtests, "search without results")

    page.goto(live_url + "/search?q=tracker")
    expect(page.get_by_role("heading", name="Articles with similar words")).to_be_visible()
    assert_accessible(page, axe_script, subtests, "search without results, with similar words")

    page.goto(live_url + "/no-such-page")
    expect(page.get_by_role("heading", level=1)).to_have_text("We couldn't find that page")
    assert_accessible(page, axe_script, subtests, "404 page")


def test_help_center_pages_in_german_and_french(live_url, page, axe_script, subtests):
    page.goto(live_url + "/de/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Wie können wir helfen?")
    assert_accessible(page, axe_script, subtests, "home in German")
    page.get_by_role("navigation", name="Sprache").get_by_role("link", name="Français").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Comment pouvons-nous vous aider\u00a0?"
    )
    page.goto(live_url + "/fr/articles/account-privacy/two-step-sign-in")
    expect(page.locator(".translation-note")).to_contain_text("pas encore disponible en français")
    assert_accessible(page, axe_script, subtests, "untranslated article in French")
    page.goto(live_url + "/de/articles/returns-refunds/how-to-return-an-item")
    expect(page.locator(".translation-note")).to_have_count(0)
    assert_accessible(page, axe_script, subtests, "article in German")
    page.goto(live_url + "/de/search?q=rückerstattung")
    expect(page.get_by_role("heading", level=1)).to_have_text("Suchergebnisse")
    expect(page.locator(".results > li").first).to_be_visible()
    assert_accessible(page, axe_script, subtests, "search results in German")
    page.goto(live_url + "/fr/search?q=printer")
    expect(page.locator(".results > li").first).to_be_visible()
    assert_accessible(page, axe_script, subtests, "English results on a French page")


def test_return_flow_pages(live_url, page, axe_script, subtests, tmp_path):
    page.goto(live_url + "/returns/")
    assert_accessible(page, axe_script, subtests, "returns lookup")

    page.get_by_role("button", name="Find my order").click()
    expect(page.get_by_text("Enter your order number.")).to_be_visible()
    assert_accessible(page, axe_script, subtests, "returns lookup with errors")

    page.get_by_label("Order number").fill("JP-10483")
    page.get_by_label("Email address or shipping postal code").fill("priya.n@example.com")
    page.get_by_role("button", name="Find my order").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Choose what to send back")
    expect(page.locator(".not-returnable")).to_have_count(2)
    assert_accessible(page, axe_script, subtests, "start page with items that can't go back")

    dress = page.get_by_role("group", name="Wrap dress")
    dress.get_by_label("Return this item").check()
    dress.get_by_label("How many to return").select_option("1")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("alert")).to_contain_text("Choose a reason")
    assert_accessible(page, axe_script, subtests, "start page with errors")

    dress.get_by_label("Reason").select_option(label="Not as described")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Show us what went wrong")
    assert_accessible(page, axe_script, subtests, "photos")
    not_a_photo = tmp_path / "dress.jpg"
    not_a_photo.write_text("not a photo")
    page.get_by_label("Add photos of the Wrap dress").set_input_files(str(not_a_photo))
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("alert")).to_contain_text("dress.jpg isn't a photo we can open")
    assert_accessible(page, axe_script, subtests, "photos with an error")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Before you send it back")
    assert_accessible(page, axe_script, subtests, "before you send it back")

    page.get_by_role("button", name="Continue my return").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Review your return")
    assert_accessible(page, axe_script, subtests, "review")

    page.get_by_role("button", name="Confirm return").click()
    expect(page.get_by_role("status")).to_contain_text("Label ready")
    assert_accessible(page, axe_script, subtests, "return status")

    page.get_by_role("link", name="Cancel this return").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Cancel return")
    assert_accessible(page, axe_script, subtests, "cancel a return")
    page.get_by_role("button", name="Yes, cancel this return").click()
    expect(page.get_by_role("status")).to_contain_text("Canceled")
    assert_accessible(page, axe_script, subtests, "canceled return")

    page.goto(live_url + "/returns/find")
    assert_accessible(page, axe_script, subtests, "find my return")

    page.get_by_label("Return number").fill("RMA-NOTHING")
    page.get_by_label("Email address").fill("priya.n@example.com")
    page.get_by_role("button", name="Show my return").click()
    expect(page.get_by_role("alert")).to_contain_text("couldn't find a return")
    assert_accessible(page, axe_script, subtests, "find my return, not found")


def test_staff_pages(live_url, page, axe_script, subtests):
    sign_in(page, live_url, "agent@example.com", "not the password")
    expect(page.get_by_role("alert")).to_contain_text("don't match")
    assert_accessible(page, axe_script, subtests, "staff sign-in with an error")

    sign_in(page, live_url, "agent@example.com")
    expect(page.get_by_role("heading", level=1)).to_have_text("Returns")
    assert_accessible(page, axe_script, subtests, "returns queue")

    queue = page.url
    page.get_by_role("row").filter(has_text="JP-10487").get_by_role("link", name="RMA-").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Return RMA-")
    assert_accessible(page, axe_script, subtests, "staff return page, refunded in part")

    page.goto(queue)
    page.get_by_role("row").filter(has_text="JP-10484").get_by_role("link", name="RMA-").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Return RMA-")
    assert_accessible(page, axe_script, subtests, "staff return page")

    page.get_by_role("button", name="Mark received").click()
    expect(page.get_by_role("status").first).to_contain_text("received")
    expect(page.get_by_role("button", name="Save inspection")).to_be_visible()
    assert_accessible(page, axe_script, subtests, "staff return page, inspecting")

    page.goto(queue)
    page.get_by_role("row").filter(has_text="JP-10488").get_by_role("link", name="RMA-").click()
    expect(page.get_by_role("button", name="Replacement sent")).to_be_visible()
    assert_accessible(page, axe_script, subtests, "staff return page, an exchange to send")
    page.get_by_label("Tracking number").fill("   ")  # passes the browser's own `required`
    page.get_by_role("button", name="Replacement sent").click()
    expect(page.get_by_role("alert")).to_contain_text("Enter the parcel's tracking number.")
    assert_accessible(page, axe_script, subtests, "staff return page, replacement with an error")


def test_staff_insights_page(app, live_url, page, axe_script, subtests):
    if "staff.insights" not in app.view_functions:
        pytest.skip("no staff.insights endpoint yet: editor insights are being built")
    with app.test_request_context():
        insights = url_for("staff.insights")
    sign_in(page, live_url, "editor@example.com")
    page.goto(live_url + insights)
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert_accessible(page, axe_script, subtests, "insights")


def test_axe_reports_what_it_finds(page, axe_script, subtests):
    """The check itself works: a page with an unlabelled field and an image without text fails."""
    page.set_content('<html lang="en"><title>t</title><main><img src="x.png"><input></main></html>')
    page.add_script_tag(path=str(axe_script))
    found = {v["id"] for v in page.evaluate(RUN_AXE, WCAG_21_AA)}
    assert {"image-alt", "label"} <= found


def test_drop_off_status_page(app, live_url, page, axe_script, subtests):
    from tests.returns_helpers import choose, confirm, look_up

    client = app.test_client()
    assert look_up(client, "JP-10481", "maya.chen@example.com").status_code == 303
    with app.app_context():
        from sqlalchemy import select

        from app.extensions import db
        from app.models import Order

        order = db.session.execute(select(Order).filter_by(number="JP-10481")).scalar_one()
        shirt = order.lines[0].id
    choose(client, method="drop_off", **{f"qty-{shirt}": "1", f"reason-{shirt}": "changed_mind"})
    status = confirm(client)[0].headers["Location"]
    page.goto(live_url + status)
    expect(page.get_by_role("img", name=re.compile("Drop-off QR code"))).to_be_visible()
    assert_accessible(page, axe_script, subtests, "drop-off status page")


def test_contact_pages(live_url, page, axe_script, subtests):
    page.goto(live_url + "/contact?article=returns-refunds/return-policy")
    expect(page.get_by_role("heading", level=1)).to_have_text("Ask our team")
    assert_accessible(page, axe_script, subtests, "contact")
    page.get_by_role("button", name="Send to our team").click()
    expect(page.get_by_role("alert")).to_contain_text("Enter your email address")
    assert_accessible(page, axe_script, subtests, "contact with errors")
    page.get_by_label("Your email address, for our reply").fill("reader@example.com")
    page.get_by_label("What do you need help with?").fill("Is the window longer at Christmas?")
    page.get_by_role("button", name="Send to our team").click()
    expect(page.get_by_role("status")).to_contain_text("Our team will reply to reader@example.com")
    assert_accessible(page, axe_script, subtests, "contact sent")
