"""The editors' returns report: why customers send things back (by product category and
SKU), return rates where the orders tell us what was sold, whether help articles shown
before a return solved the problem, and which frequent reasons no article covers; for every
customer or one language's. A return is in the language its customer is written to in (the
order's, else the page's it was started on), an article shown before one in its page's, and
a sale in the language its returns are in (its order's; where the shop gave none, the one a
return of it was started in, else the default language), so a return rate counts the
returns the same table shows."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import ColumnElement, case, func, select
from sqlalchemy.orm import InstrumentedAttribute

from app.analytics.dates import DateRange
from app.analytics.reports import Language, in_language
from app.analytics.stats import share
from app.config import DEFAULT_LANGUAGE
from app.content import Library
from app.extensions import db
from app.models.orders import Order, OrderLine
from app.models.returns import Deflection, ReturnLine, ReturnRequest
from app.returns.policy import Policy
from app.returns.states import RELEASED

FREQUENT_UNITS = 3  # a reason with at least this many returned items in the range


@dataclass
class Returned:
    """Returned items for one category or SKU: by reason, and against what was sold."""

    key: str
    name: str = ""
    units: int = 0
    exchanged: int = 0  # of the units, those swapped for another size or colour (kept sales)
    by_reason: dict[str, int] = field(default_factory=dict)
    sold: int = 0  # units in orders placed in the range
    sold_returned: int = 0  # of those, units customers are returning

    @property
    def top_reason(self) -> str | None:
        if not self.by_reason:
            return None
        return max(sorted(self.by_reason), key=lambda code: self.by_reason[code])

    @property
    def return_rate(self) -> float | None:
        return share(self.sold_returned, self.sold)


@dataclass
class DeflectionStats:
    reason: str
    article_path: str
    solved: int
    continued: int

    @property
    def shown(self) -> int:
        return self.solved + self.continued

    @property
    def solved_share(self) -> float | None:
        return share(self.solved, self.shown)


@dataclass
class ReasonCoverage:
    reason: str
    label: str
    units: int
    exchanged: int  # of the units, those swapped for another size or colour
    articles: list[str]  # published articles the policy shows for this reason
    shown: int
    solved: int
    last_return: datetime | None

    @property
    def covered(self) -> bool:
        return bool(self.articles)

    @property
    def frequent(self) -> bool:
        return self.units >= FREQUENT_UNITS

    @property
    def solved_share(self) -> float | None:
        return share(self.solved, self.shown)


@dataclass
class ReturnsReport:
    range: DateRange
    language: Language
    by_category: list[Returned]
    by_sku: list[Returned]
    deflections: list[DeflectionStats]
    coverage: list[ReasonCoverage]
    reasons: list[str]  # reason codes in the order the tables show them

    @property
    def units(self) -> int:
        return sum(r.units for r in self.by_category)

    @property
    def exchanged(self) -> int:
        return sum(r.exchanged for r in self.by_category)


# Units of the return lines swapped for another variant: the shop keeps the sale.
EXCHANGED = func.sum(
    case((ReturnLine.exchange_variant_id.is_not(None), ReturnLine.quantity), else_=0)
)


# The language of an order's sales (see the module's docstring).
SALE_LANGUAGE = func.coalesce(
    Order.language,
    select(func.min(ReturnRequest.language))
    .where(ReturnRequest.order_id == Order.id)
    .correlate(Order)
    .scalar_subquery(),
    DEFAULT_LANGUAGE,
)


def _returned_in(rng: DateRange, language: Language) -> tuple[ColumnElement[bool], ...]:
    """Returns started in the range, by customers written to in `language`."""
    return (
        ReturnRequest.created_at >= rng.since,
        ReturnRequest.created_at < rng.until,
        *in_language(ReturnRequest.language, language),
    )


def _returned(
    rng: DateRange, column: InstrumentedAttribute[str], language: Language
) -> dict[str, Returned]:
    """Items in returns started in the range, by reason, grouped by an order-line column;
    then the return rate of the orders placed in the range."""
    found: dict[str, Returned] = {}
    rows = db.session.execute(
        select(
            column,
            func.max(OrderLine.name),
            ReturnLine.reason_code,
            func.sum(ReturnLine.quantity),
            EXCHANGED,
        )
        .join(ReturnLine.order_line)
        .join(ReturnLine.request)
        .where(*_returned_in(rng, language))
        .group_by(column, ReturnLine.reason_code)
    )
    for key, name, reason, units, exchanged in rows:
        item = found.setdefault(key, Returned(key, name))
        item.by_reason[reason] = units
        item.units += units
        item.exchanged += exchanged
    placed = (
        Order.placed_at >= rng.since,
        Order.placed_at < rng.until,
        *in_language(SALE_LANGUAGE, language),
    )
    sold = db.session.execute(
        select(column, func.max(OrderLine.name), func.sum(OrderLine.quantity))
        .join(OrderLine.order)
        .where(*placed)
        .group_by(column)
    )
    for key, name, units in sold:
        found.setdefault(key, Returned(key, name)).sold = units
    returned = db.session.execute(
        select(column, func.sum(ReturnLine.quantity))
        .join(ReturnLine.order_line)
        .join(OrderLine.order)
        .join(ReturnLine.request)
        .where(*placed, ReturnRequest.status.not_in(RELEASED))
        .group_by(column)
    )
    for key, units in returned:
        found[key].sold_returned = units
    return found


def _ranked(items: dict[str, Returned]) -> list[Returned]:
    return sorted(items.values(), key=lambda r: (-r.units, -r.sold, r.key))


def deflection_stats(rng: DateRange, language: Language = None) -> list[DeflectionStats]:
    """The articles shown before a return in the range, on pages in `language`."""
    solved = func.sum(case((Deflection.outcome == "solved", 1), else_=0))
    continued = func.sum(case((Deflection.outcome == "continued", 1), else_=0))
    rows = db.session.execute(
        select(Deflection.reason_code, Deflection.article_path, solved, continued)
        .where(
            Deflection.created_at >= rng.since,
            Deflection.created_at < rng.until,
            *in_language(Deflection.language, language),
        )
        .group_by(Deflection.reason_code, Deflection.article_path)
    )
    stats = [DeflectionStats(*row) for row in rows]
    return sorted(stats, key=lambda s: (-s.shown, s.reason, s.article_path))


def covering_articles(policy: Policy | None, library: Library, reason: str) -> list[str]:
    """The published articles the returns portal shows for this reason (`library`: the help
    center as the customers it is about read it)."""
    if policy is None or reason not in policy.reasons:
        return []
    return [path for path in policy.reasons[reason].all_articles if path in library.articles]


@dataclass(frozen=True)
class ReturnedItems:
    """Items of one product category returned for one reason."""

    reason: str
    category: str
    units: int
    last_return: datetime | None


def returned_items(rng: DateRange, reasons: list[str], language: Language) -> list[ReturnedItems]:
    """The items in returns started in the range by customers written to in `language`,
    returned for `reasons`, by reason and product category."""
    if not reasons:
        return []
    rows = db.session.execute(
        select(
            ReturnLine.reason_code,
            OrderLine.category,
            func.sum(ReturnLine.quantity),
            func.max(ReturnRequest.created_at),
        )
        .join(ReturnLine.order_line)
        .join(ReturnLine.request)
        .where(*_returned_in(rng, language), ReturnLine.reason_code.in_(reasons))
        .group_by(ReturnLine.reason_code, OrderLine.category)
        .order_by(ReturnLine.reason_code, OrderLine.category)
    )
    return [ReturnedItems(*row) for row in rows]


def offered_articles(
    policy: Policy | None, library: Library, reason: str, category: str
) -> list[str]:
    """The published articles the returns portal offers before returning an item of this
    product category for this reason (`library`: the help center as its customer reads it)."""
    if policy is None or reason not in policy.reasons:
        return []
    return [p for p in policy.reasons[reason].offered_for(category) if p in library.articles]


def reason_coverage(
    rng: DateRange,
    policy: Policy | None,
    library: Library,
    reasons: list[str] | None = None,
    language: Language = None,
) -> list[ReasonCoverage]:
    """Each reason of the policy (and any other with returns in the range), or just
    `reasons`, most returned first: its covering articles in `library` and how often they
    solved the problem, for the returns and deflections in `language`."""
    units = func.sum(ReturnLine.quantity)
    stmt = (
        select(ReturnLine.reason_code, units, EXCHANGED, func.max(ReturnRequest.created_at))
        .join(ReturnLine.request)
        .where(*_returned_in(rng, language))
        .group_by(ReturnLine.reason_code)
    )
    if reasons is not None:
        stmt = stmt.where(ReturnLine.reason_code.in_(reasons))
    counted = {
        code: (count, exchanged, last) for code, count, exchanged, last in db.session.execute(stmt)
    }
    deflected: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for stat in deflection_stats(rng, language):
        deflected[stat.reason][0] += stat.shown
        deflected[stat.reason][1] += stat.solved
    known = list(policy.reasons) if policy else []
    codes = reasons if reasons is not None else known + sorted(set(counted) - set(known))
    labels = policy.reasons if policy else {}
    coverage = [
        ReasonCoverage(
            reason=code,
            label=labels[code].label if code in labels else code,
            units=counted.get(code, (0, 0, None))[0],
            exchanged=counted.get(code, (0, 0, None))[1],
            articles=covering_articles(policy, library, code),
            shown=deflected[code][0],
            solved=deflected[code][1],
            last_return=counted.get(code, (0, 0, None))[2],
        )
        for code in codes
    ]
    return sorted(coverage, key=lambda c: (-c.units, c.reason))


def returns_report(
    rng: DateRange, policy: Policy | None, library: Library, language: Language = None
) -> ReturnsReport:
    """The report on returns in `language` (every language for None); `library`: the help
    center as those customers read it (services().library_in)."""
    by_category = _ranked(_returned(rng, OrderLine.category, language))
    for item in by_category:
        item.name = ""  # categories have no item name
    coverage = reason_coverage(rng, policy, library, language=language)
    known = list(policy.reasons) if policy else []
    seen = {code for item in by_category for code in item.by_reason}
    return ReturnsReport(
        range=rng,
        language=language,
        by_category=by_category,
        by_sku=_ranked(_returned(rng, OrderLine.sku, language)),
        deflections=deflection_stats(rng, language),
        coverage=coverage,
        reasons=[c for c in known if c in seen] + sorted(seen - set(known)),
    )
