"""Every route in the URL map, sent random and hostile input by Hypothesis: huge strings,
Unicode, null bytes, wrong types, missing fields, path traversal, SQL and template injection,
wrong methods and content types, with and without a valid CSRF token (or webhook signature),
as a visitor, a customer part-way through a return, an agent and an editor.

No answer is ever a 500 (or an exception), a refused request writes nothing to the database,
and template syntax or markup typed by a visitor is never evaluated.

Half the requests are ones the site's own pages would send (their method, a valid token, every
form field the pages show, with values they offer or real ones from the database) with a field
or two made hostile, so they get past validation into the views; the other half are hostile
throughout. FUZZ_EXAMPLES=500 pytest tests/test_fuzz.py runs a longer session than the default.
Locally every run tries new inputs; with CI set, Hypothesis's "ci" profile makes runs repeatable.
"""

import hashlib
import io
import json
import os
import re
import time
from collections import defaultdict
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import quote, urlencode

import flask_migrate
import pytest
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st
from sqlalchemy import select
from werkzeug.datastructures import MultiDict
from werkzeug.routing import AnyConverter, IntegerConverter, PathConverter

from app import create_app
from app.extensions import db
from app.models import Order, ReturnLine, ReturnRequest
from app.returns.workflow import status_token
from app.services import services
from app.staff.auth import create_user
from app.webhooks.signature import HEADER as SIGNATURE_HEADER
from app.webhooks.signature import sign
from tests.conftest import ROOT, csrf_token, fresh_database
from tests.returns_helpers import look_up, token_from
from tests.staff_helpers import PASSWORD, sign_in

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "25"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,  # no .hypothesis/ folder; a failure prints the example and a blob to replay
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

SECRET_KEY = "fuzz-secret-key-that-must-never-be-shown"
WEBHOOK_SECRET = "fuzz-webhook-secret"

# Tables that record reads on purpose, so a refused request may still add to them: searches
# and opened results (with their daily roll-up and the synonym suggestions learnt from them)
# and article views. The counters are written in batches, at the end of whichever request
# finds them due. Names of tables that don't exist (yet) match nothing.
RECORDS_READS = {
    "sign_in_throttles",  # a refused sign-in counts its wrong password here
    "search_events",
    "search_clicks",
    "search_daily",
    "search_day_totals",
    "synonym_suggestions",
    "article_views_daily",
}
# Columns a refused request changes on purpose (none since wrong passwords are counted in a
# table of their own, below).
COUNTS_FAILURES: dict[str, set[str]] = {}

