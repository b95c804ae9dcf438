"""Search over the help center: the Whoosh index (schema, atomic builds, incremental updates),
query planning (typo tolerance, synonyms, compounds), ranking by coverage and result shaping.
No Flask views."""

from app.search.engine import SearchEngine, SearchResults, SearchUnavailable
from app.search.indexer import build_index, update_changed, update_index

__all__ = [
    "SearchEngine",
    "SearchResults",
    "SearchUnavailable",
    "build_index",
    "update_changed",
    "update_index",
]
