"""gunicorn settings for `make serve`; every value can be overridden by environment."""

import multiprocessing
import os

bind = os.environ.get("BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 30))
graceful_timeout = 20
keepalive = 5
accesslog = "-"
errorlog = "-"
# gunicorn 27 opens a control socket in $HOME that a second server under the same user
# would take over; the site doesn't use it.
control_socket_disable = True


def worker_exit(server, worker):
    """A stopping worker writes the analytics counts it still holds (app/analytics/counters.py)."""
    app = getattr(worker, "wsgi", None)
    if "analytics" in getattr(app, "extensions", {}):
        from app.analytics.counters import flush_app

        flush_app(app)
