"""The return policy as plain Python: loaded from content/returns-policy.yml, and the rules the
portal enforces (what can be returned, until when, and what the customer gets back).

Nothing here knows about Flask or the database, so every rule is testable with plain values.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import yaml

POLICY_FILE = "returns-policy.yml"


class PolicyError(ValueError):
    """The policy file is missing or malformed."""


@dataclass(frozen=True)
class Reason:
    code: str
    label: str
    free: bool
    articles: tuple[str, ...] = ()  # for products of any category without a list of their own
    articles_by_category: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # Damage and defects: the shop wants the item back (or photos of it), so "this solved
    # it, I'll keep my item" is never offered; the articles only count for the editors.
    keep_offer: bool = True
    photos: bool = False  # the customer may attach photos of the item (app.returns.photos)

    def articles_for(self, category: str) -> tuple[str, ...]:
        """The help articles for an item of this product category returned for this reason."""
        return self.articles_by_category.get(category, self.articles)

    @property
    def all_articles(self) -> tuple[str, ...]:
        listed = [self.articles, *self.articles_by_category.values()]
        return tuple(dict.fromkeys(path for paths in listed for path in paths))


@dataclass(frozen=True)
class Policy:
    window_days: int
    category_windows: dict[str, int]
    non_returnable: dict[str, str]
    reasons: dict[str, Reason]
    return_shipping_fee_cents: int
    restocking_fee_percent: int
    resolutions: dict[str, str]
    store_credit_bonus_percent: int
    methods: dict[str, str]
    auto_approve: bool
    refund_days: dict[str, tuple[int, int]] = field(default_factory=dict)
    # No return-shipping fee for a parcel holding any item returned for a free reason.
    waive_shipping_with_free_reason: bool = True

    def window_for(self, category: str) -> int:
        return self.category_windows.get(category, self.window_days)


def _int(data: dict[str, Any], key: str, default: int | None = None) -> int:
    value = data.get(key, default)
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise PolicyError(f"{key} must be a whole number of zero or more")
    return value


def load_policy(content_dir: str | Path) -> Policy:
    """Read the policy from CONTENT_DIR; raises PolicyError with the problem in words."""
    data = _read(Path(content_dir) / POLICY_FILE)
    reasons = {
        str(code): _reason(str(code), spec or {}) for code, spec in _mapping(data, "reasons")
    }
    if not reasons:
        raise PolicyError("the policy needs at least one return reason")
    resolutions = _labelled(data, "resolutions", {"refund": {"label": "Refund"}})
    return Policy(
        window_days=_int(data, "window_days", 30),
        category_windows=_numbers(data, "category_windows"),
        non_returnable={str(k): str(v) for k, v in _mapping(data, "non_returnable_categories")},
        reasons=reasons,
        return_shipping_fee_cents=_int(data, "return_shipping_fee_cents", 0),
        restocking_fee_percent=_int(data, "restocking_fee_percent", 0),
        resolutions={code: label for code, (label, _) in resolutions.items()},
        store_credit_bonus_percent=_int(
            resolutions.get("store_credit", ("", {}))[1], "bonus_percent", 0
        ),
        methods={
            code: label
            for code, (label, _) in _labelled(
                data, "methods", {"label": {"label": "Prepaid label"}}
            ).items()
        },
        auto_approve=bool(data.get("auto_approve", True)),
        refund_days=_refund_days(data),
        waive_shipping_with_free_reason=bool(data.get("waive_shipping_with_free_reason", True)),
    )


def _read(file: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise PolicyError(f"{file} is missing") from None
    except yaml.YAMLError as error:
        raise PolicyError(f"{file} is not valid YAML: {error}") from None
    if not isinstance(data, dict):
        raise PolicyError(f"{file} must be a mapping")
    return data


def _labelled(
    data: dict[str, Any], key: str, default: dict[str, Any]
) -> dict[str, tuple[str, dict[str, Any]]]:
    """A mapping of codes to their settings (`label:` and others): code -> (label, settings)."""
    found: dict[str, tuple[str, dict[str, Any]]] = {}
    for code, spec in _mapping(data, key) or list(default.items()):
        spec = spec or {}
        if not isinstance(spec, dict):
            raise PolicyError(f"{key}: {code} must be a mapping (with a label)")
        found[str(code)] = (str(spec.get("label") or code), spec)
    return found


def _numbers(data: dict[str, Any], key: str) -> dict[str, int]:
    """A mapping of names to whole numbers (category_windows: category -> days)."""
    values = dict(_mapping(data, key))
    return {str(name): _int(values, name) for name in values}


def _refund_days(data: dict[str, Any]) -> dict[str, tuple[int, int]]:
    """refund_days: method -> [fewest, most] days until the refund arrives."""
    days: dict[str, tuple[int, int]] = {}
    for method, pair in _mapping(data, "refund_days"):
        if (
            not isinstance(pair, list)
            or len(pair) != 2
            or not all(isinstance(n, int) and not isinstance(n, bool) and n >= 0 for n in pair)
        ):
            raise PolicyError(f"refund_days: {method} must be two whole numbers, like [3, 5]")
        days[str(method)] = (pair[0], pair[1])
    return days


def missing_articles(policy: Policy, published: set[str]) -> list[tuple[str, str]]:
    """(reason code, article path) for each article the policy names that isn't published."""
    return [
        (code, path)
        for code, reason in policy.reasons.items()
        for path in reason.all_articles
        if path not in published
    ]


