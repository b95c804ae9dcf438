"""Stripe as the payment gateway (PAYMENTS=stripe): a refund to the card or wallet the customer
paid with is a Stripe refund of the order's PaymentIntent (Order.payment_reference), made with
the official client. Store credit and gift cards are not Stripe's: the built-in gateway
records them as before.

Paying once: each refund carries our idempotency key to Stripe, as Stripe's own
`Idempotency-Key` and in the refund's metadata. The client retries a request that got no
answer or a 409/5xx with the same key, so Stripe refunds once however many copies arrive. When
staff retry a refund that failed, Stripe would replay the first answer to the same key, so a
retry is a new request (`...-attempt-2`); it first looks among the payment's refunds for one
carrying our key, which a request whose answer was lost may have made, and counts that one.

Every way a refund can fail (a decline, Stripe refusing, no answer even after the client's
retries) is a result with an error in words, which refunds.py records as "failed": staff see
why and can retry.
"""

import logging
from collections.abc import Mapping
from typing import Any

import stripe

from app.returns.payments import GatewayResult, LocalGateway, RefundRequest

log = logging.getLogger(__name__)

# Payment methods Stripe took the money with; the others are refunded by the built-in gateway.
STRIPE_METHODS = frozenset({"card", "wallet"})
METADATA_KEY = "frontdesk_refund"
# Currencies whose Stripe amounts aren't in hundredths (stripe.com/docs/currencies).
ZERO_DECIMAL = frozenset(
    {"BIF", "CLP", "DJF", "GNF", "JPY", "KMF", "KRW", "MGA", "PYG", "RWF", "UGX", "VND", "VUV"}
    | {"XAF", "XOF", "XPF"}
)
THREE_DECIMAL = frozenset({"BHD", "JOD", "KWD", "OMR", "TND"})
UNDER_WAY = ("succeeded", "pending", "requires_action")


def stripe_amount(cents: int, currency: str) -> int:
    """Our integer cents as Stripe's amount in the currency's smallest unit (ValueError if
    it can't be said in it)."""
    code = currency.upper()
    if code in ZERO_DECIMAL:
        if cents % 100:
            raise ValueError(f"{code} has no cents: refund a whole amount.")
        return cents // 100
    return cents * 10 if code in THREE_DECIMAL else cents


def stripe_key(request: RefundRequest) -> str:
    """Stripe's idempotency key for this attempt at the refund: ours, then the attempt."""
    key = f"frontdesk-refund-{request.idempotency_key}"
    return key if request.attempt <= 1 else f"{key}-attempt-{request.attempt}"


def _words(error: stripe.StripeError) -> str:
    """What went wrong, for staff: what to do about it is to retry, or to fix what it says."""
    said = error.user_message or "no details"
    if isinstance(error, stripe.CardError):
        return f"Stripe declined the refund: {said}"
    if isinstance(error, stripe.APIConnectionError):
        return (
            "Stripe did not answer in time, even after retrying; a retry first checks "
            "whether the refund was made"
        )
    if isinstance(error, stripe.AuthenticationError):
        return "Stripe refused the API key (STRIPE_API_KEY)"
    if isinstance(error, stripe.RateLimitError):
        return "Stripe is limiting requests: retry in a minute"
    if isinstance(error, stripe.InvalidRequestError | stripe.IdempotencyError):
        return f"Stripe refused the refund: {said}"
    return f"Stripe could not make the refund: {said}"


def _result(refund: stripe.Refund) -> GatewayResult:
    if refund.status in UNDER_WAY:
        return GatewayResult(True, reference=refund.id)
    reason = (refund.failure_reason or refund.status or "unknown").replace("_", " ")
    return GatewayResult(False, reference=refund.id, error=f"Stripe's refund failed: {reason}")


class StripeGateway:
    """Refunds through Stripe (see the module's docstring)."""

    name = "stripe"

    def __init__(
        self,
        api_key: str,
        *,
        api_base: str | None = None,
        timeout: float = 20,
        retries: int = 2,
    ) -> None:
        self._client = stripe.StripeClient(
            api_key,
            base_addresses={"api": api_base} if api_base else None,
            max_network_retries=retries,
            http_client=stripe.RequestsClient(timeout=timeout),
        )
        self._local = LocalGateway()

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> "StripeGateway":
        """From the settings: STRIPE_API_KEY, PROVIDER_TIMEOUT and PROVIDER_RETRIES;
        STRIPE_API_BASE lets the tests point the client at a local fake."""
        api_key = str(config.get("STRIPE_API_KEY") or "")
        if not api_key:
            raise ValueError("PAYMENTS=stripe needs STRIPE_API_KEY (sk_test_... to try it out)")
        return cls(
            api_key,
            api_base=config.get("STRIPE_API_BASE") or None,
            timeout=float(config.get("PROVIDER_TIMEOUT", 20)),
            retries=int(config.get("PROVIDER_RETRIES", 2)),
        )

    def refund(self, request: RefundRequest) -> GatewayResult:
        if request.method not in STRIPE_METHODS:
            return self._local.refund(request)
        if not request.payment_reference:
            return GatewayResult(
                False,
                error="the order has no Stripe payment on record (its payment reference, "
                "pi_...): import the order with it, then retry",
            )
        try:
            amount = stripe_amount(request.amount_cents, request.currency)
        except ValueError as problem:
            return GatewayResult(False, error=str(problem))
        try:
            if request.attempt > 1:
                earlier = self._made_before(request)
                if earlier is not None:
                    return _result(earlier)
            refund = self._client.v1.refunds.create(
                params={
                    "payment_intent": request.payment_reference,
                    "amount": amount,
                    "reason": "requested_by_customer",
                    "metadata": {METADATA_KEY: request.idempotency_key},
                },
                options={"idempotency_key": stripe_key(request)},
            )
        except stripe.StripeError as error:
            log.warning("Stripe refund %s failed: %r", request.idempotency_key, error)
            return GatewayResult(False, error=_words(error))
        return _result(refund)

    def _made_before(self, request: RefundRequest) -> stripe.Refund | None:
        """A refund of this payment carrying our key and under way, made by an earlier
        attempt (whose answer may never have arrived)."""
        assert request.payment_reference is not None
        found = self._client.v1.refunds.list(
            params={"payment_intent": request.payment_reference, "limit": 100}
        )
        for refund in found.data:
            ours = refund.metadata is not None and (
                refund.metadata.to_dict().get(METADATA_KEY) == request.idempotency_key
            )
            if ours and refund.status in UNDER_WAY:
                return refund
        return None
