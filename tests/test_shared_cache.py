"""A real shared cache in front of the site: nginx's proxy_cache before gunicorn. Article
pages are answered by nginx after the first reader; votes, search, returns and any page that
sets a cookie still reach the site every time."""

import http.client
import re
import time
from pathlib import Path

import pytest
import sqlalchemy

from tests.load.generator import LOOPBACK, Gunicorn, flask_command, production_env
from tests.load.nginx import Nginx

ARTICLE = "/articles/orders-shipping/track-my-order"


def request(port: int, method: str, path: str, body: str = "", headers: dict | None = None):
    connection = http.client.HTTPConnection(LOOPBACK, port, timeout=20)
    try:
        headers = {"Host": f"{LOOPBACK}:{port}", **(headers or {})}
        if body:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection.request(method, path, body=body or None, headers=headers)
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def reached_site(log: Path, method: str, path: str, expected: int = 0) -> int:
    """How many `method path` requests gunicorn's access log shows, waiting up to 5 seconds
    for `expected` of them: a worker writes its access line after the response has gone."""
    line = re.compile(rf'"{method} {re.escape(path)}(\?\S*)? HTTP/1\.[01]"')
    deadline = time.monotonic() + 5
    while True:
        found = len(line.findall(log.read_text(errors="replace")))
        if found >= expected or time.monotonic() > deadline:
            return found
        time.sleep(0.05)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("shared-cache")
    database = f"sqlite:///{tmp / 'site.db'}"
    env = production_env(database, tmp / "instance", WEB_CONCURRENCY="1", TRUSTED_PROXIES="1")
    flask_command(env, "db", "upgrade")
    flask_command(env, "content", "index")
    with (
        Gunicorn("app:create_app()", env, tmp / "gunicorn.log") as server,
        Nginx(server.port, tmp / "nginx") as proxy,
    ):
        yield server, proxy, sqlalchemy.create_engine(database)


def test_repeated_article_requests_are_answered_by_the_cache(site):
    server, proxy, _ = site
    answers = [request(proxy.port, "GET", ARTICLE) for _ in range(5)]
    assert {status for status, _, _ in answers} == {200}
    assert len({body for _, _, body in answers}) == 1
    assert b"Was this article helpful?" in answers[0][2]
    assert [headers["X-Cache-Status"] for _, headers, _ in answers] == ["MISS"] + ["HIT"] * 4
    assert reached_site(server.log, "GET", ARTICLE, expected=1) == 1
    assert "Set-Cookie" not in answers[-1][1]

    etag = answers[0][1]["ETag"]
    status, headers, body = request(proxy.port, "GET", ARTICLE, headers={"If-None-Match": etag})
    assert (status, body) == (304, b"")
    assert reached_site(server.log, "GET", ARTICLE, expected=1) == 1


def test_votes_search_and_returns_still_reach_the_site(site):
    server, proxy, database = site
    vote = request(
        proxy.port,
        "POST",
        ARTICLE + "/vote",
        "helpful=yes",
        {"Origin": f"http://{LOOPBACK}:{proxy.port}", "Sec-Fetch-Site": "same-origin"},
    )
    assert vote[0] == 303 and "Set-Cookie" in vote[1]
    with database.connect() as connection:
        stored = connection.execute(sqlalchemy.text("SELECT article_path FROM votes")).all()
    assert stored == [(ARTICLE.removeprefix("/articles/"),)]

    contact = "/contact?article=returns-refunds/exchanges-and-store-credit"  # sets a cookie
    for path in ("/search?q=track+my+parcel", "/returns/", contact):
        answers = [request(proxy.port, "GET", path) for _ in range(3)]
        assert [status for status, _, _ in answers] == [200] * 3, path
        assert all(h.get("X-Cache-Status") != "HIT" for _, h, _ in answers), path
        assert reached_site(server.log, "GET", path.split("?")[0], expected=3) >= 3, path
    assert proxy.verdicts("GET", "/search").get("HIT", 0) == 0
