"""The engines `make eval` compares, each over the same articles and their plain text: ours,
SQLite FTS5 (bm25, Porter stemming in English, accents folded in other languages) and, when
the eval extra is installed, tantivy (BM25 with the language's Snowball stemmer, as plain
any-word search and with fuzzy terms). Each answers a query with article paths, best
first."""

import re
import sqlite3
import tempfile
from pathlib import Path

from app.content import Library
from app.content.plaintext import article_text
from app.search import SearchEngine, build_index
from app.search.query import Synonyms

TOP = 10
WORD = re.compile(r"\w+", re.UNICODE)


def _rows(library: Library) -> list[tuple[str, str, str, str, str]]:
    """(path, title with aliases, summary, tags, body text) for every article."""
    return [
        (
            article.path,
            " ; ".join([article.title, *article.aliases]),
            article.summary,
            " ; ".join(article.tags),
            article_text(article),
        )
        for article in library.articles.values()
    ]


class Ours:
    name = "ours"

    def __init__(self, library: Library, workdir: Path):
        index_dir = workdir / "index"
        build_index(library, index_dir)
        synonyms = Synonyms.load(library.root / "synonyms.yml")
        self.engine = SearchEngine(index_dir, library, synonyms)

    def search(self, text: str) -> list[str]:
        return [hit.path for hit in self.engine.search(text, per_page=TOP).hits]

    def close(self) -> None:
        self.engine.close()


class Fts5:
    """Any of the query's words, ranked by bm25 with our field weights."""

    name = "sqlite fts5 bm25"
    QUERY = "SELECT path FROM t WHERE t MATCH ? ORDER BY bm25(t, 0, 6.0, 2.0, 3.0, 1.0) LIMIT ?"

    def __init__(self, library: Library, workdir: Path, language: str = "en"):
        # FTS5's only stemmer is Porter's, for English.
        tokenizer = "porter unicode61" if language == "en" else "unicode61 remove_diacritics 2"
        self.db = sqlite3.connect(workdir / "fts.sqlite3")
        self.db.execute(
            "CREATE VIRTUAL TABLE t USING fts5(path UNINDEXED, title, summary, tags, body, "
            f"tokenize='{tokenizer}')"
        )
        self.db.executemany("INSERT INTO t VALUES (?, ?, ?, ?, ?)", _rows(library))
        self.db.commit()

    def search(self, text: str) -> list[str]:
        terms = ['"' + w + '"' for w in WORD.findall(text.lower())]
        if not terms:
            return []
        rows = self.db.execute(self.QUERY, (" OR ".join(terms), TOP)).fetchall()
        return [path for (path,) in rows]

    def close(self) -> None:
        self.db.close()


class Tantivy:
    """tantivy's default: any word, BM25, the language's stemming; `fuzzy` adds one-edit
    matches."""

    STEMMERS = {"en": "english", "de": "german", "fr": "french"}

    def __init__(self, library: Library, workdir: Path, fuzzy: bool = False, language: str = "en"):
        import tantivy

        self.fuzzy = fuzzy
        self.name = "tantivy + fuzzy" if fuzzy else "tantivy bm25"
        builder = tantivy.SchemaBuilder()
        builder.add_text_field("path", stored=True, tokenizer_name="raw")
        tokenizer = "en_stem" if language == "en" else f"{language}_stem"
        for field in ("title", "summary", "tags", "body"):
            builder.add_text_field(field, tokenizer_name=tokenizer)
        self.index = tantivy.Index(builder.build(), path=str(workdir))
        if language != "en":
            analyzer = (
                tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
                .filter(tantivy.Filter.remove_long(40))
                .filter(tantivy.Filter.lowercase())
                .filter(tantivy.Filter.stemmer(self.STEMMERS[language]))
                .build()
            )
            self.index.register_tokenizer(tokenizer, analyzer)
        writer = self.index.writer()
        for path, title, summary, tags, body in _rows(library):
            writer.add_document(
                tantivy.Document(path=path, title=title, summary=summary, tags=tags, body=body)
            )
        writer.commit()
        writer.wait_merging_threads()
        self.index.reload()
        self.searcher = self.index.searcher()

    def search(self, text: str) -> list[str]:
        words = WORD.findall(text.lower())
        if not words:
            return []
        fields = ["title", "summary", "tags", "body"]
        fuzzy = {f: (False, 1, True) for f in fields} if self.fuzzy else None
        query = self.index.parse_query(
            " ".join(words),
            fields,
            field_boosts={"title": 6.0, "tags": 3.0, "summary": 2.0},
            fuzzy_fields=fuzzy,
        )
        hits = self.searcher.search(query, TOP).hits
        return [self.searcher.doc(address)["path"][0] for _, address in hits]

    def close(self) -> None:
        pass


def open_engines(library: Library, workdir: Path, language: str = "en") -> tuple[list, list[str]]:
    """Every engine that can run here, and a note for each one that can't."""
    engines: list = [Ours(library, workdir / "ours"), Fts5(library, workdir, language)]
    notes = []
    try:
        import tantivy  # noqa: F401
    except ImportError:
        notes.append("tantivy left out: install the eval extra (pip install -e '.[eval]')")
    else:
        for fuzzy in (False, True):
            folder = Path(tempfile.mkdtemp(dir=workdir))
            engines.append(Tantivy(library, folder, fuzzy, language))
    return engines, notes
