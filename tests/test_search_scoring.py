"""The ranker against Whoosh itself: the same words indexed, the same BM25F scores, postings
read across segments with deletions, and a bounded posting cache."""

import shutil
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from whoosh import index as whoosh_index
from whoosh import query as q

from app.content import load_library
from app.search import build_index, update_index
from app.search.engine import IndexView
from app.search.indexer import current_generation
from app.search.languages import analysis
from app.search.ranking import ENTRY_OVERHEAD, PostingCache, Ranker
from app.search.schema import make_schema

ROOT = Path(__file__).resolve().parent.parent
SCHEMAS = {language: make_schema(language) for language in ("en", "de", "fr")}


@pytest.mark.parametrize("language", SCHEMAS)
@settings(max_examples=200, deadline=None)
@given(text=st.text(alphabet=st.characters(codec="utf-8"), max_size=200))
def test_indexed_words_are_the_analysers_words(language, text):
    words = analysis(language)
    assert SCHEMAS[language]["body"].words(text) == [t.text for t in words.analyzer(text)]


@pytest.fixture
def shipped_index(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    library = load_library(content)
    build_index(library, tmp_path / "index")
    return library, tmp_path / "index"


def open_ranker(index_dir: Path, cache: PostingCache | None = None):
    searcher = whoosh_index.open_dir(str(current_generation(index_dir))).searcher()
    return searcher, Ranker(searcher.reader(), cache or PostingCache(), "test")


@pytest.mark.parametrize(
    ("fieldname", "term"),
    [("body", "refund"), ("body", "order"), ("title", "return"), ("tags", "deliveri")],
)
def test_term_scores_equal_whooshs_bm25f(shipped_index, fieldname, term):
    _, index_dir = shipped_index
    searcher, ranker = open_ranker(index_dir)
    with searcher:
        expected = {
            hit.docnum: hit.score for hit in searcher.search(q.Term(fieldname, term), limit=None)
        }
        ids, scores = ranker.term_scores(fieldname, term)
        assert expected, f"{term!r} should occur in the shipped {fieldname}s"
        assert dict(zip(ids.tolist(), scores.tolist(), strict=True)) == pytest.approx(expected)


def test_postings_across_segments_skip_deleted_documents(shipped_index, tmp_path):
    library, index_dir = shipped_index
    path = "returns-refunds/how-to-return-an-item"
    file = library.root / library.articles[path].source
    file.write_text(file.read_text(encoding="utf-8") + "\nzanzibarian\n", encoding="utf-8")
    # A second segment holds the new copy; the old one is deleted in the first.
    assert update_index(load_library(library.root), index_dir).changed == [path]

    searcher, ranker = open_ranker(index_dir)
    with searcher:
        assert len(ranker.leaves) == 2
        live = [d for d in range(ranker.size) if not searcher.reader().is_deleted(d)]
        assert np.flatnonzero(ranker.live).tolist() == live
        ranked = ranker.weighted_terms("body", [("return", 1.0)])
        found = {searcher.stored_fields(int(d))["path"] for d in np.flatnonzero(ranked.mask)}
        expected = {hit["path"] for hit in searcher.search(q.Term("body", "return"), limit=None)}
        assert found == expected and path in found
        ids, _ = ranker.postings("body", "zanzibarian")
        assert [searcher.stored_fields(int(d))["path"] for d in ids] == [path]


def test_posting_cache_holds_at_most_its_budget(shipped_index):
    _, index_dir = shipped_index
    cache = PostingCache(max_postings=40)
    searcher, ranker = open_ranker(index_dir, cache)
    with searcher:
        first = ranker.postings("body", "order")
        for term in ("return", "refund", "deliveri", "parcel", "size"):
            ranker.postings("body", term)
        assert cache._held <= 40 or len(cache._lists) == 1
        again = ranker.postings("body", "order")
        assert np.array_equal(first[0], again[0]) and np.array_equal(first[1], again[1])


def test_words_no_article_has_count_against_the_cache_budget(shipped_index):
    _, index_dir = shipped_index
    cache = PostingCache(max_postings=500)
    searcher, ranker = open_ranker(index_dir, cache)
    with searcher:
        for number in range(200):
            assert len(ranker.postings("body", f"nonword{number}")[0]) == 0
        assert len(cache._lists) <= 500 // ENTRY_OVERHEAD


def test_top_orders_by_score_then_document(shipped_index):
    _, index_dir = shipped_index
    searcher, ranker = open_ranker(index_dir)
    with searcher:
        ranked = ranker.weighted_terms("body", [("return", 1.0), ("refund", 0.5)])
        total, top = ranked.top(5)
        assert total == int(ranked.mask.sum())
        everything = sorted(np.flatnonzero(ranked.mask), key=lambda d: (-ranked.scores[d], d))
        assert top == [int(d) for d in everything[:5]]


def test_key_terms_equal_whooshs_with_frequencies_remembered(shipped_index):
    """Related articles read words' collection frequencies through TermStats; the key terms
    are Whoosh's own, first with every frequency read from the index, then remembered."""
    library, index_dir = shipped_index
    generation = current_generation(index_dir)
    searcher = whoosh_index.open_dir(str(generation)).searcher()
    view = IndexView(generation, searcher, PostingCache())
    texts = [f"{a.title} {a.summary} {a.text}" for a in library.articles.values()]
    try:
        for _ in range(2):
            for text in texts:
                expected = view.searcher.key_terms_from_text("body", text, numterms=5)
                assert view.key_terms("body", text, 5) == expected
        remembered = view.term_stats.frequency.cache_info()
        assert remembered.hits > remembered.misses > 0
    finally:
        view.close()


def test_whooshs_posting_blocks_are_read_as_whoosh_reads_them(tmp_path):
    """The ranker decodes Whoosh 3 posting blocks itself, through the block matcher's private
    attributes (pinned: whoosh-reloaded==2.7.5 in pyproject.toml). A Whoosh that renames or
    changes them fails here, by name, instead of ranking with wrong postings."""
    from whoosh.matching.wrappers import FilterMatcher

    from app.search import ranking

    content = tmp_path / "content"
    (content / "general").mkdir(parents=True)
    for n in range(2_100):  # "parcel" in more documents than two 1,024-posting blocks hold
        words = "parcel " * (n % 7 + 1) + ("label" if n % 3 else "")
        (content / "general" / f"a{n}.md").write_text(f"---\ntitle: A{n}\n---\n{words}\n")
    build_index(load_library(content), tmp_path / "index")
    searcher = whoosh_index.open_dir(str(current_generation(tmp_path / "index"))).searcher()
    with searcher:
        [(leaf, _)] = [(r, o) for r, o in searcher.reader().leaf_readers()]
        for term in ("parcel", "label"):
            matcher = leaf.postings("body", term)
            if isinstance(matcher, FilterMatcher):
                matcher = matcher.child
            internals = ("_postfile", "_nextoffset", "_dataoffset", "_blocklength", "_goto")
            missing = [name for name in internals if not hasattr(matcher, name)]
            assert not missing, f"Whoosh's block matcher no longer has {missing}"
            expected_ids, expected_weights = [], []
            while matcher.is_active():
                expected_ids.append(matcher.id())
                expected_weights.append(matcher.weight())
                matcher.next()
            ids, weights = ranking.read_postings(leaf, "body", term)
            assert len(ids) > 1_024 and ids.tolist() == expected_ids
            assert weights.tolist() == expected_weights
