"""Agents move returns along: approve, reject, cancel, receive, inspect, refund."""

import contextlib
import re
import threading

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import OutboxMessage, Refund, ReturnRequest
from app.returns import refunds as refunds_module
from app.returns.payments import GatewayResult
from app.services import services
from tests.returns_helpers import choose, confirm, line_ids, look_up, make_order, token_from
from tests.staff_helpers import make_user, sign_in, signed_in


@pytest.fixture
def manual_app(content_dir, make_app):
    """Returns wait for an agent's approval."""
    policy = content_dir / "returns-policy.yml"
    policy.write_text(policy.read_text().replace("auto_approve: true", "auto_approve: false"))
    return make_app()


def start_return(app, quantity=2, reason="damaged"):
    """A customer's return of the linen tees; returns (rma, status page URL)."""
    order_id = make_order(app, number=f"JP-{len(returns(app)) + 500}")
    tee = line_ids(app, order_id)[0]
    customer = app.test_client()
    look_up(customer, f"JP-{len(returns(app)) + 500}")
    choose(customer, **{f"qty-{tee}": str(quantity), f"reason-{tee}": reason})
    url = confirm(customer)[0].headers["Location"]
    return returns(app)[-1].rma_number, url


def returns(app) -> list[ReturnRequest]:
    with app.app_context():
        return list(db.session.execute(select(ReturnRequest).order_by(ReturnRequest.id)).scalars())


def current(app, rma) -> ReturnRequest:
    with app.app_context():
        ret = db.session.execute(select(ReturnRequest).filter_by(rma_number=rma)).scalar_one()
        _ = (ret.lines, ret.refunds, ret.events)  # load while the session is open
        return ret


def post(client, url, **data):
    token = token_from(client.get("/returns/").get_data(as_text=True))
    return client.post(url, data={"csrf_token": token, **data})


def detail_lines(app, rma):
    return [line.id for line in current(app, rma).lines]


def test_approve_issues_a_label_and_the_customer_sees_it(manual_app):
    rma, status_url = start_return(manual_app)
    assert current(manual_app, rma).status == "requested"
    agent = signed_in(manual_app, "agent")
    assert post(agent, f"/staff/returns/{rma}/approve").status_code == 303
    ret = current(manual_app, rma)
    assert ret.status == "label_issued" and ret.tracking_number
    assert [e.actor for e in ret.events] == ["customer", "agent@example.com", "system"]
    page = manual_app.test_client().get(status_url).get_data(as_text=True)
    assert "Label ready" in page and "Download the label (PDF)" in page


def test_reject_needs_a_reason_the_customer_then_reads(manual_app):
    rma, status_url = start_return(manual_app)
    agent = signed_in(manual_app, "agent")
    assert post(agent, f"/staff/returns/{rma}/reject").status_code == 400
    assert current(manual_app, rma).status == "requested"
    post(agent, f"/staff/returns/{rma}/reject", note="Worn and washed.")
    page = manual_app.test_client().get(status_url).get_data(as_text=True)
    assert "Return not accepted" in page and "Worn and washed." in page
    with manual_app.app_context():
        mail = (
            db.session.execute(select(OutboxMessage).order_by(OutboxMessage.id.desc()))
            .scalars()
            .first()
        )
        assert "could not be accepted" in mail.subject and "Worn and washed." in mail.body


def test_invalid_transitions_are_refused_with_409_and_change_nothing(app):
    rma, _ = start_return(app)  # auto-approved: label issued
    agent = signed_in(app, "agent")
    response = post(agent, f"/staff/returns/{rma}/approve")
    assert response.status_code == 409
    assert "can&#39;t be approved now" in response.get_data(as_text=True)
    assert current(app, rma).status == "label_issued"
    assert post(agent, f"/staff/returns/{rma}/inspect").status_code == 409


def test_cancel_until_the_first_scan(app):
    rma, status_url = start_return(app)
    agent = signed_in(app, "agent")
    assert post(agent, f"/staff/returns/{rma}/cancel").status_code == 303
    assert current(app, rma).status == "canceled"
    assert "Canceled" in app.test_client().get(status_url).get_data(as_text=True)
    rma2, _ = start_return(app)
    with app.app_context():
        from app.returns import states

        ret = db.session.execute(select(ReturnRequest).filter_by(rma_number=rma2)).scalar_one()
        states.apply(ret, "carrier_scan", actor="carrier")
        db.session.commit()
    assert post(agent, f"/staff/returns/{rma2}/cancel").status_code == 409