def _mapping(data: dict[str, Any], key: str) -> list[tuple[Any, Any]]:
    value = data.get(key) or {}
    if not isinstance(value, dict):
        raise PolicyError(f"{key} must be a mapping")
    return list(value.items())


def _paths(value: object, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(p, str) for p in value):
        raise PolicyError(f"{where} must be a list of article paths")
    return tuple(value)


def _reason(code: str, spec: dict[str, Any]) -> Reason:
    if not isinstance(spec, dict):
        raise PolicyError(f"reason {code} must be a mapping")
    by_category = {
        str(category): _paths(paths, f"reasons.{code}.articles_by_category.{category}")
        for category, paths in _mapping(spec, "articles_by_category")
    }
    return Reason(
        code=code,
        label=str(spec.get("label") or code),
        free=bool(spec.get("free", False)),
        articles=_paths(spec.get("articles"), f"reasons.{code}.articles"),
        articles_by_category=by_category,
        keep_offer=bool(spec.get("keep_offer", True)),
        photos=bool(spec.get("photos", False)),
    )


# -- eligibility ---------------------------------------------------------------------------


@dataclass(frozen=True)
class LineFacts:
    """What the policy needs to know about one order line."""

    category: str
    quantity: int
    final_sale: bool
    delivered_on: date | None


@dataclass(frozen=True)
class Eligibility:
    returnable: int  # how many units can still be returned
    problem: str | None = None  # why not, in the customer's words
    deadline: date | None = None  # the last day to start a return

    @property
    def ok(self) -> bool:
        return self.returnable > 0


def _long(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def eligibility(policy: Policy, line: LineFacts, today: date, already: int) -> Eligibility:
    """Can this line be returned today, given `already` units returned or being returned?"""
    if line.category in policy.non_returnable:
        return Eligibility(0, policy.non_returnable[line.category])
    if line.final_sale:
        return Eligibility(0, "This was a final-sale item, so it can't be returned.")
    if line.delivered_on is None:
        return Eligibility(
            0, "This order hasn't been delivered yet. You can start a return once it arrives."
        )
    deadline = line.delivered_on + timedelta(days=policy.window_for(line.category))
    if today > deadline:
        return Eligibility(
            0, f"The return window for this item closed on {_long(deadline)}.", deadline
        )
    left = max(0, line.quantity - already)
    if not left:
        return Eligibility(
            0, "You've already returned this, or a return for it is on its way.", deadline
        )
    return Eligibility(left, None, deadline)


# -- what the customer gets back -----------------------------------------------------------


@dataclass(frozen=True)
class ChosenLine:
    unit_price_cents: int
    quantity: int
    reason: str


@dataclass(frozen=True)
class Estimate:
    items_cents: int
    shipping_fee_cents: int
    restocking_fee_cents: int
    bonus_cents: int
    total_cents: int
    # Why: the positions of the lines whose reasons are not free (they bring the fees), and
    # of the line whose free reason waived the shipping fee, if one did.
    paid_lines: tuple[int, ...] = ()
    waived_by: int | None = None

    @property
    def fees_cents(self) -> int:
        return self.shipping_fee_cents + self.restocking_fee_cents


def estimate(policy: Policy, lines: list[ChosenLine], resolution: str) -> Estimate:
    """The refund (or store credit) for these lines: items, minus fees for reasons that are
    not free, plus the store-credit bonus. Never below zero. The shipping fee is charged
    once per parcel, and not at all when a free reason waives it (see the policy file)."""
    items = sum(line.unit_price_cents * line.quantity for line in lines)
    paid = tuple(n for n, line in enumerate(lines) if not policy.reasons[line.reason].free)
    free = [n for n, line in enumerate(lines) if policy.reasons[line.reason].free]
    waived_by = free[0] if paid and free and policy.waive_shipping_with_free_reason else None
    shipping = policy.return_shipping_fee_cents if paid and waived_by is None else 0
    restocking = sum(
        lines[n].unit_price_cents * lines[n].quantity * policy.restocking_fee_percent // 100
        for n in paid
    )
    net = max(0, items - shipping - restocking)
    bonus = net * policy.store_credit_bonus_percent // 100 if resolution == "store_credit" else 0
    return Estimate(items, shipping, restocking, bonus, net + bonus, paid, waived_by)


def refund_window(policy: Policy, payment_method: str, inspected_on: date) -> tuple[date, date]:
    """The dates between which the money should arrive after inspection (business days)."""
    fastest, slowest = policy.refund_days.get(payment_method, (3, 10))
    return _add_business_days(inspected_on, fastest), _add_business_days(inspected_on, slowest)


def _add_business_days(start: date, days: int) -> date:
    day = start
    while days > 0:
        day += timedelta(days=1)
        if day.weekday() < 5:
            days -= 1
    return day
