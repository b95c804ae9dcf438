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


def on_starting(server):
    """Before any worker starts: production workers must share their rate-limit counts."""
    from app import config
    from app.config import InsecureConfiguration
    from app.security import check_rate_limit_storage

    try:
        settings = config.from_env(os.environ.get("INSTANCE_PATH", "instance"))
        check_rate_limit_storage(server.cfg.workers, settings)
    except InsecureConfiguration as error:
        raise SystemExit(str(error)) from None


def _frontdesk(worker):
    """The worker's app when it is this site (the benchmark's hello world shares this file)."""
    from app.services import find

    app = getattr(worker, "wsgi", None)
    return app if find(app) else None


def post_worker_init(worker):
    """Before a worker's first request: load the articles and open the search index (see
    app/services.py), and make the dummy password hash, so the first sign-in with an
    unknown email takes no longer than any other (app/staff/auth.py)."""
    app = _frontdesk(worker)
    if app:
        from app.services import services
        from app.staff.auth import dummy_hash

        services(app).warm()
        dummy_hash()


def worker_exit(server, worker):
    """A stopping worker writes the analytics counts it still holds (app/analytics/counters.py)."""
    app = _frontdesk(worker)
    if app:
        from app.analytics.counters import flush_app

        flush_app(app)
