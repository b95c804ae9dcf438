"""The prepaid return label: what it says, and `render_label`, which draws it as a 4x6 inch PDF
(app/returns/label_pdf.py). The drawing library, reportlab, costs a process about 25 MB, so it
is loaded with the first label the process draws rather than with the app."""

from dataclasses import dataclass

METHODS = ("label", "drop_off")
DROP_OFF_NOTE = "Show this QR code at any drop-off point \u2014 no printing needed."
LABEL_NOTE = "Attach this label to the parcel, or show the QR code at any drop-off point."


@dataclass(frozen=True)
class Address:
    name: str
    lines: tuple[str, ...]


@dataclass(frozen=True)
class LabelData:
    ship_from: Address
    ship_to: Address
    rma_number: str
    tracking_number: str
    carrier: str
    qr_payload: str
    method: str  # "label" or "drop_off"


def render_label(label: LabelData) -> bytes:
    """The label as a one-page 4x6 inch PDF."""
    if label.method not in METHODS:
        raise ValueError(f"unknown return method {label.method!r}")
    from app.returns import label_pdf  # reportlab, on first use (see above)

    return label_pdf.render(label)
