"""The return policy's rules as plain functions: windows, exclusions, fees, bonus."""

import re
from datetime import date
from pathlib import Path

import pytest

from app.returns.policy import (
    ChosenLine,
    LineFacts,
    PolicyError,
    eligibility,
    estimate,
    load_policy,
    refund_window,
)

CONTENT = Path(__file__).resolve().parent.parent / "content"
DELIVERED = date(2026, 10, 1)


@pytest.fixture(scope="module")
def policy():
    return load_policy(CONTENT)


def tee(**changes) -> LineFacts:
    values = {"category": "tops", "quantity": 2, "final_sale": False, "delivered_on": DELIVERED}
    return LineFacts(**{**values, **changes})


def test_the_shipped_policy_loads(policy):
    assert policy.window_days == 30
    assert policy.window_for("shoes") == 45 and policy.window_for("tops") == 30
    assert policy.reasons["damaged"].free and not policy.reasons["changed_mind"].free


@pytest.mark.parametrize(
    ("category", "last_day"),
    [("tops", date(2026, 10, 31)), ("shoes", date(2026, 11, 15)), ("home", date(2026, 11, 30))],
)
def test_window_edges_day_n_and_n_plus_one(policy, category, last_day):
    on_the_day = eligibility(policy, tee(category=category), last_day, 0)
    assert on_the_day.ok and on_the_day.deadline == last_day
    day_after = eligibility(
        policy, tee(category=category), date.fromordinal(last_day.toordinal() + 1), 0
    )
    assert not day_after.ok
    assert (
        day_after.problem
        == f"The return window for this item closed on {last_day.day} {last_day:%B %Y}."
    )


def test_final_sale_and_excluded_categories_say_why(policy):
    assert eligibility(policy, tee(final_sale=True), DELIVERED, 0).problem == (
        "This was a final-sale item, so it can't be returned."
    )
    assert "hygiene" in eligibility(policy, tee(category="underwear"), DELIVERED, 0).problem


def test_undelivered_orders_wait(policy):
    result = eligibility(policy, tee(delivered_on=None), DELIVERED, 0)
    assert not result.ok and "hasn't been delivered yet" in result.problem


def test_partial_returns_leave_the_rest(policy):
    assert eligibility(policy, tee(quantity=3), DELIVERED, 1).returnable == 2
    done = eligibility(policy, tee(quantity=3), DELIVERED, 3)
    assert not done.ok and "already returned" in done.problem


def policy_with(tmp_path, old: str, new: str):
    text = (CONTENT / "returns-policy.yml").read_text()
    assert old in text
    (tmp_path / "returns-policy.yml").write_text(text.replace(old, new))
    return load_policy(tmp_path)


def test_fees_by_reason(policy):
    free = estimate(policy, [ChosenLine(4900, 1, "damaged")], "refund")
    assert (free.items_cents, free.shipping_fee_cents, free.total_cents) == (4900, 0, 4900)
    paid = estimate(policy, [ChosenLine(2000, 2, "too_small")], "refund")
    assert (paid.items_cents, paid.shipping_fee_cents, paid.total_cents) == (4000, 595, 3405)
    assert (paid.paid_lines, paid.waived_by) == ((0,), None)


def test_a_free_reason_in_the_parcel_waives_the_shipping_fee_unless_the_policy_says_not(
    policy, tmp_path
):
    lines = [ChosenLine(2000, 2, "too_small"), ChosenLine(4900, 1, "damaged")]
    waived = estimate(policy, lines, "refund")
    assert (waived.shipping_fee_cents, waived.total_cents) == (0, 8900)
    assert (waived.paid_lines, waived.waived_by) == ((0,), 1)
    strict = policy_with(
        tmp_path, "waive_shipping_with_free_reason: true", "waive_shipping_with_free_reason: false"
    )
    charged = estimate(strict, lines, "refund")
    assert (charged.shipping_fee_cents, charged.total_cents, charged.waived_by) == (595, 8305, None)


def test_articles_follow_the_product_category_and_damage_never_offers_keeping(policy):
    too_small = policy.reasons["too_small"]
    assert too_small.articles_for("tops") == ("sizing-care/clothing-size-guide",)
    assert too_small.articles_for("shoes") == ("sizing-care/shoe-size-guide",)
    assert too_small.articles_for("bags") == ()
    assert set(too_small.all_articles) == {
        "sizing-care/clothing-size-guide",
        "sizing-care/shoe-size-guide",
    }
    assert not policy.reasons["damaged"].keep_offer and not policy.reasons["defective"].keep_offer
    assert policy.reasons["not_as_described"].keep_offer


@pytest.mark.parametrize(
    "old, new, message",
    [
        ("articles: [sizing-care/clothing-size-guide]", "articles: sizing", "must be a list"),
        ("      bags: []", "      bags: 7", "must be a list"),
        (
            "  wrong_item:\n    label: Wrong item sent",
            "  wrong_item: [x]\n  x:\n    label: X",
            "wrong_item must be a mapping",
        ),
    ],
)
def test_malformed_reason_articles_are_named(tmp_path, old, new, message):
    with pytest.raises(PolicyError, match=message):
        policy_with(tmp_path, old, new)


