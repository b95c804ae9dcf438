"""The payment gateway interface refunds go through. The built-in gateway records the refund
and hands back a reference (store credit gets a code); a real payment provider can be added
behind the same interface."""

import secrets
import string
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class GatewayResult:
    succeeded: bool
    reference: str | None = None
    error: str | None = None


class PaymentGateway(Protocol):
    def refund(self, amount_cents: int, method: str, idempotency_key: str) -> GatewayResult: ...


def _code(prefix: str) -> str:
    alphabet = string.ascii_uppercase.replace("O", "").replace("I", "") + "23456789"
    part = "".join(secrets.choice(alphabet) for _ in range(8))
    return f"{prefix}-{part[:4]}-{part[4:]}"


class LocalGateway:
    """Records refunds locally: a reference for payments, a code for store credit."""

    name = "local"

    def refund(self, amount_cents: int, method: str, idempotency_key: str) -> GatewayResult:
        if amount_cents <= 0:
            return GatewayResult(False, error="amount must be positive")
        return GatewayResult(True, reference=_code("SC" if method == "store_credit" else "RF"))
