"""Reading the index: one searcher per process, reopened when the index changes."""

import bisect
import html
import logging
import math
import os
import threading
import time
import weakref
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from markupsafe import Markup
from whoosh import classify
from whoosh import index as whoosh_index
from whoosh.automata.fsa import DFA
from whoosh.codec.base import Automata
from whoosh.reading import IndexReader
from whoosh.searching import Searcher

from app.content import Library
from app.search import vocabulary
from app.search.indexer import CURRENT, current_generation, is_current_schema
from app.search.languages import analysis
from app.search.nearby import near_words
from app.search.query import Synonyms, plan
from app.search.schema import FIELD_WEIGHTS
from app.search.snippets import snippet as make_snippet

if TYPE_CHECKING:
    from app.search.ranking import Mask, PostingCache

log = logging.getLogger(__name__)

ATTEMPTS = 3  # a search meeting a pruned generation reopens the serving one
RECENT_ANSWERS = 256  # searches answered from memory per open index view
SIMILAR_TERMS = 5  # key terms of an article that "more like this" looks for
TERM_FREQUENCIES = 20_000  # words' collection frequencies remembered per view (~4 MB at most)
RACY_NS = 2_000_000_000  # a folder changed this recently is also asked whether it changed again

# A search as asked: (text, category, kind, page, per page).
AnswerKey = tuple[str, str | None, str | None, int, int]


class SearchUnavailable(RuntimeError):
    """The index is missing or unreadable; `flask content index` rebuilds it."""


@dataclass
class Hit:
    path: str
    title: str
    summary: str
    snippet: Markup
    category: str
    type: str
    position: int
    language: str


@dataclass
class SearchResults:
    query: str
    total: int = 0
    hits: list[Hit] = field(default_factory=list)
    page: int = 1
    pages: int = 0
    suggestion: str | None = None
    partial: bool = False
    facets: dict[str, dict[str, int]] = field(default_factory=dict)


@lru_cache(maxsize=64)
def _levenshtein_dfa(word: str, distance: int) -> DFA:
    """Building the automaton is the costly part of typo matching, and popular misspellings
    repeat; an automaton takes 50-200 KB, so only the latest few are kept."""
    automaton: DFA = Automata.levenshtein_dfa(word, distance, prefix=1)
    return automaton


class IndexView:
    """What one open searcher knows, kept beside it: the vocabulary's words with the number
    of articles holding each (for typo matching and "did you mean") and the ranker's arrays."""

    def __init__(self, generation: Path, searcher: Searcher, cache: "PostingCache") -> None:
        from app.search.ranking import Ranker  # see SearchEngine.__init__

        self.generation = generation
        self.searcher = searcher
        # Its files close with the view: when the engine drops it, or when it is collected.
        self.close = weakref.finalize(self, searcher.close)
        reader = searcher.reader()
        self.words = vocabulary.load(generation, searcher)
        self.ordered_words = sorted(self.words)
        self.ranker = Ranker(reader, cache, str(generation))
        self.term_stats = TermStats(reader)
        # Open every file a search reads now (Whoosh opens some on first use): an open file
        # stays readable after a rebuild prunes this generation's folder.
        for fieldname in FIELD_WEIGHTS:
            self.ranker.lengths(fieldname)
        for leaf, _ in self.ranker.leaves:
            if leaf.doc_count_all():
                leaf.stored_fields(0)
        # Recent answers: customers ask the same few questions all day. Kept with this view,
        # so any change to the index (a new view) starts afresh.
        self.answers: OrderedDict[AnswerKey, SearchResults] = OrderedDict()
        reader_of: Callable[[], IndexReader] = searcher.reader

        @lru_cache(maxsize=TERM_FREQUENCIES)
        def stem_frequency(stem: str) -> int:
            """Articles holding the stem in the ranked field that has it most."""
            counts: list[int] = [reader_of().doc_frequency(name, stem) for name in FIELD_WEIGHTS]
            return max(counts)

        self._stem_frequency = stem_frequency

    def remember(self, key: AnswerKey, results: "SearchResults") -> None:
        self.answers[key] = results
        while len(self.answers) > RECENT_ANSWERS:
            self.answers.popitem(last=False)

    def frequency(self, word: str) -> int:
        return self.words.get(word, 0)

    def stem_frequency(self, stem: str) -> int:
        return self._stem_frequency(stem)

    def near(self, word: str, distance: int) -> set[str]:
        """Known words within `distance` edits: the automaton walks the sorted words in
        memory (bisecting), not the on-disk term file."""
        automaton = _levenshtein_dfa(word, distance)
        ordered = self.ordered_words
        found: set[str] = set()
        wanted = automaton.next_valid_string(ordered[0]) if ordered else None
        while wanted:
            at = bisect.bisect_left(ordered, wanted)
            if at == len(ordered):
                break
            term = ordered[at]
            if term == wanted:
                found.add(term)
                term += "\0"
            wanted = automaton.next_valid_string(term)
        return found

    def stored(self, docnum: int) -> dict[str, str]:
        """A document's stored fields (app.search.schema.document): all text."""
        # Whoosh copies the reader's stored_fields onto the searcher, out of a type checker's sight.
        fields: dict[str, str] = self.searcher.reader().stored_fields(docnum)
        return fields

    def key_terms(self, fieldname: str, text: str, number: int) -> list[tuple[str, float]]:
        """Whoosh's `key_terms_from_text` (the Bo1 model), reading each word's collection
        frequency through `term_stats`."""
        expander = classify.Expander(self.term_stats, fieldname)
        expander.add_text(text)
        terms: list[tuple[str, float]] = expander.expanded_terms(number)
        return terms


