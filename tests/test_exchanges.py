"""Exchanges: an item swapped for another size or colour of the same product, from the start
page to the replacement's dispatch, with its stock taken once and given back when it ends."""

import re
import threading
from datetime import timedelta

from sqlalchemy import select

from app.extensions import db
from app.models import OutboxMessage, ReturnRequest, Variant
from app.models.types import utcnow
from app.returns.exchanges import RESERVED
from tests.returns_helpers import choose, confirm, line_ids, look_up, make_order, token_from
from tests.staff_helpers import signed_in

SHIRT = [
    {
        "sku": "SHIRT-M",
        "name": "Linen shirt, sage, M",
        "category": "tops",
        "quantity": 2,
        "unit_price_cents": 6400,
    },
    {
        "sku": "TOTE",
        "name": "Canvas tote",
        "category": "bags",
        "quantity": 1,
        "unit_price_cents": 8900,
    },
]
# sku, option, price in cents, stock
VARIANTS = [
    ("SHIRT-S", "sage, S", 6400, 0),
    ("SHIRT-M", "sage, M", 6400, 4),
    ("SHIRT-L", "sage, L", 6400, 1),
    ("SHIRT-IND-M", "indigo, M", 5900, 3),
    ("SHIRT-XXL", "sage, XXL", 6900, 5),
]


def add_variants(app, rows=VARIANTS, product="SHIRT") -> None:
    with app.app_context():
        for sku, option, price, stock in rows:
            db.session.add(
                Variant(
                    sku=sku,
                    product=product,
                    name=f"Linen shirt, {option}",
                    option=option,
                    price_cents=price,
                    stock=stock,
                )
            )
        db.session.commit()


def stock(app, sku: str) -> int:
    with app.app_context():
        return db.session.execute(select(Variant.stock).filter_by(sku=sku)).scalar_one()


def the_return(app) -> ReturnRequest:
    with app.app_context():
        ret = db.session.execute(select(ReturnRequest)).scalar_one()
        db.session.expunge(ret)
        return ret


def started(app, client, number="JP-10001", **fields):
    """Look the shirt order up and choose its first line with `fields`."""
    order_id = make_order(app, number=number, lines=SHIRT)
    shirt = line_ids(app, order_id)[0]
    assert look_up(client, number).status_code == 303
    fields = {f"qty-{shirt}": "1", f"reason-{shirt}": "too_small", **fields}
    return shirt, choose(client, **{k.format(shirt=shirt): v for k, v in fields.items()})


def confirmed_exchange(app, client) -> tuple[str, ReturnRequest]:
    """The catalogue, and a customer's return of one shirt exchanged for the last L,
    confirmed: its status page's URL and the return."""
    add_variants(app)
    started(app, client, **{"exchange-{shirt}": "SHIRT-L"})
    status_url = confirm(client)[0].headers["Location"]
    return status_url, the_return(app)


def test_start_page_offers_the_products_other_variants_and_says_why_some_cant_be_had(app, client):
    add_variants(app)
    order_id = make_order(app, lines=SHIRT)
    shirt, tote = line_ids(app, order_id)
    look_up(client)
    html = client.get("/returns/start").get_data(as_text=True)

    options = re.search(rf'<select id="exchange-{shirt}".*?</select>', html, re.S).group(0)
    assert '<option value="">My money back</option>' in options
    assert re.search(r'value="SHIRT-L"\s+>Exchange for sage, L, only 1 left<', options)
    assert re.search(r'value="SHIRT-IND-M"\s+>Exchange for indigo, M \(\$5.00 back each\)', options)
    assert re.search(r'value="SHIRT-S" disabled\s*>Exchange for sage, S \(out of stock\)', options)
    assert re.search(
        r'value="SHIRT-XXL" disabled\s*>Exchange for sage, XXL \(costs \$5.00 more\)', options
    )
    assert 'value="SHIRT-M"' not in options  # the size the customer has
    assert f'id="exchange-{tote}"' not in html  # the catalogue doesn't know the tote


