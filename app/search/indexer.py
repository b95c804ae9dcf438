"""Writing the index.

INDEX_DIR holds generation folders (``gen-<n>``) and a ``CURRENT`` file naming the one that
serves. A full build writes a new generation and then replaces ``CURRENT`` atomically, so a
build that dies half-way leaves the previous index serving. An update applies only the added,
changed and deleted articles (by content hash) to the current generation; Whoosh's own commit
is atomic too. One writer at a time: a file lock serialises builds and updates across
processes (several web workers starting together).

Beside each commit a manifest (``SOURCES-<Whoosh generation>.json``) records every indexed
file's modification time, size, hash and path as it was read, so `update_changed` reads only
the files whose time or size differ, as make and git do, instead of the whole library. It is
named after the commit it describes: one left behind by a writer that stopped between its
commit and the manifest is never read, and the update falls back to comparing the library.
"""

import fcntl
import logging
import os
import shutil
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from whoosh import index as whoosh_index
from whoosh.codec.base import PerDocumentReader, Segment
from whoosh.codec.whoosh3 import W3Codec
from whoosh.index import Index
from whoosh.reading import SegmentReader
from whoosh.writing import SegmentWriter

from app.config import DEFAULT_LANGUAGE
from app.content import Article, Library
from app.content.frontmatter import FrontMatterError
from app.content.library import (
    Bodies,
    categories_fingerprint,
    language_root,
    load_article,
    load_categories,
    markdown_entries,
    read_categories_file,
)
from app.content.plaintext import article_text
from app.search import sidecar, vocabulary
from app.search.schema import document, make_schema

log = logging.getLogger(__name__)

CURRENT = "CURRENT"
SCHEMA_VERSION = "12"  # bump when make_schema() or how segments are written changes
MANIFEST_PREFIX = "SOURCES-"


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

    def __init__(self, reader: PerDocumentReader) -> None:
        self._reader = reader
        self._lengths: dict[str, list[int]] = {}

    def doc_field_length(self, docnum: int, fieldname: str, default: int = 0) -> int:
        lengths = self._lengths.get(fieldname)
        if lengths is None:
            count = self._reader.doc_count_all()
            lengths = [self._reader.doc_field_length(n, fieldname, 0) for n in range(count)]
            self._lengths[fieldname] = lengths
        return lengths[docnum] or default

    def __getattr__(self, name: str) -> Any:  # the rest of Whoosh's (unannotated) reader
        return getattr(self._reader, name)


class _Writer(SegmentWriter):
    """Whoosh's segment writer, except that writing the postings looks each document's field
    length up in memory: Whoosh reads it back from disk once per posting, which was a
    quarter of a full build."""

    def per_document_reader(self) -> _Lengths:
        # Whoosh is unannotated, and mypy's untyped_calls_exclude misses super() calls.
        return _Lengths(super().per_document_reader())  # type: ignore[no-untyped-call]


def open_writer(ix: Index, **settings: Any) -> SegmentWriter:
    """A writer of separate segment files: Whoosh reads a compound segment's parts into
    private in-memory copies in every process (`make bench` prints the workers' memory), where
    separate files are read from the operating system's page cache, shared by all."""
    # Whoosh's (unannotated) constructor, which untyped_calls_exclude can't name in a subclass.
    return _Writer(ix, codec=codec(), compound=False, **settings)  # type: ignore[no-untyped-call]


def _document(library: Library, article: Article) -> dict[str, str]:
    return document(article, article_text(article))


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


class Source(NamedTuple):
    """An indexed file as it was read (a JSON array in the manifest)."""

    mtime_ns: int
    size: int
    source_hash: str
    path: str

    @classmethod
    def of(cls, article: Article) -> "Source":
        return cls(*article.stat, article.source_hash, article.path)


