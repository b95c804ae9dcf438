"""What is near a query that found nothing: words the index knows that look like the query's
own, and a section whose title names what the query asks about.

A near word begins like a word of the query and differs from it only by an English ending:
"deliverable" is near "delivered" and "delivery", "tracker" near "tracking", "subscription"
near "subscribe". The stemmer keeps such words apart and typo matching can't reach them (a
wider typo distance finds mostly unrelated words: "careers" "carriers", "overheating"
"operating"). Plain Python over the index's sorted vocabulary, like app.search.query.
"""

import bisect
from collections.abc import Iterable, Mapping, Sequence

from app.config import DEFAULT_LANGUAGE
from app.search.languages import Analysis
from app.search.query import MAX_WORD, Synonyms, stem_of, words
from app.search.schema import ENGLISH

MIN_ROOT = 5  # letters two near words begin with alike
# From this many letters alike, the root may end differently ("subscri-be", "subscri-ption").
LOOSE_ROOT = 7
PER_WORD = 3  # near words kept per word of the query
MAX_NEAR = 6  # near words searched for in all
INFLECTIONS = ("ings", "ing", "ies", "ied", "es", "ed", "s")
# Endings that keep a word's meaning (its doer, its act, its ability). Not "-ure", "-age",
# "-ance", "-ness" or "-ity": "press" and "pressure", "cover" and "coverage" are other things;
# nor "-ly": an adverb ("shortly", "firstly") says little of what a question is about.
DERIVATIONS = frozenset(
    {"e", "y", "ry", "er", "or", "an", "ian", "al", "ist", "ment", "able", "ible"}
    | {"ion", "tion", "ation", "ition", "isation", "ization"}
)


def common_prefix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


def is_ending(rest: str, root: str) -> bool:
    """`rest`, what follows `root` in a word, is an English ending: an inflection, a
    derivation, or both; a doubled last letter of the root may come first ("monogram-med")."""
    cores = {rest} | {rest[: -len(i)] for i in INFLECTIONS if rest.endswith(i)}
    for core in list(cores):
        if core and (core[0] == root[-1] or len(root) >= LOOSE_ROOT):
            cores.add(core[1:])
    return any(not core or core in DERIVATIONS for core in cores)


def alike(a: str, b: str) -> bool:
    """Two words of one root with different endings."""
    n = common_prefix(a, b)
    return n >= MIN_ROOT and is_ending(a[n:], a[:n]) and is_ending(b[n:], a[:n])


def _starting(ordered: Sequence[str], head: str) -> Iterable[str]:
    """The words of a sorted sequence that start with `head`."""
    at = bisect.bisect_left(ordered, head)
    while at < len(ordered) and ordered[at].startswith(head):
        yield ordered[at]
        at += 1


def near_words(
    text: str,
    ordered: Sequence[str],
    counts: Mapping[str, int],
    synonyms: Synonyms,
    language: Analysis = ENGLISH,
) -> list[str]:
    """Known words alike a word of the query: the index's (`ordered`, sorted, with the
    articles holding each in `counts`) and single-word synonyms (a synonym is matched as
    written, so "reimbursed" misses the group of "reimbursement"). For each query word, those
    sharing the longest beginning with it ("personalisation": "personalised", not
    "personal"), the word more articles hold first; one word per stem. The same answer
    every time. The endings are English ones: nothing is near in another language."""
    if language.code != DEFAULT_LANGUAGE:
        return []
    conversational = language.conversational
    found: list[str] = []
    stems: set[str] = set()
    for word in words(text):
        if not MIN_ROOT <= len(word) <= MAX_WORD or word in conversational:
            continue
        if not stem_of(word, language):
            continue
        head = word[:MIN_ROOT]
        candidates = {*_starting(ordered, head)}
        candidates.update(k[0] for k in synonyms.groups if len(k) == 1 and k[0].startswith(head))
        near = [w for w in candidates if w != word and w not in conversational and alike(word, w)]
        if not near:
            continue
        longest = max(common_prefix(word, w) for w in near)
        closest = sorted(
            (w for w in near if common_prefix(word, w) == longest),
            key=lambda w: (-counts.get(w, 0), w),
        )
        kept = 0
        for candidate in closest:
            stem = stem_of(candidate, language)
            if stem is None or stem in stems:
                continue
            stems.add(stem)
            found.append(candidate)
            kept += 1
            if kept == PER_WORD:
                break
    return found[:MAX_NEAR]


def named_section(text: str, titles: Mapping[str, str], language: Analysis = ENGLISH) -> str | None:
    """The first section (slug: title) whose title has a word of the query, or one alike
    ("troubleshoot": "Troubleshooting"). Titles only: a description's words are incidental
    ("in control of your data" is not about controllers)."""
    typed = [w for w in words(text) if stem_of(w, language) and w not in language.conversational]
    for slug, title in titles.items():
        for word in words(title):
            stem = stem_of(word, language)
            if stem and any(stem_of(w, language) == stem or alike(w, word) for w in typed):
                return slug
    return None
