"""Signed references for links customers carry (return status pages, search result clicks)."""

from itsdangerous import BadSignature, URLSafeSerializer


def sign(secret_key: str, salt: str, value: str | int) -> str:
    return URLSafeSerializer(secret_key, salt=salt).dumps(value)


def unsign(secret_key: str, salt: str, token: str) -> str | int | None:
    """The signed value, or None when the token was not signed by us for this purpose."""
    try:
        return URLSafeSerializer(secret_key, salt=salt).loads(token)
    except BadSignature:
        return None