# Evaluated, each of these would show "zz49zz" (or the secret key).
TEMPLATE_INJECTION = [
    "zz{{7*7}}zz",
    "zz{% print 7*7 %}zz",
    "zz{{ 7*7 }}zz",
    "zz${7*7}zz",
    "zz#{7*7}zz",
    "{{ config.SECRET_KEY }}",
    "{{ config }}",
    "{{ self.__init__.__globals__ }}",
]
MARKUP = ["<script>zzxss()</script>", '"><img src=x onerror=zzxss()>', "javascript:zzxss()"]
HOSTILE = [
    *TEMPLATE_INJECTION,
    *MARKUP,
    "",
    " ",
    "\x00",
    "a\x00b",
    "\r\n\r\nInjected: header",
    "%00",
    "%",
    "%zz",
    "%ff%fe",
    "../../../../etc/passwd",
    "..%2f..%2f..%2fetc%2fpasswd",
    "%2e%2e/%2e%2e/%2e%2e/etc/passwd",
    "..\\..\\windows\\win.ini",
    "....//....//etc",
    "/etc/passwd",
    "//evil.example/",
    "https://evil.example/",
    "' OR 1=1 --",
    '" OR ""="',
    "1; DROP TABLE orders; --",
    "' UNION SELECT password_hash FROM users --",
    "%' AND 1=0 --",
    "-1",
    "0",
    "1",
    "2",
    "99",
    "1.5",
    "-0.01",
    "1e309",
    "NaN",
    "-NaN",
    "sNaN",
    "Infinity",
    "-Infinity",
    "1e999999",
    "/staff\r\nX: 1",
    "/staff%0d%0aX:1",
    "jp-10481",
    "\uff2a\uff30-10481",  # fullwidth "JP"
    "0x1F",
    "1_000",
    "99999999999999999999999999999999",
    "$1,000.00",
    "true",
    "null",
    "[]",
    "{}",
    "None",
    "\u202eevil",
    "\ufeffbom",
    "𝕳𝖊𝖑𝖑𝖔 😀",
    "ß" * 30,
    "\U0001f600" * 300,
    "a" * 100_000,
    "é" * 20_000,
    "\x00" * 5_000,
    "../" * 3_000,
    "9" * 5_000,
]
TEXT = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(max_size=40),  # any Unicode, control characters and NUL included
    st.builds(
        lambda before, payload, after: before + payload + after,
        st.text(max_size=6),
        st.sampled_from([h for h in HOSTILE if len(h) < 100]),
        st.text(max_size=6),
    ),
    st.integers().map(str),
    st.floats().map(str),
)
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | TEXT,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=12,
)
# Bodies inside the webhook's size limit that are nested thousands deep.
DEEP_JSON = [b"[" * 30_000 + b"]" * 30_000, b'{"a":' * 12_000 + b"1" + b"}" * 12_000]
RAW_QUERIES = ["%", "a=%zz&&=&b", "q=%ff%fe", "q", "&&&", "q=%00", "page=1&page=2&page=x"]
CONTENT_TYPES = [
    "text/plain",
    "application/json",
    "application/x-www-form-urlencoded",
    "multipart/form-data",  # no boundary
    "multipart/form-data; boundary=zz",
    "application/xml",
    "application/octet-stream",
]
MOMENTS = [
    "2026-11-20T14:03:00Z",
    "2026-11-20",
    "2026-11-20T14:03:00",
    "9999-12-31T23:59:59-23:59",
    "0001-01-01T00:00:00+23:59",
]
# Values the pages don't offer but real visitors type (the rest are read off the pages).
TYPED = {
    "q": ["refund", "size guide", "returns", "JP-10481", "xyzzy"],
    "page": ["1", "2", "9999"],
    "limit": ["1", "10", "50"],
    "instant": ["1"],
    "pos": ["1", "2"],
    "next": ["/staff/returns", "//evil.example/", "/staff\r\nX: 1"],
    "type": ["faq", "tutorial"],
    "password": [PASSWORD],
    "helpful": ["yes", "no"],
    "amount": ["0.01", "1.00", "39.00", "1000000", "Infinity", "sNaN", "1e999999"],
    "comment": ["Runs small"],
    "note": ["Checked by the fuzzer"],
}


@dataclass(frozen=True)
class Visitor:
    """Who sends a request: the session cookie they start from and its valid CSRF token."""

    name: str
    session: str
    csrf: str


@dataclass
class Known:
    """Real values from the seeded database and the rendered pages, to get past lookups."""

    paths: list[str]
    slugs: list[str]
    tokens: list[str]
    rmas: list[str]
    tracking: list[str]
    fields: dict[str, list[str]]  # form and query fields, each with values the site accepts

    def __repr__(self) -> str:  # Hypothesis names the strategy's arguments on failures
        return f"Known({len(self.fields)} fields)"

    @property
    def values(self) -> list[str]:
        return sorted({value for values in self.fields.values() for value in values})