def test_store_credit_bonus_is_on_the_net_amount(policy):
    credit = estimate(policy, [ChosenLine(5000, 1, "changed_mind")], "store_credit")
    assert credit.bonus_cents == (5000 - 595) * 10 // 100
    assert credit.total_cents == 5000 - 595 + credit.bonus_cents


def test_refund_never_goes_negative(policy):
    assert estimate(policy, [ChosenLine(300, 1, "changed_mind")], "refund").total_cents == 0


def test_restocking_fee_applies_to_paid_reasons_only(tmp_path):
    (tmp_path / "returns-policy.yml").write_text(
        (CONTENT / "returns-policy.yml")
        .read_text()
        .replace("restocking_fee_percent: 0", "restocking_fee_percent: 15")
    )
    policy = load_policy(tmp_path)
    money = estimate(
        policy, [ChosenLine(10000, 1, "changed_mind"), ChosenLine(10000, 1, "defective")], "refund"
    )
    assert money.restocking_fee_cents == 1500
    assert money.total_cents == 20000 - 1500  # the defective item waives return shipping


def test_refund_window_counts_business_days(policy):
    friday = date(2026, 11, 20)
    assert refund_window(policy, "card", friday) == (date(2026, 11, 25), date(2026, 12, 1))
    assert refund_window(policy, "store_credit", friday) == (friday, friday)


def test_missing_or_broken_policy_file_is_a_clear_error(tmp_path):
    with pytest.raises(PolicyError, match="missing"):
        load_policy(tmp_path)
    (tmp_path / "returns-policy.yml").write_text("window_days: [oops")
    with pytest.raises(PolicyError, match="not valid YAML"):
        load_policy(tmp_path)
    (tmp_path / "returns-policy.yml").write_text("window_days: -3\nreasons: {other: {}}")
    with pytest.raises(PolicyError, match="window_days"):
        load_policy(tmp_path)


@pytest.mark.parametrize(
    "extra, message",
    [
        ("refund_days:\n  card: soon\n", "refund_days: card must be two whole numbers"),
        ("refund_days:\n  card: [3]\n", "refund_days: card must be two whole numbers"),
        ("refund_days: [3, 5]\n", "refund_days must be a mapping"),
        ("category_windows:\n  shoes: a month\n", "shoes must be a whole number"),
        ("methods:\n  label: Prepaid\n", "methods: label must be a mapping"),
        ("resolutions:\n  store_credit: {bonus_percent: lots}\n", "bonus_percent must be"),
    ],
)
def test_every_malformed_setting_is_a_policy_error_naming_it(tmp_path, extra, message):
    """Never another exception: the returns pages say 'the policy has a problem' (503) only
    for a PolicyError; anything else would be a server error."""
    (tmp_path / "returns-policy.yml").write_text(
        "reasons:\n  too_small: {label: Too small}\n" + extra, encoding="utf-8"
    )
    with pytest.raises(PolicyError, match=message):
        load_policy(tmp_path)


@pytest.mark.parametrize(
    "old, new, message",
    [
        ("  card: [3, 7]", "  card: [3, soon]", "refund_days: card must be two whole numbers"),
        ("  shoes: 45", "  shoes: -1", "category_windows: shoes must be a whole number"),
        (
            "      bags: []",
            "      bags: [1]",
            "reasons: too_small: articles_by_category: bags must be a list of article paths",
        ),
        ("    bonus_percent: 10", "    bonus_percent: lots", "resolutions: store_credit: bonus"),
        (
            "    free: false\n",
            "    free: maybe\n",
            "reasons: too_small: free must be true or false",
        ),
        ("auto_approve: true", "auto_approve:", "auto_approve must be true or false"),
        (
            '  gift-cards: "Gift cards can\'t be returned."',
            "  gift-cards:",
            "non_returnable_categories: gift-cards must be text",
        ),
    ],
)
def test_a_malformed_setting_names_its_line(tmp_path, old, new, message):
    """The shipped file with one setting broken: the error says on which line, as `flask
    content check` shows it to whoever edits the file."""
    text = (CONTENT / "returns-policy.yml").read_text().replace(old, new)
    line = text[: text.index(new)].count("\n") + 1
    with pytest.raises(PolicyError, match=f"^line {line}: {re.escape(message)}") as raised:
        policy_with(tmp_path, old, new)
    assert raised.value.line == line


