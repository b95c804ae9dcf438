"""Four weeks of made-up customer activity for `make run`, so the editors' insights show what
they are for: searches (found by the real search engine as each language's readers search,
typos and dead ends included), result clicks, helpfulness votes with reasons, article
views, and articles shown before returns; mostly English customers', some German and
French. Deterministic: the same data every time."""

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, insert, select

from app.analytics.redact import normalise
from app.analytics.rollup import rebuild_search_daily
from app.analytics.searches import answered
from app.config import DEFAULT_LANGUAGE
from app.content import Library
from app.extensions import db
from app.models.analytics import ArticleViewDaily, SearchClick, SearchEvent
from app.models.orders import Order
from app.models.returns import Deflection
from app.models.votes import Vote
from app.returns.policy import Policy
from app.search import SearchEngine, SearchUnavailable
from app.search.engine import search_for_readers
from app.services import services

DAYS = 28
SEED = 20261205
# What customers of a clothing shop type on each language's pages, and how often (relative).
QUERIES = {
    "en": [
        ("track my order", 30), ("where is my parcel", 18), ("refund", 22),
        ("how long does a refund take", 12), ("return label", 16), ("retrun label", 5),
        ("size guide", 14), ("shoe size", 9), ("wool jumper shrank", 6), ("pilling", 5),
        ("change my address", 8), ("cancel order", 10), ("gift card balance", 7),
        ("customs fees", 6), ("paypal", 5), ("exchnage for a smaller size", 4),
        ("damaged item", 7), ("delete my account", 3), ("newsletter", 3),
        ("student discount", 5), ("klarna", 4), ("price match", 3), ("click and collect", 3),
    ],
    "de": [
        ("sendung verfolgen", 8), ("wo ist mein paket", 5), ("rücksendung", 6),
        ("rucksendung etikett", 2), ("erstattung", 4), ("wann bekomme ich mein geld zurück", 3),
        ("größentabelle", 4), ("schuhgröße", 3), ("pullover eingelaufen", 2),
        ("umtausch kleinere größe", 2), ("bestellung stornieren", 3), ("gutschein einlösen", 2),
        ("rechnung", 2), ("klarna ratenzahlung", 2), ("studentenrabatt", 3),
        ("preisgarantie", 2), ("in der filiale abholen", 1), ("lederpflege", 1),
    ],
    "fr": [
        ("suivre ma commande", 6), ("où est mon colis", 4), ("étiquette de retour", 4),
        ("etiquete retour", 2), ("remboursment", 2), ("délai de remboursement", 3),
        ("guide des tailles", 3), ("pointure", 2), ("pull rétréci", 2), ("annuler commande", 2),
        ("carte cadeau", 2), ("frais de douane", 2), ("paiement en plusieurs fois", 2),
        ("checkout", 3), ("canvas", 2), ("parrainage", 3), ("retrait en magasin", 1),
    ],
}  # fmt: skip
# Articles English customers find less helpful, with why, and vote on more often (this many
# times as often as on another), so the gap queue has something to show.
UNHELPFUL_VOTED = 4
UNHELPFUL = {
    "orders-shipping/international-orders-and-customs": (
        "missing_info",
        "Doesn't say what customs costs for Canada.",
    ),
    "payments/charged-twice-or-pending-charge": ("unclear", None),
}


@dataclass(frozen=True)
class Activity:
    """How much one language's customers do."""

    searches: int  # a day
    votes: int  # a day
    views: int  # an article's most popular day
    deflections: tuple[int, int]  # the fewest and most per reason and article


ACTIVITY = {
    "en": Activity(searches=20, votes=6, views=40, deflections=(3, 12)),
    "de": Activity(searches=3, votes=2, views=8, deflections=(0, 2)),
    "fr": Activity(searches=2, votes=1, views=5, deflections=(0, 1)),
}


@dataclass(frozen=True)
class Readers:
    """One language's readers: the help center as they find it, and their own search (None
    when the language has no articles of its own)."""

    language: str
    library: Library
    own: SearchEngine | None


def seed_activity(
    library: Library,
    engine: SearchEngine,
    policy: Policy | None,
    now: datetime,
    library_in: Callable[[str], Library] | None = None,
    search_in: Callable[[str], SearchEngine | None] | None = None,
) -> int:
    """Add the activity unless there are searches already; returns the searches added.
    `library_in` and `search_in` give the other languages' readers' help center and search
    (services().library_in and search_in when not given)."""
    if db.session.scalar(select(func.count()).select_from(SearchEvent)):
        return 0
    if library_in is None or search_in is None:
        library_in, search_in = services().library_in, services().search_in
    rng = random.Random(SEED)
    start = now - timedelta(days=DAYS)
    searches = 0
    for language, activity in ACTIVITY.items():
        if language == DEFAULT_LANGUAGE:
            readers = Readers(language, library, engine)
        else:
            readers = Readers(language, library_in(language), search_in(language))
        searches += _searches(readers, engine, activity, rng, start)
        _votes(readers, activity, rng, start)
        _views(readers, activity, rng, start)
        order_id = _order_in(language)
        if policy is not None and order_id is not None:
            _deflections(readers, policy, order_id, activity, rng, start)
    db.session.commit()
    rebuild_search_daily()
    return searches


