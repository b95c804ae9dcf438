"""Four weeks of made-up customer activity for `make run`, so the editors' insights show what
they are for: searches (found by the real search engine, typos and dead ends included),
result clicks, helpfulness votes with reasons, article views, and articles shown before
returns. Deterministic: the same data every time."""

import random
from datetime import datetime, timedelta

from sqlalchemy import func, insert, select

from app.analytics.redact import normalise
from app.analytics.rollup import rebuild_search_daily
from app.content import Library
from app.extensions import db
from app.models.analytics import ArticleViewDaily, SearchClick, SearchEvent
from app.models.orders import Order
from app.models.returns import Deflection
from app.models.votes import Vote
from app.returns.policy import Policy
from app.search import SearchEngine, SearchUnavailable

DAYS = 28
SEED = 20261205
# What customers of a clothing shop type, and how often (relative).
QUERIES = [
    ("track my order", 30), ("where is my parcel", 18), ("refund", 22),
    ("how long does a refund take", 12), ("return label", 16), ("retrun label", 5),
    ("size guide", 14), ("shoe size", 9), ("wool jumper shrank", 6), ("pilling", 5),
    ("change my address", 8), ("cancel order", 10), ("gift card balance", 7),
    ("customs fees", 6), ("paypal", 5), ("exchnage for a smaller size", 4),
    ("damaged item", 7), ("delete my account", 3), ("newsletter", 3),
    ("student discount", 5), ("klarna", 4), ("price match", 3), ("click and collect", 3),
]  # fmt: skip
# Articles customers find less helpful, with why, so the gap queue has something to show.
UNHELPFUL = {
    "orders-shipping/international-orders-and-customs": (
        "missing_info",
        "Doesn't say what customs costs for Canada.",
    ),
    "payments/charged-twice-or-pending-charge": ("unclear", None),
}


def seed_activity(
    library: Library, engine: SearchEngine, policy: Policy | None, now: datetime
) -> int:
    """Add the activity unless there are searches already; returns the searches added."""
    if db.session.scalar(select(func.count()).select_from(SearchEvent)):
        return 0
    rng = random.Random(SEED)
    start = now - timedelta(days=DAYS)
    searches = _searches(engine, rng, start)
    _votes(library, rng, start)
    _views(library, rng, start)
    order_id = db.session.scalar(select(Order.id).order_by(Order.id).limit(1))
    if policy is not None and order_id is not None:
        _deflections(library, policy, order_id, rng, start)
    db.session.commit()
    rebuild_search_daily()
    return searches


def _moment(rng: random.Random, start: datetime) -> datetime:
    return start + timedelta(seconds=rng.uniform(0, DAYS * 86_400))


def _searches(engine: SearchEngine, rng: random.Random, start: datetime) -> int:
    texts, weights = zip(*QUERIES, strict=True)
    found: dict[str, list[str]] = {}
    totals: dict[str, int] = {}
    clicked: dict[str, float] = {}  # how often a search is followed by a click
    for text in texts:
        try:
            results = engine.search(text, per_page=5)
        except SearchUnavailable:
            found[text], totals[text], clicked[text] = [], 0, 0.0
            continue
        found[text] = [hit.path for hit in results.hits]
        totals[text] = results.total
        # Results lacking some of the words rarely answer the question.
        clicked[text] = 0.1 if results.partial else 0.7
    count = DAYS * 25
    for number, text in enumerate(rng.choices(texts, weights, k=count)):
        at = _moment(rng, start)
        event = db.session.execute(
            insert(SearchEvent).returning(SearchEvent.id),
            {
                "query_raw_redacted": text,
                "query_normalized": normalise(text),
                "results_count": totals[text],
                "source": "page",
                "visitor_id": f"demo-{number}",
                "created_at": at,
            },
        ).scalar_one()
        if found[text] and rng.random() < clicked[text]:
            position = rng.choices((1, 2, 3), (70, 20, 10))[0]
            path = found[text][min(position, len(found[text])) - 1]
            db.session.add(
                SearchClick(
                    search_event_id=event,
                    article_path=path,
                    position=position,
                    created_at=at + timedelta(seconds=20),
                )
            )
    return count


def _votes(library: Library, rng: random.Random, start: datetime) -> None:
    for number in range(DAYS * 6):
        path = rng.choice(sorted(library.articles))
        reason, comment = UNHELPFUL.get(path, (None, None))
        helpful = rng.random() < (0.3 if reason else 0.8)
        if not helpful and reason is None:
            reason = rng.choice(["unclear", "didnt_solve", "outdated"])
        at = _moment(rng, start)
        db.session.add(
            Vote(
                article_path=path,
                visitor_id=f"demo-voter-{number}",
                helpful=helpful,
                reason=None if helpful else reason,
                comment=None if helpful else comment,
                created_at=at,
                updated_at=at,
            )
        )


def _views(library: Library, rng: random.Random, start: datetime) -> None:
    for path in sorted(library.articles):
        popularity = rng.randint(2, 40)
        for day in range(DAYS + 1):
            db.session.add(
                ArticleViewDaily(
                    article_path=path,
                    day=(start + timedelta(days=day)).date(),
                    views=max(0, popularity + rng.randint(-2, 6)),
                )
            )


def _deflections(
    library: Library, policy: Policy, order_id: int, rng: random.Random, start: datetime
) -> None:
    for code, reason in policy.reasons.items():
        for path in reason.all_articles:
            if path not in library.articles:
                continue
            for _ in range(rng.randint(3, 12)):
                solved = reason.keep_offer and rng.random() < 0.3
                db.session.add(
                    Deflection(
                        order_id=order_id,
                        reason_code=code,
                        article_path=path,
                        outcome="solved" if solved else "continued",
                        sku=None,
                        created_at=_moment(rng, start),
                    )
                )
