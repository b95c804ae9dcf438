"""Markdown to sanitised HTML, done when an article is first read (see library.Bodies)."""

import html
import threading
from dataclasses import dataclass
from typing import TypedDict

import markdown
import nh3

EXTENSIONS = ["tables", "fenced_code", "toc", "admonition", "sane_lists", "smarty"]
EXTENSION_CONFIGS = {
    "tables": {"use_align_attribute": True},
}

ALLOWED_TAGS = {
    "a",
    "abbr",
    "b",
    "blockquote",
    "br",
    "code",
    "dd",
    "del",
    "details",
    "div",
    "dl",
    "dt",
    "em",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "img",
    "kbd",
    "li",
    "ol",
    "p",
    "pre",
    "s",
    "small",
    "span",
    "strong",
    "sub",
    "summary",
    "sup",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "tr",
    "ul",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "code": {"class"},
    "div": {"class"},
    "img": {"src", "alt", "title", "width", "height"},
    "p": {"class"},
    "span": {"class"},
    "td": {"align"},
    "th": {"align"},
    "ol": {"start"},
    **{f"h{level}": {"id"} for level in range(2, 7)},
}
URL_SCHEMES = {"http", "https", "mailto", "tel"}


@dataclass(frozen=True)
class Heading:
    level: int
    anchor: str
    text: str


@dataclass(frozen=True)
class Rendered:
    html: str
    toc: tuple[Heading, ...]
    text: str


def sanitise(fragment: str) -> str:
    return nh3.clean(
        fragment,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
    )


class TocToken(TypedDict):
    """A heading as Python-Markdown's toc extension lists it."""

    level: int
    id: str
    name: str
    children: list["TocToken"]


def _headings(tokens: list[TocToken]) -> list[Heading]:
    found = []
    for token in tokens:
        found.append(Heading(token["level"], token["id"], html.unescape(token["name"])))
        found.extend(_headings(token.get("children", [])))
    return found


_converters = threading.local()


def _converter() -> markdown.Markdown:
    """This thread's Markdown converter: setting one up costs a tenth of a conversion, and a
    converter is not safe to share between threads."""
    md = getattr(_converters, "md", None)
    if md is None:
        md = _converters.md = markdown.Markdown(
            extensions=EXTENSIONS, extension_configs=EXTENSION_CONFIGS
        )
    return md.reset()


def render(source: str) -> Rendered:
    """Render Markdown, demote any `#` heading (the page has its own h1) and sanitise."""
    md = _converter()
    raw = md.convert(source)
    raw = raw.replace("<h1", "<h2").replace("</h1>", "</h2>")
    clean = sanitise(raw)
    text = html.unescape(nh3.clean(clean, tags=set()))
    # The toc extension sets toc_tokens on the converter; types-Markdown doesn't declare it.
    tokens: list[TocToken] = md.toc_tokens  # type: ignore[attr-defined]
    toc = tuple(h for h in _headings(tokens) if h.level in (1, 2, 3))
    return Rendered(html=clean, toc=toc, text=" ".join(text.split()))
