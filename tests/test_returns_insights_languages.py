"""The returns report per language: an article shown before a return keeps its page's
language, and the editors' returns page filters returns, sales and articles shown by the
language chosen, checking which reasons an article covers in that language's help center."""

import html
import re

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Deflection, ReturnRequest
from tests.conftest import write_content
from tests.insights_helpers import write_policy
from tests.returns_helpers import choose, confirm, line_ids, look_up, make_order, token_from
from tests.staff_helpers import signed_in
from tests.test_insights_pages import rows_of, text_of
from tests.test_translations import GERMAN, GERMAN_CATEGORIES

TEES = [
    {"sku": "TEE-M", "name": "Linen tee", "category": "tops", "quantity": 2,
     "unit_price_cents": 3900},
    {"sku": "MUG", "name": "Stoneware mug", "category": "home", "quantity": 1,
     "unit_price_cents": 1800},
]  # fmt: skip
# Written in German alone: German readers have an article on items not as described.
GERMAN_ONLY = {
    "returns/nicht-wie-beschrieben.md": """\
        ---
        title: Der Artikel sieht anders aus als auf dem Foto
        summary: Farben, Maße und Material im Vergleich.
        type: faq
        updated: 2026-11-20
        ---
        Bildschirme zeigen Farben unterschiedlich an.
        """,
}


@pytest.fixture
def shop(make_app, content_dir):
    """A help center with German translations, a policy whose "too small" points at the
    delivery options and whose "not as described" at a German-only article; a German
    customer kept a return of a tee going after reading the German article on a German page,
    an English one kept theirs after reading the English one on an English page."""
    write_content(content_dir / "de", {**GERMAN, **GERMAN_ONLY}, GERMAN_CATEGORIES)
    write_policy(content_dir, {"not_as_described": "[returns/nicht-wie-beschrieben]"})
    app = make_app()
    german = line_ids(app, make_order(app, "JP-30001", lines=TEES, language="de"))[0]
    english = line_ids(app, make_order(app, "JP-30002", lines=TEES[:1]))[0]
    for prefix, line, outcome in (("/de", german, "continued"), ("", english, "solved")):
        client = app.test_client()
        look_up(client, number="JP-30001" if prefix else "JP-30002", prefix=prefix)
        chosen = choose(client, prefix, **{f"qty-{line}": "1", f"reason-{line}": "too_small"})
        assert chosen.headers["Location"] == f"{prefix}/returns/before-you-send"
        page = client.get(f"{prefix}/returns/before-you-send").text
        answer = {"csrf_token": token_from(page), "outcome": outcome}
        if outcome == "solved":
            answer |= {"line": str(line), "article": "shipping/delivery-options"}
        client.post(f"{prefix}/returns/before-you-send", data=answer)
        if outcome == "continued":
            assert confirm(client, prefix)[0].status_code == 303
    return app


def test_an_article_shown_before_a_return_keeps_its_pages_language(shop):
    with shop.app_context():
        shown = db.session.execute(
            select(Deflection.sku, Deflection.outcome, Deflection.language).order_by(Deflection.id)
        ).all()
        returns = db.session.execute(select(ReturnRequest.language)).scalars().all()
    assert shown == [("TEE-M", "continued", "de"), ("TEE-M", "solved", "en")]
    assert returns == ["de"]


def _row(page: str, heading: str) -> list[str]:
    """The cells of the table row headed `heading`, as text."""
    row = re.search(rf'<th scope="row">{heading}(.*?)</tr>', page, re.S).group(1)
    return [
        re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row)
    ]


def test_the_returns_page_filters_by_the_language_chosen(shop):
    editor = signed_in(shop, "editor")
    german = html.unescape(text_of(editor.get("/staff/insights/returns?lang=de")))
    assert '<option value="de" selected>Deutsch</option>' in german
    assert "not split by language" not in german
    # Reason, items, exchanged, covered by, shown, solved it.
    assert _row(german, "Too small") == ["1", "", "Lieferoptionen", "1", "0 (0%)"]
    assert _row(german, "Not as described") == [
        "0", "", "Der Artikel sieht anders aus als auf dem Foto", "0", "0",
    ]  # fmt: skip
    # Category, items, exchanged, the policy's reasons (too small), sold, return rate.
    assert _row(german, "tops") == ["1", "", "1", "2", "50% (1)"]
    nav = re.search(r'<nav class="insights-nav".*?</nav>', german, re.S).group(0)
    assert nav.count("lang=de") == 4  # the other reports keep the language

    english = html.unescape(text_of(editor.get("/staff/insights/returns?lang=en")))
    assert _row(english, "Too small") == ["0", "", "Delivery options", "1", "1 (100%)"]
    assert "no article (add one to the reason" in _row(english, "Not as described")[2]
    # The English customer kept their tees (no reason column: no English returns).
    assert _row(english, "tops") == ["0", "", "2", "0% (0)"]

    every = html.unescape(text_of(editor.get("/staff/insights/returns")))
    assert "every language" in every
    assert _row(every, "Too small") == ["1", "", "Delivery options", "2", "1 (50%)"]
    assert _row(every, "tops") == ["1", "", "1", "4", "25% (1)"]


def test_an_order_without_a_language_sells_in_the_language_it_was_returned_in(shop):
    # The shop gave no language; the customer starts the return on German pages.
    line = line_ids(shop, make_order(shop, "JP-30003", lines=TEES[1:]))[0]
    client = shop.test_client()
    look_up(client, number="JP-30003", prefix="/de")
    choose(client, "/de", **{f"qty-{line}": "1", f"reason-{line}": "not_as_described"})
    assert confirm(client, "/de")[0].status_code == 303
    editor = signed_in(shop, "editor")
    german = html.unescape(text_of(editor.get("/staff/insights/returns?lang=de")))
    # Category, items, exchanged, the policy's reasons (too small, not as described), sold
    # (this mug and the one the German order kept), return rate.
    assert _row(german, "home") == ["1", "", "", "1", "2", "50% (1)"]
    english = html.unescape(text_of(editor.get("/staff/insights/returns?lang=en")))
    assert "home" not in english  # neither the mug sold nor the one returned


def test_the_returns_csv_follows_the_language(shop):
    editor = signed_in(shop, "editor")
    response = editor.get("/staff/insights/returns?lang=de&format=csv&table=deflections")
    assert re.fullmatch(
        r'attachment; filename="deflections-de-[\d-]+-to-[\d-]+\.csv"',
        response.headers["Content-Disposition"],
    )
    assert rows_of(response)[1:] == [
        ["Too small", "shipping/delivery-options", "1", "0", "1", "0.0"]
    ]
    coverage = rows_of(editor.get("/staff/insights/returns?lang=en&format=csv&table=coverage"))
    too_small = next(row for row in coverage if row[0] == "Too small")
    assert too_small[1:] == ["0", "0", "no", "yes", "shipping/delivery-options", "1", "1"]
