"""The index's vocabulary: every word of 4+ letters as written (lowercased), with the number
of articles holding it, for typo matching, "did you mean" and compounds.

Each article's words are stored with its document, and the counts are kept beside each
commit (see sidecar.py) instead of as a Whoosh field: nothing reads which articles hold a
word, only how many, and indexing every word of every article as a posting was a third of a
full build. An update subtracts the words of the documents it replaces or deletes and adds
the new ones; when a commit has no counts (its writer stopped before writing them), they
are counted again from the stored words.
"""

import logging
from collections import Counter
from pathlib import Path

from whoosh.searching import Searcher

from app.search import sidecar

log = logging.getLogger(__name__)

PREFIX = "VOCAB-"


def counted(searcher: Searcher) -> Counter[str]:
    """The counts of the documents the searcher sees, from their stored words."""
    counts: Counter[str] = Counter()
    for fields in searcher.reader().all_stored_fields():
        counts.update(fields.get("vocab", "").split())
    return counts


def load(generation: Path, searcher: Searcher) -> Counter[str]:
    """The counts for the commit the searcher reads."""
    commit = searcher.reader().generation()
    saved = sidecar.read(generation, PREFIX, commit)
    if isinstance(saved, dict):
        return Counter(saved)
    if commit is not None:
        log.warning("vocabulary of index commit %s counted again from its articles", commit)
    return counted(searcher)


def save(generation: Path, commit: int, counts: Counter[str]) -> None:
    sidecar.write(generation, PREFIX, commit, {w: n for w, n in counts.items() if n > 0})
