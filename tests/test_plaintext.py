"""Plain text without rendering: the words the index and snippets use must be the words a
reader sees on the rendered page."""

import re
from pathlib import Path

import pytest

from app.content.frontmatter import split
from app.content.plaintext import plain_text
from app.content.render import render

ROOT = Path(__file__).resolve().parent.parent
WORDS = re.compile(r"\w+")
SHIPPED = sorted((ROOT / "content").rglob("*.md"))


def words(text: str) -> list[str]:
    return WORDS.findall(text.lower())


@pytest.mark.parametrize("file", SHIPPED, ids=lambda f: f.stem)
def test_shipped_articles_have_the_rendered_pages_words(file):
    body = split(file.read_text(encoding="utf-8")).body
    assert words(plain_text(body)) == words(render(body).text)


@pytest.mark.parametrize(
    "markdown",
    [
        "See the [returns page](/returns) or <https://shop.example/help>.",
        "Write to <mailto:help@shop.example> or <care@shop.example>.",
        "![A folded parcel label](/static/label.png) on the box",
        "Use **bold**, _emphasis_ and `codes` in a sentence.",
        "| Size | Chest |\n|---|---|\n| S | 86 |",
        '!!! warning "Keep your receipt"\n    Until the refund arrives.',
        "!!! note\n    Plain note.",
        "1. First step\n2. Second step\n- a bullet\n> quoted words",
        "## 3. Choose a refund\n\nText &amp; more",
        "Raw <span class='x'>inline html</span> and <!-- a comment --> after",
        "```\nflask content index\n```",
        "[Label][ref]\n\n[ref]: https://shop.example/label",
    ],
)
def test_markdown_syntax_is_stripped_like_the_renderer_does(markdown):
    assert words(plain_text(markdown)) == words(render(markdown).text)


def test_link_targets_and_markup_are_not_words():
    text = plain_text("Open [your account](https://shop.example/account) and **sign in**.")
    assert text == "Open your account and sign in."
