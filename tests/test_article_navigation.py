"""Beside every article, the other articles of its section; on articles about returns, a
"Start a return" button."""

import html as html_text
import re

import pytest

from tests.conftest import ROOT


@pytest.fixture
def client(make_app):
    return make_app(CONTENT_DIR=str(ROOT / "content")).test_client()


def section(html: str) -> list[str]:
    part = html.split('id="section-heading"', 1)[1].split("</nav>", 1)[0]
    return [
        html_text.unescape(t)
        for t in re.findall(r'<a href="/articles/[^"]+"[^>]*>([^<]+)</a>', part)
    ]


def test_an_article_lists_its_sections_articles_in_order_marking_itself(client):
    html = client.get("/articles/returns-refunds/when-will-i-get-my-refund").text
    assert section(html) == [
        "Our return policy",
        "How to return an item",
        "When will I get my refund?",
        "My item arrived damaged or defective",
        "Exchanges and store credit",
        "Items that can't be returned",
        "Can I return a gift?",
    ]
    assert 'aria-current="page">When will I get my refund?</a>' in html


@pytest.mark.parametrize(
    ("path", "button"),
    [
        ("returns-refunds/how-to-return-an-item", True),
        ("returns-refunds/return-policy", True),
        ("sizing-care/clothing-size-guide", True),  # offered before a return for sizing
        ("orders-shipping/track-my-order", False),
        ("account-privacy/reset-your-password", False),
    ],
)
def test_articles_about_returns_have_a_start_a_return_button(client, path, button):
    html = client.get(f"/articles/{path}").text
    assert ('<a class="button" href="/returns/">Start a return</a>' in html) is button
