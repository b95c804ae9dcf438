"""The carrier's tracking webhook: signatures, replays, and what each event does to a return."""

import json
import threading
import time
from dataclasses import dataclass

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import CarrierEvent, OutboxMessage, ReturnEvent, ReturnRequest
from app.returns import states
from app.webhooks.signature import SignatureError, sign, verify
from tests.returns_helpers import choose, confirm, line_ids, look_up, make_order

URL = "/webhooks/carrier"


@dataclass(frozen=True)
class Parcel:
    return_id: int
    tracking_number: str
    status_url: str


@pytest.fixture
def parcel(app, client) -> Parcel:
    """A return the customer started in the portal: auto-approved, label issued."""
    tee = line_ids(app, make_order(app))[0]
    look_up(client)
    choose(client, **{f"qty-{tee}": "1", f"reason-{tee}": "damaged"})
    status_url = confirm(client)[0].headers["Location"]
    with app.app_context():
        ret = db.session.execute(select(ReturnRequest)).scalar_one()
        assert ret.status == "label_issued" and ret.tracking_number
        return Parcel(ret.id, ret.tracking_number, status_url)


def event(tracking_number: str, kind: str = "in_transit", event_id: str = "evt_1") -> dict:
    return {
        "id": event_id,
        "type": kind,
        "tracking_number": tracking_number,
        "occurred_at": "2026-11-20T14:03:00Z",
    }


def signature(app, body: bytes, timestamp: int | None = None, secret: str | None = None) -> str:
    """The X-Carrier-Signature header the carrier would send, signed with the app's secret."""
    t = int(time.time()) if timestamp is None else timestamp
    key = app.config["CARRIER_WEBHOOK_SECRET"] if secret is None else secret
    return f"t={t},v1={sign(key, t, body)}"


def tolerance(app) -> int:
    return app.config["CARRIER_WEBHOOK_TOLERANCE"]


def deliver(app, payload, *, body: bytes | None = None, headers: dict | None = None):
    """POST an event as the carrier does (no cookies, no CSRF token); signed unless `headers`."""
    body = json.dumps(payload).encode() if body is None else body
    if headers is None:
        headers = {"X-Carrier-Signature": signature(app, body)}
    return app.test_client().post(URL, data=body, headers=headers, content_type="application/json")


def state(app, return_id: int) -> dict:
    """What the database holds about a return and the carrier's events."""
    with app.app_context():
        ret = db.session.get(ReturnRequest, return_id)
        count = db.session.execute(select(func.count()).select_from(CarrierEvent)).scalar_one()
        return {
            "status": ret.status,
            "timeline": [(e.status, e.actor, e.note) for e in ret.events],
            "carrier_events": count,
            "emails": [m.subject for m in db.session.execute(select(OutboxMessage)).scalars()],
        }


def recorded(app) -> list[tuple]:
    with app.app_context():
        rows = db.session.execute(select(CarrierEvent).order_by(CarrierEvent.id)).scalars()
        return [(r.event_id, r.tracking_number, r.kind, r.return_id, r.outcome) for r in rows]


def test_in_transit_scan_moves_the_return_and_shows_on_the_status_page(app, client, parcel):
    response = deliver(app, event(parcel.tracking_number))
    assert (response.status_code, response.json) == (200, {"status": "processed"})
    after = state(app, parcel.return_id)
    assert after["status"] == "in_transit"
    assert after["timeline"][-1] == ("in_transit", "carrier", None)
    assert recorded(app) == [
        ("evt_1", parcel.tracking_number, "in_transit", parcel.return_id, "processed")
    ]
    page = client.get(parcel.status_url).get_data(as_text=True)
    assert "On its way to us" in page and "The parcel is on its way to our warehouse." in page


def test_delivered_receives_the_return_and_emails_the_customer(app, parcel):
    deliver(app, event(parcel.tracking_number, "in_transit", "evt_1"))
    response = deliver(app, event(parcel.tracking_number, "delivered", "evt_2"))
    assert (response.status_code, response.json) == (200, {"status": "processed"})
    after = state(app, parcel.return_id)
    assert after["status"] == "received"
    assert after["timeline"][-2:] == [
        ("in_transit", "carrier", None),
        ("received", "carrier", "Delivered to the returns warehouse"),
    ]
    with app.app_context():
        arrived = db.session.execute(
            select(OutboxMessage).where(OutboxMessage.subject.contains("has arrived"))
        ).scalar_one()
        rma = db.session.get(ReturnRequest, parcel.return_id).rma_number
        assert (arrived.to_address, arrived.return_id, arrived.status) == (
            "ana@example.com",
            parcel.return_id,
            "pending",
        )
        assert f"Your return {rma} has arrived at our warehouse." in arrived.body


def test_delivered_without_a_scan_first_still_receives_the_return(app, parcel):
    response = deliver(app, event(parcel.tracking_number, "delivered"))
    assert response.json == {"status": "processed"}
    assert state(app, parcel.return_id)["timeline"][-1] == (
        "received",
        "carrier",
        "Delivered to the returns warehouse",
    )


