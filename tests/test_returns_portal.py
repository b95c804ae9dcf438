"""The customer's side of a return: lookup, choosing items, review, confirm, status."""

import html
import re
import threading

from sqlalchemy import func, select

from app.extensions import db
from app.models import ReturnEvent, ReturnLine, ReturnRequest
from app.returns.service import Draft, DraftLine, NotReturnable, create_return
from app.services import services
from tests.returns_helpers import choose, confirm, line_ids, look_up, make_order, token_from


def returns(app) -> list[ReturnRequest]:
    with app.app_context():
        rows = db.session.execute(select(ReturnRequest).order_by(ReturnRequest.id)).scalars()
        return [
            (r.rma_number, r.status, [(line.quantity, line.reason_code) for line in r.lines])
            for r in rows
        ]


def test_lookup_by_email_or_postal_code(app, client):
    make_order(app)
    assert look_up(client, "jp-10001", "ANA@example.com ").headers["Location"] == "/returns/start"
    other = app.test_client()
    assert look_up(other, "JP-10001", "97 201").headers["Location"] == "/returns/start"


def test_an_order_number_is_found_with_or_without_its_hash(app):
    """Shopify numbers orders "#1001"; customers type "1001" as often as not."""
    make_order(app, number="#1001")
    make_order(app, number="2002", email="ben@example.com")
    for typed, email in (("1001", "ana@example.com"), (" # 1001", "ana@example.com")):
        response = look_up(app.test_client(), typed, email)
        assert response.headers["Location"] == "/returns/start", typed
    found = look_up(app.test_client(), "#2002", "ben@example.com")
    assert found.headers["Location"] == "/returns/start"


def test_the_exact_number_wins_when_a_shop_has_both(app):
    make_order(app, number="#1001", email="ana@example.com")
    make_order(app, number="1001", email="ben@example.com")
    for typed, email in (("1001", "ben@example.com"), ("#1001", "ana@example.com")):
        response = look_up(app.test_client(), typed, email)
        assert response.headers["Location"] == "/returns/start", typed
    refused = look_up(app.test_client(), "1001", "ana@example.com")  # Ben's order, not Ana's
    assert "Location" not in refused.headers


def test_mismatch_and_unknown_order_get_the_same_neutral_message(app, client):
    make_order(app)
    wrong_email = look_up(client, "JP-10001", "bob@example.com")
    unknown = look_up(app.test_client(), "JP-99999", "ana@example.com")
    assert wrong_email.status_code == unknown.status_code == 400
    message = "We couldn&#39;t find an order with those details."
    assert message in wrong_email.get_data(as_text=True)
    assert message in unknown.get_data(as_text=True)


def client_at(app, address: str):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def test_lookup_is_rate_limited_per_order_number_and_client(app):
    make_order(app)
    stranger = client_at(app, "203.0.113.9")
    # The same order number however it is written: case, spaces around, fullwidth letters.
    spellings = ["JP-10001", "jp-10001", " JP-10001 ", "\uff2a\uff30-10001", "Jp-10001", "JP-10001"]
    statuses = [
        look_up(stranger, number, f"x{n}@example.com").status_code
        for n, number in enumerate(spellings)
    ]
    assert statuses == [400] * 5 + [429]
    page = look_up(stranger, "JP-10001", "ana@example.com").get_data(as_text=True)
    assert "Too many requests" in page and "try again in about 15 minutes" in page
    # The customer, asking from their own address, still finds their order.
    assert look_up(client_at(app, "198.51.100.7"), "JP-10001").status_code == 303


def test_finding_an_order_never_counts_against_its_limit(app):
    make_order(app)
    customer = client_at(app, "198.51.100.7")
    assert [look_up(customer).status_code for _ in range(8)] == [303] * 8


def test_guesses_from_many_addresses_at_one_order_never_lock_the_customer_out(app):
    """After 30 wrong guesses at one order from many addresses, a postal code no longer finds
    it (not even the right one: guessing it tells nothing), and the email address still
    does."""
    make_order(app)
    for host in range(6):  # 30 wrong guesses, 5 from each address
        for n in range(5):
            look_up(client_at(app, f"203.0.113.{host}"), "JP-10001", f"1111{n}")
    by_postal_code = look_up(client_at(app, "198.51.100.7"), "JP-10001", "97201")
    assert by_postal_code.status_code == 400
    assert "can now be found only with the email address it was sent to" in html.unescape(
        by_postal_code.get_data(as_text=True)
    )
    assert look_up(client_at(app, "198.51.100.7"), "jp-10001", "ana@example.com").status_code == 303
    assert look_up(client_at(app, "198.51.100.8"), "JP-10002", "97201").status_code == 400


