"""Editor insights at scale: one million searches, 100,000 result clicks and 50,000 votes
(plus orders, returns and deflections) in SQLite, then the server time of the search report
and the content-gap queue, signed in as an editor, through the test client.

The searches spread over DAYS days with a long tail of distinct queries (Zipf-like), so
the default 30-day report covers about a third of them and the 90-day one all of them.
"""

import random
import tempfile
import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from app.analytics.rollup import rebuild_search_daily
from app.analytics.searches import record_search
from app.extensions import db
from app.models import SearchDaily
from app.services import services
from tests.bench.common import bench_app, print_table, summary, timings_ms
from tests.staff_helpers import signed_in

SEARCHES = 1_000_000
CLICKS = 100_000
VOTES = 50_000
QUERIES = 30_000  # distinct normalized queries
ZERO_SHARE = 0.08  # of the distinct queries, those that find nothing
DAYS = 90
ORDERS = 5_000
RETURNS = 1_500
DEFLECTIONS = 3_000
RUNS = 10
SEED = 20261123

VOCABULARY = """
refund return exchange size fit shoe boot dress linen wool jacket coat parcel package delivery
tracking late missing damaged broken torn stain wash shrink pilling label printer drop off store
credit gift card voucher promo code discount invoice receipt payment declined charged twice
password sign in account delete address change cancel order status customs duties international
express pickup locker warranty colour photo
"""
STAMP = "%Y-%m-%d %H:%M:%S.%f"  # how SQLAlchemy stores datetimes in SQLite


def _queries(rng: random.Random) -> list[tuple[str, str, bool]]:
    """(normalized, as typed, finds nothing) for each distinct query, most popular first."""
    seen, found = set(), []
    while len(found) < QUERIES:
        words = rng.sample(VOCABULARY.split(), rng.choice((1, 2, 2, 3, 3, 4)))
        text = " ".join(words)
        if text in seen:
            continue
        seen.add(text)
        typed = text.capitalize() + rng.choice(("", "?", "", " ", "!"))
        found.append((text, typed, rng.random() < ZERO_SHARE))
    return found


def _stamp(moment: datetime) -> str:
    return moment.strftime(STAMP)


def generate(app) -> dict[str, float]:
    """Fill the database; returns how long each part took (seconds)."""
    rng = random.Random(SEED)
    now = datetime.now(UTC).replace(tzinfo=None)
    start = now - timedelta(days=DAYS)
    span = (now - start).total_seconds()
    library = services(app).library
    paths = sorted(library.articles)
    queries = _queries(rng)
    weights = [1 / (rank + 1) for rank in range(QUERIES)]
    took = {}

    with app.app_context():
        raw = db.engine.raw_connection()
        cursor = raw.cursor()

        began = time.perf_counter()
        picks = rng.choices(range(QUERIES), weights, k=SEARCHES)
        events = []
        for number, pick in enumerate(picks, start=1):
            normalized, typed, zero = queries[pick]
            moment = start + timedelta(seconds=span * number / SEARCHES)
            results = 0 if zero else rng.randint(1, 12)
            visitor = f"v{number // 3}"
            events.append((number, typed, normalized, results, "page", visitor, _stamp(moment)))
        cursor.executemany(
            "INSERT INTO search_events (id, query_raw_redacted, query_normalized, "
            "results_count, source, visitor_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            events,
        )
        clicked = rng.sample([e for e in events if e[3] > 0], CLICKS)
        cursor.executemany(
            "INSERT INTO search_clicks (search_event_id, article_path, position, created_at) "
            "VALUES (?, ?, ?, ?)",
            [
                (
                    e[0],
                    rng.choice(paths),
                    rng.choices((1, 2, 3, 4, 5), (50, 20, 12, 10, 8))[0],
                    e[6],
                )
                for e in clicked
            ],
        )
        raw.commit()
        took["searches and clicks"] = time.perf_counter() - began

        began = time.perf_counter()
        helpfulness = {path: rng.uniform(0.35, 0.95) for path in paths}
        reasons = ["outdated", "unclear", "missing_info", "didnt_solve", "other"]
        votes = []
        for number in range(VOTES):
            path = rng.choice(paths)
            helpful = rng.random() < helpfulness[path]
            moment = _stamp(start + timedelta(seconds=rng.uniform(0, span)))
            comment = None if helpful or rng.random() < 0.8 else f"Comment number {number}"
            reason = None if helpful else rng.choice(reasons)
            votes.append((path, f"voter{number}", helpful, reason, comment, moment, moment))
        cursor.executemany(
            "INSERT INTO votes (article_path, visitor_id, helpful, reason, comment, created_at, "
            "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            votes,
        )
        cursor.executemany(
            "INSERT INTO article_views_daily (article_path, day, views) VALUES (?, ?, ?)",
            [
                (path, (start + timedelta(days=d)).date().isoformat(), rng.randint(20, 400))
                for path in paths
                for d in range(DAYS + 1)
            ],
        )
        _returns(cursor, rng, start, span, paths)
        _suggestions(cursor, rng, queries, now)
        raw.commit()
        raw.close()
        took["votes, views, orders, returns"] = time.perf_counter() - began

        began = time.perf_counter()
        rows = rebuild_search_daily()
        took[f"daily counters ({rows:,} rows) from the events"] = time.perf_counter() - began
        assert db.session.scalar(select(func.sum(SearchDaily.searches))) == SEARCHES
    return took