class TermStats:
    """An index reader as Whoosh's key-term Expander reads it, with each word's collection
    frequency looked up in the term file once per view and remembered (the most recent
    TERM_FREQUENCIES): it asks for every distinct word of an article, twice, and most words
    come up again in the next article."""

    def __init__(self, reader: IndexReader, capacity: int = TERM_FREQUENCIES) -> None:
        self._reader = reader

        @lru_cache(maxsize=capacity)
        def frequency(fieldname: str, term: bytes) -> float:
            """0 for a word no article has (any word it has occurs at least once)."""
            found: float = reader.frequency(fieldname, term) if (fieldname, term) in reader else 0
            return found

        self.frequency = frequency

    def __contains__(self, key: tuple[str, bytes]) -> bool:
        return self.frequency(*key) > 0

    def __getattr__(self, name: str) -> Any:  # the rest of Whoosh's (unannotated) reader
        return getattr(self._reader, name)


@dataclass(frozen=True)
class Stamp:
    """What a view was opened from: the CURRENT file's identity and the generation folder's
    modification time (a full build replaces CURRENT; an update adds files to the folder)."""

    current: tuple[int, int, int]
    folder_mtime_ns: int
    taken_ns: int = field(default_factory=time.time_ns, compare=False)

    def settled(self) -> bool:
        """Taken long enough after the folder's last change to trust: a second change within
        the file system's timestamp granularity would leave the same time (git's "racy"
        index entries), so a stamp taken too soon after one is checked until a later one
        settles."""
        return self.taken_ns - self.folder_mtime_ns > RACY_NS