def test_start_page_explains_what_cannot_be_returned(app, client):
    make_order(app)
    look_up(client)
    html = client.get("/returns/start").get_data(as_text=True)
    assert "Linen tee" in html and 'name="qty-' in html
    assert "Underwear and swimwear can&#39;t be returned for hygiene reasons." in html
    assert "This was a final-sale item, so it can&#39;t be returned." in html


def test_whole_return_from_choice_to_status_page(app, client):
    order_id = make_order(app)
    tee = line_ids(app, order_id)[0]
    look_up(client)
    assert choose(client, **{f"qty-{tee}": "2", f"reason-{tee}": "damaged"}).status_code == 303
    review = client.get("/returns/review").get_data(as_text=True)
    assert "<dt>Estimated refund</dt><dd>$78.00</dd>" in review  # damaged: free shipping
    response, _ = confirm(client)
    assert response.status_code == 303
    status = client.get(response.headers["Location"]).get_data(as_text=True)
    [(rma, state, lines)] = returns(app)
    assert (state, lines) == ("label_issued", [(2, "damaged")])
    assert f"Return {rma}" in status and "Label ready" in status
    assert "Return requested" in status and "Return approved" in status
    assert "Download the label (PDF)" in status and "$78.00" in status
    label = client.get(response.headers["Location"] + "/label.pdf")
    assert label.mimetype == "application/pdf" and label.data.startswith(b"%PDF")


def test_confirming_twice_creates_one_return(app, client):
    order_id = make_order(app)
    tee = line_ids(app, order_id)[0]
    look_up(client)
    choose(client, **{f"qty-{tee}": "1", f"reason-{tee}": "too_small"})
    first, data = confirm(client)
    again = client.post("/returns/confirm", data=data)  # the back button and a second click
    assert len(returns(app)) == 1
    assert again.status_code in (303, 302)


def test_quantities_out_of_range_and_bad_reasons_are_refused(app, client):
    order_id = make_order(app)
    tee, socks, scarf = line_ids(app, order_id)
    look_up(client)
    for fields, message in [
        ({f"qty-{tee}": "3", f"reason-{tee}": "damaged"}, "You can return up to 2 of this item."),
        ({f"qty-{tee}": "-1", f"reason-{tee}": "damaged"}, "You can return up to 2 of this item."),
        ({f"qty-{tee}": "two", f"reason-{tee}": "damaged"}, "Enter how many, as a number."),
        ({f"qty-{tee}": "1", f"reason-{tee}": "bored"}, "Choose a reason for returning this item."),
        ({f"qty-{socks}": "1", f"reason-{socks}": "damaged"}, "hygiene reasons"),
        ({f"qty-{scarf}": "1", f"reason-{scarf}": "damaged"}, "final-sale item"),
        ({"qty-99999": "1", "reason-99999": "damaged"}, "aren&#39;t in this order"),
        ({}, "Choose at least one item to return."),
        ({f"qty-{tee}": "1", f"reason-{tee}": "damaged", "resolution": "cash"}, "Choose a refund"),
    ]:
        response = choose(client, **fields)
        assert response.status_code == 400, fields
        assert message in response.get_data(as_text=True), fields
    assert returns(app) == []


def test_undelivered_and_expired_orders_cannot_start_a_return(app):
    make_order(app, "JP-2", delivered_days_ago=None)
    make_order(app, "JP-3", delivered_days_ago=40)
    for number, message in (("JP-2", "hasn&#39;t been delivered yet"), ("JP-3", "closed on")):
        client = app.test_client()
        look_up(client, number)
        assert message in client.get("/returns/start").get_data(as_text=True)


def test_a_partly_returned_line_offers_only_the_rest(app, client):
    order_id = make_order(app)
    tee = line_ids(app, order_id)[0]
    look_up(client)
    choose(client, **{f"qty-{tee}": "1", f"reason-{tee}": "too_large"})
    confirm(client)
    look_up(client)
    html = client.get("/returns/start").get_data(as_text=True)
    assert "1 already returned or on the way back." in html
    refused = choose(client, **{f"qty-{tee}": "2", f"reason-{tee}": "too_large"})
    assert "You can return up to 1 of this item." in refused.get_data(as_text=True)


