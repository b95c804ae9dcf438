"""Security headers on every response, and production settings that refuse to be unsafe."""

import io
import re
import runpy
from types import SimpleNamespace

import pytest

from app import create_app
from app.config import DEV_CARRIER_SECRET, DEV_SECRET_KEY, InsecureConfiguration
from app.security import check_rate_limit_storage
from tests.conftest import ROOT, csrf_token

PRODUCTION = {
    "ENV_NAME": "production",
    "SECRET_KEY": "k3y-Of-forty-characters-with-variety-0123",
    "CARRIER_WEBHOOK_SECRET": "carrier-shared-secret",
    "SESSION_COOKIE_SECURE": True,
    "SITE_URL": "https://help.example.test",
    "TRUSTED_HOSTS": ["help.example.test", "localhost"],
}


@pytest.mark.parametrize(
    "url", ["/", "/articles/shipping/track-a-parcel", "/api/search?q=parcel", "/nope", "/returns/"]
)
def test_every_response_carries_the_security_headers(client, url):
    headers = client.get(url).headers
    csp = headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert headers["X-Frame-Options"] == "DENY"


def test_each_security_header_is_sent_once_and_a_views_own_is_kept(app):
    @app.get("/_test/own-referrer-policy")
    def own_policy():
        return "ok", {"Referrer-Policy": "no-referrer"}

    client = app.test_client()
    for url in ["/static/css/site.css", "/_test/own-referrer-policy"]:
        with client.get(url) as response:
            headers = response.headers
        for name in ["Content-Security-Policy", "Referrer-Policy", "X-Content-Type-Options"]:
            assert len(headers.getlist(name)) == 1, (url, name)
    assert headers["Referrer-Policy"] == "no-referrer"


def test_pages_have_no_inline_scripts_or_styles(client):
    html = client.get("/articles/shipping/track-a-parcel").get_data(as_text=True)
    assert "<script>" not in html and " style=" not in html and "onclick=" not in html


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"SECRET_KEY": "dev-only-not-secret"}, "SECRET_KEY must be set"),
        ({"SECRET_KEY": "short"}, "SECRET_KEY must be set"),
        ({"CARRIER_WEBHOOK_SECRET": "dev-carrier-secret"}, "CARRIER_WEBHOOK_SECRET"),
        ({"SESSION_COOKIE_SECURE": False}, "SESSION_COOKIE_SECURE"),
        ({"SECRET_KEY": "a" * 32}, "at least 12 different ones"),
        ({"CARRIER_WEBHOOK_SECRET": "x"}, "CARRIER_WEBHOOK_SECRET"),
        ({"SITE_URL": ""}, "SITE_URL must be the site's address"),
        ({"SITE_URL": "help.example.test"}, "SITE_URL must be the site's address"),
    ],
)
def test_production_refuses_development_settings(config, change, message):
    with pytest.raises(InsecureConfiguration, match=message):
        create_app({**config, **PRODUCTION, **change})


def test_production_cookies_are_secure_httponly_and_lax(config, make_app):
    app = make_app(**PRODUCTION)
    # The contact form keeps its token in the session.
    response = app.test_client().get("/contact?article=shipping/track-a-parcel")
    cookie = response.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000"


def test_development_defaults_still_start(config, monkeypatch):
    monkeypatch.setenv("FRONTDESK_ENV", "development")
    app = create_app(config)
    assert app.config["ENV_NAME"] == "development"
    assert app.config["TRUSTED_HOSTS"] is None


@pytest.mark.parametrize("name", [None, "Production", "prod", "dev", ""])
def test_an_unset_or_unknown_environment_never_starts_on_development_secrets(
    config, monkeypatch, name
):
    """Unset means production (which needs real secrets); a misspelling refuses to guess."""
    for key in ("SECRET_KEY", "CARRIER_WEBHOOK_SECRET"):
        monkeypatch.delenv(key, raising=False)
        config.pop(key, None)
    if name is None:
        monkeypatch.delenv("FRONTDESK_ENV")
        expected = "Refusing to start in production: SECRET_KEY must be set"
    else:
        monkeypatch.setenv("FRONTDESK_ENV", name)
        expected = "FRONTDESK_ENV must be one of development, test, production"
    with pytest.raises(InsecureConfiguration, match=expected):
        create_app(config)