def test_receive_inspect_refund_and_the_customer_sees_refunded(app):
    rma, status_url = start_return(app, quantity=2, reason="changed_mind")
    agent = signed_in(app, "agent")
    tee = detail_lines(app, rma)[0]
    bad = post(agent, f"/staff/returns/{rma}/receive", **{f"received-{tee}": "-1"})
    assert bad.status_code == 400 and "Enter a number from 0 to 2." in bad.get_data(as_text=True)
    too_many = post(
        agent, f"/staff/returns/{rma}/receive", **{f"received-{tee}": "1", f"damaged-{tee}": "2"}
    )
    assert "Damaged can&#39;t be more than received." in too_many.get_data(as_text=True)
    assert current(app, rma).status == "label_issued"

    post(agent, f"/staff/returns/{rma}/receive", **{f"received-{tee}": "2", f"damaged-{tee}": "1"})
    assert current(app, rma).status == "received"
    assert "Received at our warehouse" in app.test_client().get(status_url).get_data(as_text=True)
    post(agent, f"/staff/returns/{rma}/inspect", **{f"inspection-{tee}": "accepted"})
    ret = current(app, rma)
    assert ret.status == "inspected" and ret.lines[0].inspection == "accepted"

    page = agent.get(f"/staff/returns/{rma}").get_data(as_text=True)
    assert "Refundable: $33.05 of $33.05 (accepted items after inspection)" in page  # 1 x 39 - 5.95
    label = re.search(r'<a href="([^"]+/label.pdf)">label \(PDF\)</a>', page).group(1)
    assert agent.get(label).mimetype == "application/pdf"
    key = token_from(page, "key")
    assert post(agent, f"/staff/returns/{rma}/refund", amount="33.05", key=key).status_code == 303
    ret = current(app, rma)
    assert ret.status == "refunded"
    assert [(r.amount_cents, r.status, r.method) for r in ret.refunds] == [
        (3305, "succeeded", "card")
    ]
    customer_page = app.test_client().get(status_url).get_data(as_text=True)
    assert "Refund issued" in customer_page and "Refunded on" in customer_page


def test_the_same_refund_key_pays_once(app):
    rma, _ = start_return(app, quantity=1)
    agent = signed_in(app, "agent")
    key = token_from(agent.get(f"/staff/returns/{rma}").get_data(as_text=True), "key")
    for _ in range(3):  # a double click and a retry
        post(agent, f"/staff/returns/{rma}/refund", amount="39.00", key=key)
    with app.app_context():
        assert len(db.session.execute(select(Refund)).scalars().all()) == 1


def test_partial_refunds_before_receipt_with_notes_and_limits(app):
    rma, _ = start_return(app, quantity=2, reason="damaged")  # 78.00, free return
    agent = signed_in(app, "agent")
    page = agent.get(f"/staff/returns/{rma}").get_data(as_text=True)
    assert "Refunding before the items are checked." in page
    lower = post(agent, f"/staff/returns/{rma}/refund", amount="30.00", key="k1")
    assert "Say why the refund is lower" in lower.get_data(as_text=True)
    post(
        agent,
        f"/staff/returns/{rma}/refund",
        amount="30.00",
        key="k2",
        note="Parcel lost; first part",
    )
    too_much = post(agent, f"/staff/returns/{rma}/refund", amount="48.01", key="k3")
    assert too_much.status_code == 409
    assert "more than the $48.00 still refundable" in too_much.get_data(as_text=True)
    for amount in ("-5", "0", "abc", "1.234", "Infinity", "-Infinity", "NaN", "sNaN", "1e999999"):
        assert post(
            agent, f"/staff/returns/{rma}/refund", amount=amount, key=f"x{amount}"
        ).status_code in (400, 409)
    post(agent, f"/staff/returns/{rma}/refund", amount="48.00", key="k4")
    ret = current(app, rma)
    assert ret.status == "refunded"
    assert [r.amount_cents for r in ret.refunds] == [3000, 4800]
    assert "Further refund" in ret.events[-1].note


