"""The return policy as plain Python: loaded from content/returns-policy.yml (what the file may
hold is app/returns/policy_file.py's), with its texts in other languages from
content/<lang>/returns-policy.yml, and the rules the portal enforces (what can be returned,
until when, and what the customer gets back).

Nothing here knows about Flask or the database, so every rule is testable with plain values.
"""

import logging
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from pathlib import Path

from app.config import DEFAULT_LANGUAGE, LANGUAGES
from app.i18n import N_
from app.phrases import Phrase
from app.returns.policy_file import (
    Choice,
    LabelText,
    PolicyTexts,
    ReasonSettings,
    read_policy_file,
    read_policy_texts,
)

# Re-exported: the policy's users catch it as app.returns.policy's.
from app.returns.policy_file import PolicyError as PolicyError

POLICY_FILE = "returns-policy.yml"
log = logging.getLogger(__name__)


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

    def offered_for(self, category: str) -> tuple[str, ...]:
        """The articles the returns portal offers before such a return: `articles_for`,
        never for damage or defects (`keep_offer: false`)."""
        return self.articles_for(category) if self.keep_offer else ()

    @property
    def all_articles(self) -> tuple[str, ...]:
        listed = [self.articles, *self.articles_by_category.values()]
        return tuple(dict.fromkeys(path for paths in listed for path in paths))


@dataclass(frozen=True)
class ExchangeRules:
    """Swapping an item for another size or colour (app/returns/exchanges.py)."""

    enabled: bool = True
    free_shipping: bool = True  # an exchanged item brings no return-shipping fee
    # The replacement may be sent once the return is approved, before the old item arrives;
    # otherwise once it has reached the warehouse.
    ship_first: bool = False


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
    exchanges: ExchangeRules = field(default_factory=ExchangeRules)
    label_valid_days: int = 30  # an unused label expires after this many days (0: never)
    # The texts above (reasons' labels, why categories can't be returned, resolutions and
    # methods) in other languages, by language code; and the language files that couldn't
    # be read (their path in the content folder, and why), whose texts stay in English.
    texts: dict[str, PolicyTexts] = field(default_factory=dict)
    text_problems: tuple[tuple[str, PolicyError], ...] = ()
    # Product categories as the help center's policy facts name them, in the policy's
    # language (a language's `category_names`); a category without one is named by its code.
    category_names: dict[str, str] = field(default_factory=dict)

    def window_for(self, category: str) -> int:
        return self.category_windows.get(category, self.window_days)

    def in_language(self, language: str) -> "Policy":
        """The policy with its texts in `language`: each one the language's file leaves out
        in the default language's words."""
        wording = self.texts.get(language)
        if wording is None:
            return self
        reasons = {
            code: replace(reason, label=_said(wording.reasons.get(code), reason.label))
            for code, reason in self.reasons.items()
        }
        return replace(
            self,
            non_returnable={
                category: wording.non_returnable_categories.get(category) or text
                for category, text in self.non_returnable.items()
            },
            reasons=reasons,
            resolutions={
                code: _said(wording.resolutions.get(code), label)
                for code, label in self.resolutions.items()
            },
            methods={
                code: _said(wording.methods.get(code), label)
                for code, label in self.methods.items()
            },
            category_names=dict(wording.category_names),
        )


def _said(translated: LabelText | None, default: str) -> str:
    """A translated label, or `default` without one (left out, or empty)."""
    return translated.label if translated is not None and translated.label else default