def test_an_exchange_for_the_same_price_takes_the_unit_and_refunds_nothing(app, client):
    add_variants(app)
    shirt, response = started(app, client, **{"exchange-{shirt}": "SHIRT-L"})
    assert response.status_code == 303

    review = client.get("/returns/review").get_data(as_text=True)
    assert "Exchange for Linen shirt, sage, L" in review
    assert "we set aside Linen shirt, sage, L for you" in review
    assert "We send it as soon as your parcel has reached us and we've checked the item." in review
    assert re.search(r"Estimated refund</dt><dd>\$0.00", review)
    # Exchanges ship free; a refund for "too small" would pay the return shipping.
    assert "<dt>Return shipping</dt>" not in review
    assert "Return shipping is free: we pay to have Linen shirt, sage, M (too small)" in review

    response, _ = confirm(client)
    assert response.status_code == 303
    assert stock(app, "SHIRT-L") == 0
    ret = the_return(app)
    assert ret.replacement_status == RESERVED
    assert ret.estimate_cents == 0
    status = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "1 × Linen shirt, sage, L" in status
    assert "We've set it aside for you." in status
    assert "Nothing is refunded: you get a replacement instead." in status
    assert "No refund is due." in status


def test_a_cheaper_variant_refunds_the_difference(app, client):
    add_variants(app)
    shirt, response = started(
        app, client, **{"qty-{shirt}": "2", "exchange-{shirt}": "SHIRT-IND-M"}
    )
    assert response.status_code == 303
    review = client.get("/returns/review").get_data(as_text=True)
    assert re.search(r"Estimated refund</dt><dd>\$10.00", review)  # 2 × ($64 − $59)
    confirm(client)
    assert the_return(app).estimate_cents == 1000
    assert stock(app, "SHIRT-IND-M") == 1


def test_a_dearer_or_sold_out_variant_is_refused_with_a_message_and_nothing_taken(app, client):
    add_variants(app)
    shirt, response = started(app, client, **{"exchange-{shirt}": "SHIRT-XXL"})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert (
        "Linen shirt, sage, XXL costs $5.00 more than your item, so it can&#39;t be an exchange"
        in html
    )
    assert f'aria-describedby="exchange-{shirt}-error"' in html

    for sku, message in [
        ("SHIRT-S", "Linen shirt, sage, S is out of stock."),
        ("NOT-A-SKU", "Choose a size or colour from the list."),
        ("TOTE", "Choose a size or colour from the list."),  # another product
    ]:
        html = choose(client, **{f"qty-{shirt}": "1", f"reason-{shirt}": "too_small",
                                 f"exchange-{shirt}": sku}).get_data(as_text=True)  # fmt: skip
        assert message in html
    two = choose(client, **{f"qty-{shirt}": "2", f"reason-{shirt}": "too_small",
                            f"exchange-{shirt}": "SHIRT-L"})  # fmt: skip
    assert "Only 1 of Linen shirt, sage, L left: choose fewer" in two.get_data(as_text=True)
    assert stock(app, "SHIRT-L") == 1
    with app.app_context():
        assert db.session.execute(select(ReturnRequest)).first() is None


def test_the_last_unit_goes_to_one_customer_and_the_other_is_told(app):
    """Both customers saw it in stock; the first to confirm gets it."""
    add_variants(app)
    first, second = app.test_client(), app.test_client()
    started(app, first, "JP-1", **{"exchange-{shirt}": "SHIRT-L"})
    started(app, second, "JP-2", **{"exchange-{shirt}": "SHIRT-L"})
    review = second.get("/returns/review").get_data(as_text=True)  # before the first confirms
    assert "Exchange for Linen shirt, sage, L" in review

    assert confirm(first)[0].status_code == 303
    late = second.post(
        "/returns/confirm",
        data={"csrf_token": token_from(review), "key": token_from(review, "key")},
    )
    assert late.status_code == 409
    assert "Sorry, Linen shirt, sage, L has just sold out." in late.get_data(as_text=True)
    assert stock(app, "SHIRT-L") == 0
    with app.app_context():
        assert len(db.session.execute(select(ReturnRequest)).all()) == 1


def test_canceling_gives_the_unit_back(app, client):
    add_variants(app)
    started(app, client, **{"exchange-{shirt}": "SHIRT-L"})
    response, _ = confirm(client)
    status_url = response.headers["Location"]
    assert stock(app, "SHIRT-L") == 0
    page = client.get(status_url + "/cancel").get_data(as_text=True)
    canceled = client.post(status_url + "/cancel", data={"csrf_token": token_from(page)})
    assert canceled.status_code == 303
    assert stock(app, "SHIRT-L") == 1
    assert the_return(app).replacement_status == "released"
    assert "Not sent: this return ended before it was." in client.get(status_url).get_data(
        as_text=True
    )
    # Canceling again changes nothing.
    client.post(status_url + "/cancel", data={"csrf_token": token_from(page)})
    assert stock(app, "SHIRT-L") == 1


