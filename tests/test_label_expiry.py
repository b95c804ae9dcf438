"""`flask returns expire`: a label unused for the policy's label_valid_days expires; its items,
and an exchange's replacement, are free again and the customer is told."""

import html
from datetime import timedelta

from sqlalchemy import select

from app.extensions import db
from app.models import OutboxMessage, ReturnEvent, ReturnRequest
from app.models.types import utcnow
from tests.returns_helpers import choose, confirm, line_ids, look_up, make_order
from tests.test_exchanges import SHIRT, add_variants, stock


def start(app, number: str, exchange: str = "") -> str:
    """A return of one shirt from a new order, its label issued; its RMA number."""
    shirt = line_ids(app, make_order(app, number=number, lines=SHIRT))[0]
    client = app.test_client()
    look_up(client, number)
    fields = {f"qty-{shirt}": "1", f"reason-{shirt}": "too_small"}
    if exchange:
        fields[f"exchange-{shirt}"] = exchange
    assert choose(client, **fields).status_code == 303
    confirm(client)
    with app.app_context():
        return db.session.execute(
            select(ReturnRequest.rma_number).join(ReturnRequest.order).filter_by(number=number)
        ).scalar_one()


def issued_days_ago(app, rma: str, days: int, status: str | None = None) -> None:
    with app.app_context():
        ret = db.session.execute(select(ReturnRequest).filter_by(rma_number=rma)).scalar_one()
        for event in ret.events:
            event.at = utcnow() - timedelta(days=days)
        if status:
            ret.status = status
            ret.events.append(ReturnEvent(status=status, actor="carrier", at=utcnow()))
        db.session.commit()


def statuses(app) -> dict[str, str]:
    with app.app_context():
        rows = db.session.execute(select(ReturnRequest.rma_number, ReturnRequest.status))
        return dict(rows.all())


def test_labels_unused_for_30_days_expire_and_release_what_they_held(app):
    add_variants(app)
    old = start(app, "JP-1", exchange="SHIRT-L")
    recent = start(app, "JP-2")
    sent = start(app, "JP-3")
    issued_days_ago(app, old, 31)
    issued_days_ago(app, recent, 5)
    issued_days_ago(app, sent, 40, status="in_transit")  # scanned: the label was used
    assert stock(app, "SHIRT-L") == 0

    result = app.test_cli_runner().invoke(args=["returns", "expire"])
    assert result.exit_code == 0, result.output
    assert f"Expired 1 return(s): {old}" in result.output
    assert statuses(app) == {old: "expired", recent: "label_issued", sent: "in_transit"}
    assert stock(app, "SHIRT-L") == 1
    with app.app_context():
        told = db.session.execute(
            select(OutboxMessage).filter_by(subject=f"Your return {old}: the label has expired")
        ).scalar_one()
        assert "The replacement we set aside for you has gone back on sale." in told.body
    # The shirt can be returned again.
    client = app.test_client()
    look_up(client, "JP-1")
    assert "already returned" not in client.get("/returns/start").text

    again = app.test_cli_runner().invoke(args=["returns", "expire"])
    assert "Expired 0 return(s)." in again.output


def test_no_expiry_when_the_policy_says_0(make_app, content_dir):
    policy = content_dir / "returns-policy.yml"
    text = policy.read_text(encoding="utf-8")
    policy.write_text(text.replace("label_valid_days: 30", "label_valid_days: 0"))
    app = make_app()
    rma = start(app, "JP-1")
    issued_days_ago(app, rma, 400)
    result = app.test_cli_runner().invoke(args=["returns", "expire"])
    assert "Expired 0 return(s)." in result.output
    assert statuses(app) == {rma: "label_issued"}


def test_a_one_day_label_expires_in_the_singular_in_each_language(make_app, content_dir):
    from app.returns.workflow import status_token

    policy = content_dir / "returns-policy.yml"
    text = policy.read_text(encoding="utf-8")
    policy.write_text(text.replace("label_valid_days: 30", "label_valid_days: 1"))
    app = make_app()
    rma = start(app, "JP-1")
    issued_days_ago(app, rma, 2)
    assert "Expired 1 return(s)" in app.test_cli_runner().invoke(args=["returns", "expire"]).output
    with app.app_context():
        ret = db.session.execute(select(ReturnRequest).filter_by(rma_number=rma)).scalar_one()
        assert ret.events[-1].note == "The label wasn't used within 1 day, so it has expired."
        token = status_token(ret)
    client = app.test_client()
    pages = {
        prefix: html.unescape(client.get(f"{prefix}/returns/{token}").text)
        for prefix in ("", "/de", "/fr")
    }
    assert "The label wasn't used within 1 day, so it has expired." in pages[""]
    assert "Das Etikett wurde nicht innerhalb von 1 Tag verwendet" in pages["/de"]
    assert "L’étiquette n’a pas été utilisée dans le délai de 1 jour\u00a0:" in pages["/fr"]
