"""A 390-pixel phone: no page scrolls sideways (wide tables scroll inside their own box), and
a screenshot of each is kept for a person to look at (tests/browser/.screens/)."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.staff_helpers import PASSWORD

SCREENS = Path(__file__).resolve().parent / ".screens"
OVERFLOW = "() => document.documentElement.scrollWidth - window.innerWidth"


@pytest.fixture
def app(demo_app):
    return demo_app


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def test_no_page_scrolls_sideways_on_a_phone(live_url, phone, subtests):
    SCREENS.mkdir(exist_ok=True)
    pages = [
        ("home", "/"),
        ("article", "/articles/returns-refunds/return-policy"),
        ("search", "/search?q=refund"),
        ("returns", "/returns/"),
    ]
    for name, path in pages:
        with subtests.test(page=name):
            phone.goto(live_url + path)
            phone.screenshot(path=SCREENS / f"phone-{name}.png", full_page=True)
            assert phone.evaluate(OVERFLOW) <= 0, f"{name} scrolls sideways"

    phone.goto(live_url + "/staff/sign-in")
    phone.get_by_label("Email").fill("editor@example.com")
    phone.get_by_label("Password").fill(PASSWORD)
    phone.get_by_role("button", name="Sign in").click()
    for name, path in [
        ("insights", "/staff/insights"),
        ("insights articles", "/staff/insights/articles"),
    ]:
        with subtests.test(page=name):
            phone.goto(live_url + path)
            expect(phone.get_by_role("heading", level=1)).to_be_visible()
            phone.screenshot(path=SCREENS / f"phone-{name}.png", full_page=True)
            assert phone.evaluate(OVERFLOW) <= 0, f"{name} scrolls sideways"
