"""Agents move returns along: approve, reject, cancel, receive, inspect, refund. Refunds and
cancels are confirmed on a page of their own before anything is paid or canceled."""

import contextlib
import re
import threading
from html.parser import HTMLParser

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import OutboxMessage, Refund, ReturnRequest
from app.returns import refunds as refunds_module
from app.returns.payments import GatewayResult
from app.services import Services, services
from app.staff.queue import code_label
from tests.returns_helpers import choose, confirm, line_ids, look_up, make_order, token_from
from tests.staff_helpers import make_user, sign_in, signed_in


@pytest.fixture
def manual_app(content_dir, make_app):
    """Returns wait for an agent's approval."""
    policy = content_dir / "returns-policy.yml"
    policy.write_text(policy.read_text().replace("auto_approve: true", "auto_approve: false"))
    return make_app()


def start_return(app, quantity=2, reason="damaged", **order):
    """A customer's return of the linen tees; returns (rma, status page URL)."""
    order_id = make_order(app, number=f"JP-{len(returns(app)) + 500}", **order)
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


class _FormFields(HTMLParser):
    """The named inputs of the forms posting to an address ending in `action`."""

    def __init__(self, action: str) -> None:
        super().__init__()
        self.action, self.inside, self.fields = action, False, {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = (attrs.get("action") or "").endswith(self.action)
        elif (
            self.inside
            and tag == "input"
            and attrs.get("name")
            and (attrs.get("type") != "checkbox" or "checked" in attrs)  # as a browser sends
        ):
            self.fields[attrs["name"]] = attrs.get("value") or ""

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False


def form_fields(html: str, action: str = "/refund") -> dict[str, str]:
    parser = _FormFields(action)
    parser.feed(html)
    return parser.fields


def review(agent, rma, **data):
    """Step one of a refund: the form as the agent fills it in, to the confirmation page."""
    return post(agent, f"/staff/returns/{rma}/refund", **data)


def confirm_refund(agent, confirmation: str, rma: str):
    """Step two: the confirmation page's Confirm button, with the fields that page carries."""
    return post(agent, f"/staff/returns/{rma}/refund", step="confirm", **form_fields(confirmation))


def refund_in_two_steps(agent, rma, **data):
    """Review, then confirm: (the confirmation page, the answer to Confirm)."""
    reviewed = review(agent, rma, **data)
    page = reviewed.get_data(as_text=True)
    assert reviewed.status_code == 200 and "Confirm refund of" in page, page
    return page, confirm_refund(agent, page, rma)


def lost_refund(agent, rma, **data):
    """A refund before the items arrive, with "The parcel is lost" ticked, paid at once (the
    confirmation step is checked by the tests of it)."""
    return post(agent, f"/staff/returns/{rma}/refund", parcel_lost="y", step="confirm", **data)


def receive_all(agent, app, rma):
    lines = {f"received-{line}": str(q) for line, q in _quantities(app, rma)}
    assert post(agent, f"/staff/returns/{rma}/receive", **lines).status_code == 303


def _quantities(app, rma):
    return [(line.id, line.quantity) for line in current(app, rma).lines]


def refunds_of(app, rma) -> list[tuple[int, str, str]]:
    return [(r.amount_cents, r.status, r.method) for r in current(app, rma).refunds]


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
    detail = agent.get(f"/staff/returns/{rma}").get_data(as_text=True)
    assert f'<a href="/staff/returns/{rma}/cancel">Cancel this return…</a>' in detail
    asked = agent.get(f"/staff/returns/{rma}/cancel").get_data(as_text=True)
    assert f"<h1>Cancel return {rma}?</h1>" in asked and "2 × Linen tee" in asked
    assert "Yes, cancel this return" in asked and "No, keep the return" in asked
    # A post without the confirmation (an old page's one-click button) only asks.
    unconfirmed = post(agent, f"/staff/returns/{rma}/cancel")
    assert unconfirmed.status_code == 200 and "Yes, cancel this return" in (
        unconfirmed.get_data(as_text=True)
    )
    assert current(app, rma).status == "label_issued"
    too_long = post(agent, f"/staff/returns/{rma}/cancel", step="confirm", note="x" * 1001)
    assert too_long.status_code == 400 and "longer than 1000" in too_long.get_data(as_text=True)
    assert current(app, rma).status == "label_issued"
    done = post(
        agent, f"/staff/returns/{rma}/cancel", step="confirm", **form_fields(asked, "/cancel")
    )
    assert done.status_code == 303
    assert current(app, rma).status == "canceled"
    assert [e.actor for e in current(app, rma).events][-1] == "agent@example.com"
    assert "Canceled" in app.test_client().get(status_url).get_data(as_text=True)
    assert agent.get(f"/staff/returns/{rma}/cancel").status_code == 409
    rma2, _ = start_return(app)
    with app.app_context():
        from app.returns import states

        ret = db.session.execute(select(ReturnRequest).filter_by(rma_number=rma2)).scalar_one()
        states.apply(ret, "carrier_scan", actor="carrier")
        db.session.commit()
    refused = post(agent, f"/staff/returns/{rma2}/cancel", step="confirm")
    assert refused.status_code == 409
    assert "can&#39;t be canceled now" in refused.get_data(as_text=True)
    assert current(app, rma2).status == "in_transit"


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
    confirmation, paid = refund_in_two_steps(agent, rma, amount="33.05", key=key)
    assert "Confirm refund of $33.05" in confirmation
    assert paid.status_code == 303
    ret = current(app, rma)
    assert ret.status == "refunded"
    assert [(r.amount_cents, r.status, r.method) for r in ret.refunds] == [
        (3305, "succeeded", "card")
    ]
    assert "Refunded $33.05 to card (RF-" in agent.get(paid.headers["Location"]).get_data(
        as_text=True
    )
    customer_page = app.test_client().get(status_url).get_data(as_text=True)
    assert "Refund issued" in customer_page and "Refunded on" in customer_page


def test_the_same_refund_key_pays_once(app):
    rma, _ = start_return(app, quantity=1)
    agent = signed_in(app, "agent")
    key = token_from(agent.get(f"/staff/returns/{rma}/parcel-lost").get_data(as_text=True), "key")
    for _ in range(3):  # a double click and a retry
        lost_refund(agent, rma, amount="39.00", key=key)
    with app.app_context():
        assert len(db.session.execute(select(Refund)).scalars().all()) == 1


def test_confirming_twice_pays_once(app):
    """The confirmation page carries the form's key: its Confirm button pressed twice (or
    the page sent again) pays once."""
    rma, _ = start_return(app, quantity=1)
    agent = signed_in(app, "agent")
    receive_all(agent, app, rma)
    key = token_from(agent.get(f"/staff/returns/{rma}").get_data(as_text=True), "key")
    confirmation, first = refund_in_two_steps(agent, rma, amount="39.00", key=key)
    assert form_fields(confirmation)["key"] == key
    second = confirm_refund(agent, confirmation, rma)
    assert (first.status_code, second.status_code) == (303, 303)
    assert refunds_of(app, rma) == [(3900, "succeeded", "card")]


def test_partial_refunds_before_receipt_with_notes_and_limits(app):
    rma, _ = start_return(app, quantity=2, reason="damaged")  # 78.00, free return
    agent = signed_in(app, "agent")
    page = agent.get(f"/staff/returns/{rma}/parcel-lost").get_data(as_text=True)
    assert "Refunding before the items are checked." in page
    lower = lost_refund(agent, rma, amount="30.00", key="k1")
    assert "Say why the refund is lower" in lower.get_data(as_text=True)
    lower = review(agent, rma, amount="30.00", key="k1", parcel_lost="y")  # said before paying
    assert lower.status_code == 409
    assert "Say why the refund is lower" in lower.get_data(as_text=True)
    lost_refund(agent, rma, amount="30.00", key="k2", note="Parcel lost; first part")
    too_much = lost_refund(agent, rma, amount="48.01", key="k3")
    assert too_much.status_code == 409
    assert "more than the $48.00 still refundable" in too_much.get_data(as_text=True)
    for amount in ("-5", "0", "abc", "1.234", "Infinity", "-Infinity", "NaN", "sNaN", "1e999999"):
        for step in ("review", "confirm"):
            answer = post(
                agent,
                f"/staff/returns/{rma}/refund",
                amount=amount,
                key=f"x{amount}",
                parcel_lost="y",
                step=step,
            )
            assert answer.status_code in (400, 409)
            assert 'role="alert"' in answer.get_data(as_text=True)
    lost_refund(agent, rma, amount="48.00", key="k4")
    ret = current(app, rma)
    assert ret.status == "refunded"
    assert [r.amount_cents for r in ret.refunds] == [3000, 4800]
    assert "Further refund" in ret.events[-1].note


class RefusingGateway:
    """A payment gateway that declines every refund."""

    def refund(self, request):
        return GatewayResult(False, error="card issuer unavailable")


def _declined_refund(app):
    """A return whose full refund the payment gateway declined: (rma, the agent's client)."""
    rma, _ = start_return(app, quantity=1)
    agent = signed_in(app, "agent")
    real = services(app).payments
    services(app).payments = RefusingGateway()
    lost_refund(agent, rma, amount="39.00", key="k1")
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
    lost_refund(agent, rma, amount="39.00", key="k2")
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
    row = page.split(second)[2].split("</tr>")[0]  # the link's text, then its row
    assert "<td>Too small</td>" in row and '<td class="num">today</td>' in row
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
        token_from(a.get(f"/staff/returns/{rma}/parcel-lost").get_data(as_text=True), "key")
        for a in agents
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
        data = {
            "csrf_token": token,
            "amount": "39.00",
            "key": key,
            "parcel_lost": "y",
            "step": "confirm",
        }
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
    assert "Internal: heavy use and a grease stain" in page and "Refund to card" in page
    refundable = re.search(r"Refundable: \$([\d.]+) of", page).group(1)
    key = token_from(page, "key")
    refund_in_two_steps(agent, rma, amount=refundable, key=key)
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


def test_a_refund_is_paid_only_after_it_is_confirmed(app):
    """The form shows a confirmation page with the amount, where it goes and the return;
    nothing is paid until Confirm. "Back" returns to the form as it was filled in."""
    rma, _ = start_return(app, quantity=2, reason="changed_mind")
    agent = signed_in(app, "agent")
    receive_all(agent, app, rma)
    page = agent.get(f"/staff/returns/{rma}").get_data(as_text=True)
    assert "Review refund" in page and "Issue refund" not in page
    assert "Nothing is paid until you confirm on the next page." in page
    key = token_from(page, "key")

    reviewed = review(agent, rma, amount="40.00", key=key, note="One tee had a loose seam")
    confirmation = reviewed.get_data(as_text=True)
    assert reviewed.status_code == 200
    assert f"<h1>Confirm the refund for {rma}</h1>" in confirmation
    assert "Nothing has been paid yet." in confirmation
    assert "<dt>Amount</dt><dd>$40.00 <span" in confirmation
    assert "<dt>Refund to</dt><dd>card</dd>" in confirmation
    assert "Linen tee" in confirmation and "Changed my mind" in confirmation
    assert "Note: One tee had a loose seam" in confirmation
    assert "Confirm refund of $40.00" in confirmation and "Back: change the refund" in confirmation
    assert "The parcel is lost" not in confirmation
    assert form_fields(confirmation) == {
        "csrf_token": token_from(confirmation),
        "key": key,
        "amount": "40.00",
        "note": "One tee had a loose seam",
    }
    assert refunds_of(app, rma) == [] and current(app, rma).status == "received"

    back = post(agent, f"/staff/returns/{rma}/refund", step="edit", **form_fields(confirmation))
    form = back.get_data(as_text=True)
    assert back.status_code == 200 and f"<h1>Return {rma}</h1>" in form
    assert 'value="40.00"' in form and "One tee had a loose seam</textarea>" in form
    assert token_from(form, "key") == key
    assert refunds_of(app, rma) == []

    paid = confirm_refund(agent, confirmation, rma)
    assert paid.status_code == 303
    assert refunds_of(app, rma) == [(4000, "succeeded", "card")]
    detail = agent.get(f"/staff/returns/{rma}").get_data(as_text=True)
    assert "Refunded $40.00 to card (RF-" in detail
    assert "<td>$40.00</td><td>card</td>" in detail and "<td>Paid" in detail


def test_a_refund_the_return_cannot_take_is_refused_on_review(app):
    rma, _ = start_return(app, quantity=1, reason="changed_mind")
    agent = signed_in(app, "agent")
    receive_all(agent, app, rma)
    key = token_from(agent.get(f"/staff/returns/{rma}").get_data(as_text=True), "key")
    too_much = review(agent, rma, amount="500", key=key)
    assert too_much.status_code == 409
    html = too_much.get_data(as_text=True)
    assert "That is more than the $33.05 still refundable." in html
    assert "Confirm refund" not in html and 'value="500"' in html  # the form, as typed
    incomplete = review(agent, rma, amount="10", key="")
    assert incomplete.status_code == 400
    assert "This refund form was incomplete." in incomplete.get_data(as_text=True)
    assert token_from(incomplete.get_data(as_text=True), "key")  # a new key to go on with
    assert refunds_of(app, rma) == []


def test_before_arrival_only_a_lost_parcel_is_refunded(app):
    """No refund form until the items arrive; "The parcel is lost" leads to one, and the
    refund and the timeline say so. Without it a forged post is refused and nothing paid."""
    rma, status_url = start_return(app, quantity=1, reason="changed_mind")
    agent = signed_in(app, "agent")
    page = agent.get(f"/staff/returns/{rma}").get_data(as_text=True)
    assert f'action="/staff/returns/{rma}/refund"' not in page and 'name="amount"' not in page
    assert "The items haven't arrived, so there is nothing to refund yet." in page
    assert f'<a href="/staff/returns/{rma}/parcel-lost">The parcel is lost: refund it…</a>' in (
        page
    )

    lost_page = agent.get(f"/staff/returns/{rma}/parcel-lost").get_data(as_text=True)
    assert f"<h1>Refund a lost parcel: {rma}</h1>" in lost_page
    assert "The parcel is lost in transit: refund without waiting for the items" in lost_page
    fields = form_fields(lost_page)
    assert "parcel_lost" not in fields  # not ticked for the agent
    for step in ("review", "confirm"):  # the box left unticked, or a forged post
        refused = post(agent, f"/staff/returns/{rma}/refund", step=step, **fields)
        html = refused.get_data(as_text=True)
        assert refused.status_code == 409, html
        assert "The items haven&#39;t arrived yet." in html
        assert "Refund before they arrive only when the parcel is lost" in html
    assert refunds_of(app, rma) == [] and current(app, rma).status == "label_issued"

    confirmation, paid = refund_in_two_steps(agent, rma, **fields, parcel_lost="y")
    assert "<strong>The parcel is lost:</strong>" in confirmation
    assert "Confirm refund of $33.05" in confirmation
    assert form_fields(confirmation)["parcel_lost"] == "y"
    assert paid.status_code == 303
    ret = current(app, rma)
    [refund] = ret.refunds
    assert (refund.amount_cents, refund.status, refund.note) == (
        3305,
        "succeeded",
        "Parcel lost in transit.",
    )
    assert ret.status == "refunded"
    lost_note = "The parcel was lost in transit, so we refunded without waiting for it."
    assert ret.events[-1].note.endswith(lost_note)
    assert lost_note in agent.get(f"/staff/returns/{rma}").get_data(as_text=True)
    assert lost_note in app.test_client().get(status_url).get_data(as_text=True)


def test_the_lost_parcel_page_is_only_for_parcels_not_arrived(app):
    rma, _ = start_return(app, quantity=1)
    agent = signed_in(app, "agent")
    receive_all(agent, app, rma)
    answer = agent.get(f"/staff/returns/{rma}/parcel-lost")
    assert answer.status_code == 303 and answer.headers["Location"] == f"/staff/returns/{rma}"
    page = agent.get(answer.headers["Location"]).get_data(as_text=True)
    assert "isn&#39;t waiting for its parcel" in page and "Review refund" in page
    assert "The parcel is lost in transit" not in page
    # Ticking the box after arrival changes nothing: the refund is an ordinary one.
    key = token_from(page, "key")
    confirmation, _ = refund_in_two_steps(agent, rma, amount="39.00", key=key, parcel_lost="y")
    assert "The parcel is lost" not in confirmation
    assert current(app, rma).refunds[0].note is None


def test_codes_read_as_words_on_staff_pages(app):
    rma, _ = start_return(app, quantity=1, payment_method="gift_card")
    agent = signed_in(app, "agent")
    receive_all(agent, app, rma)
    tee = detail_lines(app, rma)[0]
    post(agent, f"/staff/returns/{rma}/inspect", **{f"inspection-{tee}": "accepted"})
    page = agent.get(f"/staff/returns/{rma}").get_data(as_text=True)
    assert "Refund to gift card" in page and "gift_card" not in page
    assert "<td>Accepted" in page and "Arrived damaged" in page and "Prepaid label" in page
    key = token_from(page, "key")
    confirmation, _ = refund_in_two_steps(agent, rma, amount="39.00", key=key)
    assert "<dt>Refund to</dt><dd>gift card</dd>" in confirmation
    assert "gift_card" not in confirmation
    page = agent.get(f"/staff/returns/{rma}").get_data(as_text=True)
    assert "<td>$39.00</td><td>gift card</td>" in page and "<td>Paid" in page
    assert "succeeded" not in page and "gift_card" not in page
    queue = agent.get("/staff/returns").get_data(as_text=True)
    assert "<td>Prepaid label</td>" in queue and "<td>Refund issued</td>" in queue
    assert "label_issued" not in queue.split("<tbody>")[1]


def test_code_label_names_every_code_in_words():
    assert code_label("gift_card", "refund_method") == "gift card"
    assert code_label("store_credit", "refund_method") == "store credit"
    assert code_label("wallet", "refund_method") == "wallet (Apple Pay, Google Pay)"
    assert code_label("drop_off", "return_method") == "Drop-off"
    assert code_label("in_transit", "status") == "On its way to us"
    assert code_label("failed", "refund_status") == "Failed"
    assert code_label("rejected", "inspection") == "Not accepted"
    assert code_label("agent", "role") == "Agent"
    assert code_label(None, "inspection") == "–"
    # A code nobody has named yet still reads as words, never as a code.
    assert code_label("bank_transfer", "refund_method") == "bank transfer"
    assert code_label("lost_in_post", "reason", reasons={}) == "Lost in post"


def test_staff_pages_have_their_own_layout(app):
    """A staff header with the back office's name, the signed-in user and Sign out, and
    none of the customer site's navigation or contact footer."""
    rma, _ = start_return(app, quantity=1)
    agent = signed_in(app, "agent")
    pages = {
        url: agent.get(url)
        for url in (
            "/staff/returns",
            f"/staff/returns/{rma}",
            f"/staff/returns/{rma}/parcel-lost",
            f"/staff/returns/{rma}/cancel",
        )
    }
    key = token_from(pages[f"/staff/returns/{rma}/parcel-lost"].get_data(as_text=True), "key")
    pages["confirm refund"] = review(agent, rma, amount="39.00", key=key, parcel_lost="y")
    editor = signed_in(app, "editor")
    pages["editor home"] = editor.get("/staff/")
    for name, response in pages.items():
        html = response.get_data(as_text=True)
        assert response.status_code == 200, name
        assert "· Staff</a>" in html, name
        assert '<nav class="staff-nav" aria-label="Staff">' in html, name
        assert "Signed in as" in html and ">Sign out</button>" in html, name
        assert "Start a return" not in html and "Contact us" not in html, name
    assert "Signed in as agent@example.com (Agent)" in pages["/staff/returns"].get_data(
        as_text=True
    )
    assert "Signed in as editor@example.com (Editor)" in pages["editor home"].get_data(as_text=True)
    sign_in_page = app.test_client().get("/staff/sign-in").get_data(as_text=True)
    assert "<title>Staff sign-in · Staff · " in sign_in_page and "· Staff</a>" in sign_in_page
    assert "Sign out" not in sign_in_page and "Contact us" not in sign_in_page


def test_store_credit_reaches_the_customer_with_its_code(app):
    """The customer's page and the refund email give the store credit code to spend."""
    order_id = make_order(app, number="JP-700")
    tee = line_ids(app, order_id)[0]
    customer = app.test_client()
    look_up(customer, "JP-700")
    choose(customer, **{f"qty-{tee}": "1", f"reason-{tee}": "damaged"}, resolution="store_credit")
    status_url = confirm(customer)[0].headers["Location"]
    rma = returns(app)[-1].rma_number
    agent = signed_in(app, "agent")
    receive_all(agent, app, rma)
    post(
        agent,
        f"/staff/returns/{rma}/inspect",
        **{f"inspection-{line}": "accepted" for line in detail_lines(app, rma)},
    )
    key = token_from(agent.get(f"/staff/returns/{rma}").get_data(as_text=True), "key")
    refund_in_two_steps(agent, rma, amount="42.90", key=key)  # 39.00 + 10% bonus
    with app.app_context():
        [refund] = db.session.execute(select(Refund)).scalars().all()
        email = db.session.execute(
            select(OutboxMessage.body).where(OutboxMessage.subject.contains("efund"))
        ).scalar_one()
    assert refund.method == "store_credit" and refund.reference.startswith("SC-")
    page = customer.get(status_url).get_data(as_text=True)
    assert f"your store credit code is <strong>{refund.reference}</strong>" in page
    assert f"your store credit code is {refund.reference}" in email


def test_a_return_page_says_so_while_the_policy_cannot_be_read(app, monkeypatch):
    """Refunds are worked out from the return policy: while its file has a problem, a return's
    page (and its refund forms) answer 503 saying why, not a server error."""
    rma, _ = start_return(app)
    agent = signed_in(app, "agent")
    monkeypatch.setattr(Services, "returns_policy", property(lambda self: None))
    for response in (
        agent.get(f"/staff/returns/{rma}"),
        post(agent, f"/staff/returns/{rma}/refund", amount="1.00", key="k", step="confirm"),
    ):
        assert response.status_code == 503
        assert "return policy can&#39;t be read" in response.get_data(as_text=True)