def test_two_concurrent_returns_for_the_last_unit_exactly_one_wins(app):
    order_id = make_order(
        app,
        lines=[
            {
                "sku": "MUG",
                "name": "Mug",
                "category": "home",
                "quantity": 1,
                "unit_price_cents": 1800,
            }
        ],
    )
    [mug] = line_ids(app, order_id)
    policy, carrier = services(app).returns_policy, services(app).carrier
    outcomes, barrier = [], threading.Barrier(2)

    def attempt(n):
        with app.app_context():
            draft = Draft(
                order_id, [DraftLine(mug, 1, "changed_mind")], "refund", "label", key=f"k{n}"
            )
            barrier.wait()
            try:
                create_return(policy, draft, carrier, today=__import__("datetime").date.today())
                outcomes.append("created")
            except NotReturnable:
                outcomes.append("refused")

    threads = [threading.Thread(target=attempt, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["created", "refused"]
    with app.app_context():
        assert db.session.execute(select(func.sum(ReturnLine.quantity))).scalar_one() == 1


def test_tampered_or_unknown_status_tokens_are_404(app, client):
    order_id = make_order(app)
    tee = line_ids(app, order_id)[0]
    look_up(client)
    choose(client, **{f"qty-{tee}": "1", f"reason-{tee}": "damaged"})
    url = confirm(client)[0].headers["Location"]
    token = url.rsplit("/", 1)[1]
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    assert client.get(f"/returns/{tampered}").status_code == 404
    assert client.get(f"/returns/{tampered}/label.pdf").status_code == 404
    assert client.get("/returns/1").status_code == 404


def test_find_my_return_by_rma_and_email(app, client):
    order_id = make_order(app)
    tee = line_ids(app, order_id)[0]
    look_up(client)
    choose(client, **{f"qty-{tee}": "1", f"reason-{tee}": "damaged"})
    status_url = confirm(client)[0].headers["Location"]
    [(rma, _, _)] = returns(app)
    token = token_from(client.get("/returns/find").get_data(as_text=True))
    found = client.post(
        "/returns/find",
        data={"csrf_token": token, "rma_number": rma.lower(), "email": "ana@example.com"},
    )
    assert found.headers["Location"] == status_url
    wrong = client.post(
        "/returns/find", data={"csrf_token": token, "rma_number": rma, "email": "eve@example.com"}
    )
    assert wrong.status_code == 400 and "couldn&#39;t find a return" in wrong.get_data(as_text=True)


def test_events_record_who_moved_the_return(app, client):
    order_id = make_order(app)
    tee = line_ids(app, order_id)[0]
    look_up(client)
    choose(client, **{f"qty-{tee}": "1", f"reason-{tee}": "damaged"})
    confirm(client)
    with app.app_context():
        events = db.session.execute(
            select(ReturnEvent.status, ReturnEvent.actor).order_by(ReturnEvent.id)
        ).all()
    assert events == [
        ("requested", "customer"),
        ("approved", "return policy"),
        ("label_issued", "system"),
    ]


def test_starting_pages_without_a_looked_up_order_go_back_to_lookup(client):
    for url in ("/returns/start", "/returns/review", "/returns/before-you-send"):
        assert client.get(url).headers["Location"] == "/returns/"


def test_the_same_draft_confirmed_twice_at_once_makes_one_return(app):
    import datetime

    order_id = make_order(app)
    tee = line_ids(app, order_id)[0]
    policy, carrier = services(app).returns_policy, services(app).carrier
    rmas, barrier = [], threading.Barrier(2)

    def attempt():
        with app.app_context():
            draft = Draft(order_id, [DraftLine(tee, 1, "damaged")], "refund", "label", key="same")
            barrier.wait()
            rmas.append(create_return(policy, draft, carrier, datetime.date.today()).rma_number)

    threads = [threading.Thread(target=attempt) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert len(rmas) == 2 and rmas[0] == rmas[1]
    assert len(returns(app)) == 1


def test_an_order_with_nothing_returnable_says_so_and_offers_a_way_forward(app, client):
    make_order(app, delivered_days_ago=None)  # not delivered yet
    look_up(client)
    html = client.get("/returns/start").get_data(as_text=True)
    assert "Nothing in this order can be returned" in html
    assert "How to track your order" in html and "support@" in html
    assert "How would you like your money back?" not in html and ">Continue</button>" not in html


def test_an_order_with_something_returnable_offers_the_choices(app, client):
    make_order(app)
    look_up(client)
    html = client.get("/returns/start").get_data(as_text=True)
    assert "Nothing in this order can be returned" not in html
    assert "How would you like your money back?" in html and ">Continue</button>" in html


def _confirmed_return(app):
    order_id = make_order(app)
    tee = line_ids(app, order_id)[0]
    customer = app.test_client()
    look_up(customer)
    choose(customer, **{f"qty-{tee}": "1", f"reason-{tee}": "changed_mind"})
    return customer, confirm(customer)[0].headers["Location"]


def test_the_customer_can_cancel_their_return_until_the_first_scan(app):
    customer, status_url = _confirmed_return(app)
    status = customer.get(status_url).get_data(as_text=True)
    assert f'href="{status_url}/cancel">Cancel this return</a>' in status
    page = customer.get(f"{status_url}/cancel").get_data(as_text=True)
    assert "Cancel return RMA-" in page and "1 × Linen tee" in page
    canceled = customer.post(f"{status_url}/cancel", data={"csrf_token": token_from(page)})
    assert canceled.status_code == 303 and canceled.headers["Location"] == status_url
    status = customer.get(status_url).get_data(as_text=True)
    assert "<strong>Canceled</strong>" in status and "Canceled by the customer." in status
    assert "Cancel this return" not in status
    with app.app_context():
        ret = db.session.execute(select(ReturnRequest)).scalar_one()
        assert ret.status == "canceled" and ret.events[-1].actor == "customer"


def test_a_return_the_carrier_has_scanned_cannot_be_canceled_by_the_customer(app):
    customer, status_url = _confirmed_return(app)
    page = customer.get(f"{status_url}/cancel").get_data(as_text=True)
    with app.app_context():
        from app.returns import states

        ret = db.session.execute(select(ReturnRequest)).scalar_one()
        states.apply(ret, "carrier_scan", actor="carrier")
        db.session.commit()
    refused = customer.post(f"{status_url}/cancel", data={"csrf_token": token_from(page)})
    assert refused.status_code == 409
    assert "can&#39;t be canceled any more" in refused.get_data(as_text=True)
    assert "Cancel this return" not in customer.get(status_url).get_data(as_text=True)
    without_token = customer.post(f"{status_url}/cancel")
    assert without_token.status_code in (400, 409)
    with app.app_context():
        assert db.session.execute(select(ReturnRequest)).scalar_one().status == "in_transit"


def test_an_item_goes_back_only_with_its_box_ticked_one_unit_unless_more_are_chosen(app):
    order_id = make_order(app)
    tee = line_ids(app, order_id)[0]
    client = app.test_client()
    look_up(client)
    unticked = choose(
        client, **{f"return-{tee}": "", f"qty-{tee}": "2", f"reason-{tee}": "damaged"}
    )
    assert unticked.status_code == 400
    assert "Choose at least one item to return." in unticked.get_data(as_text=True)
    ticked = choose(client, **{f"return-{tee}": "1", f"reason-{tee}": "changed_mind"})
    assert ticked.status_code == 303
    review = client.get("/returns/review").get_data(as_text=True)
    assert re.search(r"Linen tee.*?</td>\s*<td>1</td>", review, re.S)
    page = client.get("/returns/start").get_data(as_text=True)
    assert f'id="return-{tee}" name="return-{tee}" value="1" checked' in page  # kept


def test_a_draft_whose_order_is_gone_is_refused_in_words(app):
    import datetime

    from app.models import Order

    order_id = make_order(app)
    [first, *_] = line_ids(app, order_id)
    with app.app_context():
        db.session.delete(db.session.get(Order, order_id))
        db.session.commit()
        draft = Draft(order_id, [DraftLine(first, 1, "damaged")], "refund", "label")
        policy, carrier = services(app).returns_policy, services(app).carrier
        try:
            create_return(policy, draft, carrier, datetime.date.today())
        except NotReturnable as refused:
            assert "can no longer be found" in str(refused)
        else:
            raise AssertionError("a return was made for an order that is gone")
        assert db.session.execute(select(func.count(ReturnRequest.id))).scalar_one() == 0
