"""Load on loopback: gunicorn serving with the project's production config, and clients for it.

`Gunicorn` starts `gunicorn --config gunicorn.conf.py APP` on a free 127.0.0.1 port with its
output in a log file, waits until every worker answers, lists its workers and stops it.
`run_clients` runs N clients, each a thread with one `http.client` connection (kept alive when
the server allows it; gunicorn's sync workers close it after each response, and it reconnects)
and its own cookie jar, calling a scenario over and over until a deadline passes or a request
budget is spent, and collects latency samples and status counts per route.

The apps are configured as in production (`FRONTDESK_ENV=production`, generated secrets,
`SESSION_COOKIE_SECURE=1`). Secure cookies and plain HTTP: `Secure` tells a *browser* to send
the cookie only over HTTPS; the server reads whatever cookie arrives. In production TLS ends
at the proxy in front of gunicorn, which talks plain HTTP to it on loopback, exactly where
these clients stand, so they keep and send cookies whatever their attributes and nothing in
the app's settings is relaxed for the test. Rate limits are off (`RATELIMIT_ENABLED=0`): they
are keyed on the client address, every client here is 127.0.0.1, and with them on the test
would measure the limiter's 429 answers instead of the pages.
"""

import contextlib
import ctypes
import http.client
import os
import random
import re
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
import traceback
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from tests.bench.common import percentile

ROOT = Path(__file__).resolve().parents[2]
LOOPBACK = "127.0.0.1"
# Two command-line settings on top of gunicorn.conf.py, neither about serving: gunicorn 25.1+
# opens a control socket at one path per user ($HOME/.gunicorn) and each new server unlinks the
# previous one's, so test servers stay off it and leave a `make serve` beside them alone; and
# access lines start with the worker's pid, so we can tell when every worker has answered.
TEST_SERVER_ARGS = [
    "--no-control-socket",
    "--access-logformat",
    '%(p)s %(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s"',
]
PR_SET_PDEATHSIG = 1
ANSWERED_BY = re.compile(rb"^<(\d+)> ", re.MULTILINE)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((LOOPBACK, 0))
        return probe.getsockname()[1]


def listening(port: int) -> bool:
    """Whether something accepts connections on the loopback `port`."""
    with socket.socket() as probe:
        return probe.connect_ex((LOOPBACK, port)) == 0


def worker_count() -> int:
    """WEB_CONCURRENCY when set, else one worker per CPU."""
    return int(os.environ.get("WEB_CONCURRENCY") or os.cpu_count() or 1)


def production_env(database_url: str, instance: Path, **settings: str) -> dict[str, str]:
    """The environment of a production deployment on this machine (see the module docstring
    for the two deliberate choices: cookies over loopback, rate limits off)."""
    env = dict(os.environ)
    env.update(
        {
            "FLASK_APP": "app",
            "FRONTDESK_ENV": "production",
            "SITE_URL": f"http://{LOOPBACK}",
            "SECRET_KEY": secrets.token_urlsafe(48),
            "CARRIER_WEBHOOK_SECRET": secrets.token_urlsafe(32),
            "SESSION_COOKIE_SECURE": "1",
            "DATABASE_URL": database_url,
            "INSTANCE_PATH": str(instance),
            "INDEX_DIR": str(instance / "index"),
            "RATELIMIT_ENABLED": "0",
            "MAIL_SEND_AFTER_REQUEST": "0",
            "LOG_LEVEL": "WARNING",
            "WEB_CONCURRENCY": str(worker_count()),
        }
    )
    env.update(settings)
    return env