@dataclass
class Manifest:
    """What the index holds, file by file (source -> Source), the categories.yml it was
    loaded with, and the files found to be another language's (source -> modification time
    and size: see Library.elsewhere)."""

    categories_hash: str
    files: dict[str, Source]
    elsewhere: dict[str, tuple[int, int]]

    @classmethod
    def of(cls, library: Library) -> "Manifest":
        files = {a.source: Source.of(a) for a in library.articles.values()}
        return cls(library.categories_hash, files, dict(library.elsewhere))

    @classmethod
    def read(cls, generation: Path, commit: int) -> "Manifest | None":
        data = sidecar.read(generation, MANIFEST_PREFIX, commit)
        if not isinstance(data, dict):
            return None
        try:
            files = {source: Source(*entry) for source, entry in data["files"].items()}
            elsewhere = {source: (int(t), int(n)) for source, (t, n) in data["elsewhere"].items()}
            return cls(data["categories_hash"], files, elsewhere)
        except (KeyError, TypeError, AttributeError, ValueError):
            return None

    def write(self, generation: Path, commit: int) -> None:
        data = {
            "categories_hash": self.categories_hash,
            "files": self.files,
            "elsewhere": self.elsewhere,
        }
        sidecar.write(generation, MANIFEST_PREFIX, commit, data)


def merge_small_segments(writer: SegmentWriter, segments: list[Segment]) -> list[Segment]:
    """Whoosh merge policy for updates: every segment holding less than a tenth of the
    articles goes into the one being written, so a run of one-article updates leaves one big
    segment and one small one, not a segment per update for each search to visit."""
    total = sum(segment.doc_count_all() for segment in segments)
    small = [s for s in segments if s.doc_count_all() * 10 < total]
    for segment in small:
        reader = SegmentReader(writer.storage, writer.schema, segment)
        writer.add_reader(reader)
        reader.close()
    return [s for s in segments if s not in small]


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
            ix = whoosh_index.create_in(str(generation), make_schema(library.language))
            # A large in-memory pool: a smaller one spills sorted runs to disk and merges
            # them, which makes a large build much slower (`make bench` times the build).
            writer = open_writer(ix, limitmb=1024)
            words: Counter[str] = Counter()
            try:
                for article in library.articles.values():
                    fields = _document(library, article)
                    words.update(fields["vocab"].split())
                    writer.add_document(**fields)
            except BaseException:
                writer.cancel()
                raise
            writer.commit()
            commit = ix.latest_generation()
            vocabulary.save(generation, commit, words)
            Manifest.of(library).write(generation, commit)
            (generation / "SCHEMA").write_text(SCHEMA_VERSION, encoding="ascii")
        except BaseException:
            shutil.rmtree(generation, ignore_errors=True)
            raise
        _point_current(index_dir, generation.name)
        _prune(index_dir, keep={generation.name, previous.name if previous else ""})
    report = IndexReport(full=True, added=sorted(library.articles))
    log.info("search index built", extra={"articles": len(report.added)})
    return report


def is_current_schema(generation: Path) -> bool:
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
        or not is_current_schema(generation)
        or not whoosh_index.exists_in(str(generation))
    ):
        return build_index(library, index_dir)
    with _writer_lock(index_dir):
        ix = whoosh_index.open_dir(str(generation))
        manifest = Manifest.read(generation, ix.latest_generation())
        if manifest is not None:
            indexed = {s.path: s.source_hash for s in manifest.files.values()}
        else:
            with ix.searcher() as searcher:
                indexed = {f["path"]: f["source_hash"] for f in searcher.all_stored_fields()}
        report = IndexReport(full=False)
        for path, article in library.articles.items():
            if path not in indexed:
                report.added.append(path)
            elif indexed[path] != article.source_hash:
                report.changed.append(path)
        report.deleted = sorted(set(indexed) - set(library.articles))
        written = [library.articles[path] for path in report.added + report.changed]
        _apply(generation, ix, report, written)
        Manifest.of(library).write(generation, ix.latest_generation())
        ix.close()
    return report


