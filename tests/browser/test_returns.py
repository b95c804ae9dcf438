"""A customer returns an item end to end in a real browser, with and without JavaScript."""

import subprocess

import pytest
from PIL import Image
from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from app.models import Deflection, ReturnRequest
from tests.conftest import ROOT
from tests.returns_helpers import make_order


@pytest.fixture
def app(make_app):
    """The shipped content, so the size guides can be offered before the return."""
    return make_app(CONTENT_DIR=str(ROOT / "content"))


def test_return_with_a_deflection_label_and_timeline(app, live_url, page, tmp_path):
    make_order(app)
    page.goto(live_url + "/returns/")
    page.get_by_label("Order number").fill("JP-10001")
    page.get_by_label("Email address or shipping postal code").fill("ana@example.com")
    page.get_by_role("button", name="Find my order").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Choose what to send back")
    expect(page.get_by_text("Underwear and swimwear can't be returned")).to_be_visible()
    tee = page.get_by_role("group", name="Linen tee")
    tee.get_by_label("Return this item").check()
    tee.get_by_label("How many to return").select_option("1")
    tee.get_by_label("Reason").select_option(label="Too small")
    page.get_by_label("Store credit").check()
    page.get_by_role("button", name="Continue").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Before you send it back")
    expect(page.get_by_role("link", name="Clothing size guide")).to_be_visible()
    page.get_by_role("button", name="Continue my return").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Review your return")
    expect(page.locator(".estimate .total")).to_contain_text("$36.35")  # 39.00 - 5.95 + 10%
    page.get_by_role("button", name="Confirm return").click()

    expect(page.get_by_role("status")).to_contain_text("Label ready")
    timeline = page.get_by_role("heading", name="Timeline").locator("xpath=following-sibling::ol")
    expect(timeline).to_contain_text("Return requested")
    expect(timeline).to_contain_text("Return approved")

    href = page.get_by_role("link", name="Download the label (PDF)").get_attribute("href")
    response = page.request.get(live_url + href)
    assert response.headers["content-type"] == "application/pdf"
    label = tmp_path / "label.pdf"
    label.write_bytes(response.body())
    text = subprocess.run(
        ["pdftotext", str(label), "-"], capture_output=True, text=True, check=True
    )
    with app.app_context():
        ret = db.session.execute(select(ReturnRequest)).scalar_one()
        outcomes = db.session.execute(select(Deflection.outcome)).scalars().all()
    assert ret.rma_number in text.stdout and ret.tracking_number in text.stdout
    assert set(outcomes) == {"continued"}


def test_the_size_guide_solves_it_and_nothing_is_returned(app, live_url, page):
    make_order(app)
    page.goto(live_url + "/returns/")
    page.get_by_label("Order number").fill("JP-10001")
    page.get_by_label("Email address or shipping postal code").fill("97201")
    page.get_by_role("button", name="Find my order").click()
    tee = page.get_by_role("group", name="Linen tee")
    tee.get_by_label("Return this item").check()
    tee.get_by_label("How many to return").select_option("2")
    tee.get_by_label("Reason").select_option(label="Too large")
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("listitem").filter(has_text="Clothing size guide").get_by_role(
        "button", name="This solved it"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Glad that helped")
    with app.app_context():
        assert db.session.execute(select(ReturnRequest)).first() is None
        solved = db.session.execute(select(Deflection)).scalar_one()
    assert (solved.outcome, solved.article_path, solved.reason_code) == (
        "solved",
        "sizing-care/clothing-size-guide",
        "too_large",
    )


SHIRT_AND_TOTE = [
    {"sku": "SHIRT-M", "name": "Linen shirt", "category": "tops", "quantity": 1,
     "unit_price_cents": 6400},
    {"sku": "TOTE", "name": "Canvas tote", "category": "bags", "quantity": 1,
     "unit_price_cents": 8900},
]  # fmt: skip


def test_keeping_one_item_sends_the_other_back_with_free_shipping(app, live_url, page, tmp_path):
    """A shirt that is too small and a tote that arrived damaged: a photo of the tote, the
    size guide solves the shirt's problem, the tote still goes back, and its damage makes
    return shipping free."""
    make_order(app, lines=SHIRT_AND_TOTE)
    photo = tmp_path / "tote.jpg"
    Image.new("RGB", (800, 600), "tan").save(photo)
    page.goto(live_url + "/returns/")
    page.get_by_label("Order number").fill("JP-10001")
    page.get_by_label("Email address or shipping postal code").fill("ana@example.com")
    page.get_by_role("button", name="Find my order").click()
    for name, reason in (("Linen shirt", "Too small"), ("Canvas tote", "Arrived damaged")):
        item = page.get_by_role("group", name=name)
        item.get_by_label("Return this item").check()
        item.get_by_label("How many to return").select_option("1")
        item.get_by_label("Reason").select_option(label=reason)
    page.get_by_role("button", name="Continue").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Show us what went wrong")
    page.get_by_label("Add photos of the Canvas tote").set_input_files(str(photo))
    page.get_by_role("button", name="Continue").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Before you send it back")
    expect(page.get_by_role("heading", name="Canvas tote")).to_have_count(0)
    expect(page.get_by_role("link", name="Shoe size guide")).to_have_count(0)
    page.get_by_role("button", name="This solved it, I'll keep the Linen shirt").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Review your return")
    expect(page.get_by_role("status")).to_contain_text("Linen shirt is no longer part of your")
    expect(page.locator(".summary-table tbody tr")).to_have_count(1)
    expect(page.locator(".summary-table")).to_contain_text("Canvas tote")
    expect(page.get_by_text("Return shipping is free: we pay to have Canvas tote")).to_be_visible()
    expect(page.locator(".estimate .total")).to_contain_text("$89.00")
    page.get_by_role("button", name="Confirm return").click()

    expect(page.get_by_role("status")).to_contain_text("Label ready")
    with app.app_context():
        ret = db.session.execute(select(ReturnRequest)).scalar_one()
        assert [line.order_line.name for line in ret.lines] == ["Canvas tote"]
        assert ret.estimate_cents == 8900
        assert [(p.order_line.name, p.original_name) for p in ret.photos] == [
            ("Canvas tote", "tote.jpg")
        ]
