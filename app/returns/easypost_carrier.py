"""EasyPost as the carrier (CARRIER=easypost): each return's label is bought through EasyPost's
API with its official client, from the customer's address to the warehouse, at the cheapest
rate offered; the label is EasyPost's own PDF. A canceled return's unused label is refunded.

Calls that fail for a passing reason (no answer in time, the connection dropped, EasyPost's
5xx or 429) are tried again, `retries` more times, `retry_delay` seconds apart and longer each
time. Buying is never repeated blindly: after a failed purchase the shipment is read back, and
a label it already has is the one bought. A refusal (a bad address, no funds, a wrong key) is
not retried: CarrierError says what EasyPost said.

Tracking updates arrive as EasyPost's webhook events (app/webhooks/easypost.py).
"""

import logging
import re
import time
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar
from urllib.error import URLError
from urllib.parse import urlsplit

from easypost.easypost_client import EasyPostClient
from easypost.errors.api.api_error import ApiError
from easypost.errors.api.gateway_timeout_error import GatewayTimeoutError
from easypost.errors.api.http_error import HttpError
from easypost.errors.api.internal_server_error import InternalServerError
from easypost.errors.api.rate_limit_error import RateLimitError
from easypost.errors.api.service_unavailable_error import ServiceUnavailableError
from easypost.errors.api.timeout_error import TimeoutError as EasyPostTimeout
from easypost.errors.general.easypost_error import EasyPostError

from app.returns.carrier import CarrierError, LabelRefund, LabelRequest, PostalAddress, Shipment

log = logging.getLogger(__name__)

T = TypeVar("T")

NAME = "EasyPost"
PDF = "application/pdf"
MAX_LABEL_BYTES = 10 * 1024 * 1024
REFUND_STATUSES = ("submitted", "refunded", "rejected")
# Errors worth another try: the request may never have arrived, or EasyPost asked for patience.
PASSING = (
    EasyPostTimeout,
    HttpError,
    InternalServerError,
    ServiceUnavailableError,
    GatewayTimeoutError,
    RateLimitError,
)
COUNTRIES = {"united states": "US", "united states of america": "US", "usa": "US"}
_TOWN = re.compile(r"(?P<city>[^,]+),\s*(?:(?P<region>[A-Za-z]{2,3})\s+)?(?P<postal>\S.*)")


def warehouse_address(lines: Sequence[str]) -> PostalAddress:
    """The warehouse as RETURNS_WAREHOUSE writes it, one line per `|`: name, street (one or
    two lines), "City, ST 12345", and the country (its two letters, or "United States").
    Raises ValueError saying what is missing."""
    parts = [line.strip() for line in lines if line.strip()]
    country = "US"
    if parts and not _TOWN.fullmatch(parts[-1]):
        last = parts.pop()
        country = COUNTRIES.get(last.lower(), last.upper())
        if not re.fullmatch(r"[A-Z]{2}", country):
            raise ValueError(
                f"RETURNS_WAREHOUSE: write the country {last!r} as its two-letter code (US, CA)"
            )
    town = _TOWN.fullmatch(parts[-1]) if len(parts) >= 3 else None
    if town is None or len(parts) > 4:
        raise ValueError(
            "RETURNS_WAREHOUSE must read name|street|[street 2|]City, ST 12345|country "
            "for CARRIER=easypost"
        )
    streets = parts[1:-1]
    return PostalAddress(
        name=parts[0],
        street1=streets[0],
        street2=streets[1] if len(streets) > 1 else "",
        city=town["city"].strip(),
        region=(town["region"] or "").upper(),
        postal_code=town["postal"].strip(),
        country=country,
    )


def _address(address: PostalAddress) -> dict[str, str]:
    fields = {
        "name": address.name,
        "street1": address.street1,
        "street2": address.street2,
        "city": address.city,
        "state": address.region,
        "zip": address.postal_code,
        "country": address.country,
        "email": address.email,
    }
    return {key: value for key, value in fields.items() if value}


def _text(data: Mapping[str, Any], key: str) -> str:
    value = data.get(key)
    return value if isinstance(value, str) else ""


