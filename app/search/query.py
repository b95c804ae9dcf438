"""Turning what a customer typed into a query plan (ranked by `app.search.ranking`).

Plain Python over a small `Vocabulary` protocol, so the rules can be tested without an index:

* words are lowercased runs of letters and digits; query syntax means nothing here;
* question words ("how do I") and conversational ones ("make", "keep", "no longer") are not
  searched, unless nothing else is left (each language has its own: app.search.languages);
* a word the index knows, as written or by its stem, is taken as typed; an unknown one also
  matches words one typo away from 5 letters, two from 9 (shorter words must be exact), as
  optional alternatives that rank below an exact match;
* compounds meet both ways: "safesearch" also looks for "safe search" when the index knows
  both words, and two typed words such as "log in" also look for "login" when it knows that;
* synonyms from ``synonyms.yml`` widen a word or phrase to its group (ranked just below it);
* no slot is required: the ranker orders articles by how much of the query they cover.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Protocol

import yaml

from app.search.languages import Analysis
from app.search.schema import ENGLISH, VOCAB_MIN_LETTERS

MAX_WORDS = 12
MAX_QUERY_CHARS = 200
WORD = re.compile(r"\w+", re.UNICODE)
SYNONYM_WEIGHT = 0.9
COMPOUND_WEIGHT = 0.8
# A typo variant stands in for a word the index doesn't have: nearly as good as a synonym.
TYPO_WEIGHT = 0.8
MAX_TYPO_VARIANTS = 4
MIN_PART = 2  # letters of each half of a split compound ("wi fi")
MAX_WORD = 24  # longer words (no word of a help center) get no typo variants or compounds


def words(text: str) -> list[str]:
    return WORD.findall(text[:MAX_QUERY_CHARS].lower())[:MAX_WORDS]


def edit_distance(a: str, b: str, limit: int) -> int:
    """Damerau-Levenshtein distance (adjacent transpositions count as one edit), capped at
    limit + 1."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, start=1):
            cost = ca != cb
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]


def typo_budget(word: str) -> int:
    if len(word) >= 9:
        return 2
    if len(word) >= 5:
        return 1
    return 0


class Vocabulary(Protocol):
    def frequency(self, word: str) -> int:
        """Articles holding this word as written (words of VOCAB_MIN_LETTERS or more)."""

    def stem_frequency(self, stem: str) -> int:
        """Articles holding this stem in a ranked field."""

    def near(self, word: str, distance: int) -> Iterable[str]:
        """Known words within `distance` edits (a transposition may count as two)."""


@dataclass
class Synonyms:
    """Synonym groups; each member (a word or a phrase) maps to the others."""

    groups: dict[tuple[str, ...], list[tuple[str, ...]]] = field(default_factory=dict)
    longest: int = 1

    @classmethod
    def load(cls, file: str | Path) -> "Synonyms":
        path = Path(file)
        if not path.exists():
            return cls()
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or []
        except yaml.YAMLError:
            return cls()
        return cls.from_groups(g for g in data if isinstance(g, list))

    @classmethod
    def from_groups(cls, groups: Iterable[list[str]]) -> "Synonyms":
        found: dict[tuple[str, ...], list[tuple[str, ...]]] = {}
        for group in groups:
            members = [tuple(words(str(m))) for m in group if words(str(m))]
            for member in members:
                others = [m for m in members if m != member]
                found.setdefault(member, []).extend(o for o in others if o not in found[member])
        longest = max((len(k) for k in found), default=1)
        return cls(found, longest)

    def match(self, tokens: list[str], start: int) -> tuple[int, list[tuple[str, ...]]]:
        """The longest synonym member starting at `start`: (its length, the other members)."""
        for size in range(min(self.longest, len(tokens) - start), 0, -1):
            key = tuple(tokens[start : start + size])
            if key in self.groups:
                return size, self.groups[key]
        return 1, []


@dataclass
class Slot:
    """One position of the query: what was typed and everything else it may match."""

    typed: tuple[str, ...]
    synonyms: list[tuple[str, ...]] = field(default_factory=list)
    compounds: list[tuple[str, ...]] = field(default_factory=list)
    typos: list[str] = field(default_factory=list)

    def alternatives(self) -> list[tuple[tuple[str, ...], float]]:
        """Every form the slot matches, with its weight (what was typed counts most)."""
        return [
            (self.typed, 1.0),
            *((s, SYNONYM_WEIGHT) for s in self.synonyms),
            *((c, COMPOUND_WEIGHT) for c in self.compounds),
            *(((t,), TYPO_WEIGHT) for t in self.typos),
        ]


@dataclass
class Plan:
    slots: list[Slot]
    corrected: str | None  # the query with unknown words replaced, when that differs
    words: Analysis = ENGLISH  # the language the query is analysed in

    def stems(self) -> set[str]:
        """The stems to highlight: what was typed, its typo matches, compounds and one-word
        synonyms (the words of a synonym phrase such as "money back" would light up
        everywhere alone)."""
        found: set[str] = set()
        for slot in self.slots:
            for phrase, _ in slot.alternatives():
                if phrase is slot.typed or phrase in slot.compounds or len(phrase) == 1:
                    found.update(self.words.stems(" ".join(phrase)))
        return found


@lru_cache(maxsize=100_000)
def stem_of(word: str, words: Analysis = ENGLISH) -> str | None:
    """One word's stem; None for a stop word."""
    found = words.stems(word)
    return found[0] if len(found) == 1 else None


