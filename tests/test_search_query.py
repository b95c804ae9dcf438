"""Query planning rules, without an index."""

import pytest

from app.search.query import Synonyms, edit_distance, plan, typo_budget, words
from app.search.schema import ENGLISH, VOCAB_MIN_LETTERS


class FakeVocabulary:
    def __init__(self, counts: dict[str, int]):
        self.counts = counts

    def frequency(self, word):
        return self.counts.get(word, 0)

    def stem_frequency(self, stem):
        return sum(n for word, n in self.counts.items() if ENGLISH.stems(word) == [stem])

    def near(self, word, distance):
        return [w for w in self.counts if edit_distance(word, w, distance) <= distance]


VOCAB = FakeVocabulary(
    {"refund": 30, "refunds": 5, "shipping": 20, "package": 9, "password": 4, "international": 3}
)
SYNONYMS = Synonyms.from_groups([["refund", "money back"], ["parcel", "package"]])


def test_words_ignore_query_syntax_and_cap_length():
    assert words('Refund AND (card*) "OR" title:x') == ["refund", "and", "card", "or", "title", "x"]
    assert len(words("word " * 500)) == 12


@pytest.mark.parametrize(
    ("word", "budget"), [("box", 0), ("card", 0), ("parcel", 1), ("shippings", 2)]
)
def test_typo_budget_grows_with_word_length(word, budget):
    assert typo_budget(word) == budget


def test_transposition_counts_as_one_edit():
    assert edit_distance("refnud", "refund", 2) == 1
    assert edit_distance("shiping", "shipping", 2) == 1
    assert edit_distance("abc", "xyz", 1) == 2  # capped at limit + 1


def test_one_typo_allowed_from_five_letters_and_two_from_nine():
    assert plan("refnud", VOCAB, Synonyms()).slots[0].typos == ["refund"]
    assert plan("refnd", VOCAB, Synonyms()).slots[0].typos == ["refund"]
    assert plan("intrenatinal", VOCAB, Synonyms()).slots[0].typos == ["international"]
    assert plan("refnxx", VOCAB, Synonyms()).slots[0].typos == []  # two typos, six letters
    assert plan("pckage", VOCAB, Synonyms()).slots[0].typos == ["package"]


def test_short_words_must_be_exact():
    assert plan("pasw", VOCAB, Synonyms()).slots[0].typos == []


def test_did_you_mean_replaces_only_unknown_words():
    assert plan("refnud shiping", VOCAB, Synonyms()).corrected == "refund shipping"
    assert plan("refund shipping", VOCAB, Synonyms()).corrected is None


def test_synonym_phrases_are_matched_longest_first():
    slots = plan("money back for my parcel", VOCAB, SYNONYMS).slots
    assert slots[0].typed == ("money", "back")
    assert slots[0].synonyms == [("refund",)]
    parcel = next(s for s in slots if s.typed == ("parcel",))
    assert parcel.synonyms == [("package",)]


def test_stop_words_alone_make_no_slots():
    assert plan("how do I", VOCAB, Synonyms()).slots == []


def test_synonyms_file_missing_or_malformed_gives_none(tmp_path):
    assert Synonyms.load(tmp_path / "missing.yml").groups == {}
    bad = tmp_path / "bad.yml"
    bad.write_text("- [unclosed")
    assert Synonyms.load(bad).groups == {}


def test_the_vocabulary_holds_every_word_typo_matching_can_reach():
    shortest_typed = min(n for n in range(1, 20) if typo_budget("x" * n))
    assert shortest_typed - typo_budget("x" * shortest_typed) == VOCAB_MIN_LETTERS


def test_conversational_words_are_searched_only_when_nothing_else_is_left():
    typed = [s.typed for s in plan("how do I make shipping keep showing", VOCAB, Synonyms()).slots]
    assert typed == [("shipping",)]
    assert [s.typed for s in plan("show me", VOCAB, Synonyms()).slots] == [("show",)]
    # "settings" stems like "set", but only the words as typed are conversational.
    assert [s.typed for s in plan("set settings", VOCAB, Synonyms()).slots] == [("settings",)]


