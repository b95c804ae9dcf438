"""The index's fields and how much each counts."""

import re

from whoosh.analysis import STOP_WORDS, LowercaseFilter, RegexTokenizer, StemmingAnalyzer
from whoosh.fields import ID, STORED, TEXT, Schema

# Words that carry no meaning in a help-center question ("how do I ...", "where is my ...").
QUESTION_WORDS = {
    "how",
    "do",
    "does",
    "did",
    "done",
    "what",
    "where",
    "why",
    "who",
    "which",
    "i",
    "me",
    "my",
    "mine",
    "our",
    "im",
    "ive",
    "get",
    "got",
    "there",
    "here",
    "about",
    "please",
    "need",
    "want",
    "s",
    "t",
    "d",
    "ll",
}
# One analyzer for every ranked field, so a query word is analysed once for all of them.
TEXT_ANALYZER = StemmingAnalyzer(stoplist=STOP_WORDS | QUESTION_WORDS)
# The vocabulary field keeps words as written (lowercased): typo matching and "did you mean"
# compare what people type with real words, not with stems.
VOCAB_ANALYZER = RegexTokenizer() | LowercaseFilter()

WORD = re.compile(r"\w+", re.UNICODE)
# Aliases are indexed with the title: customers' own phrasings count as much as the title.
FIELD_WEIGHTS = {"title": 6.0, "tags": 3.0, "summary": 2.0, "body": 1.0}


def make_schema() -> Schema:
    return Schema(
        path=ID(stored=True, unique=True),
        source_hash=STORED(),
        category=ID(stored=True),
        type=ID(stored=True),
        # No word positions: multi-word phrases match as all-of-these-words, which keeps the
        # postings (and the build) about half the size.
        title=TEXT(analyzer=TEXT_ANALYZER, phrase=False),
        tags=TEXT(analyzer=TEXT_ANALYZER, phrase=False),
        summary=TEXT(analyzer=TEXT_ANALYZER, phrase=False),
        body=TEXT(analyzer=TEXT_ANALYZER, phrase=False),
        vocab=TEXT(analyzer=VOCAB_ANALYZER, phrase=False),
    )


def document(article) -> dict:
    """The index document for an article."""
    words = " ".join(
        [article.title, *article.aliases, *article.tags, article.summary, article.text]
    )
    return {
        "path": article.path,
        "source_hash": article.source_hash,
        "category": article.category,
        "type": article.type,
        "title": " ; ".join([article.title, *article.aliases]),
        "tags": " ; ".join(article.tags),
        "summary": article.summary,
        "body": article.text,
        # Each word once: the vocabulary needs which words exist and in how many articles,
        # not how often, and analysing half the words halves this field's cost.
        "vocab": " ".join(dict.fromkeys(WORD.findall(words.lower()))),
    }
