"""With CARRIER=easypost (a fake of EasyPost's API on loopback), the customer's status page
offers the carrier's label and the packing slip, opens them in the browser, and passes axe."""

import pytest
from playwright.sync_api import expect

from tests.browser.test_accessibility import assert_accessible
from tests.fake_easypost import LABEL_PDF, easypost, easypost_settings  # noqa: F401
from tests.returns_helpers import choose, confirm, line_ids, look_up, make_order


@pytest.fixture
def app(make_app, easypost):  # noqa: F811
    return make_app(**easypost_settings(easypost))


@pytest.fixture
def status_path(app) -> str:
    tee = line_ids(app, make_order(app))[0]
    customer = app.test_client()
    look_up(customer)
    choose(customer, method="drop_off", **{f"qty-{tee}": "1", f"reason-{tee}": "damaged"})
    return confirm(customer)[0].headers["Location"]


def test_the_customer_downloads_the_carriers_label_and_the_packing_slip(
    live_url,
    page,
    status_path,
    easypost,  # noqa: F811
):
    page.goto(live_url + status_path)
    expect(page.get_by_role("status")).to_contain_text("Label ready")
    [shipment_id] = easypost.purchases
    expect(page.get_by_text(easypost.shipments[shipment_id]["tracking_code"])).to_be_visible()
    # The carrier's label, not our drawing nor our QR code (the carrier can't scan that one).
    expect(page.get_by_role("img", name="Drop-off QR code")).to_have_count(0)
    label = page.get_by_role("link", name="Download the label (PDF)")
    slip = page.get_by_role("link", name="packing slip (PDF)")
    carriers = page.request.get(live_url + label.get_attribute("href"))
    assert carriers.headers["content-type"] == "application/pdf"
    assert carriers.body() == LABEL_PDF  # EasyPost's file, as it was bought
    ours = page.request.get(live_url + slip.get_attribute("href"))
    assert ours.headers["content-type"] == "application/pdf"
    assert ours.body().startswith(b"%PDF") and ours.body() != LABEL_PDF


def test_the_status_page_with_a_carrier_label_is_accessible(
    live_url, browser, axe_script, subtests, status_path
):
    context = browser.new_context(bypass_csp=True)  # axe is added as an inline script
    page = context.new_page()
    page.goto(live_url + status_path)
    assert_accessible(page, axe_script, subtests, "status page with the carrier's label")
    context.close()
