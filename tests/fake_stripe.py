"""A fake of Stripe's API (https://docs.stripe.com/api) for the calls refunds make, as the
documentation describes them: create a refund of a PaymentIntent (POST /v1/refunds, form
encoded, `metadata[key]=value`) and list a PaymentIntent's refunds (GET /v1/refunds?
payment_intent=); Bearer secret key; errors as `{"error": {"type", "code", "message"}}`.
Idempotency as Stripe documents it: a request repeating an `Idempotency-Key` gets the first
one's answer again (`Idempotent-Replayed: true`), errors included, once the request ran; with
other parameters it is refused. Faults asked by a test happen before the request runs, so
they are not remembered."""

import itertools
import json
import time

import pytest
from werkzeug.wrappers import Request, Response

from tests.fake_server import FakeApi, Served

API_KEY = "sk_test_fake"


def error_body(kind: str, code: str, message: str) -> str:
    return json.dumps({"error": {"type": kind, "code": code, "message": message}})


class FakeStripe(FakeApi):
    def __init__(self) -> None:
        super().__init__()
        self.payments: dict[str, dict] = {}  # PaymentIntent id: amount, currency, refunded
        self.refunds: list[dict] = []
        self.keys: list[str] = []  # the Idempotency-Key of every refund request
        self._answers: dict[str, tuple[dict, int, Response]] = {}
        self._ids = itertools.count(1)

    def paid(self, amount: int, currency: str = "usd") -> str:
        """A PaymentIntent the customer paid `amount` with; returns its id."""
        payment_id = f"pi_{next(self._ids):024d}"
        self.payments[payment_id] = {"amount": amount, "currency": currency, "refunded": 0}
        return payment_id

    def handle(self, request: Request) -> Response:
        if request.headers.get("Authorization") != f"Bearer {API_KEY}":
            return self._error(401, "invalid_request_error", "", "Invalid API Key provided.")
        with self.lock:
            if request.path == "/v1/refunds" and request.method == "POST":
                return self._idempotent(request)
            if request.path == "/v1/refunds" and request.method == "GET":
                return self._list(request.args.get("payment_intent", ""))
        return self._error(404, "invalid_request_error", "", "Unrecognized request URL.")

    def _error(self, status: int, kind: str, code: str, message: str) -> Response:
        return Response(error_body(kind, code, message), status, mimetype="application/json")

    def _idempotent(self, request: Request) -> Response:
        params = request.form.to_dict()
        key = request.headers.get("Idempotency-Key", "")
        self.keys.append(key)
        if key in self._answers:
            first, status, answer = self._answers[key]
            if first != params:
                return self._error(
                    400,
                    "idempotency_error",
                    "",
                    "Keys for idempotent requests can only be used with the same parameters "
                    "they were first used with.",
                )
            replay = Response(answer.get_data(), status, mimetype="application/json")
            replay.headers["Idempotent-Replayed"] = "true"
            return replay
        answer = self._create(params)
        if key:
            self._answers[key] = (params, answer.status_code, answer)
        return answer

    def _create(self, params: dict[str, str]) -> Response:
        payment = self.payments.get(params.get("payment_intent", ""))
        if payment is None:
            return self._error(
                400,
                "invalid_request_error",
                "resource_missing",
                f"No such payment_intent: '{params.get('payment_intent')}'",
            )
        left = payment["amount"] - payment["refunded"]
        amount = int(params.get("amount") or left)
        if left == 0:
            return self._error(
                400,
                "invalid_request_error",
                "charge_already_refunded",
                "Charge has already been refunded.",
            )
        if amount > left:
            return self._error(
                400,
                "invalid_request_error",
                "amount_too_large",
                f"Refund amount (${amount / 100:.2f}) is greater than unrefunded amount on "
                f"charge (${left / 100:.2f})",
            )
        payment["refunded"] += amount
        refund = {
            "id": f"re_{next(self._ids):024d}",
            "object": "refund",
            "amount": amount,
            "currency": payment["currency"],
            "payment_intent": params["payment_intent"],
            "reason": params.get("reason"),
            "status": "succeeded",
            "metadata": {
                name[len("metadata[") : -1]: value
                for name, value in params.items()
                if name.startswith("metadata[")
            },
            "created": int(time.time()),
        }
        self.refunds.append(refund)
        return Response(json.dumps(refund), 200, mimetype="application/json")

    def fail_later(self, refund_id: str, reason: str = "expired_or_canceled_card") -> dict:
        """What Stripe does when the bank sends a refund back: the refund is `failed` with a
        `failure_reason`, its amount refundable again. Returns the `refund.failed` event."""
        with self.lock:
            refund = next(r for r in self.refunds if r["id"] == refund_id)
            refund.update(status="failed", failure_reason=reason)
            self.payments[refund["payment_intent"]]["refunded"] -= refund["amount"]
            return {
                "id": f"evt_{next(self._ids):024d}",
                "object": "event",
                "type": "refund.failed",
                "data": {"object": dict(refund)},
            }

    def _list(self, payment_intent: str) -> Response:
        found = [r for r in reversed(self.refunds) if r["payment_intent"] == payment_intent]
        body = {"object": "list", "url": "/v1/refunds", "has_more": False, "data": found}
        return Response(json.dumps(body), 200, mimetype="application/json")


@pytest.fixture
def stripe_api():
    """The fake Stripe API, served on loopback for the test."""
    api = FakeStripe()
    served = Served(api)
    yield api
    served.close()


def stripe_settings(api: FakeStripe, **more) -> dict:
    """An app's settings for refunds to go through Stripe, through the fake: answers are
    awaited 1 second, and the client tries twice more."""
    return {
        "PAYMENTS": "stripe",
        "STRIPE_API_KEY": API_KEY,
        "STRIPE_API_BASE": api.url,
        "PROVIDER_TIMEOUT": 1,
        "PROVIDER_RETRIES": 2,
        **more,
    }
