"""How each language's words are indexed and searched: its stop words, the words customers
put around a question, its stemmer (Whoosh's language analyzers), and whether accents are
folded.

English keeps its own analysis (Porter stems, Whoosh's English stop words and question
words). Other languages take Whoosh's Snowball stemmer and stop list for the language, and
fold accents after stemming, since customers often type "rembourse" for "remboursé" or
"grosse" for "größe" (the German stemmer already drops umlauts and writes ß as ss).
"""

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, lru_cache

from whoosh.analysis import (
    STOP_WORDS,
    Analyzer,
    CharsetFilter,
    LowercaseFilter,
    RegexTokenizer,
    StemFilter,
    StemmingAnalyzer,
    StopFilter,
)
from whoosh.lang import has_stemmer, stemmer_for_language, stopwords_for_language
from whoosh.lang.porter import stem as porter_stem
from whoosh.support.charset import accent_map

from app.config import DEFAULT_LANGUAGE

# Words that carry no meaning in a help-center question ("how do I ...", "where is my ..."),
# in each language, beside the language's stop words.
QUESTION_WORDS = {
    "en": """how do does did done what where why who which i me my mine our im ive get got
        there here about please need want s t d ll""",
    "de": """warum wieso weshalb wer gibt gibts bitte hallo danke mal eigentlich irgendwie
        möchte moechte mochte brauche geht""",
    "fr": """comment pourquoi où ou quoi puis peux peut veux voudrais voudrait faut bonjour
        merci svp stp est ce cela ça les ils elles cette cet leurs quel quelle quels quelles
        être etre""",
}
# Words customers put around a question that articles rarely say back ("make X the
# default", "keep getting"): searched only when a query has nothing else. As typed.
CONVERSATIONAL_WORDS = {
    "en": """make makes making made set sets keep keeps keeping kept show shows showing shown
        give gives giving gave given many much every own no longer anymore still also just
        really even always able possible way ways thing things something anything someone
        anyone should would could might must cant cannot dont doesnt didnt wont isnt arent
        wasnt won isn doesn didn don aren wasn very too ok okay hi hello thanks thank help""",
    "de": """immer schon noch einfach wirklich leider gerne gern irgendwas etwas jemand
        sollte könnte muss mehr hilfe""",
    "fr": """toujours encore vraiment déjà juste aussi très trop chose quelque quelqu aide
        faire fait""",
}


@dataclass(frozen=True, eq=False)  # one per language (see `analysis`): hashed by identity
class Analysis:
    """A language's analysis: the same words for the index (IndexedText) and for a query."""

    code: str
    stoplist: frozenset[str]
    conversational: frozenset[str]
    analyzer: Analyzer
    stem_word: Callable[[str], str]  # a lowercase word's stem

    def stems(self, text: str) -> list[str]:
        """The indexed words of a text: its words of 2+ letters, not stop words, stemmed."""
        return [t.text for t in self.analyzer(text)]


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


def fold(word: str) -> str:
    """A word without its accents ("remboursé": "rembourse"), as CharsetFilter folds it."""
    return word.translate(accent_map)


def _folded_stemmer(language: str) -> Callable[[str], str]:
    snowball = stemmer_for_language(language)

    def stem(word: str) -> str:
        return fold(snowball(word))

    return stem


@cache
def analysis(language: str) -> Analysis:
    """The analysis of a site language; a language Whoosh has no stemmer for is searched by
    whole words, without stop words."""
    if language == DEFAULT_LANGUAGE:
        stoplist = frozenset(STOP_WORDS | _words(QUESTION_WORDS["en"]))
        return Analysis(
            code=language,
            stoplist=stoplist,
            conversational=_words(CONVERSATIONAL_WORDS["en"]),
            analyzer=StemmingAnalyzer(stoplist=stoplist),
            stem_word=lru_cache(maxsize=100_000)(porter_stem),
        )
    stemmed = has_stemmer(language)
    stoplist = _words(QUESTION_WORDS.get(language, ""))
    if stemmed:
        stoplist |= frozenset(stopwords_for_language(language))
    chain = RegexTokenizer() | LowercaseFilter() | StopFilter(stoplist=stoplist)
    if stemmed:
        chain = chain | StemFilter(lang=language)
    chain = chain | CharsetFilter(accent_map)
    stem_word = _folded_stemmer(language) if stemmed else fold
    return Analysis(
        code=language,
        stoplist=frozenset(stoplist),
        conversational=_words(CONVERSATIONAL_WORDS.get(language, "")),
        analyzer=chain,
        stem_word=lru_cache(maxsize=100_000)(stem_word),
    )
