"""Flask's signed-cookie sessions as the site sets them up: what a visitor's cookie holds,
refused when tampered with, forged or expired, and not re-sent when nothing changed."""

import itsdangerous.timed
from flask import flash, get_flashed_messages, session


def add_routes(app):
    @app.get("/_test/put/<name>")
    def put(name):
        session["name"] = name
        return "ok"

    @app.get("/_test/read")
    def read():
        return session.get("name", "-")

    @app.get("/_test/flash")
    def flash_one():
        flash("saved")
        return "ok"

    @app.get("/_test/flashes")
    def flashes():
        return ",".join(get_flashed_messages()) or "-"

    @app.get("/_test/plain")
    def plain():
        return "no session here"

    @app.get("/_test/read-with-vary")
    def read_with_vary():
        return session.get("name", "-"), {"Vary": "Accept-Encoding"}


def app_with_routes(make_app, **config):
    """An app with the routes above, and a client of it."""
    app = make_app(**config)
    add_routes(app)
    return app, app.test_client()


def read_with(client, cookie: str) -> str:
    """What the session holds when the client sends this cookie."""
    client.set_cookie("session", cookie)
    return client.get("/_test/read").get_data(as_text=True)


def session_cookie(response) -> str:
    header = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("session="))
    return header.split(";")[0].split("=", 1)[1]


def test_a_cookie_reads_the_same_every_time(make_app):
    _, client = app_with_routes(make_app)
    cookie = session_cookie(client.get("/_test/put/ada"))
    for _ in range(3):
        assert read_with(client, cookie) == "ada"


def test_a_tampered_or_foreign_cookie_is_an_empty_session(make_app):
    _, client = app_with_routes(make_app)
    cookie = session_cookie(client.get("/_test/put/ada"))
    client.set_cookie("session", cookie[:-2] + ("AA" if not cookie.endswith("AA") else "BB"))
    assert client.get("/_test/read").get_data(as_text=True) == "-"

    other_key = "another-secret-key-of-enough-length-0123456789"
    _, foreign = app_with_routes(make_app, SECRET_KEY=other_key)
    foreign.set_cookie("session", cookie)
    assert foreign.get("/_test/read").get_data(as_text=True) == "-"


def test_changes_made_in_one_request_do_not_reach_the_next(make_app):
    _, client = app_with_routes(make_app)
    cookie = session_cookie(client.get("/_test/flash"))  # a session holding ["saved"]
    client.set_cookie("session", cookie)
    client.get("/_test/flash")  # appends to that list in place
    client.set_cookie("session", cookie)  # the first cookie again, as a second tab sends it
    assert client.get("/_test/flashes").get_data(as_text=True) == "saved"


def test_a_cookie_expires(make_app, monkeypatch):
    _, client = app_with_routes(make_app, PERMANENT_SESSION_LIFETIME=60)
    cookie = session_cookie(client.get("/_test/put/ada"))
    assert read_with(client, cookie) == "ada"

    later = itsdangerous.timed.time.time() + 61
    monkeypatch.setattr(itsdangerous.timed.time, "time", lambda: later)
    assert read_with(client, cookie) == "-"


def test_a_new_secret_key_refuses_cookies_signed_with_the_old_one(make_app):
    app, client = app_with_routes(make_app)
    cookie = session_cookie(client.get("/_test/put/ada"))
    assert read_with(client, cookie) == "ada"

    app.secret_key = "a-rotated-secret-key-of-enough-length-0123456789"
    assert read_with(client, cookie) == "-"

    app.config["SECRET_KEY_FALLBACKS"] = [app.config["SECRET_KEY"]]
    app.secret_key = "another-rotated-secret-key-of-enough-length-0123"
    assert read_with(client, cookie) == "-"  # signed with a key that is no longer even a fallback


def test_an_unchanged_session_varies_the_page_by_cookie_and_sends_none(make_app):
    _, client = app_with_routes(make_app)
    client.set_cookie("session", session_cookie(client.get("/_test/put/ada")))

    read = client.get("/_test/read")
    assert read.get_data(as_text=True) == "ada"
    assert read.headers.getlist("Vary") == ["Cookie"]
    assert "Set-Cookie" not in read.headers

    read = client.get("/_test/read-with-vary")
    assert read.headers.getlist("Vary") == ["Accept-Encoding, Cookie"]
    assert "Set-Cookie" not in read.headers

    assert "Set-Cookie" not in client.get("/_test/plain").headers