def known(word: str, vocabulary: Vocabulary, words: Analysis = ENGLISH) -> bool:
    """The index has the word as written, or a word with its stem ("importing": "import")."""
    if vocabulary.frequency(word):
        return True
    stem = stem_of(word, words)
    return stem is not None and vocabulary.stem_frequency(stem) > 0


def typo_variants(word: str, vocabulary: Vocabulary) -> list[str]:
    """Known words within the word's typo budget, most frequent first, then the nearest,
    then alphabetical: the same answer every time."""
    budget = typo_budget(word)
    if not budget:
        return []
    # The automaton counts a transposition as two edits; ask one wider and keep what is
    # within budget when a transposition counts as one.
    near = {w: edit_distance(word, w, budget) for w in vocabulary.near(word, budget + 1)}
    found = [w for w, distance in near.items() if w != word and distance <= budget]
    found.sort(key=lambda w: (-vocabulary.frequency(w), near[w], w))
    return found[:MAX_TYPO_VARIANTS]


def _half_frequency(half: str, vocabulary: Vocabulary, words: Analysis) -> int:
    """Articles holding one half of a compound as written; a half too short for the
    vocabulary ("wi" of "wifi") is looked up by its stem."""
    if len(half) >= VOCAB_MIN_LETTERS:
        return vocabulary.frequency(half) if stem_of(half, words) else 0
    stem = stem_of(half, words)
    return vocabulary.stem_frequency(stem) if stem else 0


def split_compound(
    word: str, vocabulary: Vocabulary, words: Analysis = ENGLISH
) -> tuple[str, str] | None:
    """The two known words a word is made of ("safesearch": "safe", "search"), so that it
    meets articles that write it apart; of several splits, the one whose rarer half is
    commonest. Halves are looked up in memory, but for the short ones."""
    best, best_frequency = None, 0
    for at in range(MIN_PART, len(word) - MIN_PART + 1):
        head, tail = word[:at], word[at:]
        # The longer half first: it is in memory, and it rules most splits out.
        first, second = (head, tail) if len(head) >= len(tail) else (tail, head)
        frequency = _half_frequency(first, vocabulary, words)
        if frequency > best_frequency:
            frequency = min(frequency, _half_frequency(second, vocabulary, words))
        if frequency > best_frequency:
            best, best_frequency = (head, tail), frequency
    return best


def _searched(
    typed: tuple[str, ...],
    others: list[tuple[str, ...]],
    keep_conversational: bool,
    language: Analysis,
) -> bool:
    if others:
        return True
    if not keep_conversational and all(w in language.conversational for w in typed):
        return False
    return bool(language.stems(" ".join(typed)))


def plan(
    text: str, vocabulary: Vocabulary, synonyms: Synonyms, language: Analysis = ENGLISH
) -> Plan:
    """The plan of a query in `language` (that of the index it is for)."""
    tokens = words(text)
    # Conversational words are searched only when the query has nothing else.
    conversational = language.conversational
    keep_conversational = not any(
        w not in conversational and stem_of(w, language) for w in tokens
    ) and not any(synonyms.match(tokens, i)[1] for i in range(len(tokens)))
    slots: list[Slot] = []
    slot_at: dict[int, Slot] = {}  # token position -> the slot it is part of
    corrected_words: list[str] = []
    changed = False
    position = 0
    while position < len(tokens):
        size, others = synonyms.match(tokens, position)
        typed = tuple(tokens[position : position + size])
        start, position = position, position + size
        if not _searched(typed, others, keep_conversational, language):
            corrected_words.extend(typed)  # "how", "where", "my", "make": not searched
            continue
        slot = Slot(typed=typed, synonyms=others)
        corrected = typed
        if size == 1 and len(typed[0]) <= MAX_WORD:
            word = typed[0]
            # Known words are split too ("wifi" meets "Wi-Fi"); `make eval` gains more from
            # that than it loses to readings such as "re set" for "reset", which rank low.
            halves = split_compound(word, vocabulary, language)
            if halves:
                slot.compounds.append(halves)
            if not known(word, vocabulary, language):
                slot.typos = typo_variants(word, vocabulary)
                if slot.typos:
                    corrected = (slot.typos[0],)
                elif halves:
                    corrected = halves
        changed = changed or corrected != typed
        corrected_words.extend(corrected)
        slots.append(slot)
        for at in range(start, position):
            slot_at[at] = slot
    _join_compounds(tokens, slot_at, vocabulary)
    return Plan(slots, " ".join(corrected_words) if changed else None, language)


def _join_compounds(tokens: list[str], slot_at: dict[int, Slot], vocabulary: Vocabulary) -> None:
    """Two typed words the index knows as one ("log in": "login", "wi fi": "wifi") also
    match it, in the slots of both."""
    for at in range(len(tokens) - 1):
        joined = tokens[at] + tokens[at + 1]
        owners = [slot_at[p] for p in (at, at + 1) if p in slot_at]
        if not owners or (len(owners) == 2 and owners[0] is owners[1]):
            continue  # two stop words, or one synonym phrase that covers both already
        if not vocabulary.frequency(joined):  # in memory: a joined word is 4+ letters
            continue
        for owner in owners:
            if (joined,) not in owner.compounds:
                owner.compounds.append((joined,))
