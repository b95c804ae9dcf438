"""The prepaid return label and its packing slip, checked with real tools: poppler reads the
PDF, zbar scans it."""

import re
import shutil
import subprocess

import pytest

from app.returns.carrier import LocalCarrier, valid_tracking_number
from app.returns.labels import (
    DROP_OFF_NOTE,
    PACKING_SLIP_NOTE,
    Address,
    LabelData,
    SlipItem,
    render_label,
)

INSTALL = "sudo apt-get install -y zbar-tools poppler-utils"
RMA = "RMA-2026-000123"
WAREHOUSE = Address(
    "Juniper & Co. Returns Warehouse",
    ("Unit 9, Riverside Industrial Estate", "Leeds LS10 1AB", "United Kingdom"),
)
CUSTOMER = Address("Jane Doe", ("12 Orchard Lane", "Springfield 12345", "United Kingdom"))
ITEMS = (
    SlipItem("Linen shirt", "SHIRT-LIN-M", 2, "Too small"),
    SlipItem("Waxed canvas tote", "BAG-TOTE-OLV", 1, "Arrived damaged"),
)
BOX = re.compile(r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)<')


def run(tool: str, *args: str) -> str:
    """Run a poppler or zbar command and return its stdout; fail, never skip, if it is missing."""
    if shutil.which(tool) is None:
        pytest.fail(f"{tool} not found: run `{INSTALL}`")
    result = subprocess.run([tool, *args], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, f"{tool} {' '.join(args)} failed:\n{result.stderr}"
    return result.stdout


def make_label(method: str = "drop_off", **changes) -> LabelData:
    shipment = LocalCarrier().create_shipment(RMA)
    fields = {
        "ship_from": CUSTOMER,
        "ship_to": WAREHOUSE,
        "rma_number": RMA,
        "order_number": "JP-10481",
        "tracking_number": shipment.tracking_number,
        "carrier": shipment.carrier,
        "qr_payload": f"https://shop.example.com/returns/{RMA}/drop-off?t={shipment.tracking_number}",
        "method": method,
        "items": ITEMS,
    }
    return LabelData(**(fields | changes))


@pytest.fixture
def label_pdf(tmp_path):
    """A function that writes a label's PDF into tmp_path and returns its path."""

    def render(label: LabelData):
        path = tmp_path / "label.pdf"
        path.write_bytes(render_label(label))
        return path

    return render


def scan(pdf, tmp_path, *symbologies: str) -> list[str]:
    """Rasterise the PDF at 300 dpi, as a label printer would, and decode it with zbarimg."""
    run("pdftoppm", "-r", "300", "-png", "-singlefile", str(pdf), str(tmp_path / "label"))
    only = ["-Sdisable", *(f"-S{s}.enable" for s in symbologies)] if symbologies else []
    out = run("zbarimg", "--quiet", "--raw", *only, str(tmp_path / "label.png"))
    return sorted(out.splitlines())


def pages_text(pdf) -> list[str]:
    """Each page's text, its whitespace made single spaces."""
    text = run("pdftotext", "-layout", str(pdf), "-")
    return [" ".join(page.split()) for page in text.split("\f") if page.strip()]


def words(pdf, page: int) -> list[tuple[float, float, float, float, str]]:
    """Each word on one page with its box (x_min, y_min, x_max, y_max, text), y downwards."""
    boxes = run("pdftotext", "-bbox", "-f", str(page), "-l", str(page), str(pdf), "-")
    return [(*(float(v) for v in box[:4]), box[4]) for box in BOX.findall(boxes)]


def assert_inside_and_apart(found: list[tuple]) -> None:
    """Every word inside the page's margins, and no two words overlapping."""
    for x_min, y_min, x_max, y_max, _ in found:
        assert 12 <= x_min < x_max <= 288 - 12 and 12 <= y_min < y_max <= 432 - 12
    for i, a in enumerate(found):
        for b in found[i + 1 :]:
            assert a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1], (a, b)


def test_label_is_a_4x6_inch_pdf_with_title_and_a_packing_slip_page(label_pdf):
    info = run("pdfinfo", "-f", "1", "-l", "2", str(label_pdf(make_label())))
    assert re.search(r"^Page\s+1 size:\s+288 x 432 pts", info, re.M), info
    assert re.search(r"^Page\s+2 size:\s+288 x 432 pts", info, re.M), info
    assert re.search(rf"^Title:\s+Return label {RMA}$", info, re.M), info
    assert re.search(r"^Pages:\s+2$", info, re.M), info


@pytest.mark.parametrize("method", ["drop_off", "label"])
def test_packing_slip_lists_the_rma_order_and_each_item(label_pdf, method):
    label = make_label(method)
    first, slip = pages_text(label_pdf(label))
    assert "PACKING SLIP" not in first and "Linen shirt" not in first
    assert slip.startswith("PACKING SLIP RMA")
    assert f"RMA {RMA} ORDER TRACKING NUMBER JP-10481 {label.tracking_number}" in slip
    assert re.search(r"\b2 ?× Linen shirt SKU SHIRT-LIN-M Reason: Too small\b", slip), slip
    assert re.search(r"\b1 ?× Waxed canvas tote SKU BAG-TOTE-OLV Reason: Arrived damaged", slip)
    assert PACKING_SLIP_NOTE in slip


