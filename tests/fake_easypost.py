"""A fake of EasyPost's API (https://docs.easypost.com) for the calls the carrier makes, as the
documentation describes them: create a shipment (POST /v2/shipments, JSON `{"shipment":
{...}}`; `is_return` swaps the addresses), buy a rate (POST /v2/shipments/<id>/buy), read it
back (GET /v2/shipments/<id>), convert its label (GET /v2/shipments/<id>/label?file_format=),
refund it (POST /v2/shipments/<id>/refund: refund_status "submitted"); errors as
`{"error": {"code", "message", "errors"}}` with the HTTP status; Bearer API key. The label
files it hands out are served by it too."""

import itertools
import json
import re

import pytest
from werkzeug.wrappers import Request, Response

from tests.fake_server import FakeApi, Served

API_KEY = "EZTKfakeTestKey"
WEBHOOK_SECRET = "easypost-webhook-secret"
LABEL_PDF = b"%PDF-1.4\n% EasyPost's USPS label for the tests\n%%EOF\n"
RATES = [
    ("USPS", "Priority", "7.42"),
    ("USPS", "GroundAdvantage", "6.07"),
    ("UPS", "Ground", "9.80"),
]
_SHIPMENT = re.compile(r"/v2/shipments/(shp_\w+)(/buy|/refund|/label)?")


def error(status: int, code: str, message: str) -> Response:
    body = {"error": {"code": code, "message": message, "errors": []}}
    return Response(json.dumps(body), status, mimetype="application/json")


def error_body(code: str, message: str) -> str:
    return json.dumps({"error": {"code": code, "message": message, "errors": []}})


class FakeEasyPost(FakeApi):
    def __init__(self) -> None:
        super().__init__()
        self.shipments: dict[str, dict] = {}
        self.purchases: list[str] = []  # shipment ids, each time postage was bought
        self.refunds: list[str] = []
        self._ids = itertools.count(1)

    @property
    def api_base(self) -> str:
        return f"{self.url}/v2"

    def _id(self, prefix: str) -> str:
        return f"{prefix}_{next(self._ids):032x}"

    def handle(self, request: Request) -> Response:
        if request.path.startswith("/files/"):
            return Response(LABEL_PDF, mimetype="application/pdf")
        if request.headers.get("Authorization") != f"Bearer {API_KEY}":
            return error(401, "APIKEY.INACTIVE", "This api key is no longer active.")
        with self.lock:
            if request.method == "POST" and request.path == "/v2/shipments":
                return self._create(request.get_json())
            found = _SHIPMENT.fullmatch(request.path)
            if found is None or found[1] not in self.shipments:
                return error(404, "NOT_FOUND", "The requested resource could not be found.")
            shipment, action = self.shipments[found[1]], found[2]
            if request.method == "GET" and action is None:
                return self._json(shipment)
            if request.method == "POST" and action == "/buy":
                return self._buy(shipment, request.get_json())
            if request.method == "GET" and action == "/label":
                return self._convert(shipment, request.args.get("file_format", ""))
            if request.method == "POST" and action == "/refund":
                return self._refund(shipment)
        return error(405, "METHOD.NOT_ALLOWED", "Method not allowed.")

    def _json(self, shipment: dict, status: int = 200) -> Response:
        return Response(json.dumps(shipment), status, mimetype="application/json")

    def _create(self, body: dict) -> Response:
        given = body.get("shipment") or {}
        to_address, from_address = given.get("to_address"), given.get("from_address")
        parcel = given.get("parcel") or {}
        if not to_address or not from_address or not parcel.get("weight"):
            return error(422, "PARAMETER.REQUIRED", "Missing required parameter.")
        if given.get("is_return"):  # "we switch the to_address and from_address"
            to_address, from_address = from_address, to_address
        shipment_id = self._id("shp")
        shipment = {
            "id": shipment_id,
            "object": "Shipment",
            "mode": "test",
            "is_return": bool(given.get("is_return")),
            "reference": given.get("reference"),
            "options": {"currency": "USD", **(given.get("options") or {})},
            "to_address": {"object": "Address", **to_address},
            "from_address": {"object": "Address", **from_address},
            "parcel": {"object": "Parcel", **parcel},
            "rates": [
                {
                    "id": self._id("rate"),
                    "object": "Rate",
                    "carrier": carrier,
                    "service": service,
                    "rate": rate,
                    "currency": "USD",
                    "shipment_id": shipment_id,
                }
                for carrier, service, rate in RATES
            ],
            "messages": [],
            "selected_rate": None,
            "postage_label": None,
            "tracking_code": None,
            "tracker": None,
            "refund_status": None,
            "status": "unknown",
        }
        self.shipments[shipment_id] = shipment
        return self._json(shipment, 201)

    def _buy(self, shipment: dict, body: dict) -> Response:
        if shipment["postage_label"]:
            return error(422, "SHIPMENT.POSTAGE.EXISTS", "This shipment already has postage.")
        wanted = ((body or {}).get("rate") or {}).get("id")
        rate = next((r for r in shipment["rates"] if r["id"] == wanted), None)
        if rate is None:
            return error(422, "SHIPMENT.RATE.INVALID", "The rate is not one of this shipment's.")
        pdf = shipment["options"].get("label_format") == "PDF"
        file = f"{self.url}/files/{shipment['id']}.{'pdf' if pdf else 'png'}"
        tracking = f"9400100{len(self.purchases) + 1:015d}"
        shipment.update(
            selected_rate=rate,
            tracking_code=tracking,
            postage_label={
                "object": "PostageLabel",
                "id": self._id("pl"),
                "label_size": "4x6",
                "label_file_type": "application/pdf" if pdf else "image/png",
                "label_url": file,
                "label_pdf_url": file if pdf else None,
                "label_zpl_url": None,
            },
            tracker={
                "id": self._id("trk"),
                "object": "Tracker",
                "tracking_code": tracking,
                "status": "pre_transit",
                "shipment_id": shipment["id"],
            },
        )
        self.purchases.append(shipment["id"])
        return self._json(shipment)

    def _convert(self, shipment: dict, file_format: str) -> Response:
        if not shipment["postage_label"] or file_format != "PDF":
            return error(422, "SHIPMENT.LABEL.UNAVAILABLE", "The label can't be converted.")
        shipment["postage_label"]["label_pdf_url"] = f"{self.url}/files/{shipment['id']}.pdf"
        return self._json(shipment)

    def _refund(self, shipment: dict) -> Response:
        if not shipment["postage_label"]:
            return error(422, "SHIPMENT.REFUND.UNAVAILABLE", "This shipment has no postage.")
        if shipment["refund_status"]:
            return error(422, "SHIPMENT.REFUND.EXISTS", "A refund was already requested.")
        shipment["refund_status"] = "submitted"
        self.refunds.append(shipment["id"])
        return self._json(shipment)


@pytest.fixture
def easypost():
    """The fake EasyPost API, served on loopback for the test."""
    api = FakeEasyPost()
    served = Served(api)
    yield api
    served.close()


def easypost_settings(api: FakeEasyPost, **more) -> dict:
    """An app's settings for the carrier to be EasyPost, through the fake: answers are
    awaited 1 second, failures tried twice more without a pause."""
    return {
        "CARRIER": "easypost",
        "EASYPOST_API_KEY": API_KEY,
        "EASYPOST_API_BASE": api.api_base,
        "EASYPOST_WEBHOOK_SECRET": WEBHOOK_SECRET,
        "PROVIDER_TIMEOUT": 1,
        "PROVIDER_RETRIES": 2,
        "PROVIDER_RETRY_DELAY": 0,
        **more,
    }
