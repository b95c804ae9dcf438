"""The payment gateway interface refunds go through, and `make_gateway`, which picks one from
the settings (PAYMENTS). The built-in gateway records the refund and hands back a reference
(store credit gets a code); `StripeGateway` (app/returns/stripe_payments.py) refunds the
order's Stripe payment, and hands store credit to the built-in one."""

import secrets
import string
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

GATEWAYS = ("local", "stripe")


@dataclass(frozen=True)
class RefundRequest:
    amount_cents: int
    method: str  # the order's payment method (card, wallet, gift_card) or store_credit
    idempotency_key: str  # ours: one per refund, whatever the number of attempts
    currency: str = "USD"
    payment_reference: str | None = None  # the provider's id of the payment (Order)
    attempt: int = 1  # 2 and up: staff retrying a refund that failed


@dataclass(frozen=True)
class GatewayResult:
    succeeded: bool
    reference: str | None = None
    error: str | None = None


class PaymentGateway(Protocol):
    def refund(self, request: RefundRequest) -> GatewayResult:
        """Pay the refund back; a failure is a result with `error`, never an exception."""
        ...


def _code(prefix: str) -> str:
    alphabet = string.ascii_uppercase.replace("O", "").replace("I", "") + "23456789"
    part = "".join(secrets.choice(alphabet) for _ in range(8))
    return f"{prefix}-{part[:4]}-{part[4:]}"


class LocalGateway:
    """Records refunds locally: a reference for payments, a code for store credit."""

    name = "local"

    def refund(self, request: RefundRequest) -> GatewayResult:
        if request.amount_cents <= 0:
            return GatewayResult(False, error="amount must be positive")
        prefix = "SC" if request.method == "store_credit" else "RF"
        return GatewayResult(True, reference=_code(prefix))


def make_gateway(config: Mapping[str, Any]) -> PaymentGateway:
    """The gateway PAYMENTS names: "local" (the default: no keys, no network) or "stripe"
    (STRIPE_API_KEY). Raises ValueError for settings it can't work with."""
    name = (config.get("PAYMENTS") or "local").strip().lower()
    if name not in GATEWAYS:
        raise ValueError(f"PAYMENTS must be one of {', '.join(GATEWAYS)}, not {name!r}")
    if name == "local":
        return LocalGateway()
    from app.returns.stripe_payments import StripeGateway  # the client, only when used

    return StripeGateway.from_config(config)
