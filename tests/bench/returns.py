"""Server time to confirm a return and to render its label PDF, in-process."""

import re
import tempfile
import time
from datetime import UTC, datetime, timedelta

from app.extensions import db
from app.models import Order, OrderLine
from tests.bench.common import bench_app, print_table, summary

RUNS = 200


def _token(html: str, name: str) -> str:
    return re.search(rf'name="{name}" type="hidden" value="([^"]+)"', html).group(1)


def run() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        app = bench_app(tmp)
        now = datetime.now(UTC)
        with app.app_context():
            order = Order(
                number="JP-BENCH",
                email="bench@example.com",
                customer_name="Bench Customer",
                address_line1="1 Loop Road",
                city="Portland",
                region="OR",
                postal_code="97201",
                placed_at=now - timedelta(days=5),
                delivered_at=now - timedelta(days=2),
                lines=[
                    OrderLine(
                        sku="TEE",
                        name="Tee",
                        category="tops",
                        quantity=10_000,
                        unit_price_cents=2500,
                    )
                ],
            )
            db.session.add(order)
            db.session.commit()
            line_id = order.lines[0].id
        client = app.test_client()
        token = _token(client.get("/returns/").get_data(as_text=True), "csrf_token")
        client.post(
            "/returns/",
            data={"csrf_token": token, "order_number": "JP-BENCH", "contact": "bench@example.com"},
        )

        confirm_ms, label_ms, status_urls = [], [], []
        for _ in range(RUNS + 10):
            client.post(
                "/returns/start",
                data={
                    "csrf_token": token,
                    f"return-{line_id}": "1",
                    f"qty-{line_id}": "1",
                    f"reason-{line_id}": "changed_mind",
                    "resolution": "refund",
                    "method": "label",
                },
            )
            key = _token(client.get("/returns/review").get_data(as_text=True), "key")
            start = time.perf_counter()
            response = client.post("/returns/confirm", data={"csrf_token": token, "key": key})
            confirm_ms.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 303, response.status_code
            status_urls.append(response.headers["Location"])
        for url in status_urls:
            start = time.perf_counter()
            response = client.get(url + "/label.pdf")
            label_ms.append((time.perf_counter() - start) * 1000)
            assert response.mimetype == "application/pdf"
        rows = []
        for name, samples in (("confirm a return", confirm_ms[10:]), ("label PDF", label_ms[10:])):
            stats = summary(samples)
            rows.append([name, stats["median"], stats["p95"], stats["runs"]])
        print_table(
            "Returns server time, in-process (ms; targets: confirm p95 < 50, label p95 < 100)",
            ["action", "median", "p95", "runs"],
            rows,
        )
