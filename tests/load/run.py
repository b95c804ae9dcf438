"""`make loadtest`: customers on loopback against gunicorn with the production config on
PostgreSQL, then a check that the database holds exactly what they were told was saved.

LOAD_CLIENTS customers (50) for LOAD_SECONDS (60), at most LOAD_MAX_REQUESTS (500,000),
browse the home page and articles, search (page and JSON API), vote on articles and start
returns through the whole portal (lookup, choose, review, confirm). The database is a new
schema in TEST_DATABASE_URL, or in the database `.ci/postgres` made, dropped at the end; the
workers are WEB_CONCURRENCY or one per CPU. Prints requests/s, latency percentiles and status
counts per route, then the writes check; exits 1 on any 5xx, unanswered request, unexpected
4xx, or vote or return the clients saw saved that is missing, wrong or stored twice.

With LOAD_VIA=nginx (`make loadtest VIA=nginx`) the customers go through nginx's proxy_cache
in front of gunicorn (tests/load/nginx.py), and a table shows, per route, how many requests
nginx answered from its cache and how many reached the site: article pages should mostly be
cache hits, while votes, searches and returns must all reach the site (the writes check then
shows none was lost to the cache).
"""

import contextlib
import json
import os
import re
import sys
import tempfile
import threading
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy
import sqlalchemy.pool
from flask import Flask

from app import config as settings
from app.signing import unsign
from tests.bench.common import print_table
from tests.load.generator import (
    ROOT,
    Budget,
    Client,
    Gunicorn,
    Stats,
    flask_command,
    production_env,
    run_clients,
)
from tests.load.nginx import Nginx
from tests.returns_helpers import token_from

CLIENTS = int(os.environ.get("LOAD_CLIENTS", "50"))
SECONDS = float(os.environ.get("LOAD_SECONDS", "60"))
MAX_REQUESTS = int(os.environ.get("LOAD_MAX_REQUESTS", "500000"))
VIA_NGINX = os.environ.get("LOAD_VIA", "") == "nginx"
ORDER_QUANTITY = 200  # units per order: enough that returns never run out in a run
DOUBLE_CLICKS = 0.2  # share of returns confirmed with a double click (two posts at once)

QUERIES = [
    "return label",
    "track my parcel",
    "refund",
    "how long does a refund take",
    "size guide",
    "damaged item",
    "gift card",
    "change delivery address",
    "store credit",
    "exchnage",  # a typo, corrected by search
    "cancel my order",
    "wash linen",
    "payment declined",
    "delete my account",
]
ROUTES = [
    "home",
    "article",
    "search",
    "api search",
    "vote",
    "return: lookup",
    "return: choose",
    "return: review",
    "return: confirm",
    "return: status",
]
ARTICLE_LINK = re.compile(r"<loc>[^<]*?(/articles/[^<]+)</loc>")
QTY_FIELD = re.compile(r'name="qty-(\d+)"')
RMA = re.compile(r"<h1>Return ([^<]+)</h1>")
EXCEPTION_LINE = re.compile(r"^[\w.]*(?:Error|Exception)\b.*$", re.MULTILINE)


def postgres_url() -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    written = ROOT / ".ci" / ".postgres-url"
    if not url and written.exists():
        url = written.read_text().strip()
    if not url:
        sys.exit("No PostgreSQL: set TEST_DATABASE_URL, or run `sh .ci/postgres` (as root).")
    return settings.database_url(url)


class Schema:
    """A new, empty schema in the PostgreSQL database, dropped on exit; `url` uses it."""

    def __init__(self, base: str):
        self.name = f"load_{uuid.uuid4().hex[:12]}"
        self.engine = sqlalchemy.create_engine(base, poolclass=sqlalchemy.pool.NullPool)
        separator = "&" if "?" in base else "?"
        self.url = f"{base}{separator}options=-csearch_path%3D{self.name}"

    def __enter__(self) -> "Schema":
        with self.engine.begin() as connection:
            connection.execute(sqlalchemy.text(f'CREATE SCHEMA "{self.name}"'))
        return self

    def __exit__(self, *exc) -> None:
        with self.engine.begin() as connection:
            connection.execute(sqlalchemy.text(f'DROP SCHEMA "{self.name}" CASCADE'))
        self.engine.dispose()


