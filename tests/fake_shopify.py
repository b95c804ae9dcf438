"""A fake of Shopify's Admin REST API (https://shopify.dev/docs/api/admin-rest) for the calls
orders make, as the documentation describes them: list orders (GET /admin/api/<version>/
orders.json; `status` defaults to open, `updated_at_min` filters, `limit` at most 250) with
cursor pagination (each page's `Link` header names the previous and next pages by `page_info`,
and a request carrying `page_info` may carry no filter beside `limit`), and read products
(GET .../products.json?ids=&fields=, or every product page by page without `ids`; `fields`
keeps only the fields named); the access token in `X-Shopify-Access-Token`; errors as
`{"errors": ...}`. Also what Shopify posts to a webhook: an order, signed."""

import base64
import json
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from urllib.parse import urlencode

import pytest
from werkzeug.wrappers import Request, Response

from tests.fake_server import FakeApi, Served

ACCESS_TOKEN = "shpat_fake_token"
WEBHOOK_SECRET = "shopify-client-secret"
API_VERSION = "2025-10"
SHOP = "frontdesk-test.myshopify.com"
PREFIX = f"/admin/api/{API_VERSION}"


def errors_body(errors: object) -> str:
    return json.dumps({"errors": errors})


class FakeShopify(FakeApi):
    def __init__(self) -> None:
        super().__init__()
        self.orders: list[dict[str, Any]] = []
        self.products: dict[int, dict[str, Any]] = {}
        self.page_size = 250  # Shopify's most; a test may ask for smaller pages
        self.queries: list[dict[str, str]] = []  # the query of every orders request

    def handle(self, request: Request) -> Response:
        if request.headers.get("X-Shopify-Access-Token") != ACCESS_TOKEN:
            return self._error(
                401,
                "[API] Invalid API key or access token (unrecognized login or wrong password)",
            )
        with self.lock:
            if request.method == "GET" and request.path == f"{PREFIX}/orders.json":
                self.queries.append(request.args.to_dict())
                return self._orders(request)
            if request.method == "GET" and request.path == f"{PREFIX}/products.json":
                return self._products(request)
        return self._error(404, "Not Found")

    def _error(self, status: int, errors: object) -> Response:
        return Response(errors_body(errors), status, mimetype="application/json")

    def _orders(self, request: Request) -> Response:
        return self._paged(request, "orders", sorted(self.orders, key=lambda o: o["id"]))

    def _paged(self, request: Request, name: str, items: list[dict[str, Any]]) -> Response:
        """GET /`name`.json: the items the filters keep, `limit` at a time, with cursor links."""
        args = request.args.to_dict()
        limit = min(int(args.pop("limit", "50")), 250, self.page_size)
        if "page_info" in args:
            token = args.pop("page_info")
            if args:
                return self._error(
                    400,
                    {
                        "page_info": [
                            f"{next(iter(args))} cannot be passed when page_info is present"
                        ]
                    },
                )
            args, offset = json.loads(base64.urlsafe_b64decode(token))
        else:
            offset = 0
        fields = [f for f in args.pop("fields", "").split(",") if f]
        found = [item for item in items if name != "orders" or _wanted(item, args)]
        page = [_only(item, fields) for item in found[offset : offset + limit]]
        links = []
        if offset:
            links.append(
                self._link(
                    name,
                    {**args, "fields": ",".join(fields)},
                    max(offset - limit, 0),
                    limit,
                    "previous",
                )
            )
        if offset + limit < len(found):
            links.append(
                self._link(
                    name, {**args, "fields": ",".join(fields)}, offset + limit, limit, "next"
                )
            )
        response = Response(json.dumps({name: page}), 200, mimetype="application/json")
        if links:
            response.headers["Link"] = ", ".join(links)
        return response

    def _link(self, name: str, args: dict[str, str], offset: int, limit: int, rel: str) -> str:
        token = base64.urlsafe_b64encode(json.dumps([args, offset]).encode()).decode()
        query = urlencode({"limit": limit, "page_info": token})
        return f'<{self.url}{PREFIX}/{name}.json?{query}>; rel="{rel}"'

    def _products(self, request: Request) -> Response:
        if "ids" not in request.args:  # every product, page by page
            return self._paged(
                request, "products", [self.products[i] for i in sorted(self.products)]
            )
        ids = [int(part) for part in request.args.get("ids", "").split(",") if part]
        fields = [f for f in request.args.get("fields", "").split(",") if f]
        found = [_only(self.products[i], fields) for i in ids if i in self.products]
        return Response(json.dumps({"products": found}), 200, mimetype="application/json")


