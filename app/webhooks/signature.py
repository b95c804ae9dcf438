"""The carrier's webhook signature: HMAC-SHA256 over a timestamp and the raw body, like Stripe's.

    X-Carrier-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of b"<t>." + raw body>

The timestamp is signed with the body, so a captured request can't be replayed once it falls
outside the tolerance; inside it, the event id does that job (see carrier.py). Several `v1=`
values are accepted (one of them must match), so the carrier can roll its secret over.
"""

import hashlib
import hmac
import re

HEADER = "X-Carrier-Signature"
SCHEME = "v1"
_TIMESTAMP = re.compile(r"[0-9]{1,15}")
_HEX_SHA256 = re.compile(r"[0-9a-f]{64}")


class SignatureError(ValueError):
    """A request whose signature is missing, malformed, wrong, or too old or new to trust."""


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The hex HMAC-SHA256 of `b"<timestamp>." + body` under `secret`."""
    message = f"{timestamp}.".encode() + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def _parse(header_value: str) -> tuple[int, list[str]]:
    """The timestamp and the candidate signatures in a header (raises SignatureError)."""
    timestamps, signatures = [], []
    for part in header_value.split(","):
        key, _, value = part.strip().partition("=")
        if key == "t":
            timestamps.append(value.strip())
        elif key == SCHEME:
            signatures.append(value.strip().lower())
    if len(timestamps) != 1 or not _TIMESTAMP.fullmatch(timestamps[0]):
        raise SignatureError(f"Malformed {HEADER} header: it needs one t=<unix seconds>.")
    if not signatures or not all(_HEX_SHA256.fullmatch(s) for s in signatures):
        raise SignatureError(f"Malformed {HEADER} header: it needs {SCHEME}=<hex HMAC-SHA256>.")
    return int(timestamps[0]), signatures


def verify(secret: str, header_value: str | None, body: bytes, now: float, tolerance: int) -> None:
    """Return if the header signs `body` under `secret` within `tolerance` seconds of `now`;
    otherwise raise SignatureError saying why."""
    if not secret:
        raise SignatureError("The webhook secret is not configured.")
    if not header_value:
        raise SignatureError(f"Missing {HEADER} header.")
    timestamp, candidates = _parse(header_value)
    expected = sign(secret, timestamp, body)
    if not any(hmac.compare_digest(expected, candidate) for candidate in candidates):
        raise SignatureError("The signature does not match the body.")
    if timestamp < now - tolerance:
        raise SignatureError("The signature's timestamp is too old.")
    if timestamp > now + tolerance:
        raise SignatureError("The signature's timestamp is in the future.")