def _returns(cursor, rng: random.Random, start: datetime, span: float, paths) -> None:
    categories = ["tops", "dresses", "shoes", "bags", "home", "outerwear", "accessories"]
    skus = [(f"SKU-{n:04d}", f"Item {n}", rng.choice(categories)) for n in range(300)]
    reasons = ["too_small", "too_large", "damaged", "defective", "not_as_described",
               "wrong_item", "changed_mind", "other"]  # fmt: skip
    orders, lines = [], []
    for number in range(1, ORDERS + 1):
        placed = start + timedelta(seconds=rng.uniform(0, span))
        orders.append((number, f"JP-{number}", f"c{number}@example.com", _stamp(placed)))
        for _ in range(rng.randint(1, 3)):
            sku, name, category = rng.choice(skus)
            lines.append((len(lines) + 1, number, sku, name, category, rng.randint(1, 2), 4500))
    cursor.executemany(
        "INSERT INTO orders (id, number, email, customer_name, address_line1, address_line2, "
        "city, region, postal_code, country, currency, payment_method, placed_at, delivered_at, "
        "return_lock) VALUES (?, ?, ?, '', '', '', '', '', '97201', 'US', 'USD', 'card', ?, "
        "NULL, 0)",
        orders,
    )
    cursor.executemany(
        "INSERT INTO order_lines (id, order_id, sku, name, category, quantity, unit_price_cents, "
        "final_sale) VALUES (?, ?, ?, ?, ?, ?, ?, 0)",
        lines,
    )
    requests, return_lines = [], []
    for number, line in enumerate(rng.sample(lines, RETURNS), start=1):
        created = _stamp(start + timedelta(seconds=rng.uniform(0, span)))
        requests.append(
            (
                number,
                f"RMA-{number:08d}",
                f"token{number}",
                f"key{number}",
                line[1],
                created,
                created,
            )
        )
        return_lines.append((number, line[0], 1, rng.choice(reasons)))
    cursor.executemany(
        "INSERT INTO return_requests (id, rma_number, public_token, idempotency_key, order_id, "
        "status, resolution, method, items_cents, fees_cents, bonus_cents, estimate_cents, "
        "created_at, updated_at) VALUES (?, ?, ?, ?, ?, 'requested', 'refund', 'label', 0, 0, 0, "
        "0, ?, ?)",
        requests,
    )
    cursor.executemany(
        "INSERT INTO return_lines (return_id, order_line_id, quantity, reason_code) "
        "VALUES (?, ?, ?, ?)",
        return_lines,
    )
    cursor.executemany(
        "INSERT INTO deflections (order_id, reason_code, article_path, outcome, sku, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        [
            (
                rng.randint(1, ORDERS),
                rng.choice(reasons[:5]),
                rng.choice(paths),
                rng.choice(("solved", "continued", "continued")),
                None,
                _stamp(start + timedelta(seconds=rng.uniform(0, span))),
            )
            for _ in range(DEFLECTIONS)
        ],
    )


