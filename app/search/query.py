"""Turning what a customer typed into a Whoosh query.

Plain Python over a small `Vocabulary` protocol, so the rules can be tested without an index:

* words are lowercased runs of letters and digits; query syntax means nothing here;
* typo tolerance like the search engines people know: a word the index doesn't know matches
  words one typo away from 5 letters, two from 9; shorter words must be exact; a typo match
  ranks below an exact one;
* synonyms from ``synonyms.yml`` widen a word or phrase to its group (ranked just below it);
* every word must match (AND); when nothing matches all, any word may (OR), flagged partial.
"""

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import yaml
from whoosh import query as q

from app.search.schema import FIELD_WEIGHTS, TEXT_ANALYZER

MAX_WORDS = 12
MAX_QUERY_CHARS = 200
WORD = re.compile(r"\w+", re.UNICODE)
SYNONYM_WEIGHT = 0.9
TYPO_WEIGHT = 0.5
MAX_TYPO_VARIANTS = 4


def words(text: str) -> list[str]:
    return WORD.findall(text[:MAX_QUERY_CHARS].lower())[:MAX_WORDS]


class UnionOr(q.Or):
    """An Or that always builds Whoosh's binary union tree: on small indexes Whoosh would
    otherwise pre-load every clause into a fresh 2,048-slot array, which costs more here."""

    matcher_type = q.Or.DEFAULT_MATCHER


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


HasTerm = Callable[[str, str], bool]


def _phrase_clauses(phrase: tuple[str, ...], weight: float, has_term: HasTerm) -> list[q.Query]:
    """Clauses matching `phrase` in each field that holds all its terms."""
    terms = stems(" ".join(phrase))
    clauses: list[q.Query] = []
    for fieldname, field_weight in FIELD_WEIGHTS.items():
        if not terms or not all(has_term(fieldname, t) for t in terms):
            continue
        if len(terms) == 1:
            clauses.append(q.Term(fieldname, terms[0], boost=field_weight * weight))
        else:
            clauses.append(
                q.And([q.Term(fieldname, t) for t in terms], boost=field_weight * weight)
            )
    return clauses


def slot_query(slot: Slot, has_term: HasTerm) -> q.Query:
    """Everything one query position may match; NullQuery when nothing in the index can."""
    clauses = _phrase_clauses(slot.typed, 1.0, has_term)
    for synonym in slot.synonyms:
        clauses += _phrase_clauses(synonym, SYNONYM_WEIGHT, has_term)
    for typo in slot.typos:
        clauses += _phrase_clauses((typo,), TYPO_WEIGHT, has_term)
    if not clauses:
        return q.NullQuery
    return clauses[0] if len(clauses) == 1 else UnionOr(clauses)


def to_query(query_plan: Plan, has_term: HasTerm, require_all: bool = True) -> q.Query | None:
    """The Whoosh query for a plan; None when the plan has no words to look for."""
    parts = [slot_query(s, has_term) for s in query_plan.slots]
    if not parts:
        return None
    if len(parts) == 1:
        return parts[0]
    return q.And(parts) if require_all else UnionOr(parts)
