"""What is near a query that found nothing: the rules, without an index."""

import pytest

from app.search.nearby import alike, named_section, near_words
from app.search.query import Synonyms

COUNTS = {
    "delivered": 4,
    "delivery": 9,
    "deliver": 2,
    "laundry": 1,
    "tracking": 6,
    "tracked": 2,
    "personal": 7,
    "personalised": 1,
    "count": 3,
    "country": 5,
    "whole": 2,
    "pressing": 1,
}
ORDERED = sorted(COUNTS)
SYNONYMS = Synonyms.from_groups([["refund", "reimbursement", "money back"]])


@pytest.mark.parametrize(
    ("typed", "known"),
    [
        ("deliverable", "delivered"),
        ("laundering", "laundry"),
        ("tracker", "tracking"),
        ("stockist", "stock"),
        ("monogram", "monogrammed"),
        ("subscription", "subscribe"),
        ("reimbursed", "reimbursement"),
    ],
)
def test_words_of_one_root_with_english_endings_are_alike(typed, known):
    assert alike(typed, known) and alike(known, typed)


@pytest.mark.parametrize(
    ("typed", "known"),
    [
        ("counterfeit", "count"),  # "-erfeit" is no ending
        ("wholesale", "whole"),  # a compound
        ("pressure", "press"),  # an ending that makes another word
        ("careers", "care"),  # four letters alike are too few
        ("shortly", "short"),  # adverbs are left out
    ],
)
def test_words_that_only_begin_alike_are_not(typed, known):
    assert not alike(typed, known)


def test_near_words_are_the_closest_one_per_stem_commonest_first():
    assert near_words("deliverable", ORDERED, COUNTS, Synonyms()) == ["delivery", "delivered"]
    # "personal" shares a shorter beginning than "personalised".
    assert near_words("personalisation", ORDERED, COUNTS, Synonyms()) == ["personalised"]
    assert near_words("tracker laundering", ORDERED, COUNTS, Synonyms()) == [
        "tracking",
        "laundry",
    ]


def test_near_words_include_synonyms_that_widen_to_their_group():
    assert near_words("reimbursed", ORDERED, COUNTS, SYNONYMS) == ["reimbursement"]


def test_nothing_is_near_unrelated_short_or_conversational_words():
    for text in ("counterfeit", "wholesale", "zeppelin", "how do i", "keeping", ""):
        assert near_words(text, ORDERED, COUNTS, Synonyms()) == []


def test_a_section_is_named_by_its_title_not_its_description():
    titles = {"orders": "Orders & shipping", "troubleshooting": "Troubleshooting"}
    assert named_section("troubleshoot my checkout", titles) == "troubleshooting"
    assert named_section("troubleshooter", titles) == "troubleshooting"
    assert named_section("zeppelin", titles) is None
