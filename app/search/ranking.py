"""Scoring a query plan over the index's postings, as arrays.

Whoosh stores the index (segments, postings, lengths, stored fields, the vocabulary) and
this module ranks with the same BM25F formula Whoosh uses, but one whole posting list at a
time with numpy instead of Whoosh's matcher tree, which steps through every matching
document in Python and also counts totals and facets document by document.

A query *slot* (a typed word or phrase) matches a document when the typed form, a synonym,
a compound or a typo variant does, in any ranked field; a phrase matches a field that holds
all its words. Scores add up over slots, alternatives and fields, each weighted by the field
weight and the alternative's weight (`Slot.alternatives`). No slot is required: a document
matching any of them is a result, its score scaled by how much of the query it covers.
"""

import functools
import math
import pickle
import threading
import zlib
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from itertools import accumulate, repeat
from typing import Any, TypeVar, cast

import numpy as np
import numpy.typing as npt
from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.matching.wrappers import FilterMatcher
from whoosh.reading import IndexReader

from app.search.languages import Analysis
from app.search.query import Plan, Slot
from app.search.schema import ENGLISH, FIELD_WEIGHTS

K1, B = 1.2, 0.75  # Whoosh's BM25F defaults
# How steeply a document's score falls with the share of the query it lacks: one of three
# equally rare words missing keeps (2/3)^2, about 44%. Measured with `make eval` (1.5 to 2.5
# differ by a query or two; 2 was best of them, and a separate title bonus only lost).
COVERAGE_POWER = 2.0
FACET_FIELDS = ("category", "type")
ENTRY_OVERHEAD = 50  # a cache entry's key, tuple and arrays, counted as this many postings

DocIds = npt.NDArray[np.int32]  # document numbers
Floats = npt.NDArray[np.float32]  # term frequencies, field lengths
Scores = npt.NDArray[np.float64]
Mask = npt.NDArray[np.bool_]  # over document numbers
Postings = tuple[DocIds, Floats]
# (index generation, segment id, field name, term; None for the field's lengths)
CacheKey = tuple[str, str, str, str | None]
_Entry = TypeVar("_Entry", tuple[Floats], Postings)

EMPTY_IDS: DocIds = np.zeros(0, dtype=np.int32)
EMPTY_TF: Floats = np.zeros(0, dtype=np.float32)


class PostingCache:
    """Decoded posting lists (and field lengths) shared by every searcher in the process,
    keyed by segment: a segment's postings never change, updates write new segments. Bounded
    by the entries held; the least recently used list goes first."""

    def __init__(self, max_postings: int = 600_000) -> None:
        self.max_postings = max_postings
        self._lists: OrderedDict[CacheKey, tuple[Floats] | Postings] = OrderedDict()
        self._held = 0
        self._lock = threading.Lock()

    def get(self, key: CacheKey, load: Callable[[], _Entry]) -> _Entry:
        with self._lock:
            cached = self._lists.get(key)
            if cached is not None:
                self._lists.move_to_end(key)
                return cast(_Entry, cached)  # the key's term says which: None for lengths
        found = load()
        with self._lock:
            if key not in self._lists:
                self._lists[key] = found
                self._held += _size(found)
                while self._held > self.max_postings and len(self._lists) > 1:
                    _, dropped = self._lists.popitem(last=False)
                    self._held -= _size(dropped)
        return found


def _size(arrays: tuple[Floats] | Postings) -> int:
    """What an entry costs, in postings: an empty one (a word no field has) costs too."""
    return len(arrays[0]) + ENTRY_OVERHEAD


def read_postings(leaf: IndexReader, fieldname: str, term: str) -> Postings:
    """A segment's postings for a term: document numbers and term frequencies."""
    if (fieldname, term) not in leaf:
        return EMPTY_IDS, EMPTY_TF
    matcher = leaf.postings(fieldname, term)
    # All postings, deleted documents' too (Ranker.live leaves those out): the same for the
    # segment's whole life, and counted in document frequencies as Whoosh counts them.
    if isinstance(matcher, FilterMatcher):
        matcher = matcher.child
        matcher.reset()  # the filter may have stepped past deleted documents already
    if hasattr(matcher, "_nextoffset") and hasattr(matcher, "_postfile"):
        return _read_blocks(matcher)
    ids: list[int] = []  # inlined or other postings: Whoosh's own matcher interface
    weights: list[float] = []
    while matcher.is_active():
        ids.append(matcher.id())
        weights.append(matcher.weight())
        matcher.next()
    return np.array(ids, dtype=np.int32), np.array(weights, dtype=np.float32)