def _staff_post(staff, rma: str, path: str, **fields):
    page = staff.get("/returns/").get_data(as_text=True)  # any form of the session's
    return staff.post(
        f"/staff/returns/{rma}/{path}", data={"csrf_token": token_from(page), **fields}
    )


def test_staff_send_the_replacement_once_it_arrives_and_the_exchange_completes(app, client):
    status_url, ret = confirmed_exchange(app, client)
    staff = signed_in(app)

    queue = staff.get("/staff/returns?kind=to_send").get_data(as_text=True)
    assert ret.rma_number in queue and "(to send)" in queue
    detail = staff.get(f"/staff/returns/{ret.rma_number}").get_data(as_text=True)
    assert "Exchange for Linen shirt, sage, L" in detail
    assert (
        "The replacement is sent once the returned item has been received and inspected." in detail
    )

    early = _staff_post(staff, ret.rma_number, "replacement", carrier="Parcel Co", tracking="PC1")
    assert early.status_code == 409
    assert the_return(app).replacement_status == RESERVED

    with app.app_context():
        line_id = db.session.execute(select(ReturnRequest)).scalar_one().lines[0].id
    received = _staff_post(staff, ret.rma_number, "receive", **{f"received-{line_id}": "1"})
    assert received.status_code == 303
    not_yet = _staff_post(staff, ret.rma_number, "replacement", carrier="Parcel Co", tracking="P")
    assert not_yet.status_code == 409  # received, not inspected yet
    assert "then send your replacement" in client.get(status_url).text
    inspected = _staff_post(
        staff, ret.rma_number, "inspect", **{f"inspection-{line_id}": "accepted"}
    )
    assert inspected.status_code == 303
    assert "We&#39;re packing your replacement" in client.get(status_url).text
    blank = _staff_post(staff, ret.rma_number, "replacement", carrier="Parcel Co", tracking=" ")
    assert blank.status_code == 400
    assert "Enter the parcel&#39;s tracking number." in blank.get_data(as_text=True)

    sent = _staff_post(staff, ret.rma_number, "replacement", carrier="Parcel Co", tracking="PC123")
    assert sent.status_code == 303
    again = _staff_post(staff, ret.rma_number, "replacement", carrier="Parcel Co", tracking="PC9")
    assert again.status_code == 409
    after = the_return(app)
    assert (after.replacement_status, after.replacement_tracking) == ("sent", "PC123")
    assert after.status == "closed"  # inspected, sent, nothing to refund: complete
    with app.app_context():
        subject = f"Your return {ret.rma_number}: replacement on its way"
        emails = db.session.execute(select(OutboxMessage).filter_by(subject=subject)).scalars()
        emails = emails.all()
        assert len(emails) == 1
        assert "1 x Linen shirt, sage, L" in emails[0].body and "PC123" in emails[0].body
    status = client.get(status_url).get_data(as_text=True)
    assert "tracking number <strong>PC123</strong>" in status
    assert stock(app, "SHIRT-L") == 0  # sent, so never given back