def orders_file(path: Path, count: int) -> list[tuple[str, str]]:
    """Write `count` orders with one line of ORDER_QUANTITY units; their (number, email)."""
    now = datetime.now(UTC)
    orders = [
        {
            "order_number": f"LT-{n:05d}",
            "email": f"load{n}@example.com",
            "customer_name": f"Load Customer {n}",
            "address_line1": f"{n} Loop Road",
            "city": "Portland",
            "region": "OR",
            "postal_code": "97201",
            "country": "US",
            "currency": "USD",
            "payment_method": "card",
            "placed_at": (now - timedelta(days=5)).isoformat(),
            "delivered_at": (now - timedelta(days=2)).isoformat(),
            "lines": [
                {
                    "sku": "TEE-LOAD",
                    "name": "Load-test tee",
                    "category": "tops",
                    "quantity": ORDER_QUANTITY,
                    "unit_price": "25.00",
                }
            ],
        }
        for n in range(count)
    ]
    path.write_text(json.dumps({"orders": orders}), encoding="utf-8")
    return [(o["order_number"], o["email"]) for o in orders]


@dataclass
class Ledger:
    """What the clients were told was saved, in the order each client saw it."""

    votes: list[tuple[str, str, bool]] = field(default_factory=list)  # visitor, path, helpful
    returns: dict[str, str | None] = field(default_factory=dict)  # status token -> RMA shown
    double_clicks: list[set[str]] = field(default_factory=list)  # where both confirms led
    not_returnable: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


class Customers:
    """The scenario: each call is one thing a customer does, chosen at random."""

    def __init__(self, paths: list[str], orders: list[tuple[str, str]], secret_key: str):
        self.paths = paths
        self.orders = orders
        self.ledger = Ledger()
        app = Flask("load-test")
        app.secret_key = secret_key
        self.sessions = app.session_interface.get_signing_serializer(app)
        self.actions = {
            self.home: 15,
            self.article: 30,
            self.search: 15,
            self.api_search: 15,
            self.vote: 15,
            self.start_return: 10,
        }

    def __call__(self, client: Client, rng) -> None:
        action = rng.choices(list(self.actions), list(self.actions.values()))[0]
        action(client, rng)

    def home(self, client: Client, rng) -> None:
        client.get("/", "home")

    def article(self, client: Client, rng) -> None:
        client.get(rng.choice(self.paths), "article")

    def search(self, client: Client, rng) -> None:
        client.get(f"/search?q={rng.choice(QUERIES).replace(' ', '+')}", "search")

    def api_search(self, client: Client, rng) -> None:
        client.get(f"/api/search?q={rng.choice(QUERIES).replace(' ', '+')}", "api search")

    def vote(self, client: Client, rng) -> None:
        path = rng.choice(self.paths)
        page = client.get(path, "article")
        if page.status != 200:
            return
        helpful = rng.random() < 0.7
        form = {"helpful": "yes" if helpful else "no"}
        if client.post(path + "/vote", "vote", form).status == 303:
            visitor = self.sessions.loads(client.cookies["session"])["visitor_id"]
            with self.ledger.lock:
                self.ledger.votes.append((visitor, path.removeprefix("/articles/"), helpful))

    def start_return(self, client: Client, rng) -> None:
        number, email = rng.choice(self.orders)
        page = client.get("/returns/", "return: lookup")
        if page.status != 200:
            return
        form = {"csrf_token": token_from(page.text), "order_number": number, "contact": email}
        if client.post("/returns/", "return: lookup", form).status != 303:
            return
        page = client.get("/returns/start", "return: choose")
        line = QTY_FIELD.search(page.text)
        if page.status != 200 or not line:
            return
        form = {
            "csrf_token": token_from(page.text),
            f"return-{line[1]}": "1",
            f"qty-{line[1]}": "1",
            f"reason-{line[1]}": "changed_mind",
            "resolution": rng.choice(["refund", "store_credit"]),
            "method": rng.choice(["label", "drop_off"]),
        }
        if client.post("/returns/start", "return: choose", form).status != 303:
            return
        page = client.get("/returns/review", "return: review")
        if page.status != 200:
            return
        form = {"csrf_token": token_from(page.text), "key": token_from(page.text, "key")}
        if rng.random() < DOUBLE_CLICKS:
            replies = client.post_twice("/returns/confirm", "return: confirm", form)
        else:
            replies = [client.post("/returns/confirm", "return: confirm", form)]
        confirmed = [r for r in replies if r is not None and r.status == 303]
        with self.ledger.lock:
            self.ledger.not_returnable += sum(r is not None and r.status == 409 for r in replies)
            for r in confirmed:
                self.ledger.returns.setdefault(r.location.rsplit("/", 1)[-1], None)
            if len(replies) == 2 and len(confirmed) == 2:
                self.ledger.double_clicks.append({r.location for r in confirmed})
        if not confirmed:
            return
        reply = confirmed[0]
        token = reply.location.rsplit("/", 1)[-1]
        page = client.get(reply.location, "return: status")
        shown = RMA.search(page.text)
        if page.status == 200 and shown:
            with self.ledger.lock:
                self.ledger.returns[token] = shown[1]