def flask_command(env: dict[str, str], *args: str, timeout: float = 900) -> str:
    """Run `flask ARGS` as a separate process with `env`; its output, or RuntimeError."""
    done = subprocess.run(
        [sys.executable, "-m", "flask", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if done.returncode != 0:
        raise RuntimeError(f"flask {' '.join(args)} failed:\n{done.stdout}{done.stderr}")
    return done.stdout


# -- the server --------------------------------------------------------------------------------


def _parent_pid(pid: int) -> int | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return int(stat.rsplit(")", 1)[1].split()[1])  # the name in parentheses may hold spaces


def _terminate_with_parent() -> None:
    """In the child before exec: the kernel sends SIGTERM if the process that started it dies
    (so a server never outlives a killed test run)."""
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def resident_kib(pid: int) -> int:
    """A process's resident memory (VmRSS), in KiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise ValueError(f"no VmRSS for process {pid}")


class Gunicorn:
    """`gunicorn --config gunicorn.conf.py APP` on a free loopback port; output in `log`."""

    def __init__(self, app: str, env: dict[str, str], log: Path, ready: str = "/healthz"):
        self.app = app
        self.ready = ready
        self.port = free_port()
        self.env = {**env, "BIND": f"{LOOPBACK}:{self.port}"}
        self.workers = int(self.env.get("WEB_CONCURRENCY") or worker_count())
        self.env["WEB_CONCURRENCY"] = str(self.workers)
        self.log = log
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> "Gunicorn":
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def start(self, timeout: float = 180) -> None:
        """Start, then ask for the `ready` path until every worker has answered it with 200
        (a worker still loading the app could, say, rebuild an index a test just removed)."""
        with open(self.log, "ab") as output:
            self.process = subprocess.Popen(
                [
                    *(sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py"),
                    *(*TEST_SERVER_ARGS, self.app),
                ],
                cwd=ROOT,
                env=self.env,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # a Ctrl-C reaches only us, and we stop it in order
                preexec_fn=_terminate_with_parent,
            )
        try:
            self._wait_until_ready(timeout)
        except BaseException:
            self.stop()
            raise

    def _wait_until_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited at start-up:\n{self.log_tail()}")
            if self.get(self.ready)[0] == 200 and self.every_worker_answered():
                return
            time.sleep(0.02)
        tail = self.log_tail()
        raise RuntimeError(f"gunicorn did not answer {self.ready} in {timeout:.0f} s:\n{tail}")

    def get(self, path: str, timeout: float = 10) -> tuple[int | None, str]:
        """One GET on a fresh connection: status and body, or (None, "") if nothing answers."""
        connection = http.client.HTTPConnection(LOOPBACK, self.port, timeout=timeout)
        try:
            connection.request("GET", path)
            response = connection.getresponse()
            return response.status, response.read().decode("utf-8", errors="replace")
        except (OSError, http.client.HTTPException):
            return None, ""
        finally:
            connection.close()

    def answered(self) -> set[int]:
        """The pids of the workers that have answered a request (from the access log)."""
        try:
            return {int(pid) for pid in ANSWERED_BY.findall(self.log.read_bytes())}
        except OSError:
            return set()

    def every_worker_answered(self) -> bool:
        workers = self.worker_pids()
        return len(workers) >= self.workers and workers <= self.answered()

    def worker_pids(self) -> set[int]:
        if self.process is None:
            return set()
        master = self.process.pid
        return {
            int(entry.name)
            for entry in Path("/proc").iterdir()
            if entry.name.isdigit() and _parent_pid(int(entry.name)) == master
        }

    def stop(self, timeout: float = 30) -> None:
        """TERM (gunicorn finishes the requests in flight), then KILL after `timeout` s."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(10)

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


# -- the clients -------------------------------------------------------------------------------


class Stop(Exception):
    """The run's deadline has passed or its request budget is spent."""


class RequestFailed(Exception):
    """No answer: the connection was refused, reset or timed out (counted as an error)."""


@dataclass
class Reply:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    @property
    def location(self) -> str:
        """The redirect target as a path with its query."""
        target = urlsplit(self.headers.get("Location", ""))
        return target.path + (f"?{target.query}" if target.query else "")


class Budget:
    """A deadline and a maximum number of requests, shared by every client of a run."""

    def __init__(self, seconds: float, max_requests: int):
        self.deadline = time.monotonic() + seconds
        self.left = max_requests
        self.lock = threading.Lock()

    def end(self) -> None:
        """Stop the run now: every client stops before its next request."""
        with self.lock:
            self.left = 0

    def take(self) -> None:
        with self.lock:
            if self.left <= 0 or time.monotonic() >= self.deadline:
                raise Stop
            self.left -= 1


class Stats:
    """Latencies (ms) and status counts per route, and requests that got no answer."""

    HEADERS = [
        *("route", "requests", "req/s", "p50 ms", "p95 ms", "p99 ms"),
        *("2xx-3xx", "4xx", "5xx", "errors"),
    ]

    def __init__(self):
        self.lock = threading.Lock()
        self.latencies: dict[str, list[float]] = defaultdict(list)
        self.statuses: dict[str, Counter] = defaultdict(Counter)
        self.failures: dict[str, Counter] = defaultdict(Counter)
        self.crashes: list[str] = []  # tracebacks of scenarios that raised
        self.seconds = 0.0

    def add(self, route: str, status: int, ms: float) -> None:
        with self.lock:
            self.latencies[route].append(ms)
            self.statuses[route][status] += 1

    def fail(self, route: str, kind: str) -> None:
        with self.lock:
            self.failures[route][kind] += 1

    def count(self, route: str | None = None, low: int = 100, high: int = 599) -> int:
        """Answers with a status in [low, high], for one route or all."""
        routes = [route] if route else list(self.statuses)
        return sum(
            n for r in routes for status, n in self.statuses[r].items() if low <= status <= high
        )

    def errors(self, route: str | None = None) -> int:
        routes = [route] if route else list(self.failures)
        return sum(sum(self.failures[r].values()) for r in routes)

    def rate(self, route: str | None = None) -> float:
        return self.count(route) / self.seconds if self.seconds else 0.0

    def rows(self, routes: list[str] | None = None) -> list[list[object]]:
        """One row per route: requests, req/s, p50/p95/p99 ms, 2xx-3xx, 4xx, 5xx, errors."""
        names = routes or sorted(set(self.statuses) | set(self.failures))
        rows = []
        for name in [*names, None]:
            samples = (
                self.latencies.get(name, [])
                if name
                else [ms for values in self.latencies.values() for ms in values]
            )
            if name and not samples and not self.errors(name):
                continue
            rows.append(
                [
                    name or "all",
                    self.count(name),
                    self.rate(name),
                    *(percentile(samples, p) if samples else 0.0 for p in (50, 95, 99)),
                    self.count(name, 200, 399),
                    self.count(name, 400, 499),
                    self.count(name, 500, 599),
                    self.errors(name),
                ]
            )
        return rows


class Client:
    """One simulated browser: a keep-alive connection (reopened whenever the server closes
    it) and a cookie jar that sends back every cookie it was given."""

    def __init__(self, port: int, stats: Stats, budget: Budget, number: int, timeout: float):
        self.connection = http.client.HTTPConnection(LOOPBACK, port, timeout=timeout)
        self.stats = stats
        self.budget = budget
        self.number = number
        self.cookies: dict[str, str] = {}

    def post_twice(self, path: str, route: str, form: dict[str, str]) -> list[Reply | None]:
        """A double click: the same form posted at once on two connections with the same
        cookies. Both replies (None where one got no answer); this client keeps the first's
        cookies."""
        twin = Client(self.connection.port, self.stats, self.budget, self.number, 0)
        twin.connection.timeout, twin.cookies = self.connection.timeout, dict(self.cookies)
        replies: list[Reply | None] = [None, None]

        def second() -> None:
            with contextlib.suppress(Stop, RequestFailed):
                replies[1] = twin.post(path, route, form)

        thread = threading.Thread(target=second, daemon=True)
        thread.start()
        try:
            replies[0] = self.post(path, route, form)
        finally:
            thread.join((self.connection.timeout or 30) + 5)
            twin.close()
        return replies

    def get(self, path: str, route: str, headers: dict | None = None) -> Reply:
        return self.request("GET", path, route, headers=headers)

    def post(self, path: str, route: str, form: dict[str, str]) -> Reply:
        return self.request("POST", path, route, form=form)

    def request(
        self,
        method: str,
        path: str,
        route: str,
        form: dict[str, str] | None = None,
        headers: dict | None = None,
    ) -> Reply:
        """Send one request (raises Stop when the run is over, RequestFailed on no answer)."""
        self.budget.take()
        headers = dict(headers or {})
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        start = time.perf_counter()
        try:
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException) as error:
            self.connection.close()
            self.stats.fail(route, type(error).__name__)
            raise RequestFailed(f"{method} {path}: {error!r}") from error
        self.stats.add(route, response.status, (time.perf_counter() - start) * 1000)
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                if morsel["max-age"] == "0" or not morsel.value:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        return Reply(response.status, response.headers, data)

    def close(self) -> None:
        self.connection.close()


Scenario = Callable[[Client, random.Random], None]


def run_clients(
    port: int,
    clients: int,
    budget: Budget,
    scenario: Scenario,
    seed: int = 1,
    timeout: float = 30,
) -> Stats:
    """Run `clients` threads, each calling `scenario(client, rng)` again and again until the
    budget's deadline passes or its requests are spent; a scenario that gets no answer starts
    over. Raises RuntimeError if a client is still running `timeout` s after the deadline."""
    stats = Stats()

    def work(number: int) -> None:
        client = Client(port, stats, budget, number, timeout)
        rng = random.Random(seed * 100_003 + number)
        try:
            while True:
                try:
                    scenario(client, rng)
                except RequestFailed:
                    continue
        except Stop:
            pass
        except Exception:  # noqa: BLE001 - a scenario bug ends that client, and is reported
            stats.crashes.append(traceback.format_exc())
        finally:
            client.close()

    threads = [
        threading.Thread(target=work, args=(n,), name=f"load-client-{n}", daemon=True)
        for n in range(clients)
    ]
    start = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        # The last request may start just before the deadline and take up to `timeout`.
        thread.join(max(0.0, budget.deadline - time.monotonic()) + timeout + 5)
    stats.seconds = time.monotonic() - start
    stuck = [t.name for t in threads if t.is_alive()]
    if stuck:
        raise RuntimeError(f"load clients still running after the deadline: {stuck}")
    return stats