@dataclass
class Fuzzed:
    """One generated request."""

    method: str
    url: str
    query: str
    body: str
    csrf: str
    kwargs: dict = field(default_factory=dict)

    def __repr__(self) -> str:  # Hypothesis prints it on failure: keep it readable
        shown = {
            k: (v if len(repr(v)) < 300 else f"{repr(v)[:300]}...") for k, v in vars(self).items()
        }
        return f"Fuzzed({shown})"


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    """One app for the whole module: the shipped content, the demo orders and staff, a fresh
    database, no rate limits (else the fuzzer mostly meets 429s)."""
    tmp = tmp_path_factory.mktemp("fuzz")
    with fresh_database(tmp) as database_url:
        app = create_app(
            {
                "TESTING": True,
                "INSTANCE_PATH": str(tmp / "instance"),
                "SECRET_KEY": SECRET_KEY,
                "SQLALCHEMY_DATABASE_URI": database_url,
                "CONTENT_DIR": str(ROOT / "content"),
                "INDEX_DIR": str(tmp / "index"),
                "SITE_URL": "https://help.example.test",
                "RATELIMIT_ENABLED": False,
                "CARRIER_WEBHOOK_SECRET": WEBHOOK_SECRET,
            }
        )
        with app.app_context():
            flask_migrate.upgrade()
        seeded = app.test_cli_runner().invoke(args=["demo", "seed"])
        assert seeded.exit_code == 0, seeded.output
        with app.app_context():
            create_user("fuzz-agent@example.com", PASSWORD, "agent")
            create_user("fuzz-editor@example.com", PASSWORD, "editor")
        yield app
        services(app).close()
        with app.app_context():
            db.engine.dispose()


def _session_of(client) -> tuple[str, str]:
    """The client's session cookie and its CSRF token (read off a page with a form)."""
    html = client.get("/returns/").get_data(as_text=True)
    return client.get_cookie("session").value, csrf_token(html)


@pytest.fixture(scope="module")
def visitors(app) -> dict[str, Visitor]:
    made = {}
    anonymous = app.test_client()
    made["anonymous"] = Visitor("anonymous", *_session_of(anonymous))

    customer = app.test_client()
    assert look_up(customer, "JP-10481", "maya.chen@example.com").status_code == 303
    html = customer.get("/returns/start").get_data(as_text=True)
    line = re.search(r'name="qty-(\d+)"', html).group(1)
    chosen = customer.post(
        "/returns/start",
        data={
            "csrf_token": token_from(html),
            f"return-{line}": "1",
            f"qty-{line}": "1",
            f"reason-{line}": "changed_mind",
            "resolution": "refund",
            "method": "label",
        },
    )
    assert chosen.headers["Location"].endswith("/returns/review")
    made["customer"] = Visitor("customer", *_session_of(customer))

    for role in ("agent", "editor"):
        staff = app.test_client()
        assert sign_in(staff, f"fuzz-{role}@example.com").status_code == 303
        made[role] = Visitor(role, *_session_of(staff))
    return made


class FormFields(HTMLParser):
    """The names and offered values of every input, option, textarea and button on a page."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: dict[str, set[str]] = defaultdict(set)
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list) -> None:
        named = dict(attrs)
        if tag == "select":
            self._select = named.get("name")
        elif tag == "option" and self._select:
            self.fields[self._select].add(named.get("value") or "")
        elif tag in ("input", "textarea", "button") and named.get("name"):
            self.fields[named["name"]].add(named.get("value") or "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None


@pytest.fixture(scope="module")
def known(app, visitors) -> Known:
    with app.app_context():
        library = services(app).library
        returns = db.session.execute(select(ReturnRequest)).scalars().all()
        orders = db.session.execute(select(Order)).scalars().all()
        return_lines = db.session.execute(select(ReturnLine.id)).scalars().all()
        found = Known(
            paths=sorted(library.articles),
            slugs=[c.slug for c in library.categories],
            tokens=[status_token(r) for r in returns],
            rmas=[r.rma_number for r in returns],
            tracking=[r.tracking_number for r in returns if r.tracking_number],
            fields={},
        )
        emails = [o.email for o in orders] + ["fuzz-agent@example.com"]
        typed = {
            **TYPED,
            "order_number": [o.number for o in orders],
            "contact": emails + [o.postal_code for o in orders],
            "rma_number": found.rmas,
            "email": emails,
            "path": found.paths,
            "article": found.paths,
            "category": found.slugs,
            **{f"inspection-{i}": ["accepted", "rejected"] for i in return_lines},
            **{f"inspection-reason-{i}": ["Stained"] for i in return_lines},
            **{f"inspection-note-{i}": ["Grease stain, heavy use"] for i in return_lines},
        }
    # Every page each visitor can open, read for its form fields and the values it offers.
    offered = FormFields()
    for visitor in visitors.values():
        client = app.test_client()
        client.set_cookie("session", visitor.session)
        for rule in routes(app):
            if "GET" in rule.methods and not any(
                isinstance(c, IntegerConverter) for c in rule._converters.values()
            ):
                page = client.get(first_url(rule, found))
                if page.mimetype == "text/html":
                    offered.feed(page.get_data(as_text=True))
    fields = defaultdict(set, offered.fields)
    for name, values in typed.items():
        fields[name] |= set(values)
    fields.pop("csrf_token", None)
    found.fields = {name: sorted(v for v in values if v) or [""] for name, values in fields.items()}
    return found


def mostly(likely: st.SearchStrategy, other: st.SearchStrategy, odds: int = 3):
    """`likely` about `odds` times as often as `other` (one_of would pick each half the time)."""
    return st.sampled_from([True] * odds + [False]).flatmap(lambda pick: likely if pick else other)


def routes(app) -> list:
    return sorted(
        (rule for rule in app.url_map.iter_rules() if rule.endpoint != "static"),
        key=lambda rule: rule.rule,
    )


ARGUMENT = re.compile(r"<(?:[^>:]+:)?(\w+)>")


def real_values(known: Known, name: str, rule) -> list[str]:
    """Values of a URL argument that lead to something."""
    converter = rule._converters[name]
    if isinstance(converter, AnyConverter):
        return sorted(converter.items)
    by_name = {"path": known.paths, "slug": known.slugs, "token": known.tokens, "rma": known.rmas}
    return by_name.get(name) or known.values or ["1"]  # no fields yet while pages are read


def first_url(rule, known: Known) -> str:
    """The rule's URL with the first real value of each argument."""
    return ARGUMENT.sub(lambda m: quote(real_values(known, m.group(1), rule)[0]), rule.rule)


