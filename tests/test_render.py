"""Markdown rendering and sanitising."""

from app.content.render import render


def test_tables_code_admonitions_and_heading_anchors():
    result = render(
        "## Sizes\n\n| Size | Chest |\n|:--|--:|\n| S | 90 |\n\n"
        "```\nprint('hi')\n```\n\n!!! warning \"Careful\"\n    Hot iron.\n\n### Small print\n"
    )
    assert '<h2 id="sizes">Sizes</h2>' in result.html
    assert "<table>" in result.html and '<td align="right">90</td>' in result.html
    assert "<pre><code>print(&#x27;hi&#x27;)" in result.html or "print('hi')" in result.html
    assert '<div class="admonition warning">' in result.html
    assert '<p class="admonition-title">Careful</p>' in result.html
    assert [(h.level, h.anchor, h.text) for h in result.toc] == [
        (2, "sizes", "Sizes"),
        (3, "small-print", "Small print"),
    ]


def test_body_h1_is_demoted_below_the_page_title():
    assert render("# Title again\n\nText").html.startswith('<h2 id="title-again">')


def test_scripts_event_handlers_and_javascript_links_never_survive():
    result = render(
        "Hello <script>alert('x')</script>\n\n"
        '<img src="x.png" onerror="alert(1)" alt="pic">\n\n'
        '[click](javascript:alert(1)) <a href="https://ok.example" onclick="x()">ok</a>\n\n'
        '<iframe src="https://evil.example"></iframe><style>body{}</style>'
    )
    html = result.html.lower()
    for bad in ("<script", "alert('x')", "onerror", "onclick", "javascript:", "<iframe", "<style"):
        assert bad not in html
    assert 'alt="pic"' in result.html
    assert 'href="https://ok.example"' in result.html


def test_plain_text_is_extracted_for_search_and_snippets():
    result = render("## Refunds\n\nWe refund **within a week** &amp; tell you.")
    assert result.text == "Refunds We refund within a week & tell you."
