"""Known analytics data for the insights tests: one week (1-7 November 2026) of searches,
clicks, article views, votes, orders, returns and deflections, recorded through the same
services the site uses."""

import shutil
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from app.analytics.dates import DateRange
from app.analytics.searches import record_click, record_search
from app.extensions import db
from app.models import ArticleViewDaily, Deflection, Order, OrderLine, Variant, Vote
from app.models.analytics import SearchDaily, SearchDayTotal
from app.returns.service import Draft, DraftLine, create_return, record_deflection
from app.services import services

ROOT = Path(__file__).resolve().parent.parent
WEEK = DateRange(date(2026, 11, 1), date(2026, 11, 7))


def at(day: int, hour: int = 12, minute: int = 0, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


# text, results, when, visitor, (clicked article, position) or None
SEARCHES = [
    ("Refund status?", 3, at(1, 9), "v1", ("returns/send-it-back", 1)),
    ("refund  STATUS", 3, at(2, 9), "v2", ("returns/send-it-back", 2)),
    ("refund status", 3, at(2, 10), "v3", None),
    ("refund status", 3, at(3, 9), "v4", None),
    ("velvet poncho", 0, at(2, 11), "v5", None),
    ("Velvet Poncho!", 0, at(5, 11), "v6", None),
    ("my email is ana@example.com", 0, at(4, 8), "v7", None),
    ("velvet poncho", 0, at(31, 12, month=10), "v8", None),  # the day before the week
    *(
        (
            "track parcel",
            2,
            at(6, hour),
            f"t{hour}",
            ("shipping/track-a-parcel", 1) if not hour else None,
        )
        for hour in range(12)
    ),
]

# Searches in visits (visitor, [(query, results, minutes after the first)]), and the synonym
# suggestions they teach, in the order they are first made.
SYNONYM_VISITS = [
    ("s1", [("refnd stauts", 0, 0), ("Refund status", 3, 5)]),
    ("s2", [("Refnd stauts?", 0, 0), ("refund status", 4, 2)]),
    ("s3", [("velvet", 0, 0), ("refund", 3, 40)]),  # too long after: another visit
    ("s4", [("refu", 0, 0), ("refund", 3, 1)]),  # still typing
    ("s5", [("order JP-10234", 0, 0), ("order status", 2, 1)]),  # personal data
    ("s6", [("poncho", 0, 0), ("cape", 0, 1), ("coat", 5, 2)]),
    ("s7", [("coat", 5, 0), ("scarf", 0, 1), ("shawl", 2, 2)]),
    (None, [("jumper", 0, 0), ("sweater", 2, 1)]),  # no visitor id: can't tell
]
SYNONYMS_LEARNT = [
    ("refnd stauts", "refund status", 2, "open"),
    ("cape", "coat", 1, "open"),
    ("poncho", "coat", 1, "open"),
    ("scarf", "shawl", 1, "open"),
]

# article: (yes votes, [(reason, comment) for each No vote], day of the votes or None to
# spread them over the week)
COMMENTS = [
    "Prices changed",
    '=HYPERLINK("http://evil.example","x")',
    "@SUM(1+1)",
    "-2+3 is wrong",
]
VOTES = {
    "shipping/track-a-parcel": (
        60,
        [("outdated", COMMENTS[i] if i < 4 else None) for i in range(25)]
        + [("unclear", None)] * 10
        + [("missing_info", None)] * 5,
        None,
    ),
    "shipping/delivery-options": (0, [("didnt_solve", None)] * 3, 2),
    "returns/send-it-back": (9, [("unclear", "Which box?")], 3),
}

# The test content has no sizing or damage articles: the policy used with this data points
# its reasons at the test articles instead.
POLICY_ARTICLES = {
    "too_small": "[shipping/delivery-options]",
    "too_large": "[shipping/delivery-options]",
    "damaged": "[returns/send-it-back]",
    "defective": "[returns/send-it-back]",
    "not_as_described": "[]",
}


def write_policy(content_dir: Path, covered: dict[str, str] | None = None) -> None:
    """The shipped return policy with the reasons' articles replaced (and `covered` added)."""
    articles = {**POLICY_ARTICLES, **(covered or {})}
    lines, reason = [], None
    source = (ROOT / "content" / "returns-policy.yml").read_text(encoding="utf-8")
    for line in source.splitlines():
        stripped = line.strip()
        if line.startswith("  ") and not line.startswith("    ") and stripped.endswith(":"):
            reason = stripped[:-1]
            lines.append(line)
            if reason in articles and reason not in POLICY_ARTICLES:
                lines.append(f"    articles: {articles[reason]}")
            continue
        if stripped.startswith("articles:") and reason in articles:
            line = f"    articles: {articles[reason]}"
        lines.append(line)
    (content_dir / "returns-policy.yml").write_text("\n".join(lines) + "\n", encoding="utf-8")


def record_searches(app, searches=SEARCHES) -> None:
    with app.app_context():
        for text, results, when, visitor, click in searches:
            event = record_search(text, results, "page", visitor, at=when)
            if click:
                record_click(event, click[0], click[1], at=when + timedelta(minutes=1))


def search_counters() -> tuple[list[tuple], list[tuple]]:
    """The daily search counters and day totals as rows, by language (without the example
    wording, which a rebuild may pick differently); call inside an app context."""
    rows = db.session.execute(
        select(SearchDaily).order_by(
            SearchDaily.query_normalized, SearchDaily.day, SearchDaily.language
        )
    ).scalars()
    daily = [
        (
            r.language,
            r.query_normalized,
            r.day,
            r.searches,
            r.zero_results,
            r.clicked_searches,
            r.clicks,
            r.position_sum,
            r.last_seen,
            r.last_zero_at,
        )
        for r in rows
    ]
    totals = db.session.execute(
        select(SearchDayTotal).order_by(SearchDayTotal.day, SearchDayTotal.language)
    ).scalars()
    return daily, [
        (t.day, t.language, t.searches, t.zero_results, t.clicked_searches) for t in totals
    ]


def record_votes(app) -> None:
    with app.app_context():
        number = 0
        for path, (yes, no, day) in VOTES.items():
            answers = [(True, None, None)] * yes + [(False, r, c) for r, c in no]
            for i, (helpful, reason, comment) in enumerate(answers):
                when = at(day or 1 + i % 7, 12, i % 60)
                number += 1
                db.session.add(
                    Vote(
                        article_path=path,
                        visitor_id=f"voter{number}",
                        helpful=helpful,
                        reason=reason,
                        comment=comment,
                        created_at=when,
                        updated_at=when,
                    )
                )
        db.session.add_all(
            [
                ArticleViewDaily(
                    article_path="shipping/track-a-parcel", day=date(2026, 11, 1), views=10
                ),
                ArticleViewDaily(
                    article_path="shipping/track-a-parcel", day=date(2026, 11, 7), views=5
                ),
                ArticleViewDaily(
                    article_path="shipping/track-a-parcel", day=date(2026, 10, 31), views=100
                ),
                ArticleViewDaily(
                    article_path="returns/send-it-back", day=date(2026, 11, 3), views=7
                ),
            ]
        )
        db.session.commit()


def _order(number: str, placed: datetime, lines: list[tuple]) -> Order:
    order = Order(
        number=number,
        email=f"{number.lower()}@example.com",
        customer_name="Test Customer",
        postal_code="97201",
        placed_at=placed,
        delivered_at=placed + timedelta(days=2),
        lines=[
            OrderLine(sku=sku, name=name, category=category, quantity=qty, unit_price_cents=2500)
            for sku, name, category, qty in lines
        ],
    )
    db.session.add(order)
    db.session.commit()
    return order


def _draft(order: Order, key: str, chosen: list[tuple[str, int, str, str]]) -> Draft:
    """`chosen`: (sku, quantity, reason, the sku exchanged for or "")."""
    by_sku = {line.sku: line.id for line in order.lines}
    lines = [DraftLine(by_sku[sku], qty, reason, "", swap) for sku, qty, reason, swap in chosen]
    return Draft(order.id, lines, "refund", "label", key=key)


def record_returns(app) -> None:
    """Two orders placed in the week (and one before it), three returns started in it, and
    customers shown articles before returning."""
    with app.app_context():
        policy = services(app).returns_policy
        carrier = services(app).carrier
        tee = ("TEE-M", "Linen tee", "tops")
        shoe = ("SHOE-40", "Canvas shoe", "shoes")
        mug = ("MUG", "Stoneware mug", "home")
        first = _order("JP-1", at(1, 8), [(*tee, 4), (*shoe, 2), (*mug, 1)])
        second = _order("JP-2", at(2, 8), [(*tee, 2), (*shoe, 1)])
        earlier = _order("JP-0", at(30, 8, month=10), [(*tee, 1)])  # before the week
        for size in (40, 41):  # the shoe too small is exchanged for the next size up
            db.session.add(
                Variant(sku=f"SHOE-{size}", product="SHOE", name=f"Canvas shoe, {size}",
                        option=str(size), price_cents=2500, stock=3)
            )  # fmt: skip
        returns = [
            (first, "r1", [("TEE-M", 3, "wrong_item", ""), ("SHOE-40", 1, "too_small", "SHOE-41")],
             at(5)),
            (second, "r2", [("TEE-M", 1, "wrong_item", ""), ("SHOE-40", 1, "damaged", "")], at(6)),
            (earlier, "r0", [("TEE-M", 1, "changed_mind", "")], at(31, month=10)),
        ]  # fmt: skip
        for order, key, chosen, when in returns:
            made = create_return(policy, _draft(order, key, chosen), carrier, date(2026, 11, 7))
            made.created_at = when
        too_small = _draft(first, "d1", [("SHOE-40", 1, "too_small", "")])
        record_deflection(first, too_small, "shipping/delivery-options", "continued")
        solved = _draft(second, "d2", [("SHOE-40", 1, "too_small", "")])
        record_deflection(second, solved, "shipping/delivery-options", "solved")
        for deflection in db.session.execute(db.select(Deflection)).scalars():
            deflection.created_at = at(5, 10)
        db.session.commit()


def load_week(app) -> None:
    record_searches(app)
    record_votes(app)
    record_returns(app)


def copy_synonyms(content_dir: Path) -> None:
    shutil.copy(ROOT / "content" / "synonyms.yml", content_dir / "synonyms.yml")
