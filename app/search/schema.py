"""The index's fields and how much each counts."""

import re
from collections import Counter
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from whoosh.analysis.tokenizers import default_pattern
from whoosh.fields import ID, STORED, TEXT, Schema
from whoosh.system import pack_uint

from app.config import DEFAULT_LANGUAGE
from app.search.languages import analysis

if TYPE_CHECKING:
    from app.content import Article

# The default language's analysis (other languages: app.search.languages).
ENGLISH = analysis(DEFAULT_LANGUAGE)
WORD = re.compile(r"\w+", re.UNICODE)
# Typo matching starts at 5 letters, one edit away: no shorter word is ever a typo match, a
# "did you mean" word, or asked whether it is known (app.search.query.typo_budget).
VOCAB_MIN_LETTERS = 4
# Aliases are indexed with the title: customers' own phrasings count as much as the title.
FIELD_WEIGHTS = {"title": 6.0, "tags": 3.0, "summary": 2.0, "body": 1.0}

# The tokenizer's pattern with its group made non-capturing, so findall returns whole words.
TOKENS = re.compile(default_pattern.pattern.replace("(", "(?:"), default_pattern.flags)


class IndexedText(TEXT):
    """A TEXT field that indexes with the same words as its language's analyser (the
    tokenizer's pattern, lowercase, stop words, words of 2+ letters, stems) in one pass over
    plain strings: Whoosh's analyser chain makes a Token object per word, which was most of
    the time a full build took. Queries still go through the analyser."""

    def __init__(self, language: str = DEFAULT_LANGUAGE, **kwargs: Any) -> None:
        # Whoosh is unannotated, and mypy's untyped_calls_exclude misses super() calls.
        super().__init__(  # type: ignore[no-untyped-call]
            analyzer=analysis(language).analyzer, phrase=False, **kwargs
        )
        self.language = language

    def words(self, value: str) -> list[str]:
        words = analysis(self.language)
        stoplist, stem = words.stoplist, words.stem_word
        found = (w.lower() for w in TOKENS.findall(value))
        return [stem(w) for w in found if len(w) >= 2 and w not in stoplist]

    def index(self, value: object, **kwargs: Any) -> Iterator[tuple[bytes, int, float, bytes]]:
        if not isinstance(value, str):
            yield from super().index(value, **kwargs)  # type: ignore[no-untyped-call]  # (above)
            return
        for word, count in Counter(self.words(value)).items():
            yield word.encode("utf-8"), count, float(count), pack_uint(count)


def make_schema(language: str = DEFAULT_LANGUAGE) -> Schema:
    """The index's fields, analysed in the language of the articles it holds."""
    return Schema(
        path=ID(stored=True, unique=True),
        source_hash=STORED(),
        text=STORED(),  # for snippets and "more like this", without rendering the article
        category=ID(stored=True),
        type=ID(stored=True),
        # No word positions: multi-word phrases match as all-of-these-words, which keeps the
        # postings (and the build) about half the size.
        title=IndexedText(language),
        tags=IndexedText(language),
        summary=IndexedText(language),
        body=IndexedText(language),
        vocab=STORED(),  # the article's words for the vocabulary (see vocabulary.py)
    )


def document(article: "Article", text: str) -> dict[str, str]:
    """The index document for an article whose body reads `text`."""
    words = " ".join([article.title, *article.aliases, *article.tags, article.summary, text])
    return {
        "path": article.path,
        "source_hash": article.source_hash,
        "category": article.category,
        "type": article.type,
        "title": " ; ".join([article.title, *article.aliases]),
        "tags": " ; ".join(article.tags),
        "summary": article.summary,
        "body": text,
        "text": text,
        # Each word once: the vocabulary counts the articles holding a word, not how often
        # it occurs. Only words typo matching can reach (see VOCAB_MIN_LETTERS).
        "vocab": " ".join(
            w for w in dict.fromkeys(WORD.findall(words.lower())) if len(w) >= VOCAB_MIN_LETTERS
        ),
    }
