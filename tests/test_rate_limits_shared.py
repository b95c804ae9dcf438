"""Rate limits counted in Redis, shared by every server process, as production runs them.
Needs a Redis server: TEST_REDIS_URL (`.ci/run` starts one); skipped without it."""

import os
import uuid

import pytest

from tests.load.generator import Gunicorn, flask_command, production_env

REDIS_URL = os.environ.get("TEST_REDIS_URL")
pytestmark = pytest.mark.skipif(not REDIS_URL, reason="needs a Redis server: set TEST_REDIS_URL")


def test_server_processes_share_one_count(tmp_path):
    """The search page allows 120 requests a minute per client: the 121st is refused however
    the requests were spread over the processes. Two gunicorn servers on one database and
    one Redis take turns, so each answers half the requests whatever the kernel's choice of
    worker would have been."""
    env = production_env(
        f"sqlite:///{tmp_path}/limits.db",
        tmp_path,
        WEB_CONCURRENCY="1",
        RATELIMIT_ENABLED="1",
        RATELIMIT_STORAGE_URI=REDIS_URL,
        RATELIMIT_KEY_PREFIX=f"test-{uuid.uuid4().hex}",
    )
    flask_command(env, "db", "upgrade")
    with (
        Gunicorn("app:create_app()", env, tmp_path / "first.log") as first,
        Gunicorn("app:create_app()", env, tmp_path / "second.log") as second,
    ):
        servers = (first, second)
        statuses = [servers[n % 2].get(f"/search?q=parcel+{n}")[0] for n in range(120)]
        refused = [server.get("/search?q=parcel+again")[0] for server in servers]
    assert statuses == [200] * 120
    assert refused == [429, 429]
