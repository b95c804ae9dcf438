"""Sign-in, lock-outs and roles. The list of staff routes comes from the app's URL map, so a
new staff page without a guard fails here."""

import runpy
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import SignInThrottle
from app.staff import auth
from app.staff.auth import MAX_FAILURES
from tests.returns_helpers import token_from
from tests.staff_helpers import PASSWORD, make_user, sign_in, signed_in

PUBLIC = {"staff.sign_in"}


def staff_routes(app):
    """(endpoint, url, method) for every staff route, with sample values for arguments."""
    samples = {
        "rma": "RMA-NOPE",
        "action": "approve",
        "step": "receive",
        "refund_id": 1,
        "path": "shipping/track-a-parcel",
        "suggestion_id": 1,
        "photo_id": 1,
    }
    routes = []
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("staff.") or rule.endpoint in PUBLIC:
            continue
        url = rule.build({k: samples[k] for k in rule.arguments}, append_unknown=False)[1]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            routes.append((rule.endpoint, url, method))
    return routes


def test_the_route_list_is_not_empty(app):
    assert len(staff_routes(app)) >= 8


def call(client, url, method):
    """Open a staff route with a valid CSRF token, so only the guard can refuse it."""
    token = token_from(client.get("/returns/").get_data(as_text=True))
    return client.open(url, method=method, data={"csrf_token": token} if method == "POST" else None)


def test_every_staff_route_sends_anonymous_visitors_to_sign_in(app):
    client = app.test_client()
    for endpoint, url, method in staff_routes(app):
        response = call(client, url, method)
        assert response.status_code in (302, 303), endpoint
        assert response.headers["Location"].startswith("/staff/sign-in"), endpoint


@pytest.mark.parametrize("role", ["editor"])
def test_agent_routes_refuse_other_roles(app, role):
    client = signed_in(app, role)
    guarded = [r for r in staff_routes(app) if role not in _roles(app, r[0])]
    assert guarded
    for endpoint, url, method in guarded:
        assert call(client, url, method).status_code == 403, endpoint


def test_a_page_for_another_role_says_who_it_is_for(app):
    editor = signed_in(app, "editor")
    page = editor.get("/staff/returns")
    assert page.status_code == 403
    html = page.get_data(as_text=True)
    assert "<h1>You don&#39;t have access to that page</h1>" in html
    assert "This page is for admins and agents; you are signed in as editor." in html
    agent = signed_in(app, "agent")
    insights = agent.get("/staff/insights").get_data(as_text=True)
    assert "This page is for admins and editors; you are signed in as agent." in insights
    assert "Something in that request was not right" not in insights


def _roles(app, endpoint):
    return getattr(app.view_functions[endpoint], "allowed_roles", ())


def test_every_staff_view_declares_its_roles(app):
    for endpoint, _, _ in staff_routes(app):
        assert _roles(app, endpoint), f"{endpoint} has no role_required"


def test_agents_and_admins_see_the_queue(app):
    for role in ("agent", "admin"):
        page = signed_in(app, role).get("/staff/returns")
        assert page.status_code == 200 and "<h1>Returns</h1>" in page.get_data(as_text=True)


def test_wrong_password_and_unknown_email_get_the_same_message(app, client):
    make_user(app)
    wrong = sign_in(client, password="nope nope nope")
    unknown = sign_in(app.test_client(), email="nobody@example.com")
    assert wrong.status_code == unknown.status_code == 400
    message = "That email and password don&#39;t match, or there were too many attempts."
    assert message in wrong.get_data(as_text=True) and message in unknown.get_data(as_text=True)


def _at(app, address: str):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def test_repeated_failures_make_only_that_client_wait(app):
    make_user(app)
    app.config["RATELIMIT_ENABLED"] = False
    for _ in range(MAX_FAILURES):
        sign_in(_at(app, "203.0.113.9"), password="wrong password")
    waiting = sign_in(_at(app, "203.0.113.9"))  # the right password, while it waits
    assert waiting.status_code == 400
    assert "wait a few minutes" in waiting.get_data(as_text=True)
    # The account's owner, somewhere else, signs in as usual.
    assert sign_in(_at(app, "198.51.100.7")).status_code == 303


def test_the_wait_doubles_with_each_further_failure_and_ends(app):
    make_user(app)
    start = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    client = "203.0.113.9"
    with app.app_context():
        for _ in range(MAX_FAILURES):
            assert auth.authenticate("agent@example.com", "wrong password", client, start) is None
        waits = [_blocked_until(app) - start]
        later = start + waits[0] + timedelta(seconds=1)
        assert auth.authenticate("agent@example.com", "wrong password", client, later) is None
        waits.append(_blocked_until(app) - later)
        assert waits == [auth.FIRST_WAIT, 2 * auth.FIRST_WAIT]
        inside = later + timedelta(seconds=30)
        assert auth.authenticate("agent@example.com", PASSWORD, client, inside) is None
        after = later + waits[1] + timedelta(seconds=1)
        assert auth.authenticate("agent@example.com", PASSWORD, client, after) is not None
        assert db.session.execute(select(SignInThrottle)).first() is None  # forgotten


