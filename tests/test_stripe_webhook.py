"""POST /webhooks/stripe: a refund Stripe accepted that fails later (a closed card) becomes a
failed refund staff can retry; the event is checked with Stripe's signature scheme, and a
repeat changes nothing."""

import hashlib
import hmac
import json
import time

import pytest

from tests.fake_stripe import error_body, stripe_api, stripe_settings  # noqa: F401
from tests.staff_helpers import signed_in
from tests.test_stripe_refunds import refund_lost_parcel, refunded_cents, refunds, start_return

SECRET = "whsec_test_secret"
URL = "/webhooks/stripe"


@pytest.fixture
def app(make_app, stripe_api):  # noqa: F811
    return make_app(**stripe_settings(stripe_api, STRIPE_WEBHOOK_SECRET=SECRET))


def signed(payload: dict, secret: str = SECRET, at: float | None = None) -> tuple[bytes, dict]:
    """The body and Stripe-Signature header Stripe sends: v1 is the HMAC-SHA256 of
    "<timestamp>.<body>" under the endpoint's signing secret."""
    body = json.dumps(payload).encode()
    stamp = str(int(at if at is not None else time.time()))
    mac = hmac.new(secret.encode(), stamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return body, {"Stripe-Signature": f"t={stamp},v1={mac}"}


def event(refund_id: str, status: str = "failed", kind: str = "refund.failed") -> dict:
    return {
        "id": f"evt_{refund_id}_{status}",
        "object": "event",
        "type": kind,
        "data": {
            "object": {
                "id": refund_id,
                "object": "refund",
                "amount": 3900,
                "status": status,
                "failure_reason": "expired_or_canceled_card",
            }
        },
    }


def deliver(app, payload: dict, **signing):
    body, headers = signed(payload, **signing)
    return app.test_client().post(URL, data=body, headers=headers, content_type="application/json")


def test_a_refund_that_fails_later_is_failed_told_and_retried(app, stripe_api):  # noqa: F811
    rma, status_url = start_return(app, stripe_api.paid(3900))
    agent = signed_in(app, "agent")
    refund_lost_parcel(agent, rma)
    [made] = stripe_api.refunds
    assert refunded_cents(app) == 3900

    failed = stripe_api.fail_later(made["id"])
    answer = deliver(app, failed)
    assert (answer.status_code, answer.json) == (200, {"status": "refund_failed"})
    [ours] = refunds(app)
    assert ours.status == "failed"
    assert ours.failure == "failed after it was made: expired or canceled card"
    assert refunded_cents(app) == 0
    page = app.test_client().get(status_url).text
    assert "The refund of $39.00 didn&#39;t reach you (expired or canceled card)" in page
    assert "<strong>$39.00 refunded</strong>" not in page
    assert "<strong>$39.00</strong> still to be refunded" in page
    assert "A refund didn&#39;t go through; we&#39;ll issue it again" in page

    # Stripe sends it again, and the refund.updated beside it: nothing more happens.
    for again in (failed, {**failed, "type": "refund.updated"}):
        assert deliver(app, again).status_code == 200
    assert page.count("didn&#39;t reach you") == 1
    assert app.test_client().get(status_url).text.count("didn&#39;t reach you") == 1

    # Staff retry it: a new request to Stripe, paid.
    detail = agent.get(f"/staff/returns/{rma}").text
    assert "failed after it was made: expired or canceled card" in detail
    from tests.returns_helpers import token_from

    retry = agent.post(
        f"/staff/returns/{rma}/refunds/{ours.id}/retry", data={"csrf_token": token_from(detail)}
    )
    assert retry.status_code == 303
    assert len(stripe_api.refunds) == 2 and refunded_cents(app) == 3900
    assert [r.status for r in refunds(app)] == ["succeeded"]
    page = app.test_client().get(status_url).text
    assert "<strong>$39.00 refunded</strong>" in page and "still to be refunded" not in page


def test_other_events_and_refunds_not_ours_change_nothing(app, stripe_api):  # noqa: F811
    rma, _ = start_return(app, stripe_api.paid(3900))
    refund_lost_parcel(signed_in(app, "agent"), rma)
    [made] = stripe_api.refunds
    for payload in (
        event(made["id"], status="succeeded", kind="refund.updated"),
        event("re_someone_elses"),
        {**event(made["id"]), "type": "charge.succeeded"},
    ):
        answer = deliver(app, payload)
        assert (answer.status_code, answer.json) == (200, {"status": "ignored"})
    assert [r.status for r in refunds(app)] == ["succeeded"]


def test_a_wrong_old_or_missing_signature_is_refused(app, stripe_api):  # noqa: F811
    rma, _ = start_return(app, stripe_api.paid(3900))
    refund_lost_parcel(signed_in(app, "agent"), rma)
    [made] = stripe_api.refunds
    payload = event(made["id"])
    assert deliver(app, payload, secret="whsec_other").status_code == 401
    assert deliver(app, payload, at=time.time() - 3600).status_code == 401  # a replay
    unsigned = app.test_client().post(
        URL, data=json.dumps(payload), content_type="application/json"
    )
    assert unsigned.status_code == 401
    assert "Missing Stripe-Signature header" in unsigned.json["error"]
    body, headers = signed({"nothing": "here"})
    answer = app.test_client().post(URL, data=b"not json", headers=headers)
    assert answer.status_code == 400
    assert [r.status for r in refunds(app)] == ["succeeded"]


def test_without_stripe_payments_there_is_no_stripe_webhook(make_app):
    answer = make_app().test_client().post(URL, data=b"{}")
    assert answer.status_code == 404


def test_a_declined_refund_paid_by_another_is_not_shown_as_owed(app, stripe_api):  # noqa: F811
    stripe_api.fail("POST", "/v1/refunds", 402, error_body("card_error", "expired_card", "No."))
    rma, status_url = start_return(app, stripe_api.paid(3900))
    agent = signed_in(app, "agent")
    refund_lost_parcel(agent, rma)  # declined
    refund_lost_parcel(agent, rma, key="refund-key-2")  # a new refund, paid
    assert [r.status for r in refunds(app)] == ["failed", "succeeded"]
    page = app.test_client().get(status_url).text
    assert "<strong>$39.00 refunded</strong>" in page
    assert "still to be refunded" not in page and "didn&#39;t go through" not in page
