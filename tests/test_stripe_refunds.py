"""PAYMENTS=stripe: refunds of the order's PaymentIntent through Stripe (a fake of its API on
loopback), paid once per refund whatever is lost or repeated on the way, and every failure a
"failed" refund staff can read and retry."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Order, Refund, ReturnRequest
from app.returns.payments import LocalGateway, RefundRequest, make_gateway
from app.returns.stripe_payments import StripeGateway, stripe_amount, stripe_key
from tests.fake_stripe import error_body, stripe_api, stripe_settings  # noqa: F401
from tests.returns_helpers import choose, confirm, line_ids, look_up, make_order, token_from
from tests.staff_helpers import signed_in

REFUNDS = "/v1/refunds"


@pytest.fixture
def app(make_app, stripe_api):  # noqa: F811
    return make_app(**stripe_settings(stripe_api))


def start_return(app, payment_reference: str | None, resolution: str = "refund"):
    """A customer returns one linen tee ($39.00) of an order paid by card; returns (the RMA
    number, the status page's URL)."""
    tee = line_ids(app, make_order(app, payment_reference=payment_reference))[0]
    customer = app.test_client()
    look_up(customer)
    choose(customer, resolution=resolution, **{f"qty-{tee}": "1", f"reason-{tee}": "damaged"})
    status_url = confirm(customer)[0].headers["Location"]
    with app.app_context():
        return db.session.execute(select(ReturnRequest.rma_number)).scalar_one(), status_url


def post(client, url, **data):
    token = token_from(client.get("/returns/").get_data(as_text=True))
    return client.post(url, data={"csrf_token": token, **data})


def refund_lost_parcel(agent, rma, amount="39.00", key="refund-key-1"):
    """Staff refund the whole return at once: the parcel was lost on its way."""
    url = f"/staff/returns/{rma}/refund"
    return post(agent, url, parcel_lost="y", step="confirm", amount=amount, key=key)


def refunds(app) -> list[Refund]:
    with app.app_context():
        return list(db.session.execute(select(Refund).order_by(Refund.id)).scalars())


def refunded_cents(app) -> int:
    with app.app_context():
        return db.session.execute(select(ReturnRequest.refunded_cents)).scalar_one()


def test_a_refund_goes_back_to_the_orders_payment_once(app, stripe_api):  # noqa: F811
    payment = stripe_api.paid(3900)
    rma, status_url = start_return(app, payment)
    agent = signed_in(app, "agent")
    assert refund_lost_parcel(agent, rma).status_code == 303

    [made] = stripe_api.refunds
    assert (made["payment_intent"], made["amount"], made["currency"]) == (payment, 3900, "usd")
    assert made["metadata"] == {"frontdesk_refund": "refund-key-1"}
    assert stripe_api.keys == ["frontdesk-refund-refund-key-1"]
    [ours] = refunds(app)
    assert (ours.status, ours.reference, ours.attempts) == ("succeeded", made["id"], 1)
    page = app.test_client().get(status_url).get_data(as_text=True)
    assert "$39.00 refunded" in page
    # Confirming the same form again pays nothing more.
    refund_lost_parcel(agent, rma)
    assert len(stripe_api.refunds) == 1 and len(refunds(app)) == 1


def test_a_refund_stripe_refuses_fails_with_its_reason_and_a_retry_is_a_new_request(
    app,
    stripe_api,  # noqa: F811
):
    payment = stripe_api.paid(3900)
    stripe_api.payments[payment]["refunded"] = 2000  # refunded in part in Stripe's dashboard
    rma, _ = start_return(app, payment)
    agent = signed_in(app, "agent")
    refund_lost_parcel(agent, rma)

    [failed] = refunds(app)
    assert failed.status == "failed"
    assert failed.failure == (
        "Stripe refused the refund: Refund amount ($39.00) is greater than unrefunded amount on "
        "charge ($19.00)"
    )
    assert refunded_cents(app) == 0 and stripe_api.refunds == []
    page = agent.get(f"/staff/returns/{rma}").get_data(as_text=True)
    assert "Stripe refused the refund" in page and "Retry" in page

    # Stripe would answer the same key with the same refusal: the retry is a new request.
    stripe_api.payments[payment]["refunded"] = 0
    post(agent, f"/staff/returns/{rma}/refunds/{failed.id}/retry")
    [retried] = refunds(app)
    assert (retried.status, retried.attempts) == ("succeeded", 2)
    assert stripe_api.keys[-1] == "frontdesk-refund-refund-key-1-attempt-2"
    assert [r["amount"] for r in stripe_api.refunds] == [3900]
    assert refunded_cents(app) == 3900


def test_an_imported_orders_payment_reference_is_what_gets_refunded(
    app,
    stripe_api,  # noqa: F811
    tmp_path,
):
    payment = stripe_api.paid(7800)
    delivered = (datetime.now(UTC) - timedelta(days=5)).date().isoformat()
    export = tmp_path / "orders.csv"
    export.write_text(
        "order_number,email,customer_name,address_line1,city,region,postal_code,country,"
        "currency,payment_method,placed_at,delivered_at,payment_reference,sku,name,category,"
        "quantity,unit_price\n"
        f"JP-10001,ana@example.com,Ana Silva,12 Elm Street,Portland,OR,97201,US,USD,card,"
        f"{delivered},{delivered},{payment},TEE-LIN-M,Linen tee,tops,2,39.00\n",
        encoding="utf-8",
    )
    imported = app.test_cli_runner().invoke(args=["orders", "import", str(export)])
    assert imported.exit_code == 0, imported.output
    with app.app_context():
        order = db.session.execute(select(Order)).scalar_one()
        assert order.payment_reference == payment
        tee = order.lines[0].id
    customer = app.test_client()
    look_up(customer)
    choose(customer, **{f"qty-{tee}": "1", f"reason-{tee}": "damaged"})
    confirm(customer)
    with app.app_context():
        rma = db.session.execute(select(ReturnRequest.rma_number)).scalar_one()
    refund_lost_parcel(signed_in(app, "agent"), rma)
    assert [(r["payment_intent"], r["amount"]) for r in stripe_api.refunds] == [(payment, 3900)]


def test_a_decline_is_a_failed_refund_in_words(app, stripe_api):  # noqa: F811
    payment = stripe_api.paid(3900)
    body = error_body("card_error", "expired_card", "The card has expired.")
    stripe_api.fail("POST", REFUNDS, 402, body)
    rma, _ = start_return(app, payment)
    refund_lost_parcel(signed_in(app, "agent"), rma)
    [failed] = refunds(app)
    assert (failed.status, failed.failure) == (
        "failed",
        "Stripe declined the refund: The card has expired.",
    )


def test_an_answer_lost_on_the_way_is_asked_again_with_the_same_key(
    app,
    stripe_api,  # noqa: F811
):
    payment = stripe_api.paid(3900)
    stripe_api.answer_late("POST", REFUNDS, seconds=2)  # refunded, but the answer times out
    rma, _ = start_return(app, payment)
    refund_lost_parcel(signed_in(app, "agent"), rma)

    assert stripe_api.keys == ["frontdesk-refund-refund-key-1"] * 2  # the client's own retry
    [made] = stripe_api.refunds  # Stripe replayed its first answer: one refund
    [ours] = refunds(app)
    assert (ours.status, ours.reference) == ("succeeded", made["id"])


def test_stripes_own_trouble_is_tried_again(app, stripe_api):  # noqa: F811
    payment = stripe_api.paid(3900)
    body = error_body("api_error", "", "An unknown error occurred.")
    stripe_api.fail("POST", REFUNDS, 500, body)
    rma, _ = start_return(app, payment)
    refund_lost_parcel(signed_in(app, "agent"), rma)
    assert stripe_api.count("POST", REFUNDS) == 2 and len(stripe_api.refunds) == 1
    assert refunds(app)[0].status == "succeeded"


def test_no_answer_at_all_fails_and_the_retry_finds_the_refund_stripe_made(
    app,
    stripe_api,  # noqa: F811
):
    payment = stripe_api.paid(3900)
    stripe_api.answer_late("POST", REFUNDS, seconds=1.5, times=3)
    rma, _ = start_return(app, payment)
    agent = signed_in(app, "agent")
    refund_lost_parcel(agent, rma)

    [failed] = refunds(app)
    assert failed.status == "failed" and "Stripe did not answer in time" in failed.failure
    [made] = stripe_api.refunds  # the first request did reach Stripe

    post(agent, f"/staff/returns/{rma}/refunds/{failed.id}/retry")
    [found] = refunds(app)
    assert (found.status, found.reference) == ("succeeded", made["id"])
    assert len(stripe_api.refunds) == 1  # found by its key in the metadata, not made again
    assert stripe_api.count("GET", REFUNDS) == 1


def test_store_credit_stays_off_stripe(app, stripe_api):  # noqa: F811
    rma, _ = start_return(app, stripe_api.paid(3900), resolution="store_credit")
    url = f"/staff/returns/{rma}/refund"
    agent = signed_in(app, "agent")
    note = "Less than the credit: no bonus for a lost parcel"
    answer = post(agent, url, parcel_lost="y", step="confirm", amount="39.00", key="c", note=note)
    assert answer.status_code == 303, answer.get_data(as_text=True)
    [credit] = refunds(app)
    assert credit.status == "succeeded" and credit.reference.startswith("SC-")
    assert stripe_api.seen == []


def test_an_order_without_its_payment_reference_is_a_failed_refund(app, stripe_api):  # noqa: F811
    rma, _ = start_return(app, payment_reference=None)
    refund_lost_parcel(signed_in(app, "agent"), rma)
    [failed] = refunds(app)
    assert failed.status == "failed" and "no Stripe payment on record" in failed.failure
    assert stripe_api.seen == []


def test_a_wrong_key_is_a_failed_refund_saying_so(make_app, stripe_api):  # noqa: F811
    app = make_app(**stripe_settings(stripe_api, STRIPE_API_KEY="sk_test_wrong"))
    rma, _ = start_return(app, stripe_api.paid(3900))
    refund_lost_parcel(signed_in(app, "agent"), rma)
    assert refunds(app)[0].failure == "Stripe refused the API key (STRIPE_API_KEY)"


def test_amounts_in_stripes_units_and_keys_per_attempt():
    assert stripe_amount(3900, "USD") == 3900
    assert stripe_amount(390000, "JPY") == 3900
    assert stripe_amount(3900, "KWD") == 39000
    with pytest.raises(ValueError, match="JPY has no cents"):
        stripe_amount(3950, "jpy")
    first = RefundRequest(100, "card", "k1")
    assert stripe_key(first) == "frontdesk-refund-k1"
    assert (
        stripe_key(RefundRequest(100, "card", "k1", attempt=3)) == "frontdesk-refund-k1-attempt-3"
    )


def test_the_built_in_gateway_is_the_default_and_needs_no_keys():
    assert isinstance(make_gateway({}), LocalGateway)
    assert isinstance(make_gateway({"PAYMENTS": "stripe", "STRIPE_API_KEY": "sk"}), StripeGateway)
    with pytest.raises(ValueError, match="STRIPE_API_KEY"):
        make_gateway({"PAYMENTS": "stripe"})
    with pytest.raises(ValueError, match="PAYMENTS must be one of local, stripe"):
        make_gateway({"PAYMENTS": "cheque"})
