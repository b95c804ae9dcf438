"""Drawing the prepaid return label: a 4x6 inch PDF with the addresses, the RMA number, a
Code128 barcode of the tracking number and a QR code for paperless drop-off, then the packing
slip (the RMA and order numbers and each item going back) on the page or pages after it. The
QR code is also drawn alone as SVG, for the status page.

Only the built-in Helvetica fonts are used, and every line is shrunk or cut to fit the page.
"""

from io import BytesIO

from reportlab.graphics import renderPDF, renderSVG
from reportlab.graphics.barcode.code128 import Code128
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing, Rect
from reportlab.lib.colors import black, white
from reportlab.lib.units import inch
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from app.returns.labels import Address, LabelData, SlipItem

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
QR_SVG_SIZE = 240  # the SVG's own size; it scales

BAND = 30  # the black band across the top of each page
SLIP_TOP = PAGE_HEIGHT - MARGIN - BAND - 6  # where a packing slip page's text starts
COLUMN_HEADINGS = 12  # QTY, ITEM
QTY_WIDTH = 30  # the packing slip's quantity column
NAME_SIZE, DETAIL_SIZE, NOTE_SIZE = 10, 8.5, 9
NAME_LINES = 2  # an item's name wraps onto this many lines at most


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


def qr_drawing(payload: str, size: float) -> Drawing:
    """A QR code of `payload`, `size` square including its quiet border, on white."""
    drawing = Drawing(size, size)
    # types-reportlab types Rect's **kw as the TypedDict itself, not Unpack[...] of it.
    drawing.add(Rect(0, 0, size, size, fillColor=white, strokeColor=None))  # type: ignore[arg-type]
    drawing.add(QrCodeWidget(payload, barLevel="M", barWidth=size, barHeight=size))
    return drawing


def qr_svg(payload: str) -> str:
    """A QR code of `payload` as an SVG document."""
    return renderSVG.drawToString(qr_drawing(payload, QR_SVG_SIZE))


def _band(c: Canvas, left: str, right: str) -> float:
    """The black band across the top of a page, `left` fitted beside `right`; return its
    bottom's y."""
    top = PAGE_HEIGHT - MARGIN
    c.setFillColor(black)
    c.rect(MARGIN, top - BAND, CONTENT_WIDTH, BAND, stroke=0, fill=1)
    c.setFillColor(white)
    c.setFont(BOLD, 13)
    c.drawRightString(PAGE_WIDTH - MARGIN - 6, top - 20, right)
    left_width = CONTENT_WIDTH - 12 - stringWidth(right, BOLD, 13) - 10
    _line(c, MARGIN + 6, top - 20, left, BOLD, 12, left_width, min_size=8)
    c.setFillColor(black)
    return top - BAND


def _draw_label(c: Canvas, label: LabelData) -> None:
    """The label itself: one 4x6 page."""
    # Header band: carrier on the left, PREPAID RETURN on the right.
    band_bottom = _band(c, label.carrier, "PREPAID RETURN")

    # Addresses from the top down: the customer small, the warehouse large.
    y = _address(c, band_bottom - 6, "FROM", label.ship_from, 8, 7.5, 6.5, max_lines=3)
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
    renderPDF.draw(qr_drawing(label.qr_payload, QR_SIZE), c, qr_x, y + 2)
    text_width = qr_x - MARGIN
    _line(c, MARGIN, row_top - 14, "RMA", BOLD, 8, text_width)
    _line(c, MARGIN, row_top - 38, label.rma_number, BOLD, 22, text_width, min_size=10)
    note = label.label_note
    c.setFont(REGULAR, 8.5)
    note_y: float = row_top - 56
    for line in simpleSplit(note, REGULAR, 8.5, text_width)[:4]:
        c.drawString(MARGIN, note_y, line)
        note_y -= 10.5
    _rule(c, row_top + 4)


def _name_lines(item: SlipItem) -> list[str]:
    """An item's name wrapped to the slip's item column, the last line cut if it runs on."""
    width = CONTENT_WIDTH - QTY_WIDTH
    lines = simpleSplit(" ".join(item.name.split()), BOLD, NAME_SIZE, width) or [""]
    if len(lines) > NAME_LINES:
        rest = " ".join(lines[NAME_LINES - 1 :])
        lines = [*lines[: NAME_LINES - 1], fit(rest, BOLD, NAME_SIZE, width)[0]]
    return lines


def _item_height(item: SlipItem) -> float:
    return len(_name_lines(item)) * (NAME_SIZE + 2) + 2 * (DETAIL_SIZE + 3) + 8


def _note_lines(label: LabelData) -> list[str]:
    lines: list[str] = simpleSplit(label.slip_note, REGULAR, NOTE_SIZE, CONTENT_WIDTH)
    return lines


