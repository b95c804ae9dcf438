"""Drawing the prepaid return label: a 4x6 inch PDF with the addresses, the RMA number, a
Code128 barcode of the tracking number and a QR code for paperless drop-off.

Only the built-in Helvetica fonts are used, and every line is shrunk or cut to fit the page.
"""

from io import BytesIO

from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.code128 import Code128
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.colors import black, white
from reportlab.lib.units import inch
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from app.returns.labels import DROP_OFF_NOTE, LABEL_NOTE, Address, LabelData

PAGE_WIDTH, PAGE_HEIGHT = 4 * inch, 6 * inch  # 288 x 432 pt, portrait
MARGIN = 12
CONTENT_WIDTH = PAGE_WIDTH - 2 * MARGIN
REGULAR, BOLD = "Helvetica", "Helvetica-Bold"
ELLIPSIS = "\u2026"

BAR_WIDTH = 1.4  # pt per module: about 5.8 printer dots at 300 dpi
MIN_BAR_WIDTH = 0.8
BAR_HEIGHT = 70
QUIET_MODULES = 10
QR_SIZE = 110  # pt, including the 4-module quiet border


def fit(text: str, font: str, size: float, width: float, min_size: float = 0) -> tuple[str, float]:
    """Shrink `text` towards `min_size`, then cut it with an ellipsis, until it fits `width`."""
    text = " ".join(text.split())
    min_size = min_size or size
    while size > min_size and stringWidth(text, font, size) > width:
        size = max(min_size, size - 0.5)
    if stringWidth(text, font, size) <= width:
        return text, size
    while text and stringWidth(text + ELLIPSIS, font, size) > width:
        text = text[:-1]
    return text.rstrip() + ELLIPSIS, size


def _line(
    c: Canvas,
    x: float,
    y: float,
    text: str,
    font: str,
    size: float,
    width: float,
    min_size: float = 0,
) -> None:
    """Draw one line of text at baseline `y`, fitted to `width`."""
    text, size = fit(text, font, size, width, min_size)
    c.setFont(font, size)
    c.drawString(x, y, text)


def _address(
    c: Canvas,
    top: float,
    heading: str,
    address: Address,
    name_size: float,
    line_size: float,
    min_size: float,
    max_lines: int,
) -> float:
    """Draw an address block below `top`; return the y of its bottom."""
    x, width = MARGIN, CONTENT_WIDTH
    y = top - 7
    _line(c, x, y, heading, BOLD, 7, width)
    y -= name_size + 2
    _line(c, x, y, address.name, BOLD, name_size, width, min_size)
    lines = [line for line in address.lines if line.strip()]
    if len(lines) > max_lines:  # keep the last line (city, country), join the middle ones
        lines = [*lines[: max_lines - 2], ", ".join(lines[max_lines - 2 : -1]), lines[-1]]
    for line in lines:
        y -= line_size + 2
        _line(c, x, y, line, REGULAR, line_size, width, min_size)
    return y - 4


def _rule(c: Canvas, y: float) -> None:
    c.setLineWidth(1)
    c.line(MARGIN, y, PAGE_WIDTH - MARGIN, y)


def _barcode(c: Canvas, tracking_number: str, y: float) -> None:
    """Draw a Code128 barcode of the tracking number, centred, with its bottom at `y`."""
    probe = Code128(tracking_number, barWidth=1, quiet=0)
    modules = probe.width  # at barWidth 1 the width is the module count
    bar_width = min(BAR_WIDTH, CONTENT_WIDTH / (modules + 2 * QUIET_MODULES))
    if bar_width < MIN_BAR_WIDTH:
        raise ValueError(f"tracking number too long for a scannable barcode: {tracking_number!r}")
    quiet = QUIET_MODULES * bar_width
    barcode = Code128(
        tracking_number, barWidth=bar_width, barHeight=BAR_HEIGHT, lquiet=quiet, rquiet=quiet
    )
    barcode.drawOn(c, (PAGE_WIDTH - barcode.width) / 2, y)


def _qr(c: Canvas, payload: str, x: float, y: float) -> None:
    """Draw a QR code of `payload`, QR_SIZE square with its bottom-left corner at (x, y)."""
    widget = QrCodeWidget(payload, barLevel="M", barWidth=QR_SIZE, barHeight=QR_SIZE)
    drawing = Drawing(QR_SIZE, QR_SIZE)
    drawing.add(widget)
    renderPDF.draw(drawing, c, x, y)


def render(label: LabelData) -> bytes:
    """The label as a one-page 4x6 inch PDF."""
    buffer = BytesIO()
    c = Canvas(buffer, pagesize=(PAGE_WIDTH, PAGE_HEIGHT))
    c.setTitle(f"Return label {label.rma_number}")
    c.setSubject(f"Prepaid return, tracking number {label.tracking_number}")
    c.setAuthor(label.carrier)
    c.setCreator("Frontdesk")

    # Header band: carrier on the left, PREPAID RETURN on the right.
    top = PAGE_HEIGHT - MARGIN
    band = 30
    c.setFillColor(black)
    c.rect(MARGIN, top - band, CONTENT_WIDTH, band, stroke=0, fill=1)
    c.setFillColor(white)
    c.setFont(BOLD, 13)
    c.drawRightString(PAGE_WIDTH - MARGIN - 6, top - 20, "PREPAID RETURN")
    carrier_width = CONTENT_WIDTH - 12 - stringWidth("PREPAID RETURN", BOLD, 13) - 10
    _line(c, MARGIN + 6, top - 20, label.carrier, BOLD, 12, carrier_width, min_size=8)
    c.setFillColor(black)

    # Addresses from the top down: the customer small, the warehouse large.
    y = _address(c, top - band - 6, "FROM", label.ship_from, 8, 7.5, 6.5, max_lines=3)
    _rule(c, y)
    _address(c, y - 4, "SHIP TO", label.ship_to, 15, 12, 9, max_lines=4)

    # From the foot up: the tracking barcode with its number under it ...
    text_y = MARGIN + 4
    bars_y = text_y + 14
    tracking, size = fit(label.tracking_number, BOLD, 12, CONTENT_WIDTH, min_size=8)
    c.setFont(BOLD, size)
    c.drawCentredString(PAGE_WIDTH / 2, text_y, tracking)
    _barcode(c, label.tracking_number, bars_y)
    c.setFont(REGULAR, 7)
    c.drawString(MARGIN, bars_y + BAR_HEIGHT + 5, "TRACKING NUMBER")
    y = bars_y + BAR_HEIGHT + 16
    _rule(c, y)

    # ... and above it the RMA number and drop-off note, with the QR code on the right.
    row_top = y + 2 + QR_SIZE
    qr_x = PAGE_WIDTH - MARGIN - QR_SIZE + 8  # the QR's own white border stands in for margin
    _qr(c, label.qr_payload, qr_x, y + 2)
    text_width = qr_x - MARGIN
    _line(c, MARGIN, row_top - 14, "RMA", BOLD, 8, text_width)
    _line(c, MARGIN, row_top - 38, label.rma_number, BOLD, 22, text_width, min_size=10)
    note = DROP_OFF_NOTE if label.method == "drop_off" else LABEL_NOTE
    c.setFont(REGULAR, 8.5)
    note_y = row_top - 56
    for line in simpleSplit(note, REGULAR, 8.5, text_width)[:4]:
        c.drawString(MARGIN, note_y, line)
        note_y -= 10.5
    _rule(c, row_top + 4)

    c.showPage()
    c.save()
    return buffer.getvalue()
