"""Signed references for links customers carry (return status pages, search result clicks)."""

from itsdangerous import BadSignature, URLSafeSerializer

# An app's secret_key as Flask has it: None until SECRET_KEY is set.
SecretKey = str | bytes | None


def _serializer(secret_key: SecretKey, salt: str) -> URLSafeSerializer:
    if not secret_key:
        raise RuntimeError("SECRET_KEY is not set, so nothing can be signed")
    return URLSafeSerializer(secret_key, salt=salt)


def sign(secret_key: SecretKey, salt: str, value: str | int) -> str:
    return _serializer(secret_key, salt).dumps(value)


def unsign(secret_key: SecretKey, salt: str, token: str) -> str | int | None:
    """The signed value, or None when the token was not signed by us for this purpose."""
    try:
        value: object = _serializer(secret_key, salt).loads(token)
    except BadSignature:
        return None
    return value if isinstance(value, str | int) else None