@pytest.mark.parametrize(
    "make_header, error",
    [
        (lambda app, body: None, "Missing X-Carrier-Signature header."),
        (lambda app, body: "", "Missing X-Carrier-Signature header."),
        (lambda app, body: "sha256=abc", "Malformed X-Carrier-Signature header"),
        (lambda app, body: f"v1={sign('x', 1, body)}", "needs one t=<unix seconds>"),
        (lambda app, body: f"t={int(time.time())}", "needs v1=<hex HMAC-SHA256>"),
        (lambda app, body: f"t={int(time.time())},v1=nothex", "needs v1=<hex HMAC-SHA256>"),
        (
            lambda app, body: signature(app, body, secret="not-the-secret"),
            "The signature does not match the body.",
        ),
        (
            lambda app, body: signature(app, body.replace(b"in_transit", b"delivered")),
            "The signature does not match the body.",
        ),
        (
            lambda app, body: signature(app, body, int(time.time()) - tolerance(app) - 5),
            "The signature's timestamp is too old.",
        ),
        (
            lambda app, body: signature(app, body, int(time.time()) + tolerance(app) + 5),
            "The signature's timestamp is in the future.",
        ),
    ],
    ids=[
        "missing",
        "empty",
        "malformed",
        "no-timestamp",
        "no-signature",
        "not-hex",
        "wrong-secret",
        "other-body",
        "stale",
        "future",
    ],
)
def test_unsigned_or_badly_signed_events_are_401_and_change_nothing(
    app, parcel, make_header, error
):
    before = state(app, parcel.return_id)
    body = json.dumps(event(parcel.tracking_number)).encode()
    header = make_header(app, body)
    headers = {} if header is None else {"X-Carrier-Signature": header}
    response = deliver(app, None, body=body, headers=headers)
    assert response.status_code == 401
    assert error in response.json["error"]
    assert state(app, parcel.return_id) == before
    assert before["status"] == "label_issued" and before["carrier_events"] == 0


def test_a_replayed_event_is_processed_once(app, parcel):
    body = json.dumps(event(parcel.tracking_number)).encode()
    headers = {"X-Carrier-Signature": signature(app, body)}
    first = deliver(app, None, body=body, headers=headers)
    after_first = state(app, parcel.return_id)
    again = deliver(app, None, body=body, headers=headers)  # the very same request, resent
    # The same id in a freshly signed request with other content is still the same event.
    changed = deliver(app, event(parcel.tracking_number, "delivered"))
    assert first.json == {"status": "processed"}
    assert again.status_code == changed.status_code == 200
    assert again.json == changed.json == {"status": "duplicate"}
    assert state(app, parcel.return_id) == after_first
    assert len(recorded(app)) == 1
    with app.app_context():
        by_carrier = select(func.count()).select_from(ReturnEvent).filter_by(actor="carrier")
        assert db.session.execute(by_carrier).scalar_one() == 1