def _dict(data: Mapping[str, Any], key: str) -> dict[str, Any]:
    value = data.get(key)
    return value if isinstance(value, dict) else {}


def _passing(error: EasyPostError) -> bool:
    """Whether another try may succeed: no answer, or EasyPost's own trouble (5xx, 429)."""
    status = getattr(error, "http_status", None) or 0
    return isinstance(error, PASSING) or status >= 500


def _refused(error: EasyPostError) -> CarrierError:
    """EasyPost's refusal in words staff can act on."""
    message = getattr(error, "message", "") or str(error)
    code = getattr(error, "code", None)
    return CarrierError(f"EasyPost refused: {message}" + (f" ({code})" if code else ""))


class EasyPostCarrier:
    """Return labels bought through EasyPost (see the module's docstring)."""

    def __init__(
        self,
        api_key: str,
        warehouse: PostalAddress,
        parcel_weight_oz: float,
        *,
        api_base: str | None = None,
        timeout: int = 20,
        retries: int = 2,
        retry_delay: float = 1.0,
    ) -> None:
        if api_base:
            self._client = EasyPostClient(api_key, api_base=api_base, timeout=timeout)
        else:
            self._client = EasyPostClient(api_key, timeout=timeout)
        self.name = NAME
        self.warehouse = warehouse
        self.parcel_weight_oz = parcel_weight_oz
        self.timeout = timeout
        self.retries = retries
        self.retry_delay = retry_delay

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> "EasyPostCarrier":
        """From the settings: EASYPOST_API_KEY, RETURNS_WAREHOUSE, RETURN_PARCEL_WEIGHT_OZ,
        PROVIDER_TIMEOUT and PROVIDER_RETRIES; EASYPOST_API_BASE and PROVIDER_RETRY_DELAY
        let the tests point the client at a local fake and not wait between tries."""
        api_key = str(config.get("EASYPOST_API_KEY") or "")
        if not api_key:
            raise ValueError(
                "CARRIER=easypost needs EASYPOST_API_KEY (a test key, EZTK..., to try it out)"
            )
        return cls(
            api_key,
            warehouse_address(config["RETURNS_WAREHOUSE"]),
            float(config.get("RETURN_PARCEL_WEIGHT_OZ", 32)),
            api_base=config.get("EASYPOST_API_BASE") or None,
            timeout=int(config.get("PROVIDER_TIMEOUT", 20)),
            retries=int(config.get("PROVIDER_RETRIES", 2)),
            retry_delay=float(config.get("PROVIDER_RETRY_DELAY", 1.0)),
        )

    def _pause(self, attempt: int) -> None:
        time.sleep(self.retry_delay * attempt)

    def _call(self, what: str, call: Callable[[], T]) -> T:
        """`call`, tried again after a passing failure (raises CarrierError)."""
        for attempt in range(1, self.retries + 2):
            try:
                return call()
            except EasyPostError as error:
                if not _passing(error):
                    raise _refused(error) from error
                log.warning("EasyPost: could not %s (try %d): %s", what, attempt, error)
                if attempt > self.retries:
                    raise CarrierError(
                        f"EasyPost did not answer in time or was unavailable; could not {what}."
                    ) from error
                self._pause(attempt)
        raise AssertionError("unreachable")

    def buy_label(self, request: LabelRequest) -> Shipment:
        """Create the return shipment, buy its cheapest rate and fetch the PDF label."""
        # EasyPost swaps the addresses of a return (is_return): they are given as the
        # original delivery had them, from the warehouse to the customer.
        params = {
            "is_return": True,
            "to_address": _address(request.customer),
            "from_address": _address(self.warehouse),
            "parcel": {"weight": self.parcel_weight_oz},
            "reference": request.rma_number,
            "options": {"label_format": "PDF", "invoice_number": request.order_number},
        }
        created = self._call(
            "create the shipment", lambda: self._client.shipment.create(**params).to_dict()
        )
        rate = self._cheapest(created)
        bought = self._buy(_text(created, "id"), _text(rate, "id"))
        return self._shipment(bought)

    def _cheapest(self, shipment: Mapping[str, Any]) -> dict[str, Any]:
        rates = [r for r in shipment.get("rates") or [] if isinstance(r, dict) and r.get("id")]
        if not rates:
            said = "; ".join(
                _text(m, "message") for m in shipment.get("messages") or [] if isinstance(m, dict)
            )
            raise CarrierError(
                "EasyPost offered no rate for this parcel" + (f": {said}" if said else ".")
            )
        return min(rates, key=lambda r: float(r.get("rate") or "inf"))

    def _buy(self, shipment_id: str, rate_id: str) -> dict[str, Any]:
        """Buy once: after a failure whose outcome is unknown, the shipment is read back
        before another try, and a label it has is the purchase."""
        for attempt in range(1, self.retries + 2):
            try:
                return self._client.shipment.buy(shipment_id, rate={"id": rate_id}).to_dict()
            except ApiError as error:
                passing = _passing(error)
                log.warning("EasyPost: buying %s failed (try %d): %s", shipment_id, attempt, error)
                found = self._call(
                    "read the shipment back",
                    lambda: self._client.shipment.retrieve(shipment_id).to_dict(),
                )
                if _dict(found, "postage_label"):
                    return found
                if not passing:
                    raise _refused(error) from error
                if attempt > self.retries:
                    raise CarrierError(
                        "EasyPost did not answer in time or was unavailable; no label was bought."
                    ) from error
                self._pause(attempt)
        raise AssertionError("unreachable")

    def _shipment(self, bought: Mapping[str, Any]) -> Shipment:
        shipment_id = _text(bought, "id")
        label = _dict(bought, "postage_label")
        url = _text(label, "label_pdf_url") or (
            _text(label, "label_url") if _text(label, "label_file_type") == PDF else ""
        )
        if not url:  # the carrier made another format: EasyPost converts it
            converted = self._call(
                "convert the label to PDF",
                lambda: self._client.shipment.label(shipment_id, file_format="PDF").to_dict(),
            )
            url = _text(_dict(converted, "postage_label"), "label_pdf_url")
        rate = _dict(bought, "selected_rate")
        return Shipment(
            carrier=(_text(rate, "carrier") or NAME)[:40],
            tracking_number=_text(bought, "tracking_code"),
            shipment_id=shipment_id,
            service=_text(rate, "service")[:60],
            label=self._download(url) if url else None,
            label_type=PDF,
            label_url=url or None,
        )

    def _download(self, url: str) -> bytes | None:
        """The label file, or None if it can't be fetched now (the customer's link then
        leads to the carrier's copy)."""
        if urlsplit(url).scheme not in ("https", "http"):
            log.warning("EasyPost: not fetching a label from %r", url)
            return None
        for attempt in range(1, self.retries + 2):
            try:
                with urllib.request.urlopen(url, timeout=self.timeout) as answer:  # noqa: S310
                    content: bytes = answer.read(MAX_LABEL_BYTES + 1)
                if len(content) <= MAX_LABEL_BYTES and content.startswith(b"%PDF"):
                    return content
                log.warning("EasyPost: the label at %s is not a PDF of a sensible size", url)
                return None
            except (URLError, OSError) as error:
                log.warning("EasyPost: fetching the label failed (attempt %d): %s", attempt, error)
                if attempt <= self.retries:
                    self._pause(attempt)
        return None

    def refund_label(self, shipment_id: str) -> LabelRefund:
        """Ask for the unused label's postage back; EasyPost answers "submitted" and the
        carrier decides later (refunded or rejected)."""
        try:
            answer = self._call(
                "refund the label", lambda: self._client.shipment.refund(shipment_id).to_dict()
            )
        except CarrierError:
            # Asked twice (an earlier answer lost on the way back): the shipment knows.
            found = self._call(
                "read the shipment back",
                lambda: self._client.shipment.retrieve(shipment_id).to_dict(),
            )
            if _text(found, "refund_status") not in REFUND_STATUSES:
                raise
            answer = found
        status = _text(answer, "refund_status")
        return LabelRefund(status if status in REFUND_STATUSES else "submitted")