def _moment(rng: random.Random, start: datetime) -> datetime:
    return start + timedelta(seconds=rng.uniform(0, DAYS * 86_400))


def _order_in(language: str) -> int | None:
    """The first order of a customer written to in `language`, else the first order."""
    first = select(Order.id).order_by(Order.id).limit(1)
    own = db.session.scalar(first.where(Order.language == language))
    return own if own is not None else db.session.scalar(first)


def _searches(
    readers: Readers,
    engine: SearchEngine,
    activity: Activity,
    rng: random.Random,
    start: datetime,
) -> int:
    """Searches made on pages in the readers' language, found as the help center finds them
    (app.search.engine.search_for_readers) and recorded as it records them."""
    texts, weights = zip(*QUERIES[readers.language], strict=True)
    found: dict[str, list[str]] = {}
    totals: dict[str, int] = {}
    found_in: dict[str, str | None] = {}
    clicked: dict[str, float] = {}  # how often a search is followed by a click
    for text in texts:
        try:
            results, found_by = search_for_readers(readers.own, engine, text, per_page=5)
        except SearchUnavailable:
            found[text], totals[text], found_in[text], clicked[text] = [], 0, None, 0.0
            continue
        found[text] = [hit.path for hit in results.hits]
        totals[text] = results.total
        found_in[text] = found_by.library.language
        # Results lacking some of the words rarely answer the question.
        clicked[text] = 0.1 if results.partial else 0.7
    count = DAYS * activity.searches
    visitor = "demo" if readers.language == DEFAULT_LANGUAGE else f"demo-{readers.language}"
    for number, text in enumerate(rng.choices(texts, weights, k=count)):
        at = _moment(rng, start)
        event = db.session.execute(
            insert(SearchEvent).returning(SearchEvent.id),
            {
                "query_raw_redacted": text,
                "query_normalized": normalise(text),
                "results_count": totals[text],
                "source": "page",
                "visitor_id": f"{visitor}-{number}",
                "created_at": at,
                **answered(totals[text], readers.language, found_in[text], found[text]),
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


def _votes(readers: Readers, activity: Activity, rng: random.Random, start: datetime) -> None:
    english = readers.language == DEFAULT_LANGUAGE
    unhelpful = UNHELPFUL if english else {}  # the comments are English customers' words
    paths = sorted(readers.library.articles)
    often = [UNHELPFUL_VOTED if path in unhelpful else 1 for path in paths]
    for number in range(DAYS * activity.votes):
        path = rng.choices(paths, often)[0]
        reason, comment = unhelpful.get(path, (None, None))
        helpful = rng.random() < (0.3 if reason else 0.8)
        if not helpful and reason is None:
            reason = rng.choice(["unclear", "didnt_solve", "outdated"])
        at = _moment(rng, start)
        voter = "demo-voter" if english else f"demo-{readers.language}-voter"
        db.session.add(
            Vote(
                article_path=path,
                visitor_id=f"{voter}-{number}",
                helpful=helpful,
                reason=None if helpful else reason,
                comment=None if helpful else comment,
                created_at=at,
                updated_at=at,
                language=readers.language,
            )
        )


def _views(readers: Readers, activity: Activity, rng: random.Random, start: datetime) -> None:
    for path in sorted(readers.library.articles):
        popularity = rng.randint(2, activity.views)
        for day in range(DAYS + 1):
            db.session.add(
                ArticleViewDaily(
                    article_path=path,
                    day=(start + timedelta(days=day)).date(),
                    views=max(0, popularity + rng.randint(-2, 6)),
                    language=readers.language,
                )
            )


def _deflections(
    readers: Readers,
    policy: Policy,
    order_id: int,
    activity: Activity,
    rng: random.Random,
    start: datetime,
) -> None:
    """Articles shown before returns on pages in the readers' language, as they read them
    (the portal offers none for damage or defects: Reason.offered_for)."""
    for code, reason in policy.reasons.items():
        for path in reason.all_articles if reason.keep_offer else ():
            if path not in readers.library.articles:
                continue
            for _ in range(rng.randint(*activity.deflections)):
                solved = rng.random() < 0.3
                db.session.add(
                    Deflection(
                        order_id=order_id,
                        reason_code=code,
                        article_path=path,
                        outcome="solved" if solved else "continued",
                        sku=None,
                        created_at=_moment(rng, start),
                        language=readers.language,
                    )
                )
