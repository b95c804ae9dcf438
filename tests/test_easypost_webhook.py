"""EasyPost's tracker webhooks (POST /webhooks/easypost): signed with X-Hmac-Signature, each
event moving the return once, beside our own carrier webhook format."""

import json
import time

import pytest
from easypost.util import validate_webhook
from sqlalchemy import func, select

from app.extensions import db
from app.models import CarrierEvent, OutboxMessage, ReturnRequest
from app.webhooks import easypost as easypost_webhook
from app.webhooks.signature import sign as sign_ours
from tests.fake_easypost import WEBHOOK_SECRET, easypost, easypost_settings  # noqa: F401
from tests.returns_helpers import choose, confirm, line_ids, look_up, make_order

URL = "/webhooks/easypost"


@pytest.fixture
def app(make_app, easypost):  # noqa: F811
    return make_app(**easypost_settings(easypost))


@pytest.fixture
def parcel(app) -> tuple[int, str, str]:
    """A return started in the portal with an EasyPost label: (id, tracking code, status URL)."""
    tee = line_ids(app, make_order(app))[0]
    customer = app.test_client()
    look_up(customer)
    choose(customer, **{f"qty-{tee}": "1", f"reason-{tee}": "damaged"})
    status_url = confirm(customer)[0].headers["Location"]
    with app.app_context():
        ret = db.session.execute(select(ReturnRequest)).scalar_one()
        assert ret.status == "label_issued" and ret.tracking_number.startswith("9400")
        return ret.id, ret.tracking_number, status_url


def tracker_event(tracking_code: str, status: str, event_id: str = "evt_1") -> dict:
    """An Event as EasyPost posts it when a tracker changes."""
    return {
        "id": event_id,
        "object": "Event",
        "mode": "test",
        "description": "tracker.updated",
        "previous_attributes": {"status": "pre_transit"},
        "created_at": "2026-11-20T14:03:05Z",
        "updated_at": "2026-11-20T14:03:05Z",
        "result": {
            "id": "trk_1",
            "object": "Tracker",
            "mode": "test",
            "tracking_code": tracking_code,
            "status": status,
            "status_detail": "arrived_at_facility",
            "carrier": "USPS",
            "updated_at": "2026-11-20T14:03:00Z",
            "tracking_details": [
                {"object": "TrackingDetail", "status": status, "message": "Arrived at facility"}
            ],
        },
        "status": "pending",
    }


def deliver(app, payload, secret: str = WEBHOOK_SECRET, signature: str | None = None):
    body = json.dumps(payload).encode()
    header = easypost_webhook.sign(secret, body) if signature is None else signature
    return app.test_client().post(
        URL, data=body, headers={"X-Hmac-Signature": header}, content_type="application/json"
    )


def state(app, return_id: int) -> dict:
    with app.app_context():
        ret = db.session.get(ReturnRequest, return_id)
        return {
            "status": ret.status,
            "timeline": [(e.status, e.actor, e.note) for e in ret.events],
            "carrier_events": db.session.execute(
                select(func.count()).select_from(CarrierEvent)
            ).scalar_one(),
            "emails": [m.subject for m in db.session.execute(select(OutboxMessage)).scalars()],
        }


def test_a_scan_moves_the_return_once_however_often_it_is_delivered(app, parcel):
    return_id, tracking, status_url = parcel
    answer = deliver(app, tracker_event(tracking, "in_transit"))
    assert (answer.status_code, answer.json) == (200, {"status": "processed"})
    after = state(app, return_id)
    assert after["status"] == "in_transit" and after["timeline"][-1][:2] == (
        "in_transit",
        "carrier",
    )
    page = app.test_client().get(status_url).get_data(as_text=True)
    assert "On its way to us" in page

    again = deliver(app, tracker_event(tracking, "in_transit"))
    assert (again.status_code, again.json) == (200, {"status": "duplicate"})
    assert state(app, return_id) == after


def test_delivered_marks_the_return_received(app, parcel):
    return_id, tracking, _ = parcel
    deliver(app, tracker_event(tracking, "out_for_delivery", "evt_1"))
    deliver(app, tracker_event(tracking, "delivered", "evt_2"))
    after = state(app, return_id)
    assert after["status"] == "received"
    assert after["timeline"][-1] == ("received", "carrier", "Delivered to the returns warehouse")


def test_statuses_and_events_that_ask_nothing_change_nothing(app, parcel):
    return_id, tracking, _ = parcel
    before = state(app, return_id)
    created = {**tracker_event(tracking, "pre_transit", "evt_a"), "description": "tracker.created"}
    other_parcel = tracker_event("9400111899223197428490", "delivered", "evt_b")
    batch = {"id": "evt_c", "object": "Event", "description": "batch.updated", "result": {}}
    for payload in (created, other_parcel, batch, tracker_event(tracking, "failure", "evt_d")):
        answer = deliver(app, payload)
        assert (answer.status_code, answer.json) == (200, {"status": "ignored"})
    assert state(app, return_id) == before


@pytest.mark.parametrize(
    "secret, signature",
    [
        ("another-secret", None),  # signed with the wrong secret
        (WEBHOOK_SECRET, ""),  # no signature
        (WEBHOOK_SECRET, "hmac-sha256-hex=" + "0" * 64),
    ],
)
def test_an_unsigned_or_badly_signed_event_is_refused(app, parcel, secret, signature):
    return_id, tracking, _ = parcel
    before = state(app, return_id)
    answer = deliver(app, tracker_event(tracking, "in_transit"), secret, signature)
    assert answer.status_code == 401
    assert state(app, return_id) == before


def test_without_a_webhook_secret_every_event_is_refused(make_app, easypost, parcel):  # noqa: F811
    unset = make_app(**easypost_settings(easypost, EASYPOST_WEBHOOK_SECRET=""))
    answer = deliver(unset, tracker_event(parcel[1], "in_transit"), secret="")
    assert answer.status_code == 401 and "EASYPOST_WEBHOOK_SECRET" in answer.json["error"]


def test_a_malformed_event_is_a_400(app, parcel):
    body = b'{"description": "tracker.updated", "result": {"status": "in_transit"}}'
    answer = app.test_client().post(
        URL,
        data=body,
        headers={"X-Hmac-Signature": easypost_webhook.sign(WEBHOOK_SECRET, body)},
        content_type="application/json",
    )
    assert answer.status_code == 400 and '"id"' in answer.json["error"]


def test_our_signature_check_agrees_with_the_official_client():
    body = json.dumps(tracker_event("9400100000000000000001", "in_transit")).encode()
    secret = "ｓｅｃｒｅｔ with a fullwidth part"  # EasyPost normalises the secret (NFKD)
    header = easypost_webhook.sign(secret, body)
    assert validate_webhook(body, {"X-Hmac-Signature": header}, secret)["id"] == "evt_1"
    easypost_webhook.verify(secret, header, body)  # does not raise


def test_our_own_carrier_webhook_still_moves_an_easypost_labelled_return(app, parcel):
    return_id, tracking, _ = parcel
    payload = {
        "id": "own_1",
        "type": "in_transit",
        "tracking_number": tracking,
        "occurred_at": "2026-11-20T14:03:00Z",
    }
    body = json.dumps(payload).encode()
    stamp = int(time.time())
    signature = f"t={stamp},v1={sign_ours(app.config['CARRIER_WEBHOOK_SECRET'], stamp, body)}"
    answer = app.test_client().post(
        "/webhooks/carrier",
        data=body,
        headers={"X-Carrier-Signature": signature},
        content_type="application/json",
    )
    assert answer.status_code == 200 and state(app, return_id)["status"] == "in_transit"