def _apply(generation: Path, ix: Index, report: IndexReport, articles: list[Article]) -> None:
    """Delete the report's deleted articles and (re)write `articles` in one commit, then
    the vocabulary counts that go with it."""
    if not (articles or report.deleted):
        return
    with ix.searcher() as searcher:
        words = vocabulary.load(generation, searcher)
        for path in [*report.deleted, *(a.path for a in articles)]:
            replaced = searcher.document(path=path)
            if replaced is not None:
                words.subtract(replaced["vocab"].split())
    writer = open_writer(ix)
    for path in report.deleted:
        writer.delete_by_term("path", path)
    for article in articles:
        fields = document(article, article_text(article))
        words.update(fields["vocab"].split())
        writer.update_document(**fields)
    writer.commit(mergetype=merge_small_segments)
    vocabulary.save(generation, ix.latest_generation(), words)
    log.info("search index updated: %s", report)


class _NeedsLibrary(Exception):
    """A change `update_changed` can't apply file by file."""


def update_changed(
    content_dir: str | Path, index_dir: str | Path, language: str = DEFAULT_LANGUAGE
) -> IndexReport | None:
    """Apply a language's files added, changed and deleted since its index was written,
    reading only those whose modification time or size differ from the manifest. None when
    that can't be decided file by file: no index or manifest, categories.yml changed, a file
    that can't be loaded, or a path another file has; `update_index` with the whole library
    decides then."""
    content_dir, index_dir = Path(content_dir), Path(index_dir)
    generation = current_generation(index_dir)
    if generation is None or not is_current_schema(generation):
        return None
    with _writer_lock(index_dir):
        if current_generation(index_dir) != generation:  # rebuilt while we waited
            return None
        ix = whoosh_index.open_dir(str(generation))
        try:
            manifest = Manifest.read(generation, ix.latest_generation())
            if manifest is None:
                return None
            report, articles = _changes(content_dir, manifest, language)
            _apply(generation, ix, report, articles)
            manifest.write(generation, ix.latest_generation())
        except _NeedsLibrary:
            return None
        finally:
            ix.close()
    return report


def _changes(
    content_dir: Path, manifest: Manifest, language: str
) -> tuple[IndexReport, list[Article]]:
    """The report and the articles to (re)index; `manifest` is brought up to date."""
    raw_categories = read_categories_file(language_root(content_dir, language))
    if categories_fingerprint(raw_categories) != manifest.categories_hash:
        raise _NeedsLibrary
    categories = load_categories(raw_categories, [], language)
    bodies = Bodies(content_dir, 1)
    files, elsewhere = manifest.files, manifest.elsewhere
    owners = {entry.path: source for source, entry in files.items()}
    report = IndexReport(full=False)
    articles: list[Article] = []
    seen: set[str] = set()
    for source, dir_entry in markdown_entries(content_dir, language):
        seen.add(source)
        entry = files.get(source)
        status = dir_entry.stat()
        read_as = (status.st_mtime_ns, status.st_size)
        if entry is not None and (entry.mtime_ns, entry.size) == read_as:
            continue
        if elsewhere.get(source) == read_as:
            continue  # another language's, and unchanged
        try:
            loaded = load_article(bodies, source, categories, language)
        except FrontMatterError:
            raise _NeedsLibrary from None
        article = loaded[0] if loaded is not None else None
        if entry is not None and (article is None or article.path != entry.path):
            # It left this language, or its translation_of names another article now.
            report.deleted.append(files.pop(source).path)
            owners.pop(entry.path, None)
            entry = None
        if article is None:  # another language's
            elsewhere[source] = read_as
            continue
        elsewhere.pop(source, None)
        files[source] = Source.of(article)
        if entry is not None and entry.source_hash == article.source_hash:
            continue  # touched, not changed
        if owners.get(article.path, source) != source:
            raise _NeedsLibrary  # another file has this path
        owners[article.path] = source
        (report.changed if entry is not None else report.added).append(article.path)
        articles.append(article)
    for source in sorted(set(files) - seen):
        report.deleted.append(files.pop(source).path)
    for source in set(elsewhere) - seen:
        del elsewhere[source]
    report.added.sort()
    report.changed.sort()
    report.deleted.sort()
    return report, articles