@dataclass
class Check:
    kind: str
    seen: int
    stored: int
    lost: int = 0
    duplicated: int = 0
    wrong: int = 0
    unseen: int = 0  # stored, though no client was told (its answer never arrived)

    @property
    def ok(self) -> bool:
        return not (self.lost or self.duplicated or self.wrong)

    def row(self) -> list[object]:
        return [
            self.kind,
            self.seen,
            self.stored,
            self.lost,
            self.duplicated,
            self.wrong,
            self.unseen,
        ]


def check_votes(connection, ledger: Ledger) -> Check:
    query = "SELECT visitor_id, article_path, helpful FROM votes"
    rows = connection.execute(sqlalchemy.text(query))
    stored: dict[tuple[str, str], bool] = {}
    copies: Counter = Counter()
    for visitor, path, helpful in rows:
        stored[(visitor, path)] = helpful
        copies[(visitor, path)] += 1
    last = {(visitor, path): helpful for visitor, path, helpful in ledger.votes}
    return Check(
        "votes (one per visitor and article)",
        seen=len(last),
        stored=len(stored),
        lost=len(set(last) - set(stored)),
        duplicated=sum(n - 1 for n in copies.values()),
        wrong=sum(1 for key, helpful in last.items() if key in stored and stored[key] != helpful),
        unseen=len(set(stored) - set(last)),
    )


def check_returns(connection, ledger: Ledger, secret_key: str) -> Check:
    rows = connection.execute(
        sqlalchemy.text("SELECT public_token, rma_number, idempotency_key FROM return_requests")
    ).all()
    by_public = {public: rma for public, rma, _ in rows}
    seen = {unsign(secret_key, "return-status", t): rma for t, rma in ledger.returns.items()}
    keys = Counter(key for _, _, key in rows)
    rmas = Counter(rma for _, rma, _ in rows)
    return Check(
        "returns (one per confirmed draft)",
        seen=len(seen),
        stored=len(rows),
        lost=sum(1 for public in seen if public not in by_public),
        duplicated=sum(n - 1 for n in keys.values())
        + sum(n - 1 for n in rmas.values())
        + sum(len(pair) - 1 for pair in ledger.double_clicks),  # two returns for one draft
        wrong=sum(1 for p, rma in seen.items() if rma and by_public.get(p, rma) != rma),
        unseen=len(set(by_public) - set(seen)),
    )


def over_returned(connection) -> int:
    """Order lines with more units in returns than were ordered."""
    return connection.execute(
        sqlalchemy.text(
            "SELECT count(*) FROM order_lines l WHERE l.quantity < "
            "(SELECT coalesce(sum(r.quantity), 0) FROM return_lines r WHERE r.order_line_id = l.id)"
        )
    ).scalar_one()


def logged_errors(log: str) -> Counter:
    """The app's ERROR records in the server log, as "message: the exception's last line"."""
    found: Counter = Counter()
    for line in log.splitlines():
        if not line.startswith("{"):
            continue  # gunicorn's own lines and the access log
        record = json.loads(line)
        if record.get("level") == "ERROR":
            raised = EXCEPTION_LINE.findall(record.get("exception") or "")[-1:]
            found[": ".join([record["message"], *raised])[:300]] += 1
    return found


CACHE_GROUPS = [
    ("GET", "/articles/", "GET /articles/ (article pages)"),
    ("POST", "/articles/", "POST /articles/ (votes)"),
    ("GET", "/search", "GET /search"),
    ("GET", "/api/search", "GET /api/search"),
    ("GET", "/returns/", "GET /returns/"),
    ("POST", "/returns/", "POST /returns/"),
]


def cache_rows(proxy: Nginx) -> list[list[object]]:
    """Per kind of request: how many nginx answered from its cache, how many reached the site."""
    rows = []
    for method, start, label in CACHE_GROUPS:
        verdicts = proxy.verdicts(method, start)
        cached = verdicts.get("HIT", 0) + verdicts.get("STALE", 0) + verdicts.get("UPDATING", 0)
        rows.append([label, cached, sum(verdicts.values()) - cached])
    return rows


