"""Help offered per item before a return, and fees that say why: "This solved it" keeps one
item and the rest of the return goes on; articles follow the product and the reason; damage
never offers keeping the item; a free reason in the parcel waives return shipping."""

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Deflection, ReturnRequest
from tests.conftest import ROOT
from tests.returns_helpers import choose, confirm, line_ids, look_up, make_order, token_from

SHIRT_AND_TOTE = [
    {"sku": "SHIRT-M", "name": "Linen shirt", "category": "tops", "quantity": 1,
     "unit_price_cents": 6400},
    {"sku": "TOTE", "name": "Canvas tote", "category": "bags", "quantity": 1,
     "unit_price_cents": 8900},
    {"sku": "BOOT-42", "name": "Chelsea boots", "category": "shoes", "quantity": 1,
     "unit_price_cents": 16500},
]  # fmt: skip


@pytest.fixture
def shop(make_app):
    """The shipped help center and policy, and an order of a shirt, a tote and boots."""
    app = make_app(CONTENT_DIR=str(ROOT / "content"))
    shirt, tote, boots = line_ids(app, make_order(app, lines=SHIRT_AND_TOTE))
    return app, shirt, tote, boots


def start(app, reasons: dict[int, str]) -> tuple:
    """A customer who chose one of each item ({order line id: reason}): (client, response)."""
    client = app.test_client()
    look_up(client)
    fields = {}
    for line_id, reason in reasons.items():
        fields[f"qty-{line_id}"] = "1"
        fields[f"reason-{line_id}"] = reason
    return client, choose(client, **fields)


def solved(client, page: str, line_id: int, article: str, **options):
    """ "This solved it" for one item and article, from the before-you-send page."""
    data = {"csrf_token": token_from(page), "line": str(line_id), "article": article}
    return client.post("/returns/before-you-send", data={**data, "outcome": "solved"}, **options)


def offered(page: str) -> list[str]:
    return [part.split('"')[0] for part in page.split('name="article" type="hidden" value="')[1:]]


def test_solving_one_items_problem_keeps_only_that_item_out_of_the_return(shop):
    app, shirt, tote, _ = shop
    client, chosen = start(app, {shirt: "too_small", tote: "damaged"})
    assert chosen.headers["Location"] == "/returns/photos"  # of the damaged tote, if any
    photos = client.get("/returns/photos").get_data(as_text=True)
    skipped = client.post("/returns/photos", data={"csrf_token": token_from(photos)})
    assert skipped.headers["Location"] == "/returns/before-you-send"
    page = client.get("/returns/before-you-send").get_data(as_text=True)
    assert "Linen shirt" in page and "Canvas tote" not in page  # damage: nothing to keep
    assert offered(page) == ["sizing-care/clothing-size-guide"]

    answer = solved(client, page, shirt, "sizing-care/clothing-size-guide", follow_redirects=True)
    review = answer.get_data(as_text=True)
    assert answer.request.path == "/returns/review"
    assert "Linen shirt is no longer part of your return." in review
    assert "Canvas tote" in review and "Linen shirt</td>" not in review
    made, _ = confirm(client)
    assert made.status_code == 303
    with app.app_context():
        [ret] = db.session.execute(select(ReturnRequest)).scalars().all()
        assert [(line.order_line.name, line.reason_code) for line in ret.lines] == [
            ("Canvas tote", "damaged")
        ]
        rows = db.session.execute(select(Deflection)).scalars().all()
        assert [(d.sku, d.reason_code, d.outcome) for d in rows] == [
            ("SHIRT-M", "too_small", "solved")
        ]


def test_solving_the_only_item_ends_with_nothing_returned(shop):
    app, shirt, _, _ = shop
    client, _ = start(app, {shirt: "too_large"})
    page = client.get("/returns/before-you-send").get_data(as_text=True)
    done = solved(client, page, shirt, "sizing-care/clothing-size-guide")
    assert "Nothing has been returned" in done.get_data(as_text=True)
    assert client.get("/returns/review").headers["Location"] == "/returns/start"


def test_a_solved_claim_for_an_article_not_offered_for_that_item_changes_nothing(shop):
    app, shirt, tote, boots = shop
    client, _ = start(app, {shirt: "too_small", boots: "too_small"})
    page = client.get("/returns/before-you-send").get_data(as_text=True)
    assert offered(page) == ["sizing-care/clothing-size-guide", "sizing-care/shoe-size-guide"]
    forged = solved(client, page, shirt, "sizing-care/shoe-size-guide")
    assert forged.headers["Location"] == "/returns/review"  # counted as "continue"
    review = client.get("/returns/review").get_data(as_text=True)
    assert "Linen shirt" in review and "Chelsea boots" in review


def test_articles_follow_the_product_category(shop):
    app, shirt, tote, boots = shop
    client, chosen = start(app, {boots: "too_small"})
    page = client.get("/returns/before-you-send").get_data(as_text=True)
    assert offered(page) == ["sizing-care/shoe-size-guide"]
    _, tote_only = start(app, {tote: "too_small"})
    assert tote_only.headers["Location"] == "/returns/review"  # no size guide for a bag


def test_review_names_the_item_that_brings_the_fee(shop):
    app, shirt, _, _ = shop
    client, _ = start(app, {shirt: "changed_mind"})
    review = client.get("/returns/review").get_data(as_text=True)
    assert "Return shipping is taken from your refund for Linen shirt (changed my mind)." in review
    assert "−$5.95" in review and "$58.05" in review


def test_a_damaged_item_in_the_parcel_makes_return_shipping_free(shop):
    app, shirt, tote, _ = shop
    client, _ = start(app, {shirt: "changed_mind", tote: "damaged"})
    review = client.get("/returns/review").get_data(as_text=True)
    assert "Return shipping is free: your parcel holds Canvas tote (arrived damaged)" in review
    assert "$5.95" not in review and "$153.00" in review
    confirm(client)
    with app.app_context():
        ret = db.session.execute(select(ReturnRequest)).scalar_one()
        assert (ret.fees_cents, ret.estimate_cents) == (0, 15300)
