"""The drop-off QR code on the status page, as Chromium draws it, scans (with and without
JavaScript): what a drop-off point's scanner reads off the customer's phone."""

import subprocess

from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from app.models import ReturnRequest
from tests.returns_helpers import choose, confirm, line_ids, look_up, make_order


def test_status_page_qr_code_scans(app, live_url, page, tmp_path):
    tee = line_ids(app, make_order(app))[0]
    client = app.test_client()
    look_up(client)
    choose(client, method="drop_off", **{f"qty-{tee}": "1", f"reason-{tee}": "too_small"})
    response, _ = confirm(client)
    with app.app_context():
        ret = db.session.execute(select(ReturnRequest)).scalar_one()
        rma, tracking = ret.rma_number, ret.tracking_number

    page.goto(live_url + response.headers["Location"])
    qr = page.get_by_role("img", name=f"Drop-off QR code for return {rma}")
    expect(qr).to_be_visible()
    assert qr.bounding_box()["width"] >= 240
    expect(page.get_by_text(f"Tracking number {tracking}")).to_be_visible()

    qr.screenshot(path=str(tmp_path / "qr.png"))
    scanned = subprocess.run(
        ["zbarimg", "--quiet", "--raw", "-Sdisable", "-Sqrcode.enable", str(tmp_path / "qr.png")],
        capture_output=True,
        text=True,
        check=True,
    )
    assert scanned.stdout.splitlines() == [f"RETURN {rma} {tracking}"]