def _suggestions(cursor, rng: random.Random, queries, now: datetime) -> None:
    """Synonym suggestions, and a few dozen gaps an editor has already decided on (some done,
    so the queue checks whether they closed)."""
    zero = [q for q in queries if q[2]][:300]
    found = [q for q in queries if not q[2]][:300]
    stamp = _stamp(now)
    cursor.executemany(
        "INSERT INTO synonym_suggestions (zero_query, followed_by, count, status, first_seen, "
        "last_seen, updated_at) VALUES (?, ?, ?, 'open', ?, ?, ?)",
        [
            (z[0], f[0], rng.randint(1, 40), stamp, stamp, stamp)
            for z, f in zip(zero, found, strict=True)
        ],
    )
    done = _stamp(now - timedelta(days=10))
    cursor.executemany(
        "INSERT INTO content_gaps (kind, key, status, note, score, baseline, done_at, updated_by, "
        "created_at, updated_at) VALUES (?, ?, ?, '', 1.0, ?, ?, 'bench', ?, ?)",
        [
            (
                "query",
                q[0],
                status,
                '{"searches": 10, "zero_results": 10, "clicked": 0}' if status == "done" else None,
                done if status == "done" else None,
                done,
                done,
            )
            for q, status in zip(
                zero[:40], ["done", "planned", "dismissed", "open"] * 10, strict=True
            )
        ],
    )


def _median(client, url: str) -> dict:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return summary(timings_ms(lambda: client.get(url), RUNS, warmup=2))


def run() -> None:
    with tempfile.TemporaryDirectory(prefix="bench-insights-") as tmp:
        app = bench_app(tmp)
        took = generate(app)
        editor = signed_in(app, "editor")
        today = datetime.now(UTC).date()
        whole = f"start={(today - timedelta(days=DAYS)).isoformat()}&end={today.isoformat()}"
        pages = {
            "search report, last 30 days": "/staff/insights/searches",
            f"search report, all {DAYS + 1} days": f"/staff/insights/searches?{whole}",
            "gap queue, last 30 days": "/staff/insights",
            f"gap queue, all {DAYS + 1} days": f"/staff/insights?{whole}",
            "article report, last 30 days": "/staff/insights/articles",
            "returns report, last 30 days": "/staff/insights/returns",
            "search report, top queries as CSV": "/staff/insights/searches?"
            "format=csv&table=top_queries",
        }
        rows = []
        for name, url in pages.items():
            stats = _median(editor, url)
            rows.append([name, stats["median"], stats["p95"], stats["runs"]])
        with app.test_request_context():
            record = summary(
                timings_ms(lambda: record_search("refund status", 3, "page", "v1"), 200)
            )
        rows.append(
            ["recording one search (its counters batched)", record["median"], record["p95"], 200]
        )

    print(
        f"\nInsights data: {SEARCHES:,} searches ({QUERIES:,} distinct queries) over {DAYS} days,"
        f" {CLICKS:,} clicks, {VOTES:,} votes, {ORDERS:,} orders, {RETURNS:,} returns"
    )
    print("  generated in " + "; ".join(f"{name} {s:.1f} s" for name, s in took.items()))
    print_table(
        "Insights server time, signed in as an editor (ms; target: search report and gap "
        "queue < 500)",
        ["page", "median", "p95", "runs"],
        rows,
    )