def argument(rule, name: str, known: Known) -> st.SearchStrategy[str]:
    """A value for one URL argument: mostly a real one (to reach the view's code), or not."""
    converter = rule._converters[name]
    if isinstance(converter, IntegerConverter):
        real = st.one_of(
            st.integers(0, 50), st.integers(min_value=0), st.sampled_from([2**31, 2**63, 10**40])
        ).map(str)
    else:
        real = st.sampled_from(real_values(known, name, rule))
    safe = "/" if isinstance(converter, PathConverter) else ""
    return mostly(real, TEXT).map(lambda value: quote(value, safe=safe))


def own_methods(rule) -> list[str]:
    return sorted(rule.methods - {"HEAD", "OPTIONS"})


def event(known: Known) -> st.SearchStrategy[dict]:
    """A carrier event, its fields mostly real."""
    return st.fixed_dictionaries(
        {
            "id": TEXT,
            "type": mostly(st.sampled_from(["in_transit", "delivered"]), TEXT),
            "tracking_number": mostly(st.sampled_from(known.tracking), TEXT),
            "occurred_at": mostly(st.sampled_from(MOMENTS), TEXT),
        },
        optional={"extra": JSON},
    )


@st.composite
def near_valid(draw, rule, known: Known) -> Fuzzed:
    """What the site's own page would send, with a field or two dropped or made hostile."""
    fields = {name: draw(st.sampled_from(values)) for name, values in known.fields.items()}
    for name in draw(st.lists(st.sampled_from(sorted(fields)), max_size=3, unique=True)):
        if draw(st.booleans()):
            del fields[name]
        else:
            fields[name] = draw(TEXT)
    method = draw(st.sampled_from(own_methods(rule)))
    url = ARGUMENT.sub(lambda m: draw(argument(rule, m.group(1), known)), rule.rule)
    fuzzed = Fuzzed(method, url, query="", body="form", csrf="valid", kwargs={"headers": {}})
    if rule.endpoint == "webhooks.carrier":
        body = json.dumps(draw(event(known))).encode()
        stamp = int(time.time())
        signature = f"t={stamp},v1={sign(WEBHOOK_SECRET, stamp, body)}"
        fuzzed.body, fuzzed.kwargs = (
            "signed event",
            {
                "data": body,
                "content_type": "application/json",
                "headers": {SIGNATURE_HEADER: signature},
            },
        )
    elif method == "GET":
        query = draw(st.lists(st.sampled_from(sorted(fields)), max_size=4, unique=True))
        fuzzed.query = urlencode([(name, fields[name]) for name in query])
    else:
        fuzzed.kwargs["data"] = MultiDict(fields)
    return fuzzed


