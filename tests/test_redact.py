"""Personal data never reaches the search log."""

import pytest

from app.analytics.redact import normalise, redact


@pytest.mark.parametrize(
    ("query", "stored"),
    [
        ("refund for jane.doe+shop@example.com", "refund for [email]"),
        ("where is order JP-10234", "where is order [number]"),
        ("order #552301 late", "order [number] late"),
        ("call me on +1 (555) 013-4477", "call me on [phone]"),
        ("tracking 1Z999AA10123456784", "tracking [number]"),
        ("card ending 4242424242424242", "card ending [number]"),
        ("size 10 shoes", "size 10 shoes"),
        ("2 for 1 deal 2026", "2 for 1 deal 2026"),
    ],
)
def test_redact(query, stored):
    assert redact(query) == stored


def test_normalise_groups_differently_written_queries():
    assert normalise("  Refund   STATUS? ") == normalise("refund status") == "refund status"
    assert normalise(redact("Order JP-1234 refund")) == "order [number] refund"
