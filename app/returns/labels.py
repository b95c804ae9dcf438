"""The prepaid return label: what it says; `render_label`, which draws it as a 4x6 inch PDF
whose second page is the packing slip (app/returns/label_pdf.py); and `render_qr_svg`, the
label's QR code alone for the status page. The drawing library, reportlab, costs a process
about 25 MB, so it is loaded with the first label the process draws rather than with the app."""

from dataclasses import dataclass

from app.i18n import N_

METHODS = ("label", "drop_off")
# What the customer is told on the label and the slip (in their language: LabelData's notes).
DROP_OFF_NOTE = N_("Show this QR code at any drop-off point \u2014 no printing needed.")
LABEL_NOTE = N_("Attach this label to the parcel, or show the QR code at any drop-off point.")
PACKING_SLIP_NOTE = N_(
    "Put this slip inside the parcel, on top of the items, so our warehouse knows whose "
    "return it is."
)


@dataclass(frozen=True)
class Address:
    name: str
    lines: tuple[str, ...]


@dataclass(frozen=True)
class SlipItem:
    """One item going back, as the packing slip lists it."""

    name: str
    sku: str
    quantity: int
    reason: str  # the reason's label, as the customer chose it ("Too small")


@dataclass(frozen=True)
class LabelData:
    ship_from: Address
    ship_to: Address
    rma_number: str
    order_number: str
    tracking_number: str
    carrier: str
    qr_payload: str
    method: str  # "label" or "drop_off"
    items: tuple[SlipItem, ...]
    # The notes telling the customer what to do ("": in English, the label's by its method).
    note: str = ""
    slip_note: str = PACKING_SLIP_NOTE

    @property
    def label_note(self) -> str:
        return self.note or method_note(self.method)


def method_note(method: str) -> str:
    """What the label tells the customer to do with it, by return method (in English)."""
    return DROP_OFF_NOTE if method == "drop_off" else LABEL_NOTE


def render_label(label: LabelData) -> bytes:
    """The label as a 4x6 inch PDF: the label on page 1, the packing slip after it."""
    if label.method not in METHODS:
        raise ValueError(f"unknown return method {label.method!r}")
    from app.returns import label_pdf  # reportlab, on first use (see above)

    return label_pdf.render(label)


def render_packing_slip(label: LabelData) -> bytes:
    """The packing slip alone, on 4x6 inch pages: for a label the carrier made."""
    from app.returns import label_pdf  # reportlab, on first use (see above)

    return label_pdf.render(label, with_label=False)


def render_qr_svg(payload: str) -> str:
    """A label's QR code (`qr_payload`, what drop-off points scan) as an SVG image, white
    behind."""
    from app.returns import label_pdf  # reportlab, on first use (see above)

    return label_pdf.qr_svg(payload)
