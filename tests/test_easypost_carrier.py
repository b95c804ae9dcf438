"""CARRIER=easypost: return labels bought from EasyPost (a fake of its API on loopback), kept
and served to the customer; what happens when EasyPost refuses, is slow or is down; and the
postage of a canceled return's unused label asked back."""

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import undefer

from app.extensions import db
from app.models import OutboxMessage, ReturnRequest
from app.models.returns import ShippingLabel
from app.models.types import utcnow
from app.returns.carrier import LabelRequest, LocalCarrier, PostalAddress, make_carrier
from app.returns.easypost_carrier import EasyPostCarrier, warehouse_address
from tests.fake_easypost import LABEL_PDF, easypost, easypost_settings, error_body  # noqa: F401
from tests.returns_helpers import choose, confirm, line_ids, look_up, make_order, token_from
from tests.staff_helpers import signed_in

BUY = r"/v2/shipments/shp_\w+/buy"


@pytest.fixture
def app(make_app, easypost):  # noqa: F811
    return make_app(**easypost_settings(easypost))


def start_return(app, number="JP-10001"):
    """A customer starts a return in the portal (auto-approved); returns the status page."""
    tee = line_ids(app, make_order(app, number=number))[0]
    customer = app.test_client()
    look_up(customer, number)
    choose(customer, **{f"qty-{tee}": "1", f"reason-{tee}": "damaged"})
    status_url = confirm(customer)[0].headers["Location"]
    return customer, status_url


def the_return(app) -> ReturnRequest:
    with app.app_context():
        ret = db.session.execute(select(ReturnRequest)).scalar_one()
        _ = ret.events, ret.order, ret.shipping_label  # loaded while the session is open
        return ret


def the_label(app) -> ShippingLabel | None:
    with app.app_context():
        return db.session.execute(
            select(ShippingLabel).options(undefer(ShippingLabel.content))
        ).scalar_one_or_none()


def post(client, url, **data):
    token = token_from(client.get("/returns/").get_data(as_text=True))
    return client.post(url, data={"csrf_token": token, **data})


def test_the_customer_prints_easypost_label_bought_from_their_address_to_the_warehouse(
    app,
    easypost,  # noqa: F811
):
    customer, status_url = start_return(app)

    ret = the_return(app)
    [shipment_id] = easypost.purchases
    bought = easypost.shipments[shipment_id]
    assert ret.status == "label_issued"
    assert (ret.carrier, ret.tracking_number) == ("USPS", bought["tracking_code"])
    # A return label: EasyPost was given the addresses the other way round, and swapped them.
    assert bought["is_return"] and bought["reference"] == ret.rma_number
    assert bought["from_address"]["street1"] == "12 Elm Street"
    assert (bought["from_address"]["city"], bought["from_address"]["zip"]) == ("Portland", "97201")
    assert bought["to_address"]["street1"] == "1200 Mill Race Road"
    assert (bought["to_address"]["state"], bought["to_address"]["zip"]) == ("OR", "97045")
    assert bought["selected_rate"]["service"] == "GroundAdvantage"  # the cheapest offered

    page = customer.get(status_url).get_data(as_text=True)
    assert "Download the label (PDF)" in page and bought["tracking_code"] in page
    label = customer.get(f"{status_url}/label.pdf")
    assert label.mimetype == "application/pdf" and label.data == LABEL_PDF  # EasyPost's own
    slip = customer.get(f"{status_url}/packing-slip.pdf")
    assert slip.mimetype == "application/pdf" and slip.data.startswith(b"%PDF")
    assert slip.data != LABEL_PDF
    kept = the_label(app)
    assert (kept.shipment_id, kept.content, kept.refund_status) == (shipment_id, LABEL_PDF, None)
    with app.app_context():
        [email] = db.session.execute(select(OutboxMessage.body)).scalars()
    assert "attach it to the parcel and hand it to USPS:" in email
    assert f"{status_url}/label.pdf" in email and f"{status_url}/packing-slip.pdf" in email