def test_many_items_continue_the_slip_on_more_pages(label_pdf):
    items = tuple(
        SlipItem(
            f"Item number {n} " + "with a long name " * (n % 3), f"SKU-{n:03d}", n, "Too large"
        )
        for n in range(1, 31)
    )
    pdf = label_pdf(make_label(items=items))
    pages = pages_text(pdf)
    assert len(pages) > 2 and re.search(rf"^Pages:\s+{len(pages)}$", run("pdfinfo", str(pdf)), re.M)
    slip = " ".join(pages[1:])
    for n in range(1, 31):  # every item once, in order
        assert slip.count(f"SKU SKU-{n:03d} ") == 1, n
    assert [int(n) for n in re.findall(r"SKU SKU-(\d+)", slip)] == list(range(1, 31))
    for number, text in enumerate(pages[1:], start=1):
        assert text.startswith(f"PACKING SLIP {number} OF {len(pages) - 1} ")
        assert f"RMA {RMA}" in text
        assert_inside_and_apart(words(pdf, number + 1))


def test_long_item_names_and_skus_stay_on_the_slip(label_pdf):
    name = "Hand-knitted merino and alpaca blend oversized cardigan with horn buttons " * 3
    pdf = label_pdf(
        make_label(
            order_number="JP-" + "8" * 60,
            items=(SlipItem(name, "SKU-" + "X" * 80, 12, "Defective or stopped working " * 4),),
        )
    )
    found = words(pdf, 2)
    assert_inside_and_apart(found)
    slip = " ".join(word for *_, word in found)
    assert "Hand-knitted merino" in slip and "\u2026" in slip  # the name's second line is cut
    assert re.search(r"\b12 ?×", slip)


def test_barcode_and_qr_code_scan(label_pdf, tmp_path):
    label = make_label()
    pdf = label_pdf(label)
    assert scan(pdf, tmp_path) == sorted([label.tracking_number, label.qr_payload])
    assert scan(pdf, tmp_path, "code128") == [label.tracking_number]
    assert scan(pdf, tmp_path, "qrcode") == [label.qr_payload]


@pytest.mark.parametrize("method", ["drop_off", "label"])
def test_label_text(label_pdf, method):
    label = make_label(method)
    text = " ".join(run("pdftotext", "-layout", str(label_pdf(label)), "-").split())
    for shown in (label.carrier, "PREPAID RETURN", RMA, label.tracking_number, WAREHOUSE.name):
        assert shown in text
    assert "Jane Doe" in text and "Leeds LS10 1AB" in text
    assert (DROP_OFF_NOTE in text) == (method == "drop_off")


def test_long_addresses_stay_on_the_page(label_pdf, tmp_path):
    long = "Flat 4, The Very Long Building Name Behind the Old Mill by the River Crossing Road " * 3
    label = make_label(
        ship_from=Address("Jane " + "Featherstonehaugh-" * 8 + "Doe", (long, "a", "b", "c", long)),
        ship_to=Address("Returns " * 12, (long,) * 7),
        rma_number="RMA-" + "9" * 40,
    )
    pdf = label_pdf(label)
    found = words(pdf, 1)
    assert len(found) > 20
    assert_inside_and_apart(found)
    assert any("\u2026" in word for *_, word in found)  # cut lines end in an ellipsis
    assert scan(pdf, tmp_path) == sorted([label.tracking_number, label.qr_payload])


def test_unknown_method_is_refused():
    with pytest.raises(ValueError, match="method"):
        render_label(make_label("carrier_pigeon"))


def test_local_carrier_tracking_numbers_are_unique_and_valid():
    carrier = LocalCarrier()
    numbers = [carrier.create_shipment(f"RMA-{i}").tracking_number for i in range(200)]
    assert len(set(numbers)) == 200
    assert all(re.fullmatch(r"JP\d{16}", n) and valid_tracking_number(n) for n in numbers)
    assert carrier.create_shipment(RMA).carrier == carrier.name == "Juniper Local Post"


def test_a_changed_digit_fails_the_check():
    number = LocalCarrier().create_shipment(RMA).tracking_number
    for i in range(2, len(number)):
        for digit in "0123456789".replace(number[i], ""):
            changed = number[:i] + digit + number[i + 1 :]
            assert not valid_tracking_number(changed), changed


@pytest.mark.parametrize(
    ("number", "valid"),
    [
        ("JP4242424242424242", True),  # a well-known Luhn-valid 16-digit number
        ("JP4242424242424241", False),
        ("XX4242424242424242", False),
        ("jp4242424242424242", False),
        ("JP424242424242424", False),
        ("JP42424242424242420", False),
        ("JP42424242424242A2", False),
        ("", False),
    ],
)
def test_valid_tracking_number(number, valid):
    assert valid_tracking_number(number) is valid
