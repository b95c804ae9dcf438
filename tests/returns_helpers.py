"""Building orders and walking the returns portal in tests."""

import re
from datetime import UTC, datetime, timedelta

from app.extensions import db
from app.models import Order, OrderLine

LINES = [
    {
        "sku": "TEE-LIN-M",
        "name": "Linen tee",
        "category": "tops",
        "quantity": 2,
        "unit_price_cents": 3900,
    },
    {
        "sku": "SOCK-W",
        "name": "Wool socks",
        "category": "underwear",
        "quantity": 1,
        "unit_price_cents": 1200,
    },
    {
        "sku": "SCARF-S",
        "name": "Silk scarf",
        "category": "accessories",
        "quantity": 1,
        "unit_price_cents": 5500,
        "final_sale": True,
    },
]


def make_order(
    app, number="JP-10001", delivered_days_ago: int | None = 7, lines=LINES, **fields
) -> int:
    now = datetime.now(UTC)
    with app.app_context():
        order = Order(
            number=number,
            email=fields.pop("email", "ana@example.com"),
            customer_name="Ana Silva",
            address_line1="12 Elm Street",
            city="Portland",
            region="OR",
            postal_code=fields.pop("postal_code", "97201"),
            placed_at=now - timedelta(days=(delivered_days_ago or 0) + 3),
            delivered_at=now - timedelta(days=delivered_days_ago)
            if delivered_days_ago is not None
            else None,
            **fields,
        )
        order.lines = [OrderLine(**line) for line in lines]
        db.session.add(order)
        db.session.commit()
        return order.id


def line_ids(app, order_id: int) -> list[int]:
    with app.app_context():
        return [line.id for line in db.session.get(Order, order_id).lines]


def token_from(html: str, name: str = "csrf_token") -> str:
    return re.search(rf'name="{name}" type="hidden" value="([^"]+)"', html).group(1)


def look_up(client, number="JP-10001", contact="ana@example.com", prefix=""):
    """Find the order on the lookup page; `prefix`: a language's ("/de")."""
    token = token_from(client.get(f"{prefix}/returns/").get_data(as_text=True))
    return client.post(
        f"{prefix}/returns/",
        data={"csrf_token": token, "order_number": number, "contact": contact},
    )


def choose(client, prefix="", **fields):
    """Post the start form; each `qty-<id>` other than "0" ticks that item's "Return this
    item" box too, unless `return-<id>` is given."""
    token = token_from(client.get(f"{prefix}/returns/start").get_data(as_text=True))
    ticked = {
        f"return-{key[4:]}": "1"
        for key, value in fields.items()
        if key.startswith("qty-") and value != "0" and f"return-{key[4:]}" not in fields
    }
    data = {"csrf_token": token, "resolution": "refund", "method": "label", **ticked, **fields}
    return client.post(f"{prefix}/returns/start", data=data)


def confirm(client, prefix=""):
    html = client.get(f"{prefix}/returns/review").get_data(as_text=True)
    data = {"csrf_token": token_from(html), "key": token_from(html, "key")}
    return client.post(f"{prefix}/returns/confirm", data=data), data
