"""Turning what a customer typed into a query plan (ranked by `app.search.ranking`).

Plain Python over a small `Vocabulary` protocol, so the rules can be tested without an index:

* words are lowercased runs of letters and digits; query syntax means nothing here;
* typo tolerance like the search engines people know: a word the index doesn't know matches
  words one typo away from 5 letters, two from 9; shorter words must be exact; a typo match
  ranks below an exact one;
* synonyms from ``synonyms.yml`` widen a word or phrase to its group (ranked just below it);
* every word must match (AND); when nothing matches all, any word may (OR), flagged partial.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import yaml

from app.search.schema import TEXT_ANALYZER

MAX_WORDS = 12
MAX_QUERY_CHARS = 200
WORD = re.compile(r"\w+", re.UNICODE)
SYNONYM_WEIGHT = 0.9
TYPO_WEIGHT = 0.5
MAX_TYPO_VARIANTS = 4


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
    def frequency(self, word: str) -> int: ...
    def near(self, word: str, distance: int) -> Iterable[str]: ...


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
    """One position of the query: what was typed and everything it may match."""

    typed: tuple[str, ...]
    synonyms: list[tuple[str, ...]] = field(default_factory=list)
    typos: list[str] = field(default_factory=list)


@dataclass
class Plan:
    slots: list[Slot]
    corrected: str | None  # the query with unknown words replaced, when that differs

    def stems(self) -> set[str]:
        """The stems to highlight: what was typed, its typo matches and one-word synonyms (the
        words of a synonym phrase such as "money back" would light up everywhere alone)."""
        found: set[str] = set()
        for slot in self.slots:
            one_word = [s for s in slot.synonyms if len(s) == 1]
            for phrase in [slot.typed, *one_word, *((t,) for t in slot.typos)]:
                found.update(stems(" ".join(phrase)))
        return found


def stems(text: str) -> list[str]:
    return [t.text for t in TEXT_ANALYZER(text)]


def plan(text: str, vocabulary: Vocabulary, synonyms: Synonyms) -> Plan:
    tokens = words(text)
    slots: list[Slot] = []
    corrected_words: list[str] = []
    changed = False
    position = 0
    while position < len(tokens):
        size, others = synonyms.match(tokens, position)
        typed = tuple(tokens[position : position + size])
        position += size
        slot = Slot(typed=typed, synonyms=others)
        if not stems(" ".join(typed)) and not others:
            corrected_words.extend(typed)  # a stop word ("how", "where", "my"): not searched
            continue
        if size == 1:
            word = typed[0]
            budget = typo_budget(word)
            # Words the index knows are taken as typed: widening them with near spellings
            # ("tracked" for "tracker") costs more than it finds.
            if budget and not vocabulary.frequency(word):
                # The index's automaton counts a transposition as two edits; ask one wider
                # and keep what is within budget when a transposition counts as one.
                near = [
                    w
                    for w in vocabulary.near(word, budget + 1)
                    if w != word and edit_distance(word, w, budget) <= budget
                ]
                near.sort(key=lambda w: -vocabulary.frequency(w))
                slot.typos = near[:MAX_TYPO_VARIANTS]
            if not vocabulary.frequency(word) and slot.typos:
                corrected_words.append(slot.typos[0])
                changed = True
            else:
                corrected_words.append(word)
        else:
            corrected_words.extend(typed)
        slots.append(slot)
    return Plan(slots, " ".join(corrected_words) if changed else None)
