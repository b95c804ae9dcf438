"""An article's words without rendering it: Markdown syntax stripped with a few regular
expressions, about fifty times cheaper than the full render. The search index and its
snippets use this; pages use the rendered HTML."""

import html
import logging
import re
from typing import TYPE_CHECKING

from app.content.frontmatter import FrontMatterError, body_of

if TYPE_CHECKING:
    from app.content.library import Article

log = logging.getLogger(__name__)

FENCE = re.compile(r"^\s*(```|~~~).*$", re.MULTILINE)
REFERENCE = re.compile(r"^\s{0,3}\[[^\]]+\]:\s+\S+.*$", re.MULTILINE)
IMAGE = re.compile(r"!\[[^\]]*\](?:\([^)]*\)|\[[^\]]*\])")
LINK = re.compile(r"\[([^\]]*)\](?:\([^)]*\)|\[[^\]]*\])")
AUTOLINK = re.compile(r"<(https?://[^>\s]+)>|<(?:mailto:)?([^>\s@]+@[^>\s]+)>")
COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
TAG = re.compile(r"</?[A-Za-z][^>]*>")
ADMONITION = re.compile(r'^\s*!!!\s*(\w+)\s*(?:"([^"]*)")?\s*$', re.MULTILINE)
HEADING_RULE = re.compile(r"^\s*(?:[=\-*_]\s*){3,}$", re.MULTILINE)
LINE_MARKERS = re.compile(r"^\s*(?:>\s?|[-+*]\s+|\d+[.)]\s+)+", re.MULTILINE)
HEADING = re.compile(r"^\s*#{1,6}\s+", re.MULTILINE)
INLINE_MARKERS = re.compile(r"(?<!\w)[*_]{1,3}|[*_]{1,3}(?!\w)|`+|\|")


def plain_text(markdown: str) -> str:
    """The readable words of a Markdown body, whitespace collapsed."""
    text = COMMENT.sub(" ", markdown)
    text = FENCE.sub(" ", text)
    text = REFERENCE.sub(" ", text)
    # An admonition shows its title, or its kind ("Warning") when it has none.
    text = ADMONITION.sub(lambda m: m.group(2) or m.group(1).capitalize(), text)
    text = IMAGE.sub(" ", text)
    text = LINK.sub(r"\1", text)
    text = AUTOLINK.sub(lambda m: m.group(1) or m.group(2), text)
    text = TAG.sub(" ", text)
    text = HEADING_RULE.sub(" ", text)
    text = LINE_MARKERS.sub("", text)
    text = HEADING.sub("", text)
    text = INLINE_MARKERS.sub("", text)
    return " ".join(html.unescape(text).split())


def article_text(article: "Article") -> str:
    """The plain text of an article's file as it is now ("" when it can no longer be read)."""
    try:
        file = article.bodies.root / article.source
        return plain_text(body_of(file.read_text(encoding="utf-8")))
    except (OSError, UnicodeDecodeError, FrontMatterError) as error:
        log.error("article %s can no longer be read: %s", article.path, error)
        return ""
