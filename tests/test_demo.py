"""`flask demo seed`: demo orders for every case, once."""

from sqlalchemy import select

from app.extensions import db
from app.models import Order, ReturnRequest


def test_seed_creates_every_case_once_and_lists_them(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo", "seed"])
    assert first.exit_code == 0, first.output
    assert (
        "JP-10481  maya.chen@example.com  (postal code 97214): within the return window"
        in first.output
    )
    with app.app_context():
        orders = {o.number: o for o in db.session.execute(select(Order)).scalars()}
        [ret] = db.session.execute(select(ReturnRequest)).scalars().all()
        assert len(orders) == 6
        assert orders["JP-10485"].delivered_at is None
        assert any(line.final_sale for line in orders["JP-10483"].lines)
        assert ret.order.number == "JP-10484" and ret.status == "label_issued"

    again = runner.invoke(args=["demo", "seed"])
    assert "no demo data added" in again.output and "JP-10486" in again.output
    with app.app_context():
        assert len(db.session.execute(select(Order)).scalars().all()) == 6


def test_demo_orders_can_be_looked_up(app, client):
    app.test_cli_runner().invoke(args=["demo", "seed"])
    from tests.returns_helpers import look_up

    assert look_up(client, "JP-10481", "maya.chen@example.com").status_code == 303