def _only(item: dict[str, Any], fields: list[str]) -> dict[str, Any]:
    """The item with only the `fields` asked for (all of them when none are named)."""
    return {key: value for key, value in item.items() if not fields or key in fields}


def _wanted(order: dict[str, Any], args: dict[str, str]) -> bool:
    status = args.get("status", "open")
    if status == "open" and (order.get("closed_at") or order.get("cancelled_at")):
        return False
    since = args.get("updated_at_min")
    return not since or datetime.fromisoformat(order["updated_at"]) >= datetime.fromisoformat(since)


@pytest.fixture
def shopify():
    """The fake Shopify Admin API, served on loopback for the test."""
    api = FakeShopify()
    served = Served(api)
    yield api
    served.close()


def shopify_settings(api: FakeShopify, **more) -> dict:
    """An app's settings for orders to come from Shopify, through the fake: answers are
    awaited 1 second, failures tried twice more without a pause."""
    return {
        "ORDERS_SOURCE": "shopify",
        "SHOPIFY_SHOP_DOMAIN": SHOP,
        "SHOPIFY_ACCESS_TOKEN": ACCESS_TOKEN,
        "SHOPIFY_WEBHOOK_SECRET": WEBHOOK_SECRET,
        "SHOPIFY_API_VERSION": API_VERSION,
        "SHOPIFY_API_BASE": api.url,
        "PROVIDER_TIMEOUT": 1,
        "PROVIDER_RETRIES": 2,
        "PROVIDER_RETRY_DELAY": 0,
        **more,
    }


SHIRT, SCARF = 7001, 7002  # product ids
SHIRT_M, SHIRT_L, SCARF_ONE, SHIRT_XL, SHIRT_CLAY = 8001, 8002, 8003, 8004, 8005  # variants
SHIRT_M_PHOTO = "https://cdn.shopify.com/s/files/1/shirt-sage-m.jpg"


def catalogue(api: FakeShopify) -> None:
    """Two products: a shirt in four variants (its medium has its own photo; XL is oversold;
    clay's stock isn't tracked), and a final-sale scarf of one variant without a SKU."""
    api.products[SHIRT] = {
        "id": SHIRT,
        "title": "Linen shirt",
        "product_type": "Shirts",
        "tags": "linen, summer",
        "image": {"id": 1, "src": "https://cdn.shopify.com/s/files/1/shirt.jpg"},
        "images": [
            {"id": 1, "src": "https://cdn.shopify.com/s/files/1/shirt.jpg", "variant_ids": []},
            {"id": 2, "src": SHIRT_M_PHOTO, "variant_ids": [SHIRT_M]},
        ],
        "variants": [
            _variant(SHIRT_M, "SHIRT-LIN-SAGE-M", "M / Sage", "45.00", 4),
            _variant(SHIRT_L, "SHIRT-LIN-SAGE-L", "L / Sage", "45.00", 1),
            _variant(SHIRT_XL, "SHIRT-LIN-SAGE-XL", "XL / Sage", "45.00", -2),  # oversold
            _variant(SHIRT_CLAY, "SHIRT-LIN-CLAY-M", "M / Clay", "39.00", 3, tracked=False),
        ],
    }
    api.products[SCARF] = {
        "id": SCARF,
        "title": "Silk scarf",
        "product_type": "Accessories",
        "tags": "Final Sale, silk",
        "image": {"id": 3, "src": "https://cdn.shopify.com/s/files/1/scarf.jpg"},
        "images": [
            {"id": 3, "src": "https://cdn.shopify.com/s/files/1/scarf.jpg", "variant_ids": []}
        ],
        "variants": [_variant(SCARF_ONE, "", "Default Title", "60.00", 1)],
    }


