"""nginx (Debian's package) as a caching reverse proxy in front of a test server.

`Nginx` writes a configuration into a folder of its own, starts `nginx` in the foreground on
a free loopback port with `proxy_cache` on, and stops it. nginx keeps only what the site marks
cacheable: it honours `Cache-Control` (and never keeps a response that sets a cookie), and the
configuration adds no caching times of its own, so a page the site doesn't mark `public` always
reaches the site. Each access-log line ends with the cache's verdict (`HIT`, `MISS`, `STALE`,
`UPDATING`, `EXPIRED`, or `-` when the request was not one the cache may answer), and answers
carry it in an `X-Cache-Status` header.
"""

import os
import re
import shutil
import subprocess
import time
from collections import Counter
from pathlib import Path

from tests.load.generator import LOOPBACK, _terminate_with_parent, free_port, listening

CONFIG = """\
{user}
worker_processes 1;
pid {root}/nginx.pid;
error_log {root}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    log_format cache '$request_method $request_uri $status $upstream_cache_status';
    access_log {root}/access.log cache;
    client_body_temp_path {root}/body;
    proxy_temp_path {root}/proxy;
    fastcgi_temp_path {root}/fastcgi;
    uwsgi_temp_path {root}/uwsgi;
    scgi_temp_path {root}/scgi;
    proxy_cache_path {root}/cache keys_zone=pages:10m max_size=200m inactive=10m;
    upstream site {{ server {upstream}; keepalive 16; }}
    server {{
        listen {listen};
        client_max_body_size 64m;
        location / {{
            proxy_pass http://site;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_set_header X-Forwarded-Host $http_host;
            proxy_cache pages;
            proxy_cache_revalidate on;
            proxy_cache_use_stale updating error timeout;
            proxy_cache_background_update on;
            proxy_cache_lock on;
            add_header X-Cache-Status $upstream_cache_status always;
        }}
    }}
}}
"""

VERDICT = re.compile(r"^(\S+) (\S+) (\d+) (\S+)$", re.MULTILINE)


def nginx_binary() -> str:
    found = shutil.which("nginx") or next(
        (path for path in ("/usr/sbin/nginx", "/sbin/nginx") if os.access(path, os.X_OK)), None
    )
    if found is None:
        raise RuntimeError("nginx is not installed: sudo apt-get install -y nginx")
    return found


class Nginx:
    """nginx on a free loopback port, caching in front of the server on `upstream_port`."""

    def __init__(self, upstream_port: int, root: Path):
        self.port = free_port()
        self.root = root
        self.process: subprocess.Popen | None = None
        self.config = root / "nginx.conf"
        self.upstream_port = upstream_port

    def __enter__(self) -> "Nginx":
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def start(self, timeout: float = 20) -> None:
        for folder in ("cache", "body", "proxy", "fastcgi", "uwsgi", "scgi"):
            (self.root / folder).mkdir(parents=True, exist_ok=True)
        self.config.write_text(
            CONFIG.format(
                # Run as root (CI), nginx's workers would drop to `nobody`, who can't write
                # the cache folder made here: keep them as the user who started it.
                user="user root;" if os.geteuid() == 0 else "",
                root=self.root,
                upstream=f"{LOOPBACK}:{self.upstream_port}",
                listen=f"{LOOPBACK}:{self.port}",
            ),
            encoding="utf-8",
        )
        with open(self.root / "stderr.log", "wb") as stderr:
            self.process = subprocess.Popen(
                [nginx_binary(), "-p", f"{self.root}/", "-c", str(self.config)]
                + ["-g", "daemon off;"],
                stdout=subprocess.DEVNULL,
                stderr=stderr,
                preexec_fn=_terminate_with_parent,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"nginx exited at start-up:\n{self.errors()}")
            if listening(self.port):
                return
            time.sleep(0.02)
        raise RuntimeError(f"nginx did not start in {timeout:.0f} s:\n{self.errors()}")

    def stop(self, timeout: float = 10) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def errors(self) -> str:
        return "\n".join(
            path.read_text(errors="replace")
            for path in (self.root / "stderr.log", self.root / "error.log")
            if path.exists()
        )

    def requests(self) -> list[tuple[str, str, int, str]]:
        """Every request nginx answered: method, path, status and the cache's verdict."""
        log = self.root / "access.log"
        text = log.read_text(errors="replace") if log.exists() else ""
        return [(m, path, int(s), v) for m, path, s, v in VERDICT.findall(text)]

    def verdicts(self, method: str, path_start: str) -> Counter:
        """How the cache answered the requests for paths that start with `path_start`."""
        return Counter(
            verdict
            for m, path, _, verdict in self.requests()
            if m == method and path.startswith(path_start)
        )
