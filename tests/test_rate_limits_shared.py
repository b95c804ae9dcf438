"""Rate limits counted in Redis, shared by every gunicorn worker, as production runs them.
Needs a Redis server: TEST_REDIS_URL (`.ci/run` starts one); skipped without it."""

import os
import re
import uuid

import pytest

from tests.load.generator import Gunicorn, flask_command, production_env

REDIS_URL = os.environ.get("TEST_REDIS_URL")
SEARCHED_BY = re.compile(rb"^<(\d+)> .*\"GET /search\?", re.MULTILINE)
pytestmark = pytest.mark.skipif(not REDIS_URL, reason="needs a Redis server: set TEST_REDIS_URL")


def test_gunicorn_workers_share_one_count(tmp_path):
    """The search page allows 120 requests a minute per client: the 121st is refused however
    the requests were spread over the two workers."""
    env = production_env(
        f"sqlite:///{tmp_path}/limits.db",
        tmp_path,
        WEB_CONCURRENCY="2",
        RATELIMIT_ENABLED="1",
        RATELIMIT_STORAGE_URI=REDIS_URL,
        RATELIMIT_KEY_PREFIX=f"test-{uuid.uuid4().hex}",
    )
    flask_command(env, "db", "upgrade")
    log = tmp_path / "gunicorn.log"
    with Gunicorn("app:create_app()", env, log) as server:
        statuses = [server.get(f"/search?q=parcel+{n}")[0] for n in range(121)]
    assert statuses[:120] == [200] * 120 and statuses[120] == 429
    # Both workers answered searches (each access line starts with its worker's pid).
    assert len(set(SEARCHED_BY.findall(log.read_bytes()))) == 2
