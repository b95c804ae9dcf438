"""The insights pages as editors use them: who may open them, CSV downloads (escaped, redacted),
charts with their tables, the date range, and the forms that change a gap or a suggestion."""

import csv
import html
import io
import re
from pathlib import Path

from app.analytics.csvout import safe_cell, to_csv
from app.analytics.searches import record_search
from tests.insights_helpers import at
from tests.returns_helpers import token_from
from tests.staff_helpers import signed_in

WEEK = {"start": "2026-11-01", "end": "2026-11-07"}
PAGES = {
    "/staff/insights": ["gaps", "synonyms"],
    "/staff/insights/searches": ["per_day", "top_queries", "zero_results", "no_clicks"],
    "/staff/insights/searches/query?q=velvet+poncho": ["per_day", "wordings", "opened"],
    "/staff/insights/articles": ["articles", "comments"],
    "/staff/insights/articles/shipping/track-a-parcel": [
        "views",
        "reasons",
        "comments",
        "searches",
    ],
    "/staff/insights/returns": ["coverage", "by_category", "by_sku", "deflections"],
}
CSV_LINK = re.compile(r'href="([^"]*format=csv[^"]*)"')


def with_week(url: str) -> str:
    return url + ("&" if "?" in url else "?") + "start=2026-11-01&end=2026-11-07"