@st.composite
def hostile(draw, rule, known: Known) -> Fuzzed:
    """Any method, fields, body, content type and token, mostly hostile."""
    names = mostly(st.sampled_from(sorted(known.fields)), st.text(max_size=20))
    values = st.one_of(TEXT, st.sampled_from(known.values))
    pairs = st.lists(st.tuples(names, values), max_size=8)
    webhook = rule.endpoint == "webhooks.carrier"
    bodies = ["form", "none", "json", "raw", "multipart"]
    fuzzed = Fuzzed(
        method=draw(
            mostly(
                st.sampled_from(own_methods(rule)),
                st.sampled_from(["GET", "POST", "PUT", "DELETE", "PATCH"]),
            )
        ),
        url=ARGUMENT.sub(lambda m: draw(argument(rule, m.group(1), known)), rule.rule),
        query=draw(st.one_of(pairs.map(urlencode), st.sampled_from(RAW_QUERIES))),
        body=draw(st.sampled_from(bodies)),
        csrf=draw(st.sampled_from(["valid", "missing", "wrong"])),
    )
    headers = {}
    if draw(st.booleans()):
        headers["X-Requested-With"] = "fetch"
    if draw(st.booleans()):
        headers["Accept"] = draw(st.sampled_from(["application/json", "*/*", "text/html"]))
    if fuzzed.body in ("form", "multipart"):
        data = MultiDict(draw(pairs))
        if fuzzed.body == "multipart":
            fuzzed.kwargs["content_type"] = "multipart/form-data"
            if draw(st.booleans()):
                upload = io.BytesIO(draw(st.binary(max_size=200)))
                data.add(draw(names), (upload, draw(TEXT.filter(lambda s: len(s) < 200))))
        fuzzed.kwargs["data"] = data
    elif fuzzed.body == "json":
        payload = draw(mostly(event(known), JSON) if webhook else JSON)
        fuzzed.kwargs["data"] = json.dumps(payload).encode()
        fuzzed.kwargs["content_type"] = "application/json"
    elif fuzzed.body == "raw":
        fuzzed.kwargs["data"] = draw(
            st.one_of(st.binary(max_size=300), TEXT.map(str.encode), st.sampled_from(DEEP_JSON))
        )
        fuzzed.kwargs["content_type"] = draw(st.sampled_from(CONTENT_TYPES))
    if webhook and draw(st.booleans()):
        raw = fuzzed.kwargs.get("data") if isinstance(fuzzed.kwargs.get("data"), bytes) else b""
        stamp = int(time.time())
        headers[SIGNATURE_HEADER] = f"t={stamp},v1={sign(WEBHOOK_SECRET, stamp, raw)}"
        fuzzed.kwargs.setdefault("data", raw)
    fuzzed.kwargs["headers"] = headers
    return fuzzed


def requests_for(rule, known: Known) -> st.SearchStrategy[Fuzzed]:
    return st.one_of(near_valid(rule, known), hostile(rule, known))


def watched_tables():
    """Every table but the ones that record reads (see RECORDS_READS)."""
    return [t for t in db.metadata.sorted_tables if t.name not in RECORDS_READS]


def snapshot(engine, tables) -> dict[str, tuple[int, str]]:
    """Each table's row count and a digest of its rows (so an UPDATE shows too)."""
    state = {}
    with engine.connect() as connection:
        for table in tables:
            skipped = COUNTS_FAILURES.get(table.name, set())
            columns = [c for c in table.columns if c.name not in skipped]
            rows = sorted(repr(tuple(row)) for row in connection.execute(select(*columns)))
            state[table.name] = (len(rows), hashlib.sha256("\n".join(rows).encode()).hexdigest())
    return state