def test_a_test_run_gets_random_secrets_not_the_public_ones(config):
    config.pop("SECRET_KEY")
    app = create_app(config)
    assert app.config["SECRET_KEY"] != DEV_SECRET_KEY and len(app.config["SECRET_KEY"]) >= 32
    assert app.config["CARRIER_WEBHOOK_SECRET"] != DEV_CARRIER_SECRET


def test_production_answers_only_its_own_host(config, make_app):
    app = make_app(**PRODUCTION)
    client = app.test_client()
    assert client.get("/", headers={"Host": "help.example.test"}).status_code == 200
    assert client.get("/", headers={"Host": "evil.example"}).status_code == 400


def test_production_without_trusted_hosts_answers_only_site_urls_host(make_app, monkeypatch):
    """TRUSTED_HOSTS unset: the host of SITE_URL is the only one answered, so a request made
    with Host: evil.example never reaches a view (nor builds a link from that host)."""
    monkeypatch.setenv("FRONTDESK_ENV", "production")
    monkeypatch.setenv("SITE_URL", "https://help.example.test")
    monkeypatch.delenv("TRUSTED_HOSTS", raising=False)
    settings = {k: v for k, v in PRODUCTION.items() if k not in ("TRUSTED_HOSTS", "SITE_URL")}
    app = make_app(**settings)
    assert app.config["TRUSTED_HOSTS"] == ["help.example.test"]
    client = app.test_client()
    assert client.get("/", headers={"Host": "help.example.test"}).status_code == 200
    evil = client.post("/returns/", headers={"Host": "evil.example"}, data={"order_number": "1"})
    assert evil.status_code == 400


NAMELESS_PART = (
    b"--zz\r\nContent-Disposition: form-data\r\n\r\nJP-10001\r\n--zz--\r\n",
    "multipart/form-data; boundary=zz",
)


@pytest.mark.parametrize(
    ("request_kwargs", "status"),
    [
        ({"data": NAMELESS_PART[0], "content_type": NAMELESS_PART[1]}, 400),
        ({"data": {"order_number": (io.BytesIO(b"x"), "order.txt")}}, 400),
        ({"data": b"false", "content_type": "application/json"}, 415),
        ({"json": {"order_number": {"nested": 1}, "contact": 5}}, 415),
        ({"data": {"order_number": "JP-10001\x00", "contact": "ana@example.com"}}, 400),
        ({"data": {"order_number": "JP-10001"}, "query_string": "x=%00"}, 400),
    ],
    ids=["nameless-part", "file", "json-false", "json-object", "nul-in-form", "nul-in-query"],
)
def test_input_no_page_sends_is_refused_before_a_form_reads_it(client, request_kwargs, status):
    """Each of these answered 500: Flask-WTF can't read a part without a name, a file or
    JSON as a form's fields, and PostgreSQL text can't hold a NUL character."""
    token = csrf_token(client.get("/returns/").get_data(as_text=True))
    response = client.post("/returns/", headers={"X-CSRFToken": token}, **request_kwargs)
    assert response.status_code == status
    assert "Something in that request was not right" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "url",
    ["/search?q=refund%00", "/search?page=1&q=a%00b", "/articles/shipping/track-a-parcel%00"],
)
def test_a_nul_in_a_page_address_is_refused(client, url):
    response = client.get(url)
    assert response.status_code == 400
    assert "Something in that request was not right" in response.get_data(as_text=True)


def test_a_query_without_a_nul_is_read_as_usual(client):
    response = client.get("/search?q=100%25+refund")
    assert response.status_code == 200
    assert "100% refund" in response.get_data(as_text=True)


def test_behind_a_trusted_proxy_each_customer_has_their_own_rate_limit(make_app):
    from tests.returns_helpers import look_up

    app = make_app(TRUSTED_PROXIES=1)
    first, second = app.test_client(), app.test_client()
    first.environ_base["HTTP_X_FORWARDED_FOR"] = "203.0.113.7"
    second.environ_base["HTTP_X_FORWARDED_FOR"] = "198.51.100.9"
    statuses = [look_up(first, f"JP-{n}", "a@example.com").status_code for n in range(11)]
    assert statuses[-1] == 429
    assert look_up(second, "JP-77", "a@example.com").status_code == 400  # not limited


