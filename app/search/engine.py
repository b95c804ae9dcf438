"""Reading the index: one searcher per process (per thread), refreshed when the index changes."""

import html
import logging
import math
import threading
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from markupsafe import Markup
from whoosh import index as whoosh_index
from whoosh import query as q
from whoosh.codec.base import Automata
from whoosh.sorting import Count, FieldFacet

from app.content import Library
from app.search.indexer import current_generation
from app.search.query import Synonyms, plan, to_query
from app.search.schema import FIELD_WEIGHTS
from app.search.snippets import snippet as make_snippet

log = logging.getLogger(__name__)

FACETS = {"category": FieldFacet("category"), "type": FieldFacet("type")}


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


@lru_cache(maxsize=2048)
def _levenshtein_dfa(word: str, distance: int):
    """Building the automaton is the costly part of typo matching; queries repeat."""
    return Automata.levenshtein_dfa(word, distance, prefix=1)


class IndexView:
    """What one open searcher knows, kept beside it: the words of the `vocab` field with their
    document frequencies (for typo matching and "did you mean") and each ranked field's terms
    (so queries only name terms that exist: every term lookup on disk costs)."""

    def __init__(self, generation: Path, searcher):
        self.generation = generation
        self.searcher = searcher
        reader = searcher.reader()
        self.leaves = getattr(reader, "readers", None) or [reader]
        decode = reader.schema["vocab"].from_bytes
        self.words = {
            decode(word): info.doc_frequency() for word, info in reader.iter_field("vocab")
        }
        self.field_terms = {name: set(reader.field_terms(name)) for name in FIELD_WEIGHTS}

    def frequency(self, word: str) -> int:
        return self.words.get(word, 0)

    def near(self, word: str, distance: int) -> set[str]:
        found: set[str] = set()
        automaton = _levenshtein_dfa(word, distance)
        for leaf in self.leaves:  # one automaton, walked over each segment's sorted words
            found.update(Automata.find_matches(automaton, leaf.cursor("vocab")))
        return found

    def has_term(self, fieldname: str, term: str) -> bool:
        return term in self.field_terms[fieldname]


class SearchEngine:
    def __init__(self, index_dir: str | Path, library: Library, synonyms: Synonyms):
        self.index_dir = Path(index_dir)
        self.library = library
        self.synonyms = synonyms
        self._local = threading.local()
        self._similar: dict[str, list[str]] = {}
        self._similar_generation: Path | None = None

    # -- the searcher ------------------------------------------------------------------------

    def _view(self) -> IndexView:
        """This thread's view of the serving index, reopened or refreshed when it changed."""
        generation = current_generation(self.index_dir)
        if generation is None:
            raise SearchUnavailable("the search index has not been built")
        view: IndexView | None = getattr(self._local, "view", None)
        try:
            if view is None or view.generation != generation:
                if view is not None:
                    view.searcher.close()
                self._local.view = None
                searcher = whoosh_index.open_dir(str(generation)).searcher()
                self._local.view = IndexView(generation, searcher)
            elif not view.searcher.up_to_date():
                self._local.view = IndexView(generation, view.searcher.refresh())
        except Exception as error:  # noqa: BLE001 - any unreadable index is "unavailable"
            log.exception("search index unreadable")
            raise SearchUnavailable("the search index cannot be read") from error
        return self._local.view

    def _drop_view(self) -> None:
        view, self._local.view = getattr(self._local, "view", None), None
        if view is not None:
            try:
                view.searcher.close()
            except Exception:  # noqa: BLE001 - closing a broken searcher may fail too
                log.debug("closing a broken searcher failed", exc_info=True)

    # -- searching ---------------------------------------------------------------------------

    def search(
        self,
        text: str,
        category: str | None = None,
        kind: str | None = None,
        page: int = 1,
        per_page: int = 10,
    ) -> SearchResults:
        for attempt in range(2):
            try:
                view = self._view()
                results = SearchResults(query=text, page=max(1, page))
                return self._search(view, results, category, kind, per_page)
            except Exception as error:  # noqa: BLE001 - a damaged segment surfaces here
                if attempt == 0:
                    # Most likely a rebuild swapped the index (and pruned the copy this
                    # thread had open) mid-search: reopen and try once more.
                    self._drop_view()
                    continue
                if not isinstance(error, SearchUnavailable):
                    log.exception("search failed")
                raise SearchUnavailable("the search index cannot be read") from error
        raise AssertionError("unreachable")

    def _search(self, view: IndexView, results, category, kind, per_page) -> SearchResults:
        query_plan = plan(results.query, view, self.synonyms)
        results.suggestion = query_plan.corrected
        filters = [q.Term("category", category)] if category else []
        filters += [q.Term("type", kind)] if kind else []
        wanted = results.page * per_page

        found = None
        for require_all in (True, False):
            query = to_query(query_plan, view.has_term, require_all=require_all)
            if query is None:
                return results
            found = view.searcher.search(query, limit=wanted, groupedby=FACETS, maptype=Count)
            if len(found) or len(query_plan.slots) < 2:
                break
        results.partial = not require_all and bool(len(found))
        results.facets = {name: dict(found.groups(name)) for name in FACETS}
        if filters:  # facet counts stay those of the whole query; hits honour the filters
            found = view.searcher.search(query, limit=wanted, filter=q.And(filters))
        results.total = len(found)
        results.pages = math.ceil(results.total / per_page)

        matched = query_plan.stems()
        offset = (results.page - 1) * per_page
        for number, hit in enumerate(found[offset:wanted], start=offset + 1):
            article = self.library.get(hit["path"])
            if article is None:  # indexed but no longer loaded: skip until the next update
                continue
            snippet = make_snippet(article.text, matched) or html.escape(article.summary)
            results.hits.append(
                Hit(
                    path=article.path,
                    title=article.title,
                    summary=article.summary,
                    snippet=Markup(snippet),
                    category=article.category,
                    type=article.type,
                    position=number,
                )
            )
        return results

    def similar(self, path: str, limit: int = 5) -> list[str]:
        """Paths of the articles most like this one (cached per index generation)."""
        article = self.library.get(path)
        if article is None:
            return []
        view = self._view()
        searcher = view.searcher
        if self._similar_generation != view.generation:
            self._similar, self._similar_generation = {}, view.generation
        if path not in self._similar:
            number = searcher.document_number(path=path)
            if number is None:
                return []
            text = " ".join([article.title, article.summary, article.text])
            hits = searcher.more_like(number, "body", text=text, top=limit)
            self._similar[path] = [hit["path"] for hit in hits]
        return self._similar[path][:limit]
