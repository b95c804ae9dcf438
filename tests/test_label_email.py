"""What a customer gets once their return is approved: the drop-off QR code large on the status
page, and an email linking straight to the label PDF, whose second page is the packing slip.
Read with real tools: poppler for the PDF, zbar for the QR code."""

import re
import xml.etree.ElementTree as ET
from html import unescape

from PIL import Image, ImageDraw
from sqlalchemy import select

from app.extensions import db
from app.models import ReturnRequest
from app.models.refunds import OutboxMessage
from tests.returns_helpers import choose, confirm, line_ids, look_up, make_order
from tests.test_labels import run

SITE = "https://help.example.test"  # SITE_URL in tests/conftest.py
SVG = "{http://www.w3.org/2000/svg}"


def start_return(app, client, method: str) -> str:
    """Return both linen tees (too small) through the portal by `method` ("label" or
    "drop_off"); the status page's path."""
    tee = line_ids(app, make_order(app))[0]
    look_up(client)
    chosen = choose(client, method=method, **{f"qty-{tee}": "2", f"reason-{tee}": "too_small"})
    assert chosen.status_code == 303
    response, _ = confirm(client)
    assert response.status_code == 303
    return response.headers["Location"]


def the_return(app) -> ReturnRequest:
    with app.app_context():
        ret = db.session.execute(select(ReturnRequest)).scalar_one()
        db.session.expunge(ret)
        return ret


def label_email(app) -> OutboxMessage:
    with app.app_context():
        [message] = db.session.execute(
            select(OutboxMessage).where(OutboxMessage.subject.like("%label ready"))
        ).scalars()
        return message


def pdf_pages(path) -> list[str]:
    """Each page's text, its whitespace made single spaces."""
    text = run("pdftotext", "-layout", str(path), "-")
    return [" ".join(page.split()) for page in text.split("\f") if page.strip()]


def rasterise(svg: bytes, scale: int = 4) -> Image.Image:
    """Draw the SVG's filled rectangles (all the QR code is made of) on white, as a screen
    would: the y axis flipped as the SVG's group transform says."""
    root = ET.fromstring(svg)
    height = float(root.get("height"))
    group = root.find(f"{SVG}g")
    assert group.get("transform") == f"scale(1,-1) translate(0,-{height:g})"
    image = Image.new("L", (round(float(root.get("width")) * scale), round(height * scale)), 255)
    draw = ImageDraw.Draw(image)
    for rect in group.iter(f"{SVG}rect"):
        fill = re.search(r"fill: ([^;]+);", rect.get("style")).group(1)
        if fill == "none":
            continue
        x, y, w, h = (float(rect.get(k)) for k in ("x", "y", "width", "height"))
        shade = 0 if fill == "rgb(0%,0%,0%)" else 255
        top = height - y - h
        draw.rectangle(
            [x * scale, top * scale, (x + w) * scale - 1, (top + h) * scale - 1], fill=shade
        )
    return image


def test_drop_off_status_page_shows_the_qr_code_large_with_the_tracking_number(
    app, client, tmp_path
):
    status_path = start_return(app, client, "drop_off")
    ret = the_return(app)
    html = client.get(status_path).get_data(as_text=True)

    img = re.search(r"<img [^>]*>", html).group(0)
    alt = unescape(re.search(r'alt="([^"]+)"', img).group(1))
    assert alt == f"Drop-off QR code for return {ret.rma_number}"
    assert 'width="240" height="240"' in img
    assert f"Tracking number <strong>{ret.tracking_number}</strong>" in html
    assert "Open the QR code and packing slip (PDF)" in html

    src = unescape(re.search(r'src="([^"]+)"', img).group(1))
    assert src == f"{status_path}/qr.svg"
    qr = client.get(src)
    assert qr.status_code == 200 and qr.mimetype == "image/svg+xml"
    rasterise(qr.data).save(tmp_path / "qr.png")
    scanned = run(
        "zbarimg", "--quiet", "--raw", "-Sdisable", "-Sqrcode.enable", str(tmp_path / "qr.png")
    )
    assert scanned.splitlines() == [f"RETURN {ret.rma_number} {ret.tracking_number}"]


def test_the_qr_code_needs_the_signed_link(app, client):
    status_path = start_return(app, client, "drop_off")
    token = status_path.rsplit("/", 1)[-1]
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    assert client.get(f"/returns/{tampered}/qr.svg").status_code == 404


def test_prepaid_label_status_page_has_no_qr_image_but_the_label_link(app, client):
    status_path = start_return(app, client, "label")
    html = client.get(status_path).get_data(as_text=True)
    assert "<img" not in html.split('id="label-heading"')[1].split("</section>")[0]
    assert "Download the label (PDF)" in html
    assert "attach the label to the parcel and put the packing slip inside it" in html


def test_label_email_links_straight_to_the_pdf_with_its_packing_slip(app, client, tmp_path):
    status_path = start_return(app, client, "label")
    ret = the_return(app)
    email = label_email(app)
    assert email.to_address == "ana@example.com"

    links = re.findall(r"https?://\S+", email.body)
    assert links == [f"{SITE}{status_path}/label.pdf", f"{SITE}{status_path}"]
    assert "Print the prepaid label (PDF), attach it to the parcel" in email.body
    assert f"Tracking number: {ret.tracking_number} (Juniper Local Post)" in email.body

    label = client.get(links[0])  # the link as the customer's mail client follows it
    assert label.status_code == 200 and label.mimetype == "application/pdf"
    pdf = tmp_path / "label.pdf"
    pdf.write_bytes(label.data)
    info = run("pdfinfo", str(pdf))
    assert re.search(r"^Pages:\s+2$", info, re.M), info

    first, slip = pdf_pages(pdf)
    assert "PREPAID RETURN" in first and "PACKING SLIP" not in first
    assert "PACKING SLIP" in slip and "PREPAID RETURN" not in slip
    assert f"RMA {ret.rma_number}" in slip
    assert "ORDER TRACKING NUMBER JP-10001" in slip and ret.tracking_number in slip
    assert re.search(r"\b2 ?× Linen tee SKU TEE-LIN-M Reason: Too small\b", slip), slip
    assert "Put this slip inside the parcel, on top of the items" in slip


def test_drop_off_email_gives_the_qr_code_link(app, client):
    status_path = start_return(app, client, "drop_off")
    body = label_email(app).body
    assert "Show the QR code at any drop-off point; no printing needed." in body
    assert f"Your QR code (PDF):\n{SITE}{status_path}/label.pdf\n" in body
    assert "put the PDF's second page, the packing slip, inside the parcel" in body
