"""The gap queue's return reasons per language: a language's returns (the order's language,
else the page's) are checked against its readers' help center. A reason no article covers
is that language's gap; one only an untranslated English article covers asks for the
translation; editors decide, and see the outcome, of each language's gap apart."""

import html
import re
import shutil
from datetime import date

import pytest
from sqlalchemy import select

from app.analytics.searches import record_search
from app.extensions import db
from app.models import ContentGap, Order
from app.returns.service import Draft, DraftLine, create_return, record_deflection
from app.services import services
from tests.conftest import ROOT, write_content
from tests.insights_helpers import write_policy
from tests.returns_helpers import make_order
from tests.staff_helpers import sign_in, signed_in
from tests.test_insights_languages import GERMAN_SEND
from tests.test_insights_pages import rows_of, text_of
from tests.test_translations import GERMAN, GERMAN_CATEGORIES

SEND = "returns/send-it-back"  # the article offered when not as described: English only
LINES = [
    {"sku": "TEE-M", "name": "Linen tee", "category": "tops", "quantity": 3,
     "unit_price_cents": 3900},
    {"sku": "MUG", "name": "Stoneware mug", "category": "home", "quantity": 3,
     "unit_price_cents": 1800},
    {"sku": "SHOE-40", "name": "Canvas shoe", "category": "shoes", "quantity": 3,
     "unit_price_cents": 6900},
]  # fmt: skip
# Each order's items returned, with their reasons: too small is covered in German (the
# delivery options are translated), not as described only by an English article, wrong
# item by none.
RETURNED = {
    "JP-40001": ("de", ["not_as_described", "wrong_item", "too_small"]),
    "JP-40002": (None, ["not_as_described", "wrong_item", "too_small"]),
}


def return_items(app, number: str, language: str | None, reasons: list[str]) -> None:
    """An order whose three items of each line are all returned, each line for a reason."""
    order_id = make_order(app, number, lines=LINES, language=language)
    with app.app_context():
        order = db.session.get(Order, order_id)
        chosen = [DraftLine(line.id, 3, r) for line, r in zip(order.lines, reasons, strict=True)]
        draft = Draft(order.id, chosen, "refund", "label")
        policy, carrier = services(app).returns_policy, services(app).carrier
        create_return(policy, draft, carrier, date.today())


@pytest.fixture
def returns_app(make_app, content_dir):
    write_content(content_dir / "de", GERMAN, GERMAN_CATEGORIES)
    write_policy(content_dir, {"not_as_described": f"[{SEND}]"})
    app = make_app()
    for number, (language, reasons) in RETURNED.items():
        return_items(app, number, language, reasons)
    return app


def gap_rows(client, query: str = "") -> list[tuple[str, str, str, str]]:
    """The queue as its CSV lists it: kind, title, language, why (for the last 30 days)."""
    rows = rows_of(client.get(f"/staff/insights?format=csv&table=gaps{query}"))
    header = rows[0]
    at = [header.index(name) for name in ("kind", "title", "language", "why")]
    return [tuple(row[i] for i in at) for row in rows[1:]]  # type: ignore[misc]


def editor_of(app):
    """A client of another app on the same database, signed in as its editor."""
    client = app.test_client()
    assert sign_in(client, "editor@example.com").status_code == 303
    return client


def token(page: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)


def decide(client, kind: str, language: str, key: str, status: str) -> None:
    page = text_of(client.get(f"/staff/insights?lang={language}"))
    data = {"csrf_token": token(page), "kind": kind, "language": language, "key": key}
    saved = client.post(
        f"/staff/insights/gaps?lang={language}", data={**data, "status": status, "note": ""}
    )
    assert saved.status_code == 303


def test_each_languages_returns_are_checked_against_its_own_help_center(returns_app):
    editor = signed_in(returns_app, "editor")
    assert gap_rows(editor, "&lang=de") == [  # the same score: by kind
        (
            "Return reason without an article",
            "Wrong item sent",
            "de",
            "3 items returned; no help article covers this reason; last seen today",
        ),
        (
            "Translate this",
            "Translate this: Send an item back step by step into Deutsch",
            "de",
            "3 items returned by customers written to in Deutsch for “Not as described”, which it "
            "covers; nothing in Deutsch covers it: they read it in English; last seen today",
        ),
    ]
    # English customers' items not as described have their article: only the wrong item is a gap,
    # counting English customers' items alone.
    assert gap_rows(editor, "&lang=en") == [
        (
            "Return reason without an article",
            "Wrong item sent",
            "en",
            "3 items returned; no help article covers this reason; last seen today",
        )
    ]
    assert gap_rows(editor, "&lang=fr") == []
    every = gap_rows(editor)
    assert sorted((kind, language) for kind, _, language, _ in every) == [
        ("Return reason without an article", "de"),
        ("Return reason without an article", "en"),
        ("Translate this", "de"),
    ]

    page = html.unescape(text_of(editor.get("/staff/insights?lang=de")))
    assert "Score 15.0 = 5 × 3 items (volume) × 1.00 (how bad) × 1.00" in page
    assert (
        "The articles shown to Deutsch customers returning items for “Not as described” are in "
        f"English only. Once <code>content/de/{SEND}.md</code> is published, this gap closes."
    ) in page
    assert re.search(r'href="/staff/insights/returns\?[^"]*lang=de">returns in Deutsch<', page)
    every_page = html.unescape(text_of(editor.get("/staff/insights")))
    for language in ("de", "en"):  # each gap's evidence: its language's returns
        link = rf'href="/staff/insights/returns\?[^"]*lang={language}#reason-wrong_item"'
        assert re.search(link, every_page)