def _blocked_until(app):
    return db.session.execute(select(SignInThrottle.blocked_until)).scalar_one()


def test_sign_in_is_rate_limited(app):
    statuses = [sign_in(app.test_client(), password="x" * 12).status_code for _ in range(11)]
    assert statuses[-1] == 429


def test_sign_out_needs_a_post_with_a_token(app):
    client = signed_in(app, "agent")
    assert client.get("/staff/sign-out").status_code == 405
    assert client.post("/staff/sign-out").status_code == 400  # no CSRF token
    assert client.get("/staff/returns").status_code == 200


def _sign_out(client, url="/staff/sign-out"):
    token = token_from(client.get("/returns/").get_data(as_text=True))
    return client.post(url, data={"csrf_token": token})


def test_a_copy_of_the_cookie_stops_working_at_sign_out(app):
    client = signed_in(app, "agent")
    copy = app.test_client()
    copy.set_cookie("session", client.get_cookie("session").value)
    assert copy.get("/staff/returns").status_code == 200
    assert _sign_out(client).status_code == 303
    assert copy.get("/staff/returns").status_code == 302  # to the sign-in page
    assert "/staff/sign-in" in copy.get("/staff/returns").headers["Location"]


def test_signing_out_one_browser_keeps_the_others(app):
    laptop = signed_in(app, "agent")
    phone = app.test_client()
    assert sign_in(phone).status_code == 303
    _sign_out(laptop)
    assert phone.get("/staff/returns").status_code == 200


def test_sign_out_everywhere_ends_every_browser(app):
    laptop = signed_in(app, "editor")
    phone = app.test_client()
    assert sign_in(phone, "editor@example.com").status_code == 303
    home = laptop.get("/staff/").get_data(as_text=True)
    assert "Sign out everywhere" in home
    response = _sign_out(laptop, "/staff/sign-out-everywhere")
    assert response.status_code == 303
    for client in (laptop, phone):
        assert client.get("/staff/insights").status_code == 302
    again = app.test_client()
    assert sign_in(again, "editor@example.com").status_code == 303  # the password still works


def test_an_agent_can_sign_out_everywhere_from_any_staff_page(app):
    """Agents land on the queue (the staff home sends them there): the button is on every
    staff page, in the header."""
    agent = signed_in(app, "agent")
    queue = agent.get("/staff/returns").get_data(as_text=True)
    assert 'action="/staff/sign-out-everywhere"' in queue and "Sign out everywhere" in queue
    assert _sign_out(agent, "/staff/sign-out-everywhere").status_code == 303
    assert agent.get("/staff/returns").status_code == 302


def test_next_only_goes_to_staff_pages(app):
    make_user(app)
    client = app.test_client()
    token = token_from(client.get("/staff/sign-in").get_data(as_text=True))
    data = {"csrf_token": token, "email": "agent@example.com", "password": "correct horse battery"}
    response = client.post("/staff/sign-in?next=https://evil.example/x", data=data)
    assert response.headers["Location"] == "/staff/"


@pytest.mark.parametrize("target", ["/staff%0d%0aX:1", "/staff/%0aSet-Cookie:x=1", "/staff\x7f"])
def test_next_with_a_control_character_goes_home(app, target):
    make_user(app)
    client = app.test_client()
    token = token_from(client.get("/staff/sign-in").get_data(as_text=True))
    data = {"csrf_token": token, "email": "agent@example.com", "password": "correct horse battery"}
    response = client.post(f"/staff/sign-in?next={target}", data=data)
    assert response.status_code == 303 and response.headers["Location"] == "/staff/"


def test_a_gunicorn_worker_makes_the_dummy_hash_before_its_first_request(app):
    """Otherwise the first sign-in with an unknown email would take twice as long."""
    hooks = runpy.run_path(str(Path(__file__).resolve().parent.parent / "gunicorn.conf.py"))
    auth.dummy_hash.cache_clear()
    hooks["post_worker_init"](SimpleNamespace(wsgi=lambda environ, start_response: []))
    assert auth.dummy_hash.cache_info().currsize == 0  # not this site: nothing imported or made
    hooks["post_worker_init"](SimpleNamespace(wsgi=app))
    assert auth.dummy_hash.cache_info().currsize == 1


def test_a_new_password_signs_every_browser_out(app):
    client = signed_in(app, "agent")
    result = app.test_cli_runner().invoke(
        args=["users", "set-password", "Agent@Example.com"], input="a brand new password\n"
    )
    assert result.exit_code == 0, result.output
    assert "New password set for agent@example.com; signed out everywhere." in result.output
    assert client.get("/staff/returns").status_code == 302
    fresh = app.test_client()
    assert sign_in(fresh, password="a brand new password").status_code == 303
    unknown = app.test_cli_runner().invoke(
        args=["users", "set-password", "nobody@example.com"], input="a brand new password\n"
    )
    assert unknown.exit_code == 1 and "nobody@example.com has no account" in unknown.output