COMPOUNDS = FakeVocabulary(
    {"safe": 4, "search": 9, "login": 6, "password": 5, "javascript": 3, "email": 8, "mail": 2}
)


def test_a_word_also_matches_the_two_known_words_it_is_made_of():
    slot = plan("safesearch", COMPOUNDS, Synonyms()).slots[0]
    assert slot.compounds == [("safe", "search")]
    assert plan("safesearch", COMPOUNDS, Synonyms()).corrected == "safe search"
    known = FakeVocabulary({**COMPOUNDS.counts, "safesearch": 1})
    assert plan("safesearch", known, Synonyms()).slots[0].compounds == [("safe", "search")]
    assert plan("safesearch", known, Synonyms()).corrected is None
    assert plan("searchable", COMPOUNDS, Synonyms()).slots[0].compounds == []  # no "able"


def test_two_typed_words_also_match_the_one_word_the_index_knows():
    log_in = plan("log in", COMPOUNDS, Synonyms()).slots
    assert [(s.typed, s.compounds) for s in log_in] == [(("log",), [("login",)])]
    pass_word = plan("pass word", COMPOUNDS, Synonyms()).slots
    assert [s.compounds for s in pass_word] == [[("password",)], [("password",)]]
    assert plan("e-mail", COMPOUNDS, Synonyms()).slots[0].compounds == [("email",)]
    assert plan("pass word", COMPOUNDS, Synonyms()).corrected is None


def test_hyphenated_words_are_searched_as_their_parts():
    assert [s.typed for s in plan("non-javascript", COMPOUNDS, Synonyms()).slots] == [
        ("non",),
        ("javascript",),
    ]


def test_typo_variants_are_alternatives_beside_what_was_typed():
    slot = plan("messing", FakeVocabulary({"missing": 3}), Synonyms()).slots[0]
    assert slot.typed == ("messing",) and slot.typos == ["missing"]
    assert [phrase for phrase, _ in slot.alternatives()] == [("messing",), ("missing",)]


def test_did_you_mean_breaks_ties_by_frequency_then_distance_then_alphabet():
    tied = FakeVocabulary({"coats": 2, "boats": 2, "moats": 2})
    assert plan("doats", tied, Synonyms()).slots[0].typos == ["boats", "coats", "moats"]
    commoner = FakeVocabulary({"coats": 5, "boats": 2})
    assert plan("doats", commoner, Synonyms()).corrected == "coats"
    nearer = FakeVocabulary({"ashippings": 2, "shipping": 2})
    assert plan("bshipping", nearer, Synonyms()).slots[0].typos == ["shipping", "ashippings"]


def test_did_you_mean_is_never_offered_for_a_word_whose_stem_the_index_knows():
    vocabulary = FakeVocabulary({"import": 3, "important": 9, "passwords": 4})
    assert plan("importing paswords", vocabulary, Synonyms()).corrected == "importing passwords"
    assert plan("importing", vocabulary, Synonyms()).slots[0].typos == []


def test_a_word_longer_than_any_in_a_help_center_gets_no_variants():
    # Each of these would match, were the word shorter: one typo away, or two known halves.
    long = FakeVocabulary({"a" * 24 + "b": 2, "c" * 13: 3, "d" * 12: 3})
    assert plan("a" * 25, long, Synonyms()).slots[0].typos == []
    assert plan("c" * 13 + "d" * 12, long, Synonyms()).slots[0].compounds == []
    short = FakeVocabulary({"a" * 11 + "b": 2, "c" * 6: 3, "d" * 6: 3})
    assert plan("a" * 12, short, Synonyms()).slots[0].typos == ["a" * 11 + "b"]
    assert plan("c" * 6 + "d" * 6, short, Synonyms()).slots[0].compounds == [("c" * 6, "d" * 6)]