def test_catalogue_import_creates_updates_and_keeps_units_set_aside(app, client, tmp_path):
    runner = app.test_cli_runner()
    csv = tmp_path / "catalogue.csv"
    csv.write_text(
        "sku,product,name,option,price,stock,barcode\n"
        'SHIRT-M,SHIRT,"Linen shirt, sage, M","sage, M",64.00,4,123\n'
        'SHIRT-L,SHIRT,"Linen shirt, sage, L","sage, L",64.00,2,124\n',
        encoding="utf-8",
    )
    result = runner.invoke(args=["catalogue", "import", str(csv)])
    assert result.exit_code == 0, result.output
    assert "2 created, 0 updated" in result.output
    started(app, client, **{"exchange-{shirt}": "SHIRT-L"})
    confirm(client)
    assert stock(app, "SHIRT-L") == 1

    # The shop's next export still counts the unit set aside: it stays promised.
    csv.write_text(csv.read_text().replace(",2,124", ",5,124"), encoding="utf-8")
    result = runner.invoke(args=["catalogue", "import", str(csv)])
    assert "0 created, 2 updated" in result.output
    assert stock(app, "SHIRT-L") == 4

    bad = tmp_path / "bad.csv"
    bad.write_text(
        "sku,product,name,option,price,stock\n"
        "SHIRT-L,SHIRT,Shirt L,L,64.00,0\n"
        "SHIRT-XL,SHIRT,Shirt XL,XL,sixty,-1\n"
        "SHIRT-L,SHIRT,Shirt L,L,64.00,1\n",
        encoding="utf-8",
    )
    result = runner.invoke(args=["catalogue", "import", str(bad)])
    assert result.exit_code == 1
    assert "row 3: price 'sixty' is not a price like 49.95" in result.output
    assert "row 3: stock '-1' is not a whole number of units (0 or more)" in result.output
    assert "row 4: sku 'SHIRT-L' is on an earlier row too" in result.output
    assert "nothing imported" in result.output
    assert stock(app, "SHIRT-L") == 4

    no_column = tmp_path / "short.csv"
    no_column.write_text("sku,name\nA,B\n", encoding="utf-8")
    result = runner.invoke(args=["catalogue", "import", str(no_column)])
    assert result.exit_code == 1
    assert "short.csv has no column option, price, product, stock" in result.output


