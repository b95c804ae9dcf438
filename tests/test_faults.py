"""Faults under real gunicorn (the production config, two workers, on loopback): a worker
killed under load, the search index deleted or corrupted while serving, the database going
away and coming back. (A mail server that is down is tests/test_outbox.py's.)"""

import contextlib
import json
import os
import shutil
import signal
import socket
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from app.help.search import UNAVAILABLE
from tests.load.generator import (
    LOOPBACK,
    Budget,
    Gunicorn,
    flask_command,
    free_port,
    production_env,
    run_clients,
)

ARTICLE = "/articles/shipping/track-a-parcel"
ARTICLE_TITLE = "How do I track my parcel?"
SEARCH = "/search?q=parcel"
API_SEARCH = "/api/search?q=parcel"
DOWN_PAGE = "This part of the site is briefly unavailable"


def wait_for(condition: Callable[[], object], seconds: float, what: str):
    """Poll `condition` until it returns something true, at most `seconds`; return that."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        time.sleep(0.05)
    raise AssertionError(f"{what}: not within {seconds:.0f} s")


@pytest.fixture
def serve(config, make_app, tmp_path: Path):
    """Start gunicorn on the test's database (migrated), content and index (built); the
    `database_url` given to the server may differ from the one used to migrate."""
    servers: list[Gunicorn] = []

    def start(database_url: str | None = None) -> Gunicorn:
        make_app()
        env = production_env(
            database_url or config["SQLALCHEMY_DATABASE_URI"],
            Path(config["INSTANCE_PATH"]),
            CONTENT_DIR=config["CONTENT_DIR"],
            INDEX_DIR=config["INDEX_DIR"],
            WEB_CONCURRENCY="2",
        )
        server = Gunicorn("app:create_app()", env, tmp_path / f"gunicorn-{len(servers)}.log")
        servers.append(server)
        server.start(timeout=60)
        return server

    yield start
    for server in servers:
        server.stop()


def test_a_worker_killed_under_load_is_replaced_while_the_other_answers(serve):
    server = serve()
    first = server.worker_pids()
    assert len(first) == 2
    answers: list[tuple[float, int]] = []  # (when, status)

    def browse(client, rng) -> None:
        reply = client.get(rng.choice(["/", ARTICLE, SEARCH]), "page")
        answers.append((time.monotonic(), reply.status))

    budget = Budget(seconds=40, max_requests=20_000)
    outcome = {}
    loader = threading.Thread(
        target=lambda: outcome.update(stats=run_clients(server.port, 4, budget, browse))
    )
    loader.start()
    try:
        wait_for(lambda: len(answers) >= 20, 20, "answers before the kill")
        victim = min(first)
        os.kill(victim, signal.SIGKILL)
        killed = time.monotonic()

        def replacement() -> set[int]:
            pids = server.worker_pids()
            return pids - first if victim not in pids else set()

        replaced = wait_for(replacement, 30, "a new worker")
        wait_for(lambda: replaced <= server.answered(), 30, "an answer from the new worker")
        wait_for(lambda: sum(t > killed for t, _ in answers) >= 50, 20, "answers after the kill")
    finally:
        budget.end()
        loader.join(60)
    stats = outcome["stats"]

    assert len(replaced) == 1 and server.worker_pids() == (first - {victim}) | replaced
    assert not stats.crashes and stats.count(low=300) == 0
    assert all(status == 200 for _, status in answers)
    # The one request the killed worker was serving, if it was serving one, gets no answer.
    assert stats.errors() <= 1, dict(stats.failures)


def damage_index(index_dir: Path, how: str) -> None:
    if how == "deleted":
        shutil.rmtree(index_dir)
        return
    # A newer commit of the serving generation whose table of contents is garbage: every
    # worker notices it on its next search and fails to open it.
    generation = index_dir / (index_dir / "CURRENT").read_text().strip()
    latest = max(int(toc.stem.rsplit("_", 1)[1]) for toc in generation.glob("_MAIN_*.toc"))
    (generation / f"_MAIN_{latest + 1}.toc").write_bytes(os.urandom(4096))


@pytest.mark.parametrize("how", ["deleted", "corrupted"])
def test_without_its_index_search_answers_503_articles_serve_and_a_rebuild_repairs_it(
    serve, config, how
):
    server = serve()
    workers = server.worker_pids()
    status, page = server.get(SEARCH)
    assert status == 200 and ARTICLE_TITLE in page

    damage_index(Path(config["INDEX_DIR"]), how)

    for _ in range(4):  # fresh connections, so both workers get some
        status, page = server.get(SEARCH)
        assert status == 503 and UNAVAILABLE in page
        status, body = server.get(API_SEARCH)
        assert status == 503 and json.loads(body) == {"error": UNAVAILABLE}
        status, page = server.get(ARTICLE)
        assert status == 200 and ARTICLE_TITLE in page

    assert "Search index: full build: 3 articles." in flask_command(
        server.env, "content", "index", timeout=60
    )
    for _ in range(4):
        status, page = server.get(SEARCH)
        assert status == 200 and ARTICLE_TITLE in page
        status, body = server.get(API_SEARCH)
        assert status == 200 and json.loads(body)["results"][0]["url"] == ARTICLE
    assert server.worker_pids() == workers  # repaired without restarting a worker


class Relay:
    """A TCP relay on loopback in front of the database server. `cut()` is the database
    going down (every connection dropped, new ones refused); `restore()` brings it back on
    the same port."""

    def __init__(self, host: str, port: int):
        self.target = (host, port)
        self.port = free_port()
        self.listener: socket.socket | None = None
        self.sockets: list[socket.socket] = []
        self.threads: list[threading.Thread] = []
        self.lock = threading.Lock()

    def restore(self) -> None:
        self.listener = socket.create_server((LOOPBACK, self.port))  # SO_REUSEADDR on POSIX
        self.listener.settimeout(0.2)
        self._thread(self._accept, self.listener)

    def cut(self) -> None:
        listener, self.listener = self.listener, None
        if listener:
            listener.close()
        with self.lock:
            sockets, self.sockets = self.sockets, []
        for sock in sockets:
            self._close(sock)
        for thread in self.threads:
            thread.join(5)
        self.threads = [t for t in self.threads if t.is_alive()]

    def _thread(self, target, *args) -> None:
        thread = threading.Thread(target=target, args=args, daemon=True)
        self.threads.append(thread)
        thread.start()

    def _accept(self, listener: socket.socket) -> None:
        while self.listener is listener:
            try:
                client, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:  # closed by cut()
                return
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            client.settimeout(None)
            upstream.settimeout(None)
            with self.lock:
                self.sockets += [client, upstream]
            self._thread(self._pump, client, upstream)
            self._thread(self._pump, upstream, client)

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            self._close(source)
            self._close(sink)

    @staticmethod
    def _close(sock: socket.socket) -> None:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)
        sock.close()


@pytest.fixture
def relay(database_url: str):
    url = make_url(database_url)
    relay = Relay(url.host or LOOPBACK, url.port or 5432)
    relay.restore()
    yield relay
    relay.cut()


@pytest.mark.skipif(
    not os.environ.get("TEST_DATABASE_URL"),
    reason="needs a database server to lose: set TEST_DATABASE_URL (SQLite is a file, and a "
    "worker's open connections keep working whatever happens to its name)",
)
def test_while_the_database_is_down_pages_answer_503_and_recover_when_it_returns(
    serve, relay, database_url
):
    through_relay = make_url(database_url).set(host=LOOPBACK, port=relay.port)
    server = serve(through_relay.render_as_string(hide_password=False))
    for _ in range(4):
        assert server.get("/")[0] == 200

    relay.cut()
    for _ in range(4):
        status, page = server.get("/")
        assert status == 503 and DOWN_PAGE in page
        assert "Traceback" not in page and "OperationalError" not in page
        status, body = server.get("/healthz")
        assert status == 503 and json.loads(body)["checks"]["database"] == "unavailable"

    relay.restore()
    wait_for(lambda: server.get("/")[0] == 200, 30, "the home page after the database returned")
    for _ in range(4):
        assert server.get("/")[0] == 200
        assert server.get("/healthz")[0] == 200
        status, page = server.get(ARTICLE)
        assert status == 200 and ARTICLE_TITLE in page
