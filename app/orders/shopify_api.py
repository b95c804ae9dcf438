"""The Shopify Admin API's REST calls orders need (ORDERS_SOURCE=shopify): the orders updated
since a moment, page by page (cursor pagination: each answer's `Link` header names the next
page), the products of their line items (type, tags, images), and every product's variants
with their stock (the catalogue exchanges offer). Authenticated with the
app's access token (`X-Shopify-Access-Token`).

Every call is a GET, so one that fails for a passing reason (no answer in time, the
connection dropped, Shopify's 5xx, or 429 when its rate limit is reached) is simply asked
again, `retries` more times, `retry_delay` seconds apart and longer each time (at least the
`Retry-After` Shopify sends with a 429). A refusal (a wrong token, a missing scope, an unknown
shop) is not retried: ShopifyError says what Shopify said.
"""

import logging
import re
import time
from collections.abc import Collection, Iterator, Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import requests

log = logging.getLogger(__name__)

# A stable version the adapter was written against (shopify.dev/docs/api/usage/versioning).
DEFAULT_API_VERSION = "2025-10"
PAGE_SIZE = 250  # Shopify's largest page
PRODUCTS_PER_CALL = 100
PASSING_STATUSES = frozenset({429, 500, 502, 503, 504})
LONGEST_RETRY_AFTER = 60.0
PRODUCT_FIELDS = "id,product_type,tags,image,images"
CATALOGUE_FIELDS = "id,title,variants"
_DOMAIN = re.compile(r"[a-z0-9][a-z0-9-]*(\.[a-z0-9][a-z0-9-]*)+")
_VERSION = re.compile(r"\d{4}-\d{2}|unstable")


class ShopifyError(Exception):
    """Shopify refused a call, or did not answer even after the retries; the message says
    which, in words staff can act on."""


def _said(response: requests.Response) -> str:
    """What Shopify's error body says (`{"errors": "..."}` or `{"errors": {field: [...]}}`)."""
    try:
        body = response.json()
    except ValueError:
        return response.reason or f"HTTP {response.status_code}"
    errors = body.get("errors") if isinstance(body, dict) else None
    if isinstance(errors, str):
        return errors
    if isinstance(errors, dict):
        return "; ".join(
            f"{field} {', '.join(map(str, problems)) if isinstance(problems, list) else problems}"
            for field, problems in errors.items()
        )
    if isinstance(errors, list):
        return "; ".join(map(str, errors))
    return response.reason or f"HTTP {response.status_code}"


def _retry_after(response: requests.Response) -> float:
    try:
        return min(max(float(response.headers.get("Retry-After", "0")), 0.0), LONGEST_RETRY_AFTER)
    except ValueError:
        return 0.0


