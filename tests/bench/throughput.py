"""Requests per second under gunicorn, and the workers' memory with a large help center.

gunicorn with `gunicorn.conf.py` on loopback, FRONTDESK_ENV=production, WEB_CONCURRENCY or
one sync worker per CPU, an SQLite database (each search writes its row; article views and the
daily counters are written in batches), rate limits off as in the load test
(tests/load/generator.py says why). The load generator's BENCH_CLIENTS clients (4 per worker)
load one page at a time for BENCH_SECONDS (10) after a 2-second warm-up (wrk, tests/load/wrk.py,
when it is installed; the Python generator otherwise): a hello-world Flask
app (tests/load/hello.py, same gunicorn config) as the baseline, then the article page, the
search page and the JSON search API on the shipped content, the article page through nginx's
proxy_cache in front of the same server (tests/load/nginx.py), the article page again with rate
limits on as a shop runs it (it has no limit of its own, but Flask-Limiter still sees every
request), and the same three on a generated corpus of BENCH_ARTICLES (10,000) articles, where
the workers' resident memory (VmRSS) is measured too. The generator runs on the same machine
and its CPU use is shown: on a small machine it takes cores the server would otherwise use.
"""

import contextlib
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import yaml

from tests.bench.common import print_table
from tests.bench.search import SEED, SYNONYM_GROUPS, generate_corpus, make_queries
from tests.load import wrk
from tests.load.generator import (
    LOOPBACK,
    ROOT,
    Budget,
    Gunicorn,
    flask_command,
    free_port,
    listening,
    production_env,
    resident_kib,
    run_clients,
    worker_count,
)
from tests.load.nginx import Nginx
from tests.load.run import ARTICLE_LINK, QUERIES

SECONDS = float(os.environ.get("BENCH_SECONDS", "10"))
WARMUP = 2.0
CLIENTS = int(os.environ.get("BENCH_CLIENTS") or 4 * worker_count())
ARTICLES = int(os.environ.get("BENCH_ARTICLES", "10000"))
MAX_REQUESTS = 1_000_000  # far more than SECONDS can use: the deadline ends each run


def measure(server: Gunicorn | Nginx, urls: list[str]) -> dict[str, float]:
    """Warm up, then GET the urls at random for SECONDS with CLIENTS clients: wrk's when it
    is installed, else the Python generator's."""
    if wrk.available():
        wrk.run_wrk(server.port, urls, WARMUP, CLIENTS)
        return wrk.run_wrk(server.port, urls, SECONDS, CLIENTS)

    def scenario(client, rng) -> None:
        client.get(rng.choice(urls), "page")

    run_clients(server.port, CLIENTS, Budget(WARMUP, MAX_REQUESTS), scenario)
    cpu = time.process_time()
    stats = run_clients(server.port, CLIENTS, Budget(SECONDS, MAX_REQUESTS), scenario)
    row = stats.rows(["page"])[0]
    return {
        "rate": stats.rate(),
        "p50": row[3],
        "p99": row[5],
        "not 2xx": stats.count() - stats.count(low=200, high=299) + stats.errors(),
        "generator cpu": (time.process_time() - cpu) / stats.seconds,
    }


