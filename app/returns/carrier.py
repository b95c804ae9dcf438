"""Carriers that issue the tracking number for a prepaid return.

`LocalCarrier` is the built-in carrier: it makes tracking numbers locally, with no network. A real
carrier's API can be added later as another class with the same `Carrier` Protocol, so the code
that books a return does not change.
"""

import re
import secrets
from dataclasses import dataclass
from typing import Protocol

TRACKING_PREFIX = "JP"
_TRACKING_RE = re.compile(rf"{TRACKING_PREFIX}\d{{16}}")


@dataclass(frozen=True)
class Shipment:
    carrier: str
    tracking_number: str


class Carrier(Protocol):
    name: str

    def create_shipment(self, rma_number: str) -> Shipment: ...


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