def test_six_customers_confirming_the_last_unit_at_once_one_gets_it(app):
    """Each has their own order and reached the review page while the unit was there; they
    press Confirm at the same moment."""
    add_variants(app)
    customers = [app.test_client() for _ in range(6)]
    forms = []
    for n, customer in enumerate(customers):
        started(app, customer, f"JP-{n}", **{"exchange-{shirt}": "SHIRT-L"})
        review = customer.get("/returns/review").get_data(as_text=True)
        forms.append({"csrf_token": token_from(review), "key": token_from(review, "key")})
    ready = threading.Barrier(len(customers))
    answers: list = [None] * len(customers)

    def press(n: int) -> None:
        ready.wait()
        answers[n] = customers[n].post("/returns/confirm", data=forms[n])

    threads = [threading.Thread(target=press, args=(n,)) for n in range(len(customers))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    statuses = sorted(answer.status_code for answer in answers)
    assert statuses == [303] + [409] * 5, statuses
    refused = [a.get_data(as_text=True) for a in answers if a.status_code == 409]
    assert all("Linen shirt, sage, L has just sold out" in text for text in refused)
    assert stock(app, "SHIRT-L") == 0
    with app.app_context():
        assert len(db.session.execute(select(ReturnRequest)).all()) == 1


def with_exchanges(make_app, content_dir, settings: str, **overrides):
    """An app whose policy file's `exchanges:` section is `settings` (the shipped one's
    replaced), with a 10% restocking fee to show which items pay it."""
    policy = content_dir / "returns-policy.yml"
    text = policy.read_text(encoding="utf-8")
    text = text[: text.index("\nexchanges:")] + "\nexchanges:\n" + settings
    policy.write_text(text.replace("restocking_fee_percent: 0", "restocking_fee_percent: 10"))
    return make_app(**overrides)


def test_shipping_first_lets_staff_send_the_replacement_once_approved(make_app, content_dir):
    app = with_exchanges(make_app, content_dir, "  ship_first: true\n")
    add_variants(app)
    client = app.test_client()
    started(app, client, **{"exchange-{shirt}": "SHIRT-L"})
    assert "We send it as soon as your return is approved" in client.get("/returns/review").text
    status_url = confirm(client)[0].headers["Location"]
    assert "We send it once your return is approved" in client.get(status_url).text
    ret = the_return(app)
    assert ret.status == "label_issued"  # approved automatically, the parcel not sent yet
    staff = signed_in(app)
    sent = _staff_post(staff, ret.rma_number, "replacement", carrier="Parcel Co", tracking="PC7")
    assert sent.status_code == 303
    assert the_return(app).replacement_status == "sent"
    # The replacement has gone: the return can't be called off, the item must come back.
    assert "Cancel this return" not in client.get(status_url).text
    page = client.get(status_url + "/cancel")
    assert page.status_code == 409 and "can&#39;t be canceled any more" in page.text
    detail = staff.get(f"/staff/returns/{ret.rma_number}").text
    assert "Cancel this return…" not in detail
    refused = _staff_post(staff, ret.rma_number, "cancel", step="confirm")
    assert refused.status_code == 409
    assert "The replacement has been sent, so this return can&#39;t be canceled" in refused.text
    # Nor does its label expire: staff chase the item.
    with app.app_context():
        for event in db.session.get(ReturnRequest, ret.id).events:
            event.at = utcnow() - timedelta(days=60)
        db.session.commit()
    assert "Expired 0" in app.test_cli_runner().invoke(args=["returns", "expire"]).output
    assert (the_return(app).status, stock(app, "SHIRT-L")) == ("label_issued", 0)


def shirt_and_tote(app, client, shirts: str, reason: str, exchange: str) -> str:
    """The review page of `shirts` shirts exchanged for `exchange` (for `reason`) and the tote
    returned for a refund because the customer changed their mind."""
    shirt, tote = line_ids(app, make_order(app, lines=SHIRT))
    look_up(client)
    choose(client, **{f"qty-{shirt}": shirts, f"reason-{shirt}": reason,
                      f"exchange-{shirt}": exchange,
                      f"qty-{tote}": "1", f"reason-{tote}": "changed_mind"})  # fmt: skip
    return client.get("/returns/review").text


def test_exchanges_that_dont_ship_free_pay_shipping_but_no_restocking(make_app, content_dir):
    app = with_exchanges(make_app, content_dir, "  free_shipping: false\n")
    add_variants(app)
    review = shirt_and_tote(app, app.test_client(), "2", "too_small", "SHIRT-IND-M")
    # $10.00 difference + $89.00 tote − $5.95 shipping − 10% of the tote only.
    assert re.search(r"Restocking fee</dt><dd>−\$8.90", review)
    assert re.search(r"Estimated refund</dt><dd>\$84.15", review)
    assert "The 10% restocking fee applies to Canvas tote (changed my mind)." in review


def test_exchanges_switched_off_offer_none(make_app, content_dir):
    app = with_exchanges(make_app, content_dir, "  enabled: false\n")
    add_variants(app)
    client = app.test_client()
    shirt, response = started(app, client, **{"exchange-{shirt}": "SHIRT-L"})
    assert f'id="exchange-{shirt}"' not in client.get("/returns/start").text
    assert "Choose a size or colour from the list." in response.text  # a crafted form


def test_a_wrong_exchange_setting_is_named_with_its_line(make_app, content_dir):
    app = with_exchanges(make_app, content_dir, "  ship_first: maybe\n")
    result = app.test_cli_runner().invoke(args=["content", "check"])
    assert result.exit_code == 1
    lines = (content_dir / "returns-policy.yml").read_text().splitlines()
    line = lines.index("  ship_first: maybe") + 1
    assert (
        f"returns-policy.yml:{line}: exchanges: ship_first must be true or false" in result.output
    )


def test_rejecting_or_expiring_gives_the_unit_back(app, client):
    add_variants(app)
    started(app, client, **{"exchange-{shirt}": "SHIRT-L"})
    confirm(client)
    ret = the_return(app)
    with app.app_context(), app.test_request_context():
        from app.returns.workflow import move

        found = db.session.get(ReturnRequest, ret.id)
        move(found, "expire", actor="carrier")
        db.session.commit()
    assert (stock(app, "SHIRT-L"), the_return(app).replacement_status) == (1, "released")


def test_the_return_policy_article_shows_the_exchange_rules(make_app):
    from tests.conftest import ROOT

    app = make_app(CONTENT_DIR=str(ROOT / "content"))
    page = app.test_client().get("/articles/returns-refunds/return-policy").text
    facts = page[page.index('<section class="policy-facts"') :]
    assert "<h3>Exchanges</h3>" in facts
    assert "Sending back an item you exchange is free." in facts
    assert (
        "We send the new one as soon as your parcel has reached us and we've checked the item."
        in facts
    )


def test_the_label_email_names_the_exchange(app, client):
    add_variants(app)
    started(app, client, **{"exchange-{shirt}": "SHIRT-L"})
    confirm(client)
    with app.app_context():
        email = db.session.execute(
            select(OutboxMessage).where(OutboxMessage.subject.contains("label ready"))
        ).scalar_one()
    assert "1 x Linen shirt, sage, M, exchanged for Linen shirt, sage, L" in email.body
    assert "We've set your replacement aside" in email.body


def _received_and_inspected(app, client, staff, rma: str, received: str, verdict: str, **more):
    with app.app_context():
        line_id = db.session.execute(select(ReturnRequest)).scalar_one().lines[0].id
    _staff_post(staff, rma, "receive", **{f"received-{line_id}": received})
    fields = {f"inspection-{line_id}": verdict, f"inspection-reason-{line_id}": "Worn"}
    return _staff_post(staff, rma, "inspect", **fields, **more)


def test_an_exchanged_item_rejected_at_inspection_gets_no_replacement(app, client):
    status_url, ret = confirmed_exchange(app, client)
    staff = signed_in(app)
    answer = _received_and_inspected(app, client, staff, ret.rma_number, "1", "rejected")
    assert answer.status_code == 303
    done = the_return(app)
    assert (done.status, done.replacement_status) == ("closed", "released")
    assert stock(app, "SHIRT-L") == 1
    page = client.get(status_url).text
    assert "No replacement is sent: the items weren&#39;t accepted." in page
    assert "you get a replacement instead" not in page
    assert "Not sent: this return ended before it was." in page


def test_the_replacement_is_what_was_accepted(app, client):
    """Two shirts to exchange, one arrives: one replacement is sent, the other unit freed."""
    add_variants(app)
    started(app, client, **{"qty-{shirt}": "2", "exchange-{shirt}": "SHIRT-IND-M"})
    confirm(client)
    assert stock(app, "SHIRT-IND-M") == 1
    ret = the_return(app)
    staff = signed_in(app)
    _received_and_inspected(app, client, staff, ret.rma_number, "1", "accepted")
    assert stock(app, "SHIRT-IND-M") == 2
    detail = staff.get(f"/staff/returns/{ret.rma_number}").text
    assert "Send 1 × Linen shirt, indigo, M to Ana Silva" in detail
    _staff_post(staff, ret.rma_number, "replacement", carrier="Parcel Co", tracking="PC5")
    with app.app_context():
        timeline = [e.note for e in db.session.get(ReturnRequest, ret.id).events]
    assert "Replacement sent: 1 × Linen shirt, indigo, M, tracking PC5 (Parcel Co)." in timeline
    # $5.00 of one accepted shirt is still to refund: not complete yet.
    assert the_return(app).status == "inspected"


def test_an_exchange_doesnt_waive_the_parcels_fee_for_other_items(app, client):
    add_variants(app)
    review = shirt_and_tote(app, client, "1", "changed_mind", "SHIRT-L")
    assert re.search(r"Return shipping</dt><dd>−\$5.95", review)
    assert re.search(r"Estimated refund</dt><dd>\$83.05", review)  # the tote less shipping


def test_a_size_sold_out_before_the_review_sends_the_customer_back(app, client):
    add_variants(app)
    started(app, client, **{"exchange-{shirt}": "SHIRT-L"})
    with app.app_context():
        db.session.execute(db.update(Variant).filter_by(sku="SHIRT-L").values(stock=0))
        db.session.commit()
    review = client.get("/returns/review")
    assert (review.status_code, review.headers["Location"]) == (303, "/returns/start")
    assert "Linen shirt, sage, L is out of stock." in client.get("/returns/start").text


def test_exchanges_switched_off_after_the_draft_are_refused_at_confirm(make_app, content_dir):
    app = with_exchanges(make_app, content_dir, "  enabled: true\n")
    add_variants(app)
    client = app.test_client()
    started(app, client, **{"exchange-{shirt}": "SHIRT-L"})
    review = client.get("/returns/review").text
    policy = content_dir / "returns-policy.yml"
    policy.write_text(policy.read_text().replace("  enabled: true", "  enabled: false"))
    restarted = make_app()  # the site restarted with the new policy, the customer's cookie kept
    later = restarted.test_client()
    later.set_cookie("session", client.get_cookie("session").value)
    answer = later.post(
        "/returns/confirm",
        data={"csrf_token": token_from(review), "key": token_from(review, "key")},
    )
    assert answer.status_code == 409
    assert "Exchanges aren&#39;t offered any more: please choose your money back." in answer.text
    assert stock(app, "SHIRT-L") == 1