def _read_blocks(matcher: W3LeafMatcher) -> Postings:
    """Decode a block-encoded posting list whole (Whoosh 3 codec: per block, a pickle, maybe
    zlib'd, of (delta-coded ids, weights or one weight or None, values))."""
    ids: list[int] = []
    weights: list[float] = []
    postfile = matcher._postfile
    while True:
        count = matcher._blocklength
        assert count is not None  # read with the block's header
        data = postfile.get(matcher._dataoffset, matcher._nextoffset - matcher._dataoffset)
        if matcher._compression:
            data = zlib.decompress(data)
        deltas, block_weights, _ = pickle.loads(data)
        ids.extend(accumulate(deltas))
        if block_weights is None or isinstance(block_weights, float):
            weights.extend(repeat(block_weights or 1.0, count))
        else:
            weights.extend(block_weights)
        if matcher._lastblock:
            break
        matcher._goto(matcher._nextoffset)
    return np.array(ids, dtype=np.int32), np.array(weights, dtype=np.float32)


def _field_lengths(leaf: IndexReader, fieldname: str) -> tuple[Floats]:
    """A segment's field lengths, as a PostingCache entry."""
    count = leaf.doc_count_all()
    lengths = (leaf.doc_field_length(n, fieldname, 1) for n in range(count))
    return (np.fromiter(lengths, dtype=np.float32, count=count),)


@dataclass
class Ranked:
    """Which documents match (a mask over document numbers) and their scores; partial when
    some do, but none holds every word of the query."""

    mask: Mask
    scores: Scores
    partial: bool = False

    def top(self, wanted: int, extra: Mask | None = None) -> tuple[int, list[int]]:
        """(how many match, the best `wanted` document numbers): score, then document order."""
        mask = self.mask if extra is None else self.mask & extra
        docs = np.flatnonzero(mask)
        if not len(docs) or wanted <= 0:
            return len(docs), []
        scores = self.scores[docs]
        if len(docs) > wanted:
            threshold = np.partition(scores, len(docs) - wanted)[len(docs) - wanted]
            keep = scores >= threshold
            docs, scores = docs[keep], scores[keep]
        order = np.lexsort((docs, -scores))[:wanted]
        return int(mask.sum()), [int(d) for d in docs[order]]