def test_every_problem_is_named_at_once_and_empty_lists_take_their_defaults(tmp_path):
    (tmp_path / "returns-policy.yml").write_text(
        "window_days: soon\nreasons:\n  other:\nmethods: {}\nrefund_days: [3, 5]\n",
        encoding="utf-8",
    )
    with pytest.raises(PolicyError) as raised:
        load_policy(tmp_path)
    assert str(raised.value) == (
        "line 1: window_days must be a whole number of zero or more; "
        "line 5: refund_days must be a mapping"
    )
    (tmp_path / "returns-policy.yml").write_text(
        "reasons:\n  other:\nmethods: {}\ncategory_windows:\n", encoding="utf-8"
    )
    policy = load_policy(tmp_path)
    assert policy.reasons["other"].label == "other" and policy.category_windows == {}
    assert policy.methods == {"label": "Prepaid label"}


def test_a_policy_without_reasons_says_so(tmp_path):
    (tmp_path / "returns-policy.yml").write_text("window_days: 30\nreasons: {}\n")
    with pytest.raises(PolicyError, match="line 2: reasons must name at least one return reason"):
        load_policy(tmp_path)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"window_days: \xff\n", "is not UTF-8 text"),
        (b"reasons: " + b"[" * 5000 + b"]" * 5000, "is not valid YAML: nested too deeply"),
        (b"reasons: " + b"{a: " * 3000 + b"1" + b"}" * 3000, "nested too deeply"),
        (None, "cannot be read: Is a directory"),
    ],
)
def test_a_file_that_cannot_be_read_is_a_policy_error(tmp_path, content, message):
    file = tmp_path / "returns-policy.yml"
    if content is None:
        file.mkdir()
    else:
        file.write_bytes(content)
    with pytest.raises(PolicyError, match=message):
        load_policy(tmp_path)


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ("window_days: 999999999999999999999\n", "line 3: window_days must be 100000 or less"),
        ("refund_days:\n  card: [3, 1000000000]\n", "line 4: refund_days: card must be 100000"),
        ("category_windows:\n  shoes: 100001\n", "category_windows: shoes must be 100000 or less"),
    ],
)
def test_a_number_too_large_to_count_with_is_a_policy_error(tmp_path, extra, message):
    """A window past the last date a calendar holds failed on the returns pages; a refund
    window of a billion business days was counted one day at a time."""
    (tmp_path / "returns-policy.yml").write_text(
        "reasons:\n  too_small: {label: Too small}\n" + extra, encoding="utf-8"
    )
    with pytest.raises(PolicyError, match=re.escape(message)):
        load_policy(tmp_path)


def test_the_largest_number_is_allowed(tmp_path):
    (tmp_path / "returns-policy.yml").write_text(
        "reasons:\n  too_small: {}\nwindow_days: 100000\n", encoding="utf-8"
    )
    policy = load_policy(tmp_path)
    line = LineFacts(category="tops", quantity=1, delivered_on=DELIVERED, final_sale=False)
    assert eligibility(policy, line, DELIVERED, already=0).deadline == date(2300, 7, 17)


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("window_days: 30 ", "windw_days: 60 ", "windw_days is not a setting"),
        ("    label: Too small", "    lable: Too small", "reasons: too_small: lable is not a"),
        ("  ship_first: false", "  ship_frist: true", "exchanges: ship_frist is not a setting"),
        ("auto_approve: true", "auto_aprove:", "auto_aprove is not a setting"),
    ],
)
def test_an_unknown_setting_is_a_problem_naming_its_line(tmp_path, old, new, message):
    """A typo was ignored, leaving the default in force without a word."""
    text = (CONTENT / "returns-policy.yml").read_text().replace(old, new, 1)
    line = text[: text.index(new)].count("\n") + 1
    with pytest.raises(PolicyError, match=f"^line {line}: {re.escape(message)}") as raised:
        policy_with(tmp_path, old, new)
    assert str(raised.value).endswith("is not a setting of the return policy")
    assert raised.value.line == line


@pytest.mark.parametrize("code", ["true", "yes", "1", "1.5", "null", "2026-01-01"])
def test_a_reason_code_that_is_not_a_word_says_so_on_its_line(tmp_path, code):
    """YAML reads these as yes/no, numbers, nothing or dates: `1` was taken as the code "1"
    and `true` named the wrong line and said only that it was not a valid string."""
    (tmp_path / "returns-policy.yml").write_text(
        f"window_days: 30\nreasons:\n  too_small: {{}}\n  {code}:\n    label: Other\n",
        encoding="utf-8",
    )
    with pytest.raises(PolicyError) as raised:
        load_policy(tmp_path)
    assert str(raised.value) == "line 4: reasons: reason codes must be words, like too_small"
    assert raised.value.line == 4


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("reasons:\n  too_small: {}\ntrue: 60\n", "line 3: setting names must be words"),
        ("reasons:\n  too_small:\n    1: x\n", "line 3: reasons: too_small: setting names must"),
    ],
)
def test_a_setting_name_that_is_not_a_word_says_so_on_its_line(tmp_path, text, message):
    """`true:` had no line at all and was called 1."""
    (tmp_path / "returns-policy.yml").write_text(text, encoding="utf-8")
    with pytest.raises(PolicyError, match=f"^{re.escape(message)}"):
        load_policy(tmp_path)
