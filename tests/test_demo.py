"""`flask demo seed`: demo orders for every case, once."""

from datetime import date, timedelta

from sqlalchemy import func, select

from app.extensions import db
from app.models import (
    ArticleViewDaily,
    Deflection,
    Order,
    OutboxMessage,
    ReturnRequest,
    SearchEvent,
    Variant,
    Vote,
)
from app.returns.workflow import status_token
from app.services import Services


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
        ret, _, exchange = db.session.execute(
            select(ReturnRequest).order_by(ReturnRequest.id)
        ).scalars()
        assert len(orders) == 9
        assert orders["JP-10489"].language == "de"
        assert orders["JP-10485"].delivered_at is None
        assert any(line.final_sale for line in orders["JP-10483"].lines)
        assert ret.order.number == "JP-10484" and ret.status == "label_issued"
        # An exchange at the warehouse, its replacement set aside and waiting to be sent.
        assert (exchange.order.number, exchange.status) == ("JP-10488", "inspected")
        assert exchange.replacement_status == "reserved"
        assert exchange.lines[0].exchange_name == "Canvas sneakers, EU 41"
        stock = dict(db.session.execute(select(Variant.sku, Variant.stock)).all())
        assert (stock["SNEAK-41"], stock["SHIRT-LIN-L"], stock["SHIRT-LIN-XL"]) == (2, 1, 0)

    again = runner.invoke(args=["demo", "seed"])
    assert "no demo data added" in again.output and "JP-10486" in again.output
    with app.app_context():
        assert len(db.session.execute(select(Order)).scalars().all()) == 9
        assert len(db.session.execute(select(Variant)).scalars().all()) == 15


def test_seed_says_so_when_the_policy_cannot_be_loaded(app, monkeypatch):
    """The demo returns need the return policy: without it nothing is added, and the command
    says what to run (it was a traceback after the first orders)."""
    monkeypatch.setattr(Services, "returns_policy", property(lambda self: None))
    result = app.test_cli_runner().invoke(args=["demo", "seed"])
    assert result.exit_code == 1
    assert "return policy can't be loaded: `flask content check` says why" in result.output
    with app.app_context():
        assert db.session.execute(select(Order)).scalars().all() == []


def test_demo_orders_can_be_looked_up(app, client):
    app.test_cli_runner().invoke(args=["demo", "seed"])
    from tests.returns_helpers import look_up

    assert look_up(client, "JP-10481", "maya.chen@example.com").status_code == 303


def test_the_demo_has_a_return_refunded_for_one_item_and_not_the_other(app, client):
    """The status page, the refund email and the staff's record agree to the cent: the
    shirt accepted and refunded less return shipping, the tote not accepted, with the
    reason the customer reads and without staff's own note."""
    assert app.test_cli_runner().invoke(args=["demo", "seed"]).exit_code == 0
    with app.app_context():
        ret = db.session.execute(
            select(ReturnRequest).join(Order).where(Order.number == "JP-10487")
        ).scalar_one()
        [refund] = ret.refunds
        emails = db.session.execute(
            select(OutboxMessage).where(OutboxMessage.return_id == ret.id)
        ).scalars()
        bodies = {message.subject: message.body for message in emails}
        token = status_token(ret)
    assert (ret.status, refund.status, refund.amount_cents) == ("refunded", "succeeded", 5805)
    refunded = next(body for subject, body in bodies.items() if "refund" in subject.lower())
    assert "$58.05" in refunded and "Waxed canvas tote" in refunded
    assert "Grease" not in refunded

    page = client.get(f"/returns/{token}").get_data(as_text=True)
    assert "$58.05" in page and "$153.00" not in page
    assert "The tote shows wear and a stain from use" in page
    assert "Grease stain" not in page


def test_the_demo_gives_editors_four_weeks_of_activity_to_read(make_app):
    from tests.conftest import ROOT
    from tests.staff_helpers import signed_in

    app = make_app(CONTENT_DIR=str(ROOT / "content"))
    seeded = app.test_cli_runner().invoke(args=["demo", "seed"])
    assert "Editors' insights: 700 demo searches" in seeded.output
    editor = signed_in(app, "editor")
    since = f"start={date.today() - timedelta(days=28)}"
    searches = editor.get(f"/staff/insights/searches?{since}").get_data(as_text=True)
    assert "track my order" in searches and "student discount" in searches
    gaps = editor.get(f"/staff/insights?{since}").get_data(as_text=True)
    assert "klarna" in gaps  # searched, nothing found: a gap to fill
    assert "student discount" in gaps  # found something, but nobody opens it
    assert "International orders, duties, and customs" in gaps  # "No" votes
    again = app.test_cli_runner().invoke(args=["demo", "seed"])
    assert "Editors' insights" not in again.output  # once, on an empty database


def test_the_demo_has_german_and_french_customers_activity_too(make_app):
    """Some searches on German and French pages (found as their readers search: in their own
    articles, in English where those have nothing), votes, views and articles shown before a
    return, so the insights' language filter has something to show for each."""
    from tests.conftest import ROOT
    from tests.staff_helpers import signed_in
    from tests.test_insights_pages import rows_of

    app = make_app(CONTENT_DIR=str(ROOT / "content"))
    assert app.test_cli_runner().invoke(args=["demo", "seed"]).exit_code == 0
    with app.app_context():
        searches = dict(
            db.session.execute(
                select(SearchEvent.language, func.count()).group_by(SearchEvent.language)
            ).all()
        )
        answered_in = set(
            db.session.execute(
                select(SearchEvent.language, SearchEvent.answered_in).where(
                    SearchEvent.answered_in.is_not(None)
                )
            ).all()
        )
        votes = set(db.session.execute(select(Vote.language)).scalars())
        views = set(db.session.execute(select(ArticleViewDaily.language)).scalars())
        shown = set(
            db.session.execute(
                select(Deflection.language, Order.number).join(
                    Order, Deflection.order_id == Order.id
                )
            ).all()
        )
    assert searches == {"en": 560, "de": 84, "fr": 56}
    # French readers lack a few translations: English articles answered some of their searches.
    assert answered_in == {("fr", "en")}
    assert votes == views == {"en", "de", "fr"}
    assert ("de", "JP-10489") in shown  # the German customer was shown German articles

    editor = signed_in(app, "editor")
    since = f"start={date.today() - timedelta(days=28)}"

    def table(page: str, name: str, lang: str) -> list[list[str]]:
        url = f"/staff/insights{page}?{since}&lang={lang}&format=csv&table={name}"
        return rows_of(editor.get(url))[1:]

    german = {row[0] for row in table("/searches", "top_queries", "de")}
    assert {"sendung verfolgen", "rücksendung", "größentabelle"} <= german
    assert "track my order" not in german
    gaps = {(row[1], row[3]) for row in table("", "gaps", "de")}
    assert ("Search finds nothing", "studentenrabatt") in gaps
    french = table("", "gaps", "fr")
    assert ("Search finds nothing", "parrainage") in {(row[1], row[3]) for row in french}
    # Website not loading or checkout stuck has no French translation.
    assert "Translate this: Website not loading or checkout stuck into Français" in {
        row[3] for row in french
    }
    for lang in ("de", "fr"):
        articles = table("/articles", "articles", lang)
        assert sum(int(row[2]) for row in articles) > 0  # views on its pages
        assert sum(int(row[3]) for row in articles) > 0  # votes on its pages
        assert table("/returns", "deflections", lang)  # articles shown before a return
