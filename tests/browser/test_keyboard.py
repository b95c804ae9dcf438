"""A customer returns an item with the keyboard alone: every step reachable with Tab,
Shift+Tab, the arrow keys, Enter and Space, and the focused control always visibly marked."""

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from app.models import Order, ReturnRequest
from tests.conftest import ROOT

FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return {name: "", outline: "none", width: "0px"};
  const label = el.labels && el.labels.length ? el.labels[0].textContent : el.textContent;
  const style = getComputedStyle(el);
  return {
    name: label.trim().replace(/\\s+/g, " "),
    outline: style.outlineStyle,
    width: style.outlineWidth,
  };
}"""


@pytest.fixture
def app(make_app):
    """The shipped content (its size guides are offered before the return) and demo orders."""
    app = make_app(CONTENT_DIR=str(ROOT / "content"))
    seeded = app.test_cli_runner().invoke(args=["demo", "seed"])
    assert seeded.exit_code == 0, seeded.output
    return app


def focused(page) -> dict:
    return page.evaluate(FOCUSED)


def tab_to(page, name: str, key: str = "Tab", limit: int = 60) -> None:
    """Press Tab (or Shift+Tab) until the control called `name` has the focus."""
    seen = []
    for _ in range(limit):
        page.keyboard.press(key)
        now = focused(page)["name"]
        if now == name:
            return
        seen.append(now)
    raise AssertionError(f"{key} never reached {name!r}; it went through {seen}")


def assert_focus_visible(page, name: str) -> None:
    now = focused(page)
    assert now["name"] == name
    assert now["outline"] != "none" and now["width"] != "0px", f"{name} has no visible focus"


def test_return_an_item_with_the_keyboard_only(app, live_url, page):
    page.goto(live_url + "/returns/")
    page.keyboard.press("Tab")
    assert_focus_visible(page, "Skip to content")
    page.keyboard.press("Enter")

    tab_to(page, "Order number")
    page.keyboard.type("JP-10481")
    tab_to(page, "Email address or shipping postal code")
    page.keyboard.type("maya.chen@example.com")
    tab_to(page, "Order number", key="Shift+Tab")  # back to check it, then on again
    assert page.get_by_label("Order number").input_value() == "JP-10481"
    tab_to(page, "Find my order")
    assert_focus_visible(page, "Find my order")
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", level=1)).to_have_text("Choose what to send back")
    shirt = page.get_by_role("group", name="Linen camp shirt")
    tab_to(page, "Return this item")  # the first item's
    page.keyboard.press("Space")
    expect(shirt.get_by_label("Return this item")).to_be_checked()
    expect(shirt.get_by_label("How many to return")).to_have_value("1")
    tab_to(page, "Reason")
    page.keyboard.press("ArrowDown")  # Too small: the size guides come first
    expect(shirt.get_by_label("Reason")).to_have_value("too_small")
    tab_to(page, "Refund to my original payment method")
    page.keyboard.press("ArrowDown")  # the next choice in the group
    expect(page.get_by_label("Store credit", exact=False)).to_be_checked()
    tab_to(page, "Continue")
    assert_focus_visible(page, "Continue")
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", level=1)).to_have_text("Before you send it back")
    tab_to(page, "Continue my return")
    assert_focus_visible(page, "Continue my return")
    page.keyboard.press("Space")

    expect(page.get_by_role("heading", level=1)).to_have_text("Review your return")
    tab_to(page, "Confirm return")
    assert_focus_visible(page, "Confirm return")
    page.keyboard.press("Enter")

    expect(page.get_by_role("status")).to_contain_text("Label ready")
    with app.app_context():
        rma, resolution = db.session.execute(
            select(ReturnRequest.rma_number, ReturnRequest.resolution)
            .join(Order)
            .filter(Order.number == "JP-10481")
        ).one()
    assert resolution == "store_credit"
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Return {rma}")
    expect(page.get_by_role("heading", name="Store credit")).to_be_visible()