def _heading_height(label: LabelData, page: int) -> float:
    """How far below SLIP_TOP a slip page's items start (their column headings included)."""
    if page > 1:
        return 18 + COLUMN_HEADINGS
    return 70 + len(_note_lines(label)) * (NOTE_SIZE + 2) + 6 + COLUMN_HEADINGS


def _slip_heading(c: Canvas, label: LabelData, page: int, pages: int) -> float:
    """The top of a packing slip page; return the y below which its items go."""
    _band(c, "PACKING SLIP", f"{page} OF {pages}" if pages > 1 else "")
    y = SLIP_TOP
    if page > 1:  # a continuation: enough to match it with the first page
        _line(c, MARGIN, y - 10, f"RMA {label.rma_number}", BOLD, 10, CONTENT_WIDTH, 7)
    else:
        _line(c, MARGIN, y - 7, "RMA", BOLD, 7, CONTENT_WIDTH)
        _line(c, MARGIN, y - 29, label.rma_number, BOLD, 20, CONTENT_WIDTH, min_size=10)
        half = CONTENT_WIDTH / 2
        _line(c, MARGIN, y - 42, "ORDER", BOLD, 7, half - 6)
        _line(c, MARGIN, y - 55, label.order_number, BOLD, 11, half - 6, min_size=7)
        _line(c, MARGIN + half, y - 42, "TRACKING NUMBER", BOLD, 7, half)
        _line(c, MARGIN + half, y - 55, label.tracking_number, REGULAR, 10, half, min_size=6)
        y -= 70
        c.setFont(REGULAR, NOTE_SIZE)
        for line in _note_lines(label):
            c.drawString(MARGIN, y, line)
            y -= NOTE_SIZE + 2
        _rule(c, y + 2)
    y = SLIP_TOP - _heading_height(label, page) + COLUMN_HEADINGS
    _line(c, MARGIN, y - 7, "QTY", BOLD, 7, QTY_WIDTH - 4)
    _line(c, MARGIN + QTY_WIDTH, y - 7, "ITEM", BOLD, 7, CONTENT_WIDTH - QTY_WIDTH)
    return y - COLUMN_HEADINGS


def _slip_pages(label: LabelData) -> list[list[SlipItem]]:
    """The items, in order, split into the packing slip's pages."""
    pages: list[list[SlipItem]] = [[]]
    room = SLIP_TOP - _heading_height(label, 1) - MARGIN
    for item in label.items:
        height = _item_height(item)
        if pages[-1] and height > room:
            pages.append([])
            room = SLIP_TOP - _heading_height(label, len(pages)) - MARGIN
        pages[-1].append(item)
        room -= height
    return pages


def _draw_item(c: Canvas, item: SlipItem, top: float) -> float:
    """One item, below `top`: quantity, name, SKU and reason; return the y of its bottom."""
    x, width = MARGIN + QTY_WIDTH, CONTENT_WIDTH - QTY_WIDTH
    y = top - NAME_SIZE
    _line(c, MARGIN, y, f"{item.quantity} \u00d7", BOLD, NAME_SIZE, QTY_WIDTH - 4, 6)
    for line in _name_lines(item):
        _line(c, x, y, line, BOLD, NAME_SIZE, width)
        y -= NAME_SIZE + 2
    y -= 1
    _line(c, x, y, f"SKU {item.sku}", REGULAR, DETAIL_SIZE, width, min_size=6)
    y -= DETAIL_SIZE + 3
    _line(c, x, y, f"Reason: {item.reason}", REGULAR, DETAIL_SIZE, width, min_size=6)
    y -= 6
    c.setLineWidth(0.4)
    c.line(MARGIN, y, PAGE_WIDTH - MARGIN, y)
    return y - 2


def _draw_slip(c: Canvas, label: LabelData) -> None:
    """The packing slip, on as many 4x6 pages as its items need."""
    pages = _slip_pages(label)
    for number, items in enumerate(pages, start=1):
        y = _slip_heading(c, label, number, len(pages))
        for item in items:
            y = _draw_item(c, item, y)
        c.showPage()


def render(label: LabelData, with_label: bool = True) -> bytes:
    """The label as a 4x6 inch PDF: the label, then the packing slip (the slip alone without
    `with_label`, when the carrier made the label)."""
    buffer = BytesIO()
    c = Canvas(buffer, pagesize=(PAGE_WIDTH, PAGE_HEIGHT))
    c.setTitle(f"{'Return label' if with_label else 'Packing slip'} {label.rma_number}")
    c.setSubject(f"Prepaid return, tracking number {label.tracking_number}")
    c.setAuthor(label.carrier)
    c.setCreator("Frontdesk")
    if with_label:
        _draw_label(c, label)
        c.showPage()
    _draw_slip(c, label)
    c.save()
    return buffer.getvalue()