class Ranker:
    """One open reader's arrays: live documents, field lengths, facet codes; and scoring."""

    def __init__(self, reader: IndexReader, cache: PostingCache, key: str) -> None:
        self.reader = reader
        self.cache = cache
        self.key = key
        # An index without documents has one reader and no segment: nothing to rank.
        self.leaves = [(r, at) for r, at in reader.leaf_readers() if r.segment() is not None]
        self.size = reader.doc_count_all()
        self.live = np.ones(self.size, dtype=bool)
        for leaf, offset in self.leaves:
            if leaf.has_deletions():
                deleted = np.fromiter(leaf.segment().deleted_docs(), dtype=np.int64)
                self.live[deleted + offset] = False
        self.average = {
            name: (reader.field_length(name) / (self.size or 1)) or 1.0 for name in FIELD_WEIGHTS
        }
        self._lengths: dict[str, Floats] = {}
        self.facets = {name: self._codes(name) for name in FACET_FIELDS}

    # -- per-document arrays --------------------------------------------------------------

    def _codes(self, fieldname: str) -> tuple[list[str], DocIds]:
        """Each document's value of a one-word field, as an index into the returned labels
        (documents without a value get len(labels))."""
        labels: list[str] = list(self.reader.field_terms(fieldname))
        codes = np.full(self.size, len(labels), dtype=np.int32)
        for code, label in enumerate(labels):
            ids, _ = self.postings(fieldname, label)
            codes[ids] = code
        return labels, codes

    def lengths(self, fieldname: str) -> Floats:
        """Each document's length of a field (as Whoosh stores it, one byte, approximate)."""
        if fieldname not in self._lengths:
            parts = [
                self.cache.get(
                    (self.key, leaf.segment().segment_id(), fieldname, None),
                    functools.partial(_field_lengths, leaf, fieldname),
                )[0]
                for leaf, _ in self.leaves
            ]
            self._lengths[fieldname] = np.concatenate(parts) if parts else EMPTY_TF
        return self._lengths[fieldname]

    def postings(self, fieldname: str, term: str) -> Postings:
        """Document numbers (whole reader) and term frequencies of a term."""
        parts = [
            self.cache.get(
                (self.key, leaf.segment().segment_id(), fieldname, term),
                functools.partial(read_postings, leaf, fieldname, term),
            )
            for leaf, _ in self.leaves
        ]
        if len(parts) < 2:
            return parts[0] if parts else (EMPTY_IDS, EMPTY_TF)
        ids = [p[0] + offset for p, (_, offset) in zip(parts, self.leaves, strict=True)]
        return np.concatenate(ids), np.concatenate([p[1] for p in parts])

    def term_scores(self, fieldname: str, term: str) -> tuple[DocIds, Scores]:
        """BM25 of a term in a field for every document holding it (Whoosh's formula)."""
        ids, tf = self.postings(fieldname, term)
        if not len(ids):
            return ids, tf.astype(np.float64)
        # Whoosh's document frequency counts postings of deleted documents too, as this does.
        idf = math.log(self.size / (len(ids) + 1)) + 1
        norm = (1 - B) + B * self.lengths(fieldname)[ids] / self.average[fieldname]
        return ids, idf * (tf * (K1 + 1)) / (tf + K1 * norm)

    # -- queries -----------------------------------------------------------------------------

    def _phrase(self, terms: list[str], weight: float, scores: Scores, credit: Scores) -> None:
        """Add a phrase's scores in every field that holds all its words; `credit` keeps the
        best weight each document matched it with."""
        for fieldname, field_weight in FIELD_WEIGHTS.items():
            lists = [self.term_scores(fieldname, t) for t in terms]
            if not lists or any(not len(ids) for ids, _ in lists):
                continue
            if len(lists) == 1:
                ids, term_score = lists[0]
                scores[ids] += field_weight * weight * term_score
                held: npt.NDArray[np.signedinteger[Any]] = ids
            else:
                together = np.zeros(self.size, dtype=np.int16)
                for ids, _ in lists:
                    together[ids] += 1
                every = together == len(lists)
                for ids, term_score in lists:
                    keep = every[ids]
                    scores[ids[keep]] += field_weight * weight * term_score[keep]
                held = np.flatnonzero(every)
            credit[held] = np.maximum(credit[held], weight)

    def slot(self, slot: Slot, words: Analysis = ENGLISH) -> tuple[Scores, Scores]:
        """A slot's scores, and per document the weight of the best form it matched (0 where
        it matched nothing); its words analysed as `words` says."""
        scores = np.zeros(self.size, dtype=np.float64)
        credit = np.zeros(self.size, dtype=np.float64)
        for phrase, weight in slot.alternatives():
            terms = words.stems(" ".join(phrase))
            if terms:
                self._phrase(terms, weight, scores, credit)
        credit[~self.live] = 0
        return scores, credit

    def rank(self, plan: Plan) -> "Ranked":
        """Any of the slots, ranked by BM25F times how much of the query a document covers:
        each slot counts by its rarity (a word most articles hold barely counts), so an
        article lacking one everyday word of the query still ranks, below those that have
        it. (The title's own weight, FIELD_WEIGHTS, is the title boost.)"""
        scores = np.zeros(self.size, dtype=np.float64)
        covered = np.zeros(self.size, dtype=np.float64)
        matched = np.zeros(self.size, dtype=np.int16)  # slots matched in any form
        total, counted = 0.0, 0
        missing = False  # a slot no article matches
        for slot in plan.slots:
            slot_scores, credit = self.slot(slot, plan.words)
            holders = int(np.count_nonzero(credit))
            if not holders:
                missing = True
                continue
            importance = math.log(self.size / (holders + 1)) + 1
            scores += slot_scores
            covered += importance * credit
            matched += credit > 0
            total, counted = total + importance, counted + 1
        if not total:
            return Ranked(np.zeros(self.size, dtype=bool), scores, partial=False)
        coverage = covered / total
        scores *= coverage**COVERAGE_POWER
        mask = coverage > 0
        # Every word matched, if only by a synonym or a typo variant.
        complete = matched == counted
        found = bool(mask.any())
        partial = found and len(plan.slots) > 1 and (missing or not (complete & mask).any())
        return Ranked(mask, scores, partial=partial)

    def weighted_terms(self, fieldname: str, terms: Iterable[tuple[str, float]]) -> Ranked:
        """Any of these terms, each weighted: "more like this"."""
        scores = np.zeros(self.size, dtype=np.float64)
        mask = np.zeros(self.size, dtype=bool)
        for term, weight in terms:
            ids, term_score = self.term_scores(fieldname, term)
            scores[ids] += weight * term_score
            mask[ids] = True
        return Ranked(mask & self.live, scores)

    def facet_counts(self, mask: Mask) -> dict[str, dict[str, int]]:
        found: dict[str, dict[str, int]] = {}
        for name, (labels, codes) in self.facets.items():
            counts = np.bincount(codes[mask], minlength=len(labels) + 1)
            found[name] = {label: int(counts[i]) for i, label in enumerate(labels) if counts[i]}
        return found

    def matching(self, fieldname: str, value: str) -> Mask:
        labels, codes = self.facets[fieldname]
        if value not in labels:
            return np.zeros(self.size, dtype=bool)
        matches: Mask = codes == labels.index(value)
        return matches