@contextlib.contextmanager
def redis_server(root: Path) -> Iterator[str]:
    """TEST_REDIS_URL, else a Redis server of our own (Debian's redis-server) on loopback."""
    if os.environ.get("TEST_REDIS_URL"):
        yield os.environ["TEST_REDIS_URL"]
        return
    port = free_port()
    process = subprocess.Popen(
        ["redis-server", "--port", str(port), "--save", "", "--appendonly", "no"],
        cwd=root,
        stdout=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        while not listening(port):
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError("redis-server did not start (apt-get install redis-server)")
            time.sleep(0.05)
        yield f"redis://{LOOPBACK}:{port}/0"
    finally:
        process.terminate()
        process.wait()


def page_urls(server: Gunicorn, queries: list[str]) -> dict[str, list[str]]:
    """Every article (from the sitemap), and the search page and API for each query."""
    paths = ARTICLE_LINK.findall(server.get("/sitemap.xml", timeout=60)[1])
    assert paths, "the sitemap lists no articles"
    words = [query.replace(" ", "+") for query in queries]
    return {
        "article page": paths,
        "search page": [f"/search?q={w}" for w in words],
        "JSON search API": [f"/api/search?q={w}" for w in words],
    }


def generated_content(root: Path) -> list[str]:
    """The search benchmark's generated help center, with the shipped return policy and the
    benchmark's synonyms; returns queries for it."""
    root.mkdir()
    corpus = generate_corpus(root, ARTICLES, SEED)
    shutil.copy(ROOT / "content" / "returns-policy.yml", root / "returns-policy.yml")
    (root / "synonyms.yml").write_text(yaml.safe_dump(SYNONYM_GROUPS), encoding="utf-8")
    return [query.text for query in make_queries(corpus, 100, SEED + 2)]


def memory_mb(server: Gunicorn) -> list[float]:
    """Each worker's resident memory (VmRSS), in MB."""
    return [resident_kib(pid) / 1024 for pid in sorted(server.worker_pids())]


def run() -> None:
    measured: list[tuple[str, str, dict]] = []
    memory: list[tuple[str, list[float]]] = []
    with tempfile.TemporaryDirectory(prefix="bench-throughput-") as tmp:
        tmp_path = Path(tmp)

        def app_server(name: str, **settings: str) -> tuple[Gunicorn, float]:
            """A migrated database and a built index (as at a deploy), and the server; also
            the seconds `flask content index` took."""
            env = production_env(f"sqlite:///{tmp_path / name}.db", tmp_path / name, **settings)
            once = {**env, "SEARCH_INDEX_ON_START": "0"}  # the command builds it, once
            flask_command(once, "db", "upgrade")
            start = time.perf_counter()
            flask_command(once, "content", "index")
            index_s = time.perf_counter() - start
            return Gunicorn("app:create_app()", env, tmp_path / f"{name}.log"), index_s

        hello_env = production_env(f"sqlite:///{tmp_path / 'hello'}.db", tmp_path / "hello")
        with Gunicorn("tests.load.hello:create_app()", hello_env, tmp_path / "hello.log", "/") as s:
            measured.append(("hello world", "-", measure(s, ["/"])))

        server, _ = app_server("shipped", TRUSTED_PROXIES="1")
        with server:
            for page, urls in page_urls(server, QUERIES).items():
                measured.append((page, "shipped", measure(server, urls)))
            memory.append(("shipped content, after the load", memory_mb(server)))
            # The same article pages through a shared cache (nginx's proxy_cache).
            with Nginx(server.port, tmp_path / "nginx") as proxy:
                urls = page_urls(server, QUERIES)["article page"]
                measured.append(("article, via nginx", "shipped", measure(proxy, urls)))
                cache = proxy.verdicts("GET", "/articles/")

        # As a shop runs it: rate limits on, counted in Redis as several workers must (the
        # article page has none of its own, so the clients on one address are not refused).
        with redis_server(tmp_path) as redis_url:
            server, _ = app_server("limits", RATELIMIT_ENABLED="1", RATELIMIT_STORAGE_URI=redis_url)
            with server:
                urls = page_urls(server, QUERIES)["article page"]
                measured.append(("article, limits on", "shipped", measure(server, urls)))

        content = tmp_path / "generated"
        start = time.perf_counter()
        queries = generated_content(content)
        generate_s = time.perf_counter() - start
        server, index_s = app_server("generated", CONTENT_DIR=str(content))
        start = time.perf_counter()
        with server:
            start_s = time.perf_counter() - start
            memory.append((f"{ARTICLES:,} articles, after start", memory_mb(server)))
            for page, urls in page_urls(server, queries).items():
                measured.append((page, f"{ARTICLES:,} articles", measure(server, urls)))
            memory.append((f"{ARTICLES:,} articles, after the load", memory_mb(server)))
            master = resident_kib(server.process.pid) / 1024

    hello = measured[0][2]["rate"]
    client_kind = "wrk connections" if wrk.available() else "Python clients (install wrk)"
    print_table(
        f"Throughput under gunicorn: {worker_count()} sync workers (gunicorn.conf.py), "
        f"production settings, SQLite; {CLIENTS} {client_kind} on loopback for {SECONDS:.0f} s "
        "each "
        f"(targets: article page >= 0.6x hello world, via nginx >= 3x, search page >= 0.3x)",
        ["page", "content", "req/s", "x hello", "p50 ms", "p99 ms", "not 2xx", "client CPU"],
        [
            [
                page,
                content,
                m["rate"],
                m["rate"] / hello,
                m["p50"],
                m["p99"],
                m["not 2xx"],
                f"{m['generator cpu']:.0%}",
            ]
            for page, content, m in measured
        ],
    )
    hits = cache.get("HIT", 0)
    print(
        f"\n  Article requests through nginx: {sum(cache.values())}, answered from its cache "
        f"{hits} ({hits / max(1, sum(cache.values())):.1%}); the rest reached gunicorn"
    )
    print(
        f"\n  {ARTICLES:,} generated articles: written in {generate_s:.0f} s, "
        f"`flask content index` {index_s:.0f} s, gunicorn ready (every worker loaded and "
        f"answering) in {start_s:.0f} s"
    )
    print_table(
        f"Resident memory (VmRSS) per worker, MB (target: < 150 at {ARTICLES:,} articles "
        f"indexed; gunicorn master {master:.0f} MB)",
        ["content, when", "mean per worker", "largest", "every worker"],
        [
            [when, sum(sizes) / len(sizes), max(sizes), " ".join(f"{s:.0f}" for s in sizes)]
            for when, sizes in memory
        ],
    )