def _variant(
    variant_id: int, sku: str, title: str, price: str, count: int, tracked: bool = True
) -> dict[str, Any]:
    """A product variant as the REST products give it (the fields the catalogue reads)."""
    return {
        "id": variant_id,
        "sku": sku,
        "title": title,
        "price": price,
        "inventory_quantity": count,
        "inventory_management": "shopify" if tracked else None,
    }


def order(
    number: int = 1001,
    *,
    shopify_id: int | None = None,
    email: str = "Ana@Example.com",
    zip_code: str = "97201",
    shirts: int = 2,
    updated_at: str | None = None,
    fulfilled_at: str | None = "",
    **fields: Any,
) -> dict[str, Any]:
    """An order as Shopify's REST API and webhooks give it: two medium shirts ($45, $5 off
    the two) and a scarf, paid by card, placed 8 days ago, shipped (one fulfilment) 5 days
    ago unless `fulfilled_at` says otherwise (None: not yet), last updated a day ago."""
    shopify_id = shopify_id or 5_000_000_000_000 + number
    updated_at = updated_at or ago(days=1)
    fulfilled_at = ago(days=5) if fulfilled_at == "" else fulfilled_at
    line_items = [
        {
            "id": shopify_id * 10 + 1,
            "variant_id": SHIRT_M,
            "product_id": SHIRT,
            "sku": "SHIRT-LIN-SAGE-M",
            "title": "Linen shirt",
            "variant_title": "M / Sage",
            "name": "Linen shirt - M / Sage",
            "quantity": shirts,
            "current_quantity": shirts,
            "price": "45.00",
            "gift_card": False,
            "discount_allocations": [{"amount": "5.00", "discount_application_index": 0}],
        },
        {
            "id": shopify_id * 10 + 2,
            "variant_id": SCARF_ONE,
            "product_id": SCARF,
            "sku": "",
            "title": "Silk scarf",
            "variant_title": "Default Title",
            "name": "Silk scarf",
            "quantity": 1,
            "current_quantity": 1,
            "price": "60.00",
            "gift_card": False,
            "discount_allocations": [],
        },
    ]
    fulfillments = (
        [
            {
                "id": shopify_id * 10 + 9,
                "status": "success",
                "shipment_status": "in_transit",
                "created_at": fulfilled_at,
                "updated_at": fulfilled_at,
                "tracking_number": "1Z999",
            }
        ]
        if fulfilled_at
        else []
    )
    payload = {
        "id": shopify_id,
        "admin_graphql_api_id": f"gid://shopify/Order/{shopify_id}",
        "name": f"#{number}",
        "order_number": number,
        "email": email,
        "contact_email": email,
        "created_at": ago(days=8),
        "processed_at": ago(days=8),
        "updated_at": updated_at,
        "closed_at": None,
        "cancelled_at": None,
        "currency": "USD",
        "financial_status": "paid",
        "fulfillment_status": "fulfilled" if fulfilled_at else None,
        "payment_gateway_names": ["shopify_payments"],
        "customer": {"id": 42, "email": email, "first_name": "Ana", "last_name": "Silva"},
        "shipping_address": {
            "first_name": "Ana",
            "last_name": "Silva",
            "name": "Ana Silva",
            "address1": "12 Elm Street",
            "address2": "",
            "city": "Portland",
            "province": "Oregon",
            "province_code": "OR",
            "zip": zip_code,
            "country": "United States",
            "country_code": "US",
        },
        "line_items": line_items,
        "fulfillments": fulfillments,
        "refunds": [],
    }
    payload.update(fields)
    return payload


def ago(**delta: float) -> str:
    """A moment that long ago, written as Shopify writes them (the shop's offset)."""
    shop_time = timezone(timedelta(hours=-5))
    return (
        (datetime.now(UTC) - timedelta(**delta)).astimezone(shop_time).isoformat(timespec="seconds")
    )
