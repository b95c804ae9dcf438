"""Writing the index.

INDEX_DIR holds generation folders (``gen-<n>``) and a ``CURRENT`` file naming the one that
serves. A full build writes a new generation and then replaces ``CURRENT`` atomically, so a
build that dies half-way leaves the previous index serving. An update applies only the added,
changed and deleted articles (by content hash) to the current generation; Whoosh's own commit
is atomic too. One writer at a time: a file lock serialises builds and updates across
processes (several web workers starting together).
"""

import fcntl
import logging
import os
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.codec.whoosh3 import W3Codec
from whoosh.writing import SegmentWriter

from app.content import Library
from app.content.plaintext import article_text
from app.search.schema import document, make_schema

log = logging.getLogger(__name__)

CURRENT = "CURRENT"
SCHEMA_VERSION = "8"  # bump when make_schema() or how segments are written changes


@dataclass
class IndexReport:
    full: bool
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        if self.full:
            return f"full build: {len(self.added)} articles"
        return f"{len(self.added)} added, {len(self.changed)} changed, {len(self.deleted)} deleted"


def codec() -> W3Codec:
    """Whoosh's format with large, uncompressed posting blocks: the ranker decodes whole
    posting lists, and a block costs a pickle and a zlib call whatever its size."""
    return W3Codec(blocklimit=1024, compression=0)


class _Lengths:
    """A segment's per-document reader whose field lengths are read once into lists."""

    def __init__(self, reader):
        self._reader = reader
        self._lengths: dict[str, list[int]] = {}

    def doc_field_length(self, docnum: int, fieldname: str, default: int = 0) -> int:
        lengths = self._lengths.get(fieldname)
        if lengths is None:
            count = self._reader.doc_count_all()
            lengths = [self._reader.doc_field_length(n, fieldname, 0) for n in range(count)]
            self._lengths[fieldname] = lengths
        return lengths[docnum] or default

    def __getattr__(self, name: str):
        return getattr(self._reader, name)


class _Writer(SegmentWriter):
    """Whoosh's segment writer, except that writing the postings looks each document's field
    length up in memory: Whoosh reads it back from disk once per posting, which was a
    quarter of a full build."""

    def per_document_reader(self):
        return _Lengths(super().per_document_reader())


def open_writer(ix, **settings) -> SegmentWriter:
    """A writer of separate segment files: Whoosh reads a compound segment's parts into
    private in-memory copies in every process (65 MB a worker at 10,000 articles), where
    separate files are read from the operating system's page cache, shared by all."""
    return _Writer(ix, codec=codec(), compound=False, **settings)


def _document(library: Library, article) -> dict:
    return document(article, article_text(library.root, article))


def current_generation(index_dir: Path) -> Path | None:
    """The generation folder CURRENT names, if it exists."""
    try:
        name = (index_dir / CURRENT).read_text(encoding="ascii").strip()
    except (FileNotFoundError, UnicodeDecodeError):
        return None
    generation = index_dir / name
    return generation if name.startswith("gen-") and generation.is_dir() else None


@contextmanager
def _writer_lock(index_dir: Path) -> Iterator[None]:
    index_dir.mkdir(parents=True, exist_ok=True)
    with open(index_dir / ".lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _point_current(index_dir: Path, name: str) -> None:
    temporary = index_dir / f".{CURRENT}.{os.getpid()}"
    temporary.write_text(name + "\n", encoding="ascii")
    os.replace(temporary, index_dir / CURRENT)


def _prune(index_dir: Path, keep: set[str]) -> None:
    """Remove old generations, keeping the serving one and the one before it (a worker may
    still be reading it until it notices the swap; one that is slower still retries on the
    new generation, see SearchEngine.search)."""
    for child in index_dir.iterdir():
        if child.is_dir() and child.name.startswith("gen-") and child.name not in keep:
            shutil.rmtree(child, ignore_errors=True)


def build_index(library: Library, index_dir: str | Path) -> IndexReport:
    """Index every article into a new generation and swap it in."""
    index_dir = Path(index_dir)
    with _writer_lock(index_dir):
        previous = current_generation(index_dir)
        generation = index_dir / f"gen-{time.time_ns()}"
        generation.mkdir()
        try:
            ix = whoosh_index.create_in(str(generation), make_schema())
            # A large in-memory pool: a smaller one spills sorted runs to disk and merges
            # them, which made a 5,000-article build take twice as long.
            writer = open_writer(ix, limitmb=1024)
            try:
                for article in library.articles.values():
                    writer.add_document(**_document(library, article))
            except BaseException:
                writer.cancel()
                raise
            writer.commit()
            (generation / "SCHEMA").write_text(SCHEMA_VERSION, encoding="ascii")
        except BaseException:
            shutil.rmtree(generation, ignore_errors=True)
            raise
        _point_current(index_dir, generation.name)
        _prune(index_dir, keep={generation.name, previous.name if previous else ""})
    report = IndexReport(full=True, added=sorted(library.articles))
    log.info("search index built", extra={"articles": len(report.added)})
    return report


def _is_current_schema(generation: Path) -> bool:
    try:
        return (generation / "SCHEMA").read_text(encoding="ascii") == SCHEMA_VERSION
    except FileNotFoundError:
        return False


def update_index(library: Library, index_dir: str | Path) -> IndexReport:
    """Apply only what changed since the index was written; build it if there is none."""
    index_dir = Path(index_dir)
    generation = current_generation(index_dir)
    if (
        generation is None
        or not _is_current_schema(generation)
        or not whoosh_index.exists_in(str(generation))
    ):
        return build_index(library, index_dir)
    with _writer_lock(index_dir):
        ix = whoosh_index.open_dir(str(generation))
        with ix.searcher() as searcher:
            indexed = {f["path"]: f["source_hash"] for f in searcher.all_stored_fields()}
        report = IndexReport(full=False)
        for path, article in library.articles.items():
            if path not in indexed:
                report.added.append(path)
            elif indexed[path] != article.source_hash:
                report.changed.append(path)
        report.deleted = sorted(set(indexed) - set(library.articles))
        if report.added or report.changed or report.deleted:
            writer = open_writer(ix)
            for path in report.deleted:
                writer.delete_by_term("path", path)
            for path in report.added + report.changed:
                writer.update_document(**_document(library, library.articles[path]))
            writer.commit()
            log.info("search index updated: %s", report)
        ix.close()
    return report