class RefusingGateway:
    """A payment gateway that declines every refund."""

    def refund(self, amount_cents, method, idempotency_key):
        return GatewayResult(False, error="card issuer unavailable")


def _declined_refund(app):
    """A return whose full refund the payment gateway declined: (rma, the agent's client)."""
    rma, _ = start_return(app, quantity=1)
    agent = signed_in(app, "agent")
    real = services(app).payments
    services(app).payments = RefusingGateway()
    post(agent, f"/staff/returns/{rma}/refund", amount="39.00", key="k1")
    services(app).payments = real
    return rma, agent


def test_a_failed_refund_can_be_retried(app):
    rma, agent = _declined_refund(app)
    [refund] = current(app, rma).refunds
    assert (refund.status, refund.failure) == ("failed", "card issuer unavailable")
    assert current(app, rma).status == "label_issued"
    post(agent, f"/staff/returns/{rma}/refunds/{refund.id}/retry")
    [refund] = current(app, rma).refunds
    assert refund.status == "succeeded" and current(app, rma).status == "refunded"


def test_a_failed_refund_is_not_retried_once_another_refund_has_paid(app):
    rma, agent = _declined_refund(app)
    post(agent, f"/staff/returns/{rma}/refund", amount="39.00", key="k2")
    failed = next(r for r in current(app, rma).refunds if r.status == "failed")
    page = agent.get(f"/staff/returns/{rma}").get_data(as_text=True)
    assert f"/refunds/{failed.id}/retry" not in page  # no Retry button for it now
    retried = post(agent, f"/staff/returns/{rma}/refunds/{failed.id}/retry")
    assert retried.status_code == 409
    assert "more than the $0.00 still refundable" in retried.get_data(as_text=True)
    refunds = current(app, rma).refunds
    assert sorted((r.amount_cents, r.status) for r in refunds) == [
        (3900, "failed"),
        (3900, "succeeded"),
    ]


def test_queue_filters_and_search(app):
    first, _ = start_return(app, reason="damaged")
    second, _ = start_return(app, reason="too_small")
    agent = signed_in(app, "agent")
    page = agent.get("/staff/returns?reason=too_small").get_data(as_text=True)
    assert second in page and first not in page
    page = agent.get(f"/staff/returns?q={first.lower()}").get_data(as_text=True)
    assert first in page and second not in page
    page = agent.get("/staff/returns?q=ana@example.com&status=label_issued").get_data(as_text=True)
    assert first in page and second in page and 'Label ready <span class="count">(2)</span>' in page
    assert "No returns match" in agent.get("/staff/returns?age=7").get_data(as_text=True)
    assert agent.get("/staff/returns?status=bogus&page=999").status_code == 200


def test_a_refund_number_too_big_for_the_database_is_not_found(app):
    rma, _ = start_return(app)
    agent = signed_in(app, "agent")
    response = post(agent, f"/staff/returns/{rma}/refunds/{2**31}/retry")
    assert response.status_code == 404
    assert "find that page" in response.get_data(as_text=True)


