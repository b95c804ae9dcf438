"""Carriers that sell the label for a prepaid return, and take unused postage back.

`LocalCarrier` is the built-in carrier: it makes tracking numbers locally, with no network, and
the site draws the label itself (app/returns/label_pdf.py). `EasyPostCarrier`
(app/returns/easypost_carrier.py) buys real labels; `make_carrier` picks one from the settings
(CARRIER), so the code that books a return does not change.
"""

import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

TRACKING_PREFIX = "JP"
_TRACKING_RE = re.compile(rf"{TRACKING_PREFIX}\d{{16}}")
CARRIERS = ("local", "easypost")


@dataclass(frozen=True)
class PostalAddress:
    name: str
    street1: str
    street2: str
    city: str
    region: str  # state or province
    postal_code: str
    country: str  # two letters
    email: str = ""


@dataclass(frozen=True)
class LabelRequest:
    """What a carrier needs to sell a return label: the parcel goes from the customer to the
    warehouse (which the carrier's own settings hold)."""

    rma_number: str
    order_number: str
    customer: PostalAddress


@dataclass(frozen=True)
class Shipment:
    carrier: str
    tracking_number: str
    # From a carrier's API: its id for the shipment (to refund the label), the service bought,
    # the label file, its type, and the carrier's link to it. None: the site draws the label.
    shipment_id: str | None = None
    service: str = ""
    label: bytes | None = None
    label_type: str = "application/pdf"
    label_url: str | None = None


@dataclass(frozen=True)
class LabelRefund:
    """What the carrier said to a request for an unused label's postage back."""

    status: str  # submitted | refunded | rejected
    note: str = ""


class CarrierError(RuntimeError):
    """The carrier could not do what was asked (it refused, failed, or did not answer in
    time, even after retries); the message says why, in words staff can act on."""


class Carrier(Protocol):
    name: str

    def buy_label(self, request: LabelRequest) -> Shipment:
        """Buy the return label (raises CarrierError)."""
        ...

    def refund_label(self, shipment_id: str) -> LabelRefund:
        """Ask for an unused label's postage back (raises CarrierError)."""
        ...


def luhn_digit(digits: str) -> str:
    """The Luhn check digit to append to a string of digits."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        n = int(ch)
        if i % 2 == 0:  # doubled: these positions sit next to the check digit once it is appended
            n = n * 2 - 9 if n > 4 else n * 2
        total += n
    return str(-total % 10)


def valid_tracking_number(s: str) -> bool:
    """Whether `s` is a LocalCarrier tracking number: JP, 15 digits, then a Luhn check digit."""
    if not isinstance(s, str) or not _TRACKING_RE.fullmatch(s):
        return False
    body = s[len(TRACKING_PREFIX) :]
    return luhn_digit(body[:-1]) == body[-1]


class LocalCarrier:
    """Issues tracking numbers locally: JP + 15 random digits + a Luhn check digit."""

    name = "Juniper Local Post"

    def create_shipment(self, rma_number: str) -> Shipment:
        """Book a return shipment for `rma_number` and return its tracking number."""
        body = "".join(secrets.choice("0123456789") for _ in range(15))
        return Shipment(self.name, f"{TRACKING_PREFIX}{body}{luhn_digit(body)}")

    def buy_label(self, request: LabelRequest) -> Shipment:
        return self.create_shipment(request.rma_number)

    def refund_label(self, shipment_id: str) -> LabelRefund:
        """Nothing was paid for a locally made label, so there is nothing to take back."""
        return LabelRefund("refunded", "The built-in carrier charges nothing.")


def make_carrier(config: Mapping[str, Any]) -> Carrier:
    """The carrier CARRIER names: "local" (the default: no keys, no network) or "easypost"
    (EASYPOST_API_KEY; the warehouse is RETURNS_WAREHOUSE). Raises ValueError for settings
    it can't work with."""
    name = (config.get("CARRIER") or "local").strip().lower()
    if name not in CARRIERS:
        raise ValueError(f"CARRIER must be one of {', '.join(CARRIERS)}, not {name!r}")
    if name == "local":
        return LocalCarrier()
    from app.returns.easypost_carrier import EasyPostCarrier  # the client, only when used

    return EasyPostCarrier.from_config(config)