def main() -> int:
    with Schema(postgres_url()) as schema, tempfile.TemporaryDirectory(prefix="load-") as tmp:
        instance = Path(tmp) / "instance"
        env = production_env(schema.url, instance)
        flask_command(env, "db", "upgrade")
        flask_command(env, "content", "index")
        orders = orders_file(Path(tmp) / "orders.json", CLIENTS * 2)
        flask_command(env, "orders", "import", str(Path(tmp) / "orders.json"))

        if VIA_NGINX:
            env["TRUSTED_PROXIES"] = "1"
        with contextlib.ExitStack() as running:
            server = running.enter_context(
                Gunicorn("app:create_app()", env, Path(tmp) / "gunicorn.log")
            )
            proxy = running.enter_context(Nginx(server.port, Path(tmp))) if VIA_NGINX else None
            paths = ARTICLE_LINK.findall(server.get("/sitemap.xml")[1])
            customers = Customers(paths, orders, env["SECRET_KEY"])
            print(
                f"Load test: {CLIENTS} clients for {SECONDS:.0f} s against "
                f"{'nginx (proxy_cache) in front of ' if proxy else ''}gunicorn "
                f"({server.workers} workers, gunicorn.conf.py, FRONTDESK_ENV=production) on "
                f"PostgreSQL; {len(paths)} articles, {len(orders)} orders",
                flush=True,
            )
            budget = Budget(SECONDS, MAX_REQUESTS)
            stats = run_clients((proxy or server).port, CLIENTS, budget, customers)
            errors = logged_errors(server.log.read_text(errors="replace"))
            cache = cache_rows(proxy) if proxy else []

        with schema.engine.connect() as connection:
            connection.execute(sqlalchemy.text(f'SET search_path TO "{schema.name}"'))
            checks = [
                check_votes(connection, customers.ledger),
                check_returns(connection, customers.ledger, env["SECRET_KEY"]),
            ]
            over = over_returned(connection)

    print_table(
        f"Requests: {stats.count()} in {stats.seconds:.1f} s = {stats.rate():.0f} req/s "
        f"(target: no 5xx, no errors)",
        Stats.HEADERS,
        stats.rows(ROUTES),
    )
    print_table(
        "Writes the clients were told were saved, checked in the database "
        "(target: none lost, duplicated or wrong)",
        ["write", "seen", "stored", "lost", "duplicated", "wrong", "stored, unseen"],
        [check.row() for check in checks],
    )
    if cache:
        print_table(
            "What nginx answered from its cache (target: most article pages; no vote, "
            "search or return page)",
            ["requests", "from the cache", "reached the site"],
            cache,
        )
    ledger = customers.ledger
    print(
        f"\n  returns confirmed with a double click, both posts answered: "
        f"{len(ledger.double_clicks)} (both must lead to the same return)"
    )
    print(f"  returns refused as not returnable (409): {ledger.not_returnable}")
    print(f"  order lines with more units returned than ordered: {over}")

    expected_4xx = ledger.not_returnable
    cached_writes = sum(row[1] for row in cache if not row[0].startswith("GET /articles/"))
    problems = [
        f"{stats.count(low=500)} answers were 5xx" if stats.count(low=500) else "",
        f"{stats.errors()} requests got no answer" if stats.errors() else "",
        f"{len(stats.crashes)} clients crashed:\n{stats.crashes[0]}" if stats.crashes else "",
        f"{stats.count(low=400, high=499) - expected_4xx} unexpected 4xx answers"
        if stats.count(low=400, high=499) > expected_4xx
        else "",
        *(f"{check.kind}: not as the clients saw them" for check in checks if not check.ok),
        f"{over} order lines over-returned" if over else "",
        f"{cached_writes} votes, searches or returns pages came from nginx's cache"
        if cached_writes
        else "",
        "no vote or return was saved: the scenario did not run"
        if not (ledger.votes and ledger.returns)
        else "",
    ]
    problems = [p for p in problems if p]
    if problems:
        print("\nFAILED: " + "; ".join(problems))
        if errors:
            print("\nErrors the app logged (how many, message: exception):")
            for error, count in errors.most_common(10):
                print(f"  {count} x {error}")
        return 1
    print("\nOK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