def test_a_label_easypost_will_not_sell_leaves_the_return_approved_until_staff_buy_it(
    app,
    easypost,  # noqa: F811
):
    easypost.fail("POST", BUY, 402, error_body("PAYMENT.REQUIRED", "Your balance is too low."))
    customer, status_url = start_return(app)

    assert easypost.count("POST", BUY) == 1  # a refusal is not tried again
    ret = the_return(app)
    assert (ret.status, ret.tracking_number, easypost.purchases) == ("approved", None, [])
    page = customer.get(status_url).get_data(as_text=True)
    assert "Your label is being prepared." in page and "Download the label" not in page

    agent = signed_in(app, "agent")
    detail = agent.get(f"/staff/returns/{ret.rma_number}").get_data(as_text=True)
    assert "Buy the label" in detail
    bought = post(agent, f"/staff/returns/{ret.rma_number}/label")
    assert bought.status_code == 303
    assert the_return(app).status == "label_issued" and len(easypost.purchases) == 1
    assert "Download the label (PDF)" in customer.get(status_url).get_data(as_text=True)


def test_staff_see_what_easypost_said_when_it_refuses_again(app, easypost):  # noqa: F811
    refusal = error_body("PAYMENT.REQUIRED", "Your balance is too low.")
    easypost.fail("POST", BUY, 402, refusal, times=2)
    start_return(app)
    rma = the_return(app).rma_number
    agent = signed_in(app, "agent")
    again = post(agent, f"/staff/returns/{rma}/label")
    assert again.status_code == 502
    assert "EasyPost refused: Your balance is too low. (PAYMENT.REQUIRED)" in again.get_data(
        as_text=True
    )
    assert the_return(app).status == "approved"


def test_a_purchase_answered_too_late_is_found_and_not_bought_twice(app, easypost):  # noqa: F811
    easypost.answer_late("POST", BUY, seconds=2)  # bought, but the answer misses the timeout
    start_return(app)

    ret = the_return(app)
    [shipment_id] = easypost.purchases
    assert easypost.count("POST", BUY) == 1  # read back, not bought again
    assert easypost.count("GET", rf"/v2/shipments/{shipment_id}") == 1
    assert ret.status == "label_issued"
    assert ret.tracking_number == easypost.shipments[shipment_id]["tracking_code"]


def test_easypost_down_for_a_moment_is_tried_again(app, easypost):  # noqa: F811
    easypost.fail("POST", "/v2/shipments", 503, error_body("SERVICE.UNAVAILABLE", "Try again."), 2)
    start_return(app)

    assert easypost.count("POST", "/v2/shipments") == 3
    assert the_return(app).status == "label_issued" and len(easypost.purchases) == 1


def test_easypost_down_for_longer_leaves_the_return_approved_for_flask_carrier_retry(
    app,
    easypost,  # noqa: F811
):
    easypost.answer_late("POST", "/v2/shipments", seconds=1.5, times=3)
    customer, status_url = start_return(app)

    assert easypost.count("POST", "/v2/shipments") == 3  # the first try and two more
    assert the_return(app).status == "approved" and easypost.purchases == []
    result = app.test_cli_runner().invoke(args=["carrier", "retry"])
    assert "Labels bought: 1;" in result.output, result.output
    assert the_return(app).status == "label_issued"
    assert "Download the label (PDF)" in customer.get(status_url).get_data(as_text=True)


@pytest.mark.parametrize("who", ["customer", "agent"])
def test_a_canceled_returns_unused_label_is_refunded(app, easypost, who):  # noqa: F811
    customer, status_url = start_return(app)
    rma = the_return(app).rma_number
    if who == "customer":
        assert post(customer, f"{status_url}/cancel").status_code == 303
    else:
        agent = signed_in(app, "agent")
        assert post(agent, f"/staff/returns/{rma}/cancel", step="confirm").status_code == 303

    [shipment_id] = easypost.purchases
    assert easypost.refunds == [shipment_id]
    assert easypost.shipments[shipment_id]["refund_status"] == "submitted"
    assert (the_return(app).status, the_label(app).refund_status) == ("canceled", "submitted")
    agent = signed_in(app, "admin")
    page = agent.get(f"/staff/returns/{rma}").get_data(as_text=True)
    assert "Postage refund asked for" in page
    # Asking again changes nothing: the label is refunded once.
    app.test_cli_runner().invoke(args=["carrier", "retry"])
    assert easypost.refunds == [shipment_id]