class SearchEngine:
    """Searches the serving index. One view of it per process, shared by the process's threads
    (a lock lets one search at a time use it), checked against the index's files with two
    `stat` calls per search and reopened only when a rebuild or an update has landed."""

    def __init__(self, index_dir: str | Path, library: Library, synonyms: Synonyms) -> None:
        self.index_dir = Path(index_dir)
        self.library = library  # the articles of one language, which the index holds
        self.synonyms = synonyms
        self.words = analysis(library.language)
        self._lock = threading.RLock()
        self._open: IndexView | None = None
        self._stamp: Stamp | None = None
        # The ranker (and numpy) is imported by the first engine, not by every module that
        # imports this one: every CLI command imports the views, and `flask content index
        # --changed` should take a blink.
        from app.search.ranking import PostingCache

        self._postings = PostingCache()
        self._similar: dict[str, list[str]] = {}
        self._similar_generation: Path | None = None

    # -- the searcher ------------------------------------------------------------------------

    def _current(self) -> tuple[Path, Stamp]:
        """The serving generation, read from CURRENT only when that file has changed."""
        try:
            info = os.stat(self.index_dir / CURRENT)
        except FileNotFoundError:
            raise SearchUnavailable("the search index has not been built") from None
        current = (info.st_ino, info.st_mtime_ns, info.st_size)
        view = self._open
        generation: Path | None
        if view is not None and self._stamp is not None and self._stamp.current == current:
            generation = view.generation
        else:
            generation = current_generation(self.index_dir)
            if generation is None:
                raise SearchUnavailable("the search index has not been built")
        try:
            folder = os.stat(generation).st_mtime_ns
        except FileNotFoundError:
            raise SearchUnavailable("the search index has not been built") from None
        return generation, Stamp(current, folder)

    def _view(self) -> IndexView:
        """The process's view of the serving index, reopened when it changed. (Not Whoosh's
        refresh: a refreshed searcher keeps an unchanged segment's old list of deleted
        documents. Reopening is cheap; decoded postings are cached by segment.)"""
        generation, stamp = self._current()
        view = self._open
        if (view is None or view.generation != generation) and not is_current_schema(generation):
            # Written by an earlier version (its fields analyse differently): unusable until
            # `flask content index` rebuilds it, as a missing index is.
            raise SearchUnavailable("the search index was built by an earlier version")
        try:
            if view is not None and view.generation == generation:
                if stamp == self._stamp and self._stamp.settled():
                    return view
                if view.searcher.up_to_date():
                    self._stamp = stamp  # checked now: settles once taken late enough
                    return view
            self._drop_view()
            searcher = whoosh_index.open_dir(str(generation)).searcher()
            try:
                self._open = IndexView(generation, searcher, self._postings)
            except Exception:
                searcher.close()
                raise
            self._stamp = stamp
        except Exception as error:  # noqa: BLE001 - any unreadable index is "unavailable"
            log.exception("search index unreadable")
            raise SearchUnavailable("the search index cannot be read") from error
        return self._open

    def _drop_view(self) -> None:
        view, self._open, self._stamp = self._open, None, None
        if view is not None:
            try:
                view.close()
            except Exception:  # noqa: BLE001 - closing a broken searcher may fail too
                log.debug("closing a broken searcher failed", exc_info=True)

    def close(self) -> None:
        """Close the open index (its files stay open until then)."""
        with self._lock:
            self._drop_view()

    # -- searching ---------------------------------------------------------------------------

    def search(
        self,
        text: str,
        category: str | None = None,
        kind: str | None = None,
        page: int = 1,
        per_page: int = 10,
    ) -> SearchResults:
        """One page of results. A repeat of a recent search gets the same object back:
        callers read it, never change it."""
        with self._lock:
            return self._search_attempts(text, category, kind, page, per_page)

    def _search_attempts(
        self, text: str, category: str | None, kind: str | None, page: int, per_page: int
    ) -> SearchResults:
        for attempt in range(ATTEMPTS):
            try:
                view = self._view()
                key: AnswerKey = (text, category, kind, max(1, page), per_page)
                if key in view.answers:
                    view.answers.move_to_end(key)
                    return view.answers[key]
                results = SearchResults(query=text, page=max(1, page))
                results = self._search(view, results, category, kind, per_page)
                view.remember(key, results)
                return results
            except Exception as error:  # noqa: BLE001 - a damaged segment surfaces here
                if attempt < ATTEMPTS - 1:
                    # Most likely a rebuild swapped the index, and pruned the copy this
                    # thread was opening, mid-search: reopen and try again.
                    self._drop_view()
                    continue
                if not isinstance(error, SearchUnavailable):
                    log.exception("search failed")
                raise SearchUnavailable("the search index cannot be read") from error
        raise AssertionError("unreachable")

    def _search(
        self,
        view: IndexView,
        results: SearchResults,
        category: str | None,
        kind: str | None,
        per_page: int,
    ) -> SearchResults:
        query_plan = plan(results.query, view, self.synonyms, self.words)
        results.suggestion = query_plan.corrected
        if not query_plan.slots:
            return results
        ranker = view.ranker
        ranked = ranker.rank(query_plan)
        results.partial = ranked.partial
        # Facet counts stay those of the whole query; hits and total honour the filters.
        results.facets = ranker.facet_counts(ranked.mask)
        chosen: Mask | None = None
        for fieldname, value in (("category", category), ("type", kind)):
            if value:
                wanted_value = ranker.matching(fieldname, value)
                chosen = wanted_value if chosen is None else chosen & wanted_value
        wanted = results.page * per_page
        results.total, docnums = ranked.top(wanted, chosen)
        results.pages = math.ceil(results.total / per_page)

        matched = query_plan.stems()
        offset = (results.page - 1) * per_page
        for number, docnum in enumerate(docnums[offset:], start=offset + 1):
            stored = view.stored(docnum)
            article = self.library.get(stored["path"])
            if article is None:  # indexed but no longer loaded: skip until the next update
                continue
            found = make_snippet(stored["text"], matched, language=self.words)
            snippet = found or html.escape(article.summary)
            results.hits.append(
                Hit(
                    path=article.path,
                    title=article.title,
                    summary=article.summary,
                    snippet=Markup(snippet),
                    category=article.category,
                    type=article.type,
                    position=number,
                    language=article.language,
                )
            )
        return results

    def similar(self, path: str, limit: int = 5) -> list[str]:
        """Paths of the articles most like this one (cached per index generation): the
        article's key terms (Whoosh's Bo1 model over its text), each weighted, any of them."""
        with self._lock:
            return self._similar_to(path, limit)

    def _similar_to(self, path: str, limit: int) -> list[str]:
        article = self.library.get(path)
        if article is None:
            return []
        view = self._view()
        if self._similar_generation != view.generation:
            self._similar, self._similar_generation = {}, view.generation
        if path not in self._similar:
            number = view.searcher.document_number(path=path)
            if number is None:
                return []
            text = " ".join([article.title, article.summary, view.stored(number)["text"]])
            terms = view.key_terms("body", text, SIMILAR_TERMS)
            ranked = view.ranker.weighted_terms("body", terms)
            ranked.mask[number] = False
            _, docnums = ranked.top(limit)
            self._similar[path] = [view.stored(docnum)["path"] for docnum in docnums]
        return self._similar[path][:limit]

    def nearby(self, text: str, per_page: int = 5) -> SearchResults | None:
        """For a search that found nothing: what the known words alike the query's own find
        (see app.search.nearby), or None when the index has none alike them."""
        with self._lock:
            view = self._view()
            near = near_words(text, view.ordered_words, view.words, self.synonyms, self.words)
            return self.search(" ".join(near), per_page=per_page) if near else None


def search_for_readers(
    own: SearchEngine | None,
    default: SearchEngine,
    text: str,
    category: str | None = None,
    kind: str | None = None,
    page: int = 1,
    per_page: int = 10,
) -> tuple[SearchResults, SearchEngine]:
    """A search for readers of `own`'s language (None: it has no articles of its own), who
    also read the `default` language's articles where there is no translation: their own
    first. The default language's answer instead when their own have nothing for the
    query, or only articles with some of its words where the default language has one with
    all of them ("website not loading" on a French page); and when their index can't be
    read. The results, and the engine that found them."""
    if own is None or own is default:
        return default.search(text, category, kind, page, per_page), default
    try:
        results = own.search(text, category, kind, page, per_page)
    except SearchUnavailable:
        return default.search(text, category, kind, page, per_page), default
    if results.total and not results.partial:
        return results, own
    try:
        other = default.search(text, category, kind, page, per_page)
    except SearchUnavailable:
        return results, own
    if other.total and not (results.total and other.partial):
        return other, default
    return results, own
