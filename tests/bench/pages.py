"""Server time of help center pages, in-process with the test client."""

import tempfile

from tests.bench.common import bench_app, print_table, summary, timings_ms

RUNS = 1000


def run() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        app = bench_app(tmp)
        client = app.test_client()
        pages = {
            "article (tutorial)": "/articles/returns-refunds/how-to-return-an-item",
            "article (faq)": "/articles/orders-shipping/track-my-order",
            "article in German (tutorial)": "/de/articles/returns-refunds/how-to-return-an-item",
            "article in French, not translated yet": (
                "/fr/articles/troubleshooting/website-not-loading-or-checkout-stuck"
            ),
            "home": "/",
            "category": "/categories/returns-refunds",
        }
        rows = []
        for name, url in pages.items():
            assert client.get(url).status_code == 200, url
            stats = summary(timings_ms(lambda url=url: client.get(url), RUNS))
            rows.append([name, stats["median"], stats["p95"], stats["runs"]])
        print_table(
            "Page server time, in-process test client (ms; target: article median < 2 ms)",
            ["page", "median", "p95", "runs"],
            rows,
        )