@pytest.mark.parametrize("locked", [True, False], ids=["with the lock", "lock forgotten"])
def test_two_agents_refunding_at_once_pay_once(app, monkeypatch, locked):
    """Each agent's page has its own key; both post the whole amount at the same moment. A
    code path that forgot the order's lock is still held back by the database's check."""
    if not locked:
        monkeypatch.setattr(refunds_module, "_lock", lambda ret: None)
    rma, _ = start_return(app, quantity=1)
    agents = [signed_in(app, "agent"), app.test_client()]
    make_user(app, "second@example.com")
    assert sign_in(agents[1], "second@example.com").status_code == 303
    keys = [
        token_from(a.get(f"/staff/returns/{rma}").get_data(as_text=True), "key") for a in agents
    ]
    tokens = [token_from(a.get("/returns/").get_data(as_text=True)) for a in agents]
    # Both requests work out what is still refundable before either stores its refund
    # (when nothing keeps them apart; with the lock, the second waits for the first).
    both_read = threading.Barrier(2, timeout=2)
    real = refunds_module.refundable

    def refundable(*args):
        found = real(*args)
        with contextlib.suppress(threading.BrokenBarrierError):
            both_read.wait()
        return found

    monkeypatch.setattr(refunds_module, "refundable", refundable)
    answers = []

    def refund(agent, key, token):
        data = {"csrf_token": token, "amount": "39.00", "key": key}
        answer = agent.post(f"/staff/returns/{rma}/refund", data=data)
        answers.append((answer.status_code, answer.get_data(as_text=True)))

    threads = [
        threading.Thread(target=refund, args=a) for a in zip(agents, keys, tokens, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(status for status, _ in answers) == [303, 409]
    refused = next(page for status, page in answers if status == 409)
    if locked:
        assert "Nothing is left to refund on this return: it has been refunded in full." in refused
    else:
        assert "Another refund was made on this return meanwhile" in refused
    assert [r.amount_cents for r in current(app, rma).refunds] == [3900]


def test_an_item_rejected_at_inspection_shows_the_customer_what_was_refunded(app):
    """A shirt accepted and a tote rejected: the status page, the refund email and the staff
    page agree to the cent, and the customer reads staff's reason, never their own note."""
    lines = [
        {"sku": "SHIRT", "name": "Linen shirt", "category": "tops", "quantity": 1,
         "unit_price_cents": 5800},
        {"sku": "TOTE", "name": "Canvas tote", "category": "accessories", "quantity": 1,
         "unit_price_cents": 8900},
    ]  # fmt: skip
    order_id = make_order(app, number="JP-700", lines=lines)
    shirt_line, tote_line = line_ids(app, order_id)
    customer = app.test_client()
    look_up(customer, "JP-700")
    choose(
        customer,
        **{f"qty-{shirt_line}": "1", f"reason-{shirt_line}": "changed_mind"},
        **{f"qty-{tote_line}": "1", f"reason-{tote_line}": "changed_mind"},
    )
    status_url = confirm(customer)[0].headers["Location"]
    rma = returns(app)[-1].rma_number
    estimate = current(app, rma).estimate_cents
    agent = signed_in(app, "agent")
    shirt, tote = detail_lines(app, rma)
    post(
        agent,
        f"/staff/returns/{rma}/receive",
        **{f"received-{shirt}": "1", f"received-{tote}": "1"},
    )
    missing = post(
        agent,
        f"/staff/returns/{rma}/inspect",
        **{f"inspection-{shirt}": "accepted", f"inspection-{tote}": "rejected"},
    )
    assert "Say why, for the customer." in missing.get_data(as_text=True)
    post(
        agent,
        f"/staff/returns/{rma}/inspect",
        **{
            f"inspection-{shirt}": "accepted",
            # A reason typed, then Accept chosen: the customer reads it as accepted.
            f"inspection-reason-{shirt}": "Creased",
            f"inspection-{tote}": "rejected",
            f"inspection-reason-{tote}": "It has been used and is stained.",
            f"inspection-note-{tote}": "heavy use and a grease stain",
        },
    )
    page = agent.get(f"/staff/returns/{rma}").get_data(as_text=True)
    assert "Internal: heavy use and a grease stain" in page and "Refund to your card" in page
    refundable = re.search(r"Refundable: \$([\d.]+) of", page).group(1)
    key = token_from(page, "key")
    post(agent, f"/staff/returns/{rma}/refund", amount=refundable, key=key)
    paid = current(app, rma).refunds[0].amount_cents
    assert f"{paid / 100:.2f}" == refundable and paid < estimate

    status = app.test_client().get(status_url).get_data(as_text=True)
    assert f"${refundable} refunded" in status
    assert f"${refundable} to your card on" in status
    assert f"${estimate / 100:.2f}" not in status  # the estimate is gone once money moved
    assert "Linen shirt" in status and "<strong>Accepted</strong>" in status
    assert (
        "<strong>Not accepted</strong>: It has been used and is stained. (not refunded)" in status
    )
    assert "grease stain" not in status
    assert "Linen shirt: accepted." in status and "Creased" not in status
    with app.app_context():
        email = db.session.execute(
            select(OutboxMessage).filter(OutboxMessage.subject.contains("refund issued"))
        ).scalar_one()
    assert f"We've refunded ${refundable} for your return {rma}:" in email.body
    assert f"- ${refundable} to your card" in email.body
    assert "1 x Canvas tote: not accepted (It has been used and is stained.), not refunded" in (
        email.body
    )
    assert "1 x Linen shirt: accepted" in email.body and "grease stain" not in email.body