def test_the_views_with_a_rate_limit(app):
    """The views declare their limits with Flask-Limiter's `limiter.limit`; these are they."""
    from flask_limiter.util import get_qualified_name

    from app.extensions import limiter

    limited = set()
    for endpoint, view in app.view_functions.items():
        with app.test_request_context():  # some limits are read from the settings
            if limiter.limit_manager.decorated_limits(get_qualified_name(view)):
                limited.add(endpoint)
    assert limited == {
        "help.search",
        "help.api_search",
        "help.open_result",
        "help.vote",
        "help.contact",
        "returns.lookup",
        "returns.photos",
        "returns.find",
        "staff.sign_in",
        "webhooks.carrier",
        "webhooks.easypost_events",
        "webhooks.shopify_orders",
        "webhooks.stripe_refund_events",
    }


def test_the_search_page_is_limited_and_an_article_is_not(client):
    searches = [client.get(f"/search?q=parcel{n}").status_code for n in range(121)]
    assert searches[:120] == [200] * 120
    assert searches[120] == 429
    articles = [client.get("/articles/shipping/track-a-parcel").status_code for _ in range(130)]
    assert set(articles) == {200}


@pytest.mark.parametrize(
    ("workers", "settings", "refused"),
    [
        (3, {}, True),
        (1, {}, False),
        (3, {"RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0"}, False),
        (3, {"RATELIMIT_ENABLED": False}, False),
        (3, {"ENV_NAME": "development"}, False),
    ],
)
def test_production_workers_must_share_their_rate_limit_counts(workers, settings, refused):
    config = {"ENV_NAME": "production", "RATELIMIT_STORAGE_URI": "memory://", **settings}
    if refused:
        with pytest.raises(InsecureConfiguration, match="Refusing to start 3 workers"):
            check_rate_limit_storage(workers, config)
    else:
        check_rate_limit_storage(workers, config)


def test_gunicorn_refuses_several_production_workers_on_memory_counts(monkeypatch):
    hooks = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    monkeypatch.setenv("FRONTDESK_ENV", "production")
    monkeypatch.delenv("RATELIMIT_STORAGE_URI", raising=False)
    server = SimpleNamespace(cfg=SimpleNamespace(workers=3))
    with pytest.raises(SystemExit, match="RATELIMIT_STORAGE_URI to a Redis server"):
        hooks["on_starting"](server)
    monkeypatch.setenv("RATELIMIT_STORAGE_URI", "redis://127.0.0.1:6379/0")
    hooks["on_starting"](server)


def test_gunicorn_refuses_several_workers_counting_on_their_own(tmp_path):
    from tests.load.generator import Gunicorn, production_env

    env = production_env(
        f"sqlite:///{tmp_path}/limits.db", tmp_path, WEB_CONCURRENCY="2", RATELIMIT_ENABLED="1"
    )
    env.pop("RATELIMIT_STORAGE_URI", None)
    server = Gunicorn("app:create_app()", env, tmp_path / "gunicorn.log")
    with pytest.raises(RuntimeError, match="gunicorn exited at start-up"):
        server.start(timeout=60)
    assert "RATELIMIT_STORAGE_URI to a Redis server" in server.log_tail()


# Forms anyone may send without a session behind them, each with its own defence.
NO_TOKEN = {
    "help.vote": "refused when another site sends it (Sec-Fetch-Site, Origin)",
    "webhooks.carrier": "signed by the carrier",
    "webhooks.easypost_events": "signed by EasyPost",
    "webhooks.shopify_orders": "signed by Shopify",
    "webhooks.stripe_refund_events": "signed by Stripe",
}


def test_every_other_form_needs_flask_wtfs_token(app):
    """CSRFProtect checks every POST with its defaults: a route added later is covered
    without anyone remembering to."""
    client = app.test_client()
    checked = []
    for rule in app.url_map.iter_rules():
        if "POST" not in rule.methods or rule.endpoint in NO_TOKEN:
            continue
        url = re.sub(r"<any\((\w+)[^>]*>", r"\1", rule.rule)  # the first of its choices
        url = re.sub(r"<[^>]+>", "1", url)
        response = client.post(url, data={"anything": "1"})
        assert response.status_code == 400, (rule.endpoint, response.status_code)
        assert "This form has expired" in response.text, rule.endpoint
        checked.append(rule.endpoint)
    assert {"staff.sign_in", "returns.lookup", "help.contact"} <= set(checked)