def load_policy(content_dir: str | Path) -> Policy:
    """Read the policy from CONTENT_DIR; raises PolicyError naming the line and the setting.
    A language's file with a problem is left out (logged; its texts are shown in English),
    as `flask content check` reports."""
    root = Path(content_dir)
    settings = read_policy_file(root / POLICY_FILE)
    texts: dict[str, PolicyTexts] = {}
    problems: list[tuple[str, PolicyError]] = []
    for language in LANGUAGES:
        file = root / language / POLICY_FILE
        if language == DEFAULT_LANGUAGE or not file.exists():
            continue
        try:
            texts[language] = read_policy_texts(file, settings)
        except PolicyError as problem:
            log.warning("%s/%s left out: %s", language, POLICY_FILE, problem)
            problems.append((f"{language}/{POLICY_FILE}", problem))
    bonus = settings.resolutions.get("store_credit")
    return Policy(
        window_days=settings.window_days,
        category_windows=settings.category_windows,
        non_returnable=settings.non_returnable_categories,
        reasons={code: _reason(code, reason) for code, reason in settings.reasons.items()},
        return_shipping_fee_cents=settings.return_shipping_fee_cents,
        restocking_fee_percent=settings.restocking_fee_percent,
        resolutions=_labels(settings.resolutions),
        store_credit_bonus_percent=bonus.bonus_percent if bonus is not None else 0,
        methods=_labels(settings.methods),
        auto_approve=settings.auto_approve,
        refund_days=settings.refund_days,
        waive_shipping_with_free_reason=settings.waive_shipping_with_free_reason,
        exchanges=ExchangeRules(**settings.exchanges.model_dump()),
        label_valid_days=settings.label_valid_days,
        texts=texts,
        text_problems=tuple(problems),
    )


def _labels(choices: dict[str, Choice]) -> dict[str, str]:
    """Code -> label, a choice without a label being called by its code."""
    return {code: choice.label or code for code, choice in choices.items()}


def _reason(code: str, settings: ReasonSettings) -> Reason:
    return Reason(
        code=code,
        label=settings.label or code,
        free=settings.free,
        articles=settings.articles,
        articles_by_category=settings.articles_by_category,
        keep_offer=settings.keep_offer,
        photos=settings.photos,
    )


def missing_articles(policy: Policy, published: set[str]) -> list[tuple[str, str]]:
    """(reason code, article path) for each article the policy names that isn't published."""
    return [
        (code, path)
        for code, reason in policy.reasons.items()
        for path in reason.all_articles
        if path not in published
    ]


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
    # Why not, in the customer's words: the policy's own for its category, else a Phrase.
    problem: str | None = None
    deadline: date | None = None  # the last day to start a return

    @property
    def ok(self) -> bool:
        return self.returnable > 0


def eligibility(policy: Policy, line: LineFacts, today: date, already: int) -> Eligibility:
    """Can this line be returned today, given `already` units returned or being returned?"""
    if line.category in policy.non_returnable:
        return Eligibility(0, policy.non_returnable[line.category])
    if line.final_sale:
        return Eligibility(0, Phrase(N_("This was a final-sale item, so it can't be returned.")))
    if line.delivered_on is None:
        not_yet = N_(
            "This order hasn't been delivered yet. You can start a return once it arrives."
        )
        return Eligibility(0, Phrase(not_yet))
    deadline = line.delivered_on + timedelta(days=policy.window_for(line.category))
    if today > deadline:
        closed = N_("The return window for this item closed on %(date)s.")
        return Eligibility(0, Phrase(closed, date=deadline), deadline)
    left = max(0, line.quantity - already)
    if not left:
        done = N_("You've already returned this, or a return for it is on its way.")
        return Eligibility(0, Phrase(done), deadline)
    return Eligibility(left, None, deadline)


# -- what the customer gets back -----------------------------------------------------------


@dataclass(frozen=True)
class ChosenLine:
    unit_price_cents: int  # for an exchange, what the cheaper replacement leaves over
    quantity: int
    reason: str
    exchange: bool = False  # swapped for another variant: never a restocking fee


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
    paid = tuple(n for n, line in enumerate(lines) if not _ships_free(policy, line))
    # Only a free reason waives the parcel's fee for the others; an exchange ships free alone.
    free = [n for n, line in enumerate(lines) if policy.reasons[line.reason].free]
    waived_by = free[0] if paid and free and policy.waive_shipping_with_free_reason else None
    shipping = policy.return_shipping_fee_cents if paid and waived_by is None else 0
    restocking = sum(
        lines[n].unit_price_cents * lines[n].quantity * policy.restocking_fee_percent // 100
        for n in paid
        if not lines[n].exchange
    )
    net = max(0, items - shipping - restocking)
    bonus = net * policy.store_credit_bonus_percent // 100 if resolution == "store_credit" else 0
    return Estimate(items, shipping, restocking, bonus, net + bonus, paid, waived_by)


def _ships_free(policy: Policy, line: ChosenLine) -> bool:
    """Whether the shop pays to have this line sent back: a free reason, or an exchange when
    exchanges ship free."""
    return policy.reasons[line.reason].free or (line.exchange and policy.exchanges.free_shipping)


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