def test_a_label_refund_that_fails_is_asked_again_by_flask_carrier_retry(
    app,
    easypost,  # noqa: F811
):
    customer, status_url = start_return(app)
    refund = r"/v2/shipments/shp_\w+/refund"
    easypost.fail("POST", refund, 500, error_body("INTERNAL_SERVER_ERROR", "Oops."), times=3)
    post(customer, f"{status_url}/cancel")

    label = the_label(app)
    assert the_return(app).status == "canceled"
    assert label.refund_status == "failed" and "EasyPost did not answer" in label.refund_note
    assert easypost.count("POST", refund) == 3 and easypost.refunds == []

    result = app.test_cli_runner().invoke(args=["carrier", "retry"])
    assert "unused labels refunded: 1;" in result.output, result.output
    assert the_label(app).refund_status == "submitted" and len(easypost.refunds) == 1


def test_a_refund_asked_twice_reads_the_first_back(easypost):  # noqa: F811
    carrier = EasyPostCarrier(
        "EZTKfakeTestKey",
        warehouse_address(["Returns", "1 Dock Road", "Reno, NV 89501", "US"]),
        16,
        api_base=easypost.api_base,
        timeout=1,
        retry_delay=0,
    )
    customer = PostalAddress("Ana", "12 Elm Street", "", "Portland", "OR", "97201", "US")
    shipment = carrier.buy_label(LabelRequest("RMA-1", "JP-1", customer))
    assert carrier.refund_label(shipment.shipment_id).status == "submitted"
    assert carrier.refund_label(shipment.shipment_id).status == "submitted"  # a 422, read back
    assert easypost.refunds == [shipment.shipment_id]


def test_a_wrong_api_key_is_a_refusal_staff_can_read(make_app, easypost):  # noqa: F811
    app = make_app(**easypost_settings(easypost, EASYPOST_API_KEY="EZTKwrong"))
    start_return(app)
    assert the_return(app).status == "approved"
    assert easypost.count("POST", "/v2/shipments") == 1


def test_the_built_in_carrier_is_the_default_and_needs_no_keys():
    assert isinstance(make_carrier({}), LocalCarrier)
    assert isinstance(make_carrier({"CARRIER": "local"}), LocalCarrier)
    with pytest.raises(ValueError, match="EASYPOST_API_KEY"):
        make_carrier({"CARRIER": "easypost", "RETURNS_WAREHOUSE": ("a", "b", "C, OR 1")})
    with pytest.raises(ValueError, match="CARRIER must be one of local, easypost"):
        make_carrier({"CARRIER": "pigeon"})


def test_the_warehouse_address_is_read_from_returns_warehouse():
    default = warehouse_address(
        ["Juniper & Pine Returns", "1200 Mill Race Road", "Alder Falls, OR 97045", "United States"]
    )
    assert (default.street1, default.city, default.region) == (
        "1200 Mill Race Road",
        "Alder Falls",
        "OR",
    )
    assert (default.postal_code, default.country) == ("97045", "US")
    two_streets = warehouse_address(["Returns", "Unit 4", "9 Quay St", "Toronto, ON M5V 1A1", "CA"])
    assert (two_streets.street2, two_streets.region, two_streets.postal_code) == (
        "9 Quay St",
        "ON",
        "M5V 1A1",
    )
    with pytest.raises(ValueError, match="two-letter code"):
        warehouse_address(["Returns", "1 Road", "Leeds, LS1 4AP", "Royaume-Uni"])
    with pytest.raises(ValueError, match="City, ST 12345"):
        warehouse_address(["Returns", "1 Road", "US"])


def test_an_expired_returns_unused_label_is_refunded(app, easypost):  # noqa: F811
    start_return(app)
    with app.app_context():
        ret = db.session.execute(select(ReturnRequest)).scalar_one()
        for event in ret.events:
            event.at = utcnow() - timedelta(days=31)
        db.session.commit()
    result = app.test_cli_runner().invoke(args=["returns", "expire"])
    assert "Expired 1 return(s)" in result.output, result.output
    [shipment_id] = easypost.purchases
    assert easypost.refunds == [shipment_id]
    assert (the_return(app).status, the_label(app).refund_status) == ("expired", "submitted")