class ShopifyClient:
    """The Admin API of one shop (see the module's docstring)."""

    def __init__(
        self,
        shop_domain: str,
        access_token: str,
        *,
        api_version: str = DEFAULT_API_VERSION,
        api_base: str | None = None,
        timeout: float = 20,
        retries: int = 2,
        retry_delay: float = 1.0,
    ) -> None:
        root = (api_base or f"https://{shop_domain}").rstrip("/")
        self.base = f"{root}/admin/api/{api_version}"
        self.host = urlsplit(root).netloc
        self.timeout = timeout
        self.retries = retries
        self.retry_delay = retry_delay
        self._session = requests.Session()
        self._session.headers.update(
            {"X-Shopify-Access-Token": access_token, "Accept": "application/json"}
        )

    @classmethod
    def from_config(
        cls, config: Mapping[str, Any], *, timeout: float | None = None, retries: int | None = None
    ) -> "ShopifyClient":
        """From the settings: SHOPIFY_SHOP_DOMAIN, SHOPIFY_ACCESS_TOKEN, SHOPIFY_API_VERSION,
        PROVIDER_TIMEOUT and PROVIDER_RETRIES (unless given); SHOPIFY_API_BASE and
        PROVIDER_RETRY_DELAY let the tests point the client at a local fake and not wait
        between tries. Raises ValueError saying what is missing."""
        domain = str(config.get("SHOPIFY_SHOP_DOMAIN") or "").strip().lower()
        token = str(config.get("SHOPIFY_ACCESS_TOKEN") or "")
        version = str(config.get("SHOPIFY_API_VERSION") or DEFAULT_API_VERSION)
        api_base = str(config.get("SHOPIFY_API_BASE") or "") or None
        if not token:
            raise ValueError(
                "ORDERS_SOURCE=shopify needs SHOPIFY_ACCESS_TOKEN (the app's Admin API access "
                "token, shpat_...)"
            )
        if api_base is None and not _DOMAIN.fullmatch(domain):
            raise ValueError(
                "ORDERS_SOURCE=shopify needs SHOPIFY_SHOP_DOMAIN, the shop's "
                "your-store.myshopify.com address"
            )
        if not _VERSION.fullmatch(version):
            raise ValueError(f"SHOPIFY_API_VERSION {version!r} is not like 2025-10")
        return cls(
            domain,
            token,
            api_version=version,
            api_base=api_base,
            timeout=float(timeout if timeout is not None else config.get("PROVIDER_TIMEOUT", 20)),
            retries=int(retries if retries is not None else config.get("PROVIDER_RETRIES", 2)),
            retry_delay=float(config.get("PROVIDER_RETRY_DELAY", 1.0)),
        )

    def _get(
        self, what: str, url: str, params: Mapping[str, str] | None = None
    ) -> tuple[Any, str | None]:
        """The decoded JSON answer to GET `url`, and its `Link` to the next page if any."""
        for attempt in range(1, self.retries + 2):
            pause = self.retry_delay * attempt
            try:
                response = self._session.get(url, params=params, timeout=self.timeout)
            except (requests.Timeout, requests.ConnectionError) as error:
                problem = f"no answer ({type(error).__name__})"
            else:
                if response.status_code < 300:
                    try:
                        return response.json(), response.links.get("next", {}).get("url")
                    except ValueError:
                        problem = "an answer that isn't JSON"
                elif response.status_code in PASSING_STATUSES:
                    problem = f"HTTP {response.status_code}: {_said(response)}"
                    pause = max(pause, _retry_after(response))
                else:
                    raise ShopifyError(
                        f"Shopify refused to {what} (HTTP {response.status_code}): "
                        f"{_said(response)}"
                    )
            log.warning("Shopify: could not %s (try %d): %s", what, attempt, problem)
            if attempt > self.retries:
                raise ShopifyError(
                    f"Shopify did not answer in time or was unavailable; could not {what} "
                    f"({problem})."
                )
            time.sleep(pause)
        raise AssertionError("unreachable")

    def order_pages(self, since: datetime) -> Iterator[list[dict[str, Any]]]:
        """Every order (open, closed or canceled) updated at or after `since`, a page at a
        time (raises ShopifyError)."""
        params = {
            "status": "any",
            "updated_at_min": since.astimezone(UTC).isoformat(timespec="seconds"),
            "limit": str(PAGE_SIZE),
        }
        return self._pages("list the orders", "orders", params)

    def product_pages(self) -> Iterator[list[dict[str, Any]]]:
        """Every product with its variants (SKU, price, title, stock), a page at a time, for
        the catalogue exchanges offer (raises ShopifyError)."""
        params = {"fields": CATALOGUE_FIELDS, "limit": str(PAGE_SIZE)}
        return self._pages("list the products", "products", params)

    def _pages(
        self, what: str, name: str, params: dict[str, str]
    ) -> Iterator[list[dict[str, Any]]]:
        """The `name` list of GET /`name`.json, a page at a time, following each answer's
        `Link: <...>; rel="next"`."""
        url: str | None = f"{self.base}/{name}.json"
        asked: dict[str, str] | None = params
        while url:
            body, next_url = self._get(what, url, asked)
            found = body.get(name) if isinstance(body, dict) else None
            if not isinstance(found, list):
                raise ShopifyError(f"Shopify's answer to {what.replace('list', 'listing', 1)} "
                                   f"has no {name} list.")  # fmt: skip
            yield [item for item in found if isinstance(item, dict)]
            # The next page's address carries the cursor (page_info) and must be asked as it
            # is: Shopify refuses the filters beside a cursor. Never send the token elsewhere.
            if next_url and urlsplit(next_url).netloc != self.host:
                raise ShopifyError(f"Shopify's next page is on another site: {next_url}")
            url, asked = next_url, None

    def products(self, ids: Collection[int]) -> dict[int, dict[str, Any]]:
        """The products with these ids (type, tags and images), by id; deleted ones are
        missing (raises ShopifyError)."""
        wanted = sorted(set(ids))
        found: dict[int, dict[str, Any]] = {}
        for start in range(0, len(wanted), PRODUCTS_PER_CALL):
            chunk = wanted[start : start + PRODUCTS_PER_CALL]
            body, _ = self._get(
                "read the products",
                f"{self.base}/products.json",
                {
                    "ids": ",".join(map(str, chunk)),
                    "fields": PRODUCT_FIELDS,
                    "limit": str(PRODUCTS_PER_CALL),
                },
            )
            products = body.get("products") if isinstance(body, dict) else None
            for product in products if isinstance(products, list) else []:
                if isinstance(product, dict) and type(product.get("id")) is int:
                    found[product["id"]] = product
        return found