def test_a_language_s_return_reason_gap_is_decided_and_judged_apart(returns_app, make_app):
    editor = signed_in(returns_app, "editor")
    decide(editor, "return_reason", "de", "wrong_item", "done")
    decide(editor, "return_reason", "en", "wrong_item", "done")
    with returns_app.app_context():
        rows = db.session.execute(
            select(
                ContentGap.kind, ContentGap.language, ContentGap.key, ContentGap.baseline
            ).order_by(ContentGap.language)
        ).all()
    baseline = {"shown": 0, "solved": 0, "covered": False}
    assert rows == [
        ("return_reason", "de", "wrong_item", baseline),
        ("return_reason", "en", "wrong_item", baseline),
    ]
    done = html.unescape(text_of(editor.get("/staff/insights?lang=de&status=done")))
    assert "Not closed yet:</strong> No help article covers it yet" in done

    # The English article on sending things back now covers wrong items too: German
    # customers read it in English, so it asks for its German translation for both reasons.
    write_policy(
        services(returns_app).content_dir,
        {"not_as_described": f"[{SEND}]", "wrong_item": f"[{SEND}]"},
    )
    published = make_app()
    editor = editor_of(published)
    [translate] = gap_rows(editor, "&lang=de")
    assert translate[1] == "Translate this: Send an item back step by step into Deutsch"
    assert translate[3].startswith(
        "6 items returned by customers written to in Deutsch for “Not as described”, "
        "“Wrong item sent”, which it covers;"
    )
    with published.app_context():
        orders = {o.number: o for o in db.session.execute(select(Order)).scalars()}
        wrong = [DraftLine(orders["JP-40001"].lines[1].id, 1, "wrong_item")]
        record_deflection(orders["JP-40001"], wrong, SEND, "solved", "de")
        wrong = [DraftLine(orders["JP-40002"].lines[1].id, 1, "wrong_item")]
        record_deflection(orders["JP-40002"], wrong, SEND, "continued", "en")
    german = gap_rows(editor, "&lang=de&status=done")
    english = gap_rows(editor, "&lang=en&status=done")
    assert [(kind, language) for kind, _, language, _ in german + english] == [
        ("Return reason without an article", "de"),
        ("Return reason without an article", "en"),
    ]
    csv = rows_of(editor.get("/staff/insights?format=csv&table=gaps&status=done&lang=de"))
    assert csv[1][12].startswith("1 of 1 customers shown an article since")
    csv = rows_of(editor.get("/staff/insights?format=csv&table=gaps&status=done&lang=en"))
    assert csv[1][12].startswith("0 of 1 customers shown an article since")

    # Translated: German customers have their own article, so nothing is left to do in German
    # (an undecided "translate this" gap leaves the queue, as for searches).
    write_content(services(published).content_dir / "de", {f"{SEND}.md": GERMAN_SEND},
                  GERMAN_CATEGORIES)  # fmt: skip
    translated = editor_of(make_app())
    assert gap_rows(translated, "&lang=de") == []
    assert [row[:3] for row in gap_rows(translated, "&lang=de&status=done")] == [
        ("Return reason without an article", "Wrong item sent", "de"),
    ]


def test_searches_and_returns_that_need_one_translation_make_one_gap(returns_app):
    with returns_app.app_context():
        record_search("Paket falsch", 1, "page", "d1", language="de", found_in="en",
                      found=[SEND])  # fmt: skip
    editor = signed_in(returns_app, "editor")
    [translate] = [row for row in gap_rows(editor, "&lang=de") if row[0] == "Translate this"]
    assert translate[3].startswith(
        "1 search on Deutsch pages answered by it; 3 items returned by customers written to in "
        "Deutsch for “Not as described”, which it covers; nothing in Deutsch answered them:"
    )
    page = html.unescape(text_of(editor.get("/staff/insights?lang=de")))
    assert "Score 15.5 = (0.5 × 1 search + 5 × 3 items) (volume) × 1.00 (how bad)" in page
    assert "Searched on Deutsch pages as: “paket falsch”. The articles shown to" in page


def test_returned_items_ask_for_the_article_their_category_was_offered(make_app, tmp_path):
    """The shipped policy offers the shoe size guide for shoes too small and the clothing
    size guide for other clothes, and no article for damage (the shop wants to see it)."""
    content = tmp_path / "shipped-content"
    shutil.copytree(ROOT / "content", content)
    for untranslated in (
        "sizing-care/clothing-size-guide.md",
        "sizing-care/shoe-size-guide.md",
        "returns-refunds/damaged-or-defective-item.md",
    ):
        (content / "fr" / untranslated).unlink()
    app = make_app(CONTENT_DIR=str(content))
    return_items(app, "JP-40003", "fr", ["too_small", "damaged", "too_small"])
    editor = signed_in(app, "editor")
    assert sorted((title, why.split(";")[0]) for _, title, _, why in gap_rows(editor)) == [
        (
            "Translate this: Clothing size guide into Français",
            "3 items returned by customers written to in Français for “Too small”, which it covers",
        ),
        (
            "Translate this: Shoe size guide into Français",
            "3 items returned by customers written to in Français for “Too small”, which it covers",
        ),
    ]
    # The shoe size guide in French: shoes are covered, the tees still ask for theirs.
    shutil.copy(
        ROOT / "content" / "fr" / "sizing-care" / "shoe-size-guide.md",
        content / "fr" / "sizing-care" / "shoe-size-guide.md",
    )
    translated = editor_of(make_app(CONTENT_DIR=str(content)))
    assert [title for _, title, _, _ in gap_rows(translated)] == [
        "Translate this: Clothing size guide into Français"
    ]