def send(app, visitor: Visitor, fuzzed: Fuzzed):
    client = app.test_client()
    client.set_cookie("session", visitor.session)
    kwargs = dict(fuzzed.kwargs)
    token = {"valid": visitor.csrf, "wrong": visitor.csrf[::-1], "missing": None}[fuzzed.csrf]
    if token is not None:
        data = kwargs.get("data")
        if isinstance(data, MultiDict):
            data = data.copy()
            data.add("csrf_token", token)
            kwargs["data"] = data
        else:
            kwargs["headers"] = {**kwargs["headers"], "X-CSRFToken": token}
    return client.open(fuzzed.url, method=fuzzed.method, query_string=fuzzed.query, **kwargs)


# Their answer, a redirect to the sign-in page, is their work done (revoking the browser's
# session), not a refusal; they are fuzzed last, as they end the visitor's session.
SIGNS_OUT = {"staff.sign_out", "staff.sign_out_everywhere"}


def refused(response, endpoint: str) -> bool:
    """A 4xx, or a redirect to the sign-in page (a staff page asked for while signed out)."""
    location = response.headers.get("Location", "")
    if endpoint in SIGNS_OUT and response.status_code == 303:
        return False
    return 400 <= response.status_code < 500 or (
        300 <= response.status_code < 400 and "/staff/sign-in" in location
    )


def fuzz_route(app, visitor: Visitor, rule, known: Known) -> None:
    with app.app_context():
        engine, tables = db.engine, watched_tables()
    state = {"before": snapshot(engine, tables)}

    @FUZZ
    @given(fuzzed=requests_for(rule, known))
    def check(fuzzed: Fuzzed) -> None:
        before = state["before"]
        response = send(app, visitor, fuzzed)
        after = state["before"] = snapshot(engine, tables)
        note(f"{fuzzed.method} {fuzzed.url[:200]} -> {response.status_code}")
        assert response.status_code < 500, response.get_data(as_text=True)[:2000]
        body = response.get_data()
        assert b"zz49zz" not in body, "template syntax from the request was evaluated"
        assert SECRET_KEY.encode() not in body, "the secret key was shown"
        if response.mimetype == "text/html":
            assert b"<script>zzxss" not in body and b"<img src=x onerror" not in body
        if refused(response, rule.endpoint):
            changed = {
                name: f"{before[name][0]} -> {after[name][0]} rows, contents differ"
                for name in before
                if before[name] != after[name]
            }
            assert not changed, f"refused with {response.status_code} but wrote: {changed}"

    check()


@pytest.mark.parametrize("who", ["anonymous", "customer", "agent", "editor"])
def test_every_route_survives_hostile_input(app, visitors, known, who, subtests):
    walked = []
    for rule in sorted(routes(app), key=lambda r: r.endpoint in SIGNS_OUT):
        with subtests.test(route=rule.rule, endpoint=rule.endpoint):
            fuzz_route(app, visitors[who], rule, known)
        walked.append(rule.endpoint)
    assert {"help.article", "returns.confirm", "staff.refund", "webhooks.carrier"} <= set(walked)


def test_the_read_allowlist_names_only_tables_that_record_reads(app):
    """The tables skipped by the no-write check, as they exist today: only counters of reads."""
    with app.app_context():
        names = {t.name for t in db.metadata.sorted_tables}
    skipped = RECORDS_READS & names
    assert {"search_events", "search_clicks"} <= skipped
    assert not skipped & {"orders", "return_requests", "refunds", "users", "votes"}


@pytest.mark.parametrize("payload", ["{{7*7}}", "{% print 7*7 %}"])
def test_template_syntax_is_shown_as_typed(app, payload):
    """Where a visitor's words come back on the page, they read exactly as typed."""
    client = app.test_client()
    search = client.get("/search", query_string={"q": f"zz{payload}zz"}).get_data(as_text=True)
    lookup_page = client.get("/returns/").get_data(as_text=True)
    lookup = client.post(
        "/returns/",
        data={
            "csrf_token": csrf_token(lookup_page),
            "order_number": f"zz{payload}zz",
            "contact": "x@y.z",
        },
    ).get_data(as_text=True)
    escaped = f"zz{payload}zz".replace("'", "&#39;").replace('"', "&#34;")
    for page in (search, lookup):
        assert escaped in page and "zz49zz" not in page