def text_of(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def rows_of(response) -> list[list[str]]:
    assert response.mimetype == "text/csv"
    return list(csv.reader(io.StringIO(response.get_data(as_text=True))))


def test_customers_and_agents_are_refused_editors_and_admins_let_in(app):
    anonymous, agent = app.test_client(), signed_in(app, "agent")
    for url in PAGES:
        refused = anonymous.get(url)
        assert refused.status_code == 302 and refused.headers["Location"].startswith(
            "/staff/sign-in"
        ), url
        assert agent.get(url).status_code == 403, url
    for url in ("/staff/insights/gaps", "/staff/insights/synonyms/1"):
        for client, status in ((anonymous, 302), (agent, 403)):
            token = token_from(text_of(client.get("/returns/")))
            data = {"csrf_token": token, "kind": "query", "key": "x", "status": "planned"}
            assert client.post(url, data=data).status_code == status, url
    for role in ("editor", "admin"):
        client = signed_in(app, role)
        for url in PAGES:
            assert client.get(url).status_code == 200, (role, url)
        assert '<a href="/staff/insights">Insights</a>' in text_of(client.get("/staff/insights"))
        if role == "editor":
            home = text_of(client.get("/staff/"))
            assert '<a href="/staff/insights">Open the insights</a>' in home


def test_every_table_downloads_as_csv(week_app):
    editor = signed_in(week_app, "editor")
    for url, tables in PAGES.items():
        page = text_of(editor.get(with_week(url)))
        links = [html.unescape(link) for link in CSV_LINK.findall(page)]
        assert [re.search(r"table=(\w+)", link).group(1) for link in links] == tables, url
        for link, table in zip(links, tables, strict=True):
            response = editor.get(link)
            assert response.headers["Content-Disposition"] == (
                f'attachment; filename="{table}-2026-11-01-to-2026-11-07.csv"'
            )
            assert len(rows_of(response)[0]) >= 2, link
    assert editor.get("/staff/insights/searches?format=csv&table=nope").status_code == 404


def test_returns_page_and_csv_count_exchanges_apart(week_app):
    """An exchange keeps the sale: editors see how many items went back for another size."""
    editor = signed_in(week_app, "editor")
    page = text_of(editor.get(with_week("/staff/insights/returns")))
    shoes = re.search(r'<th scope="row">shoes</th>(.*?)</tr>', page, re.S).group(1)
    assert re.findall(r'<td class="num">([^<]*)</td>', shoes)[:2] == ["2", "1"]
    skus = rows_of(editor.get(with_week("/staff/insights/returns?format=csv&table=by_sku")))
    assert skus[0][:4] == ["sku", "item", "items returned", "of those, exchanged"]
    assert ["SHOE-40", "Canvas shoe", "2", "1"] in [row[:4] for row in skus]


def test_csv_tables_hold_the_reports_numbers(week_app):
    editor = signed_in(week_app, "editor")
    top = rows_of(editor.get(with_week("/staff/insights/searches?format=csv&table=top_queries")))
    assert top[0][:7] == [
        "query",
        "example (redacted)",
        "searches",
        "zero results",
        "searches with a click",
        "click-through rate",
        "average clicked position",
    ]
    assert [row[:7] for row in top[1:3]] == [
        ["track parcel", "track parcel", "12", "0", "1", "0.0833", "1.0"],
        ["refund status", "refund status", "4", "0", "2", "0.5", "1.5"],
    ]
    articles = rows_of(
        editor.get(with_week("/staff/insights/articles?sort=wilson&format=csv&table=articles"))
    )
    assert [row[:8] for row in articles[1:]] == [
        ["returns/send-it-back", "Send an item back step by step", "7", "10", "9", "0.9",
         "0.5958", "no"],
        ["shipping/track-a-parcel", "How do I track my parcel?", "15", "100", "60", "0.6",
         "0.502", "no"],
        ["shipping/delivery-options", "Delivery options", "0", "3", "0", "0.0", "0.0", "yes"],
    ]  # fmt: skip
    gaps = rows_of(editor.get(with_week("/staff/insights?format=csv&table=gaps")))
    assert [(row[1], row[2], row[5]) for row in gaps[1:]] == [
        ("Article rated unhelpful", "shipping/track-a-parcel", "92.8199"),
        ("Return reason without an article", "wrong_item", "19.0339"),
        ("Search results not opened", "track parcel", "10.4686"),
        ("Search finds nothing", "velvet poncho", "1.8114"),
        ("Search finds nothing", "my email is [email]", "0.862"),
    ]


def test_cells_that_could_run_as_formulas_are_escaped():
    assert [safe_cell(v) for v in ("=1+1", "+1", "-1", "@A1", "\t=1", "\r=1", " =1")] == [
        "'=1+1",
        "'+1",
        "'-1",
        "'@A1",
        "'\t=1",
        "'\r=1",
        "' =1",
    ]
    assert [safe_cell(v) for v in (-5, 0.123456, True, None, "a=b", "refund")] == [
        -5,
        0.1235,
        "yes",
        "",
        "a=b",
        "refund",
    ]
    assert to_csv(["a", "b"], [["=cmd", 2]]) == "a,b\r\n'=cmd,2\r\n"


def test_a_malicious_query_or_comment_cannot_run_in_a_spreadsheet(week_app):
    with week_app.app_context():
        record_search('=HYPERLINK("http://evil.example","click")', 0, "page", "m1", at=at(4))
        record_search("@SUM(1+1)", 0, "page", "m2", at=at(4))
    editor = signed_in(week_app, "editor")
    zero = rows_of(editor.get(with_week("/staff/insights/searches?format=csv&table=zero_results")))
    examples = {row[1] for row in zero[1:]}
    assert '\'=HYPERLINK("http://evil.example","click")' in examples
    assert "'@SUM(1+1)" in examples
    comments = rows_of(editor.get(with_week("/staff/insights/articles?format=csv&table=comments")))
    assert [row[2] for row in comments[1:]] == [
        "'@SUM(1+1)",
        '\'=HYPERLINK("http://evil.example","x")',
        "Prices changed",
        "Which box?",
        "'-2+3 is wrong",
    ]
    for row in zero[1:] + comments[1:]:
        assert not any(cell.startswith(("=", "+", "-", "@")) for cell in row), row


def test_personal_data_never_reaches_the_pages_or_the_csv_files(app):
    customer = app.test_client()
    for query in (
        "ana.silva@example.com refund",
        "call me on +1 (555) 010-9999",
        "order JP-10481 late",
    ):
        customer.get("/search", query_string={"q": query})
    editor = signed_in(app, "editor")
    seen = []
    for url in PAGES:
        page = text_of(editor.get(url))
        seen.append(page)
        for link in CSV_LINK.findall(page):
            seen.append(editor.get(html.unescape(link)).get_data(as_text=True))
    seen.append(text_of(editor.get("/staff/insights/searches/query?q=order+%5Bnumber%5D+late")))
    everything = "\n".join(seen)
    for secret in ("ana.silva", "example.com refund", "(555) 010", "010-9999", "10481"):
        assert secret not in everything, secret
    for placeholder in ("[email] refund", "call me on [phone]", "order [number] late"):
        assert placeholder in everything, placeholder


def test_the_search_chart_has_its_numbers_in_a_table(week_app):
    page = text_of(signed_in(week_app, "editor").get(with_week("/staff/insights/searches")))
    assert 'role="img"' in page
    assert 'aria-label="Searches per day: 19 searches in all, at most 12 a day."' in page
    assert page.count("<rect ") == 7
    assert "<title>6 November 2026: 12 searches</title>" in page
    assert re.search(
        r"<td>6 November 2026</td><td class=\"num\">12</td><td class=\"num\">0</td>"
        r"<td class=\"num\">1</td>",
        page,
    )


def test_query_arguments_named_like_the_path_change_nothing(week_app):
    editor = signed_in(week_app, "editor")
    page = text_of(editor.get("/staff/insights/articles/returns/send-it-back?path=x/y"))
    assert "<h1>Send an item back step by step</h1>" in page
    assert 'href="/staff/insights/articles/returns/send-it-back?format=csv&amp;table=views"' in page


def test_bad_dates_say_so_and_show_the_last_30_days(week_app):
    page = text_of(signed_in(week_app, "editor").get("/staff/insights/searches?start=2026-13-01"))
    assert "Dates must look like 2026-11-23. Showing the last 30 days." in page
    assert "(30 days, UTC)" in page


def test_article_table_sorts_and_marks_too_few_votes(week_app):
    editor = signed_in(week_app, "editor")
    page = text_of(editor.get(with_week("/staff/insights/articles?sort=wilson&dir=desc")))
    titles = ["Send an item back step by step", "How do I track my parcel?", "Delivery options"]
    positions = [page.index(f">{title}</a>") for title in titles]
    assert positions == sorted(positions)
    assert page.count('<span class="badge">too few votes</span>') == 1
    assert 'aria-sort="descending"' in page and "sort=wilson&amp;dir=asc" in page


def test_the_articles_table_filters_by_title_and_category(week_app):
    editor = signed_in(week_app, "editor")
    titled = text_of(editor.get(with_week("/staff/insights/articles?q=PARCEL")))
    assert ">How do I track my parcel?</a>" in titled and ">Delivery options</a>" not in titled
    returns = text_of(editor.get(with_week("/staff/insights/articles?category=returns&sort=title")))
    assert ">Send an item back step by step</a>" in returns and "track my parcel" not in returns
    assert 'href="/staff/insights/articles?' in returns and "category=returns" in returns
    nothing = text_of(editor.get(with_week("/staff/insights/articles?q=zebra")))
    assert "No article matches." in nothing


def test_helpfulness_is_read_in_plain_words_the_same_way_everywhere(week_app):
    editor = signed_in(week_app, "editor")
    article = text_of(editor.get(with_week("/staff/insights/articles/shipping/track-a-parcel")))
    assert "at least 50% found it helpful, with 95% confidence" in article
    gaps = text_of(editor.get(with_week("/staff/insights")))
    assert "at most 69% found it helpful, with 95% confidence" in gaps
    assert "Wilson" not in article + gaps


def test_editor_marks_a_gap_planned_with_a_note(week_app):
    editor = signed_in(week_app, "editor")
    token = token_from(text_of(editor.get(with_week("/staff/insights"))))
    gap = {"kind": "query", "key": "velvet poncho", "title": "Velvet Poncho!"}
    response = editor.post(
        with_week("/staff/insights/gaps"),
        data={"csrf_token": token, **gap, "status": "planned", "note": "Poncho care page"},
    )
    assert response.status_code == 303
    assert response.location == "/staff/insights?start=2026-11-01&end=2026-11-07#queue"
    page = text_of(editor.get(response.location))
    assert "“Velvet Poncho!” is now planned." in page
    assert '<span class="badge badge-planned">Planned</span>' in page
    assert ">Poncho care page</textarea>" in page
    assert "Last changed by editor@example.com" in page

    refused = editor.post(
        with_week("/staff/insights/gaps"), data={"csrf_token": token, **gap, "status": "finished"}
    )
    assert "Nothing was saved: Not a valid choice." in text_of(editor.get(refused.location))
    forged = editor.post(with_week("/staff/insights/gaps"), data={**gap, "status": "dismissed"})
    assert forged.status_code == 400  # no CSRF token
    page = text_of(editor.get(with_week("/staff/insights")))
    assert 'Planned <span class="count">(1)</span>' in page
    assert 'Dismissed <span class="count">(0)</span>' in page


def test_editor_accepts_a_synonym_suggested_by_a_customers_searches(app):
    customer = app.test_client()
    customer.get("/search?q=velvet+poncho")  # finds nothing
    customer.get("/search?q=track+parcel")  # finds the tracking article
    editor = signed_in(app, "editor")
    line = "- [&#34;track parcel&#34;, &#34;velvet poncho&#34;]"
    first = text_of(editor.get("/staff/insights"))
    assert f"<code>{line}</code>" not in first  # seen once: hidden, and said so
    assert "1 suggestion seen only once is hidden" in first
    page = text_of(editor.get("/staff/insights?suggestions=all"))
    assert f"<code>{line}</code>" in page
    assert "content/shipping/track-a-parcel.md" in page
    assert "Customers who searched this then found results with: “track parcel” (1×)" in page
    action = html.unescape(re.search(r'action="(/staff/insights/synonyms/[^"]+)"', page).group(1))
    token = token_from(page)
    accepted = editor.post(action, data={"csrf_token": token, "status": "accepted"})
    assert re.fullmatch(
        r"/staff/insights\?start=[\d-]+&end=[\d-]+&suggestions=all#accepted", accepted.location
    )
    after = text_of(editor.get(accepted.location))
    assert "Accepted “velvet poncho” → “track parcel”: its line is under Accepted." in after
    accepted_list = after.split('id="accepted-heading"')[1]
    assert f"<code>{line}</code></td>\n      <td>Not yet</td>" in accepted_list
    assert "No open suggestions." in after and "1 accepted, 0 dismissed so far." in after
    synonyms_file = Path(app.config["CONTENT_DIR"]) / "synonyms.yml"
    synonyms_file.write_text('- ["track parcel", "velvet poncho"]\n', encoding="utf-8")
    landed = text_of(editor.get("/staff/insights")).split('id="accepted-heading"')[1]
    assert "<td>Yes, added</td>" in landed
    missing = editor.post(
        "/staff/insights/synonyms/999", data={"csrf_token": token, "status": "accepted"}
    )
    assert missing.status_code == 404
