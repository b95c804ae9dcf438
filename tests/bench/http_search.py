"""The JSON search API over HTTP against the same requests in-process, on a generated help
center of BENCH_HTTP_ARTICLES (3,000) articles.

One client asks one query at a time, each query new to the server (distinct queries, so no
answer comes from the engine's memory of recent searches), and the latency is timed at the
client: in-process through Flask's test client, then over loopback against `flask run` (the
threaded development server `make run` starts) and against gunicorn with `gunicorn.conf.py`
(`make serve`). The target: over HTTP, p50 within 1.5x of in-process.
"""

import http.client
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

from app.services import services
from tests.bench.common import bench_app, percentile, print_table
from tests.bench.search import SEED, generate_corpus, make_queries
from tests.load.generator import (
    LOOPBACK,
    ROOT,
    Gunicorn,
    flask_command,
    free_port,
    production_env,
)

ARTICLES = int(os.environ.get("BENCH_HTTP_ARTICLES", "3000"))
QUERIES = 200
WARMUP = 20


def _get(port: int, path: str) -> float:
    """One GET on a new connection; its milliseconds (a non-200 answer is an error)."""
    start = time.perf_counter()
    connection = http.client.HTTPConnection(LOOPBACK, port, timeout=30)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        response.read()
    finally:
        connection.close()
    if response.status != 200:
        raise RuntimeError(f"GET {path} answered {response.status}")
    return (time.perf_counter() - start) * 1000


def _timed(get, warmup: list[str], measured: list[str]) -> list[float]:
    for path in warmup:
        get(path)
    return [get(path) for path in measured]


class DevServer:
    """`flask run` as `make run` starts it (threaded, development settings)."""

    def __init__(self, env: dict[str, str], log: Path):
        self.port = free_port()
        self.env = {**env, "FRONTDESK_ENV": "development"}
        self.log = log

    def __enter__(self) -> "DevServer":
        with open(self.log, "ab") as output:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "flask", "run", "--port", str(self.port)],
                cwd=ROOT,
                env=self.env,
                stdout=output,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                _get(self.port, "/healthz")
                return self
            except (OSError, RuntimeError):
                time.sleep(0.1)
        self.process.kill()
        raise RuntimeError("flask run did not answer /healthz")

    def __exit__(self, *exc) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


def run() -> None:
    with tempfile.TemporaryDirectory(prefix="bench-http-") as tmp:
        tmp_path = Path(tmp)
        content = tmp_path / "content"
        content.mkdir()
        corpus = generate_corpus(content, ARTICLES, SEED)
        shutil.copy(ROOT / "content" / "returns-policy.yml", content)
        texts = [q.text for q in make_queries(corpus, 4 * (QUERIES + WARMUP), SEED + 3)]
        paths = [f"/api/search?q={quote(text)}" for text in dict.fromkeys(texts)]
        chunks = [paths[n * (QUERIES + WARMUP) : (n + 1) * (QUERIES + WARMUP)] for n in range(3)]

        instance = tmp_path / "instance"
        env = production_env(f"sqlite:///{instance}/http.db", instance, CONTENT_DIR=str(content))
        instance.mkdir()
        flask_command(env, "db", "upgrade")
        flask_command(env, "content", "index")

        # Each way of serving gets its own distinct queries.
        rows = []
        app = bench_app(tmp, CONTENT_DIR=str(content), INDEX_DIR=env["INDEX_DIR"])
        client = app.test_client()

        def in_process(path: str) -> float:
            start = time.perf_counter()
            response = client.get(path)
            assert response.status_code == 200, response.status_code
            return (time.perf_counter() - start) * 1000

        chunk = chunks[0]
        base = _timed(in_process, chunk[:WARMUP], chunk[WARMUP:])
        services(app).close()
        rows.append(["in-process (test client)", *_figures(base, base)])

        with DevServer(env, tmp_path / "dev.log") as server:
            chunk = chunks[1]
            dev = _timed(lambda p: _get(server.port, p), chunk[:WARMUP], chunk[WARMUP:])
        rows.append(["flask run (make run)", *_figures(dev, base)])

        with Gunicorn("app:create_app()", env, tmp_path / "gunicorn.log") as server:
            chunk = chunks[2]
            served = _timed(lambda p: _get(server.port, p), chunk[:WARMUP], chunk[WARMUP:])
        rows.append([f"gunicorn, {server.workers} workers (make serve)", *_figures(served, base)])

    print_table(
        f"JSON search API at {ARTICLES:,} articles: one client, {QUERIES} distinct queries "
        "each way, a new connection per request (target: p50 over HTTP <= 1.5x in-process)",
        ["served by", "p50 ms", "p95 ms", "p50 x in-process"],
        rows,
    )


def _figures(samples: list[float], base: list[float]) -> list[float]:
    p50 = statistics.median(samples)
    return [p50, percentile(samples, 95), p50 / statistics.median(base)]


if __name__ == "__main__":
    run()