def test_copies_of_an_event_arriving_at_once_are_processed_once(app, parcel):
    body = json.dumps(event(parcel.tracking_number, "delivered")).encode()
    headers = {"X-Carrier-Signature": signature(app, body)}
    answers, barrier = [], threading.Barrier(3)

    def post():
        client = app.test_client()
        barrier.wait()
        answers.append(client.post(URL, data=body, headers=headers).json["status"])

    threads = [threading.Thread(target=post) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(answers) == ["duplicate", "duplicate", "processed"]
    after = state(app, parcel.return_id)
    assert after["status"] == "received" and after["carrier_events"] == 1
    assert [e for e in after["timeline"] if e[1] == "carrier"] == [
        ("received", "carrier", "Delivered to the returns warehouse")
    ]
    assert sum("has arrived" in subject for subject in after["emails"]) == 1


def test_unknown_tracking_number_is_recorded_and_accepted(app, parcel, caplog):
    before = state(app, parcel.return_id)
    response = deliver(app, event("JP0000000000000000", event_id="evt_lost"))
    assert (response.status_code, response.json) == (202, {"status": "unknown_tracking"})
    assert recorded(app) == [
        ("evt_lost", "JP0000000000000000", "in_transit", None, "unknown_tracking")
    ]
    assert state(app, parcel.return_id)["timeline"] == before["timeline"]
    [warning] = [r for r in caplog.records if r.levelname == "WARNING"]
    assert warning.getMessage() == "carrier event for an unknown tracking number"
    assert warning.event_id == "evt_lost"
    assert deliver(app, event("JP0000000000000000", event_id="evt_lost")).json == {
        "status": "duplicate"
    }


@pytest.mark.parametrize(
    "body, error",
    [
        (b"{not json", "The body is not valid JSON."),
        (b"\xff\xfe\x00", "The body is not valid JSON."),
        (b"[]", "The body must be a JSON object."),
        (b'{"type": "in_transit", "tracking_number": "JP1", "occurred_at": "2026-11-20T14:03:00Z"}',
         '"id" is missing or empty.'),
        (b'{"id": "e", "type": "lost", "tracking_number": "JP1", "occurred_at": "2026-11-20"}',
         '"type" must be one of: in_transit, delivered.'),
        (b'{"id": "e", "type": ["delivered"], "tracking_number": "JP1", "occurred_at": "x"}',
         '"type" must be one of'),
        (b'{"id": "e", "type": "delivered", "tracking_number": " ", "occurred_at": "x"}',
         '"tracking_number" is missing or empty.'),
        (b'{"id": "e", "type": "delivered", "tracking_number": 42, "occurred_at": "x"}',
         '"tracking_number" is missing or empty.'),
        (b'{"id": "e", "type": "delivered", "tracking_number": "JP1"}',
         '"occurred_at" is missing.'),
        (b'{"id": "e", "type": "delivered", "tracking_number": "JP1", "occurred_at": "soon"}',
         '"occurred_at" is not an ISO 8601 date and time.'),
        (b'{"id": "e", "type": "delivered", "tracking_number": "JP1",'
         b' "occurred_at": "2026-11-20T14:03:00"}',
         '"occurred_at" needs a time zone'),
        (json.dumps({**event("JP1"), "id": "e" * 101}).encode(),
         '"id" is longer than 100 characters.'),
        (json.dumps(event("JP" + "1" * 39)).encode(),
         '"tracking_number" is longer than 40 characters.'),
        (json.dumps(event("JP\u00001")).encode(), '"tracking_number" contains a NUL character.'),
        (b"[" * 30_000 + b"]" * 30_000, "nested too deeply"),
        (json.dumps({**event("JP1"), "id": "\ud800"}).encode(), "isn't valid Unicode"),
        (json.dumps(event("JP\udfff1")).encode(), "isn't valid Unicode"),
        (json.dumps({**event("JP1"), "occurred_at": "9999-12-31T23:59:59-23:59"}).encode(),
         '"occurred_at" is out of range.'),
    ],
)  # fmt: skip
def test_malformed_bodies_are_400_and_record_nothing(app, parcel, body, error):
    before = state(app, parcel.return_id)
    response = deliver(app, None, body=body)
    assert response.status_code == 400 and error in response.json["error"]
    assert state(app, parcel.return_id) == before
    assert recorded(app) == []


def test_an_oversized_body_is_refused_before_anything_is_read(app, parcel):
    response = deliver(app, None, body=b" " * (65 * 1024))
    assert response.status_code == 413
    assert response.is_json
    assert recorded(app) == []


def test_a_canceled_return_ignores_scans(app, parcel):
    with app.app_context():
        ret = db.session.get(ReturnRequest, parcel.return_id)
        states.apply(ret, "cancel", actor="customer")
        db.session.commit()
    before = state(app, parcel.return_id)
    for n, kind in enumerate(["in_transit", "delivered"]):
        response = deliver(app, event(parcel.tracking_number, kind, f"evt_{n}"))
        assert (response.status_code, response.json) == (200, {"status": "ignored"})
    after = state(app, parcel.return_id)
    assert after["status"] == "canceled"
    assert after["timeline"] == before["timeline"] and after["emails"] == before["emails"]
    assert [row[-1] for row in recorded(app)] == ["ignored", "ignored"]


def test_a_late_scan_after_delivery_is_ignored(app, parcel):
    deliver(app, event(parcel.tracking_number, "delivered", "evt_delivered"))
    before = state(app, parcel.return_id)
    late = deliver(app, event(parcel.tracking_number, "in_transit", "evt_scan"))
    assert (late.status_code, late.json) == (200, {"status": "ignored"})
    after = state(app, parcel.return_id)
    assert after["status"] == "received" and after["timeline"] == before["timeline"]


def test_the_webhook_needs_no_csrf_token_but_forms_still_do(app, parcel):
    make_order(app, "JP-20002")
    form = app.test_client().post(
        "/returns/", data={"order_number": "JP-20002", "contact": "ana@example.com"}
    )
    assert form.status_code == 400 and "This form has expired" in form.get_data(as_text=True)
    response = deliver(app, event(parcel.tracking_number))  # no cookie, no csrf_token
    assert response.status_code == 200 and response.json == {"status": "processed"}
    assert state(app, parcel.return_id)["status"] == "in_transit"


def test_verify_accepts_the_edges_of_the_tolerance_and_a_rolled_over_secret():
    body, now = b'{"id": "e"}', 1_800_000_000
    for t in (now - 300, now, now + 300):
        verify("s3cret", f"t={t},v1={sign('s3cret', t, body)}", body, now=now, tolerance=300)
    rolled = f"t={now},v1={sign('old', now, body)},v1={sign('s3cret', now, body)}"
    verify("s3cret", rolled, body, now=now, tolerance=300)
    with pytest.raises(SignatureError, match="too old"):
        verify("s3cret", f"t={now - 301},v1={sign('s3cret', now - 301, body)}", body, now, 300)
    with pytest.raises(SignatureError, match="not configured"):
        verify("", f"t={now},v1={sign('', now, body)}", body, now=now, tolerance=300)
