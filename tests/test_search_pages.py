"""The search page, the JSON endpoint and what they record for the editors."""

from urllib.parse import parse_qs, urlsplit

from sqlalchemy import select

from app.extensions import db
from app.models import SearchClick, SearchEvent
from tests.conftest import write_content


def events(app) -> list[SearchEvent]:
    with app.app_context():
        return list(db.session.execute(select(SearchEvent).order_by(SearchEvent.id)).scalars())


def clicks(app) -> list[SearchClick]:
    with app.app_context():
        return list(db.session.execute(select(SearchClick)).scalars())


def test_results_page_shows_count_snippets_and_filters(client):
    html = client.get("/search?q=parcel").get_data(as_text=True)
    assert "1 result for <strong>“parcel”</strong>" in html
    assert ">How do I track my parcel?</a>" in html
    assert "<mark>parcel</mark>" in html
    assert 'Shipping &amp; delivery <span class="count">(1)</span>' in html
    assert 'name="q" type="search" value="parcel"' in html


def test_empty_state_suggests_popular_articles_and_contact(client):
    html = client.get("/search?q=zeppelin").get_data(as_text=True)
    assert "0 results for" in html
    assert "We couldn&#39;t find an article for that" in html or "We couldn't find" in html
    assert "Popular articles" in html and "mailto:support@" in html


def test_a_filtered_search_that_finds_nothing_offers_what_is_near(client):
    elsewhere = client.get("/search?q=parcel&category=returns").get_data(as_text=True)
    assert "We couldn't find an article for that" in elsewhere
    part = elsewhere.split("Found in other sections")[1]
    assert "How do I track my parcel?" in part and "Popular articles" not in elsewhere
    section = client.get("/search?q=zebra&category=returns").get_data(as_text=True)
    assert "<h3>More in Returns</h3>" in section
    assert "Send an item back step by step" in section.split("More in Returns")[1]


def empty_state(html: str) -> str:
    return html.split('id="empty-heading"')[1].split("</section>")[0]


def test_a_search_that_finds_nothing_offers_articles_with_similar_words(client):
    html = client.get("/search?q=tracker").get_data(as_text=True)
    assert "0 results for <strong>“tracker”</strong>" in html
    shown = empty_state(html)
    similar = shown.split("<h3>Articles with similar words</h3>")[1].split("<h3>")[0]
    assert 'searching for <a href="/search?q=track">track</a> instead' in similar
    assert ">How do I track my parcel?</a>" in similar
    # They may be beside the point, so the popular articles follow, without repeats.
    popular = shown.split("<h3>Popular articles</h3>")[1]
    assert ">Delivery options</a>" in popular and "track my parcel" not in popular


def test_a_search_that_finds_nothing_near_keeps_the_popular_articles(client):
    shown = empty_state(client.get("/search?q=counterfeit").get_data(as_text=True))
    assert "similar words" not in shown and "More in" not in shown
    assert shown.count("/articles/") == 3  # the three popular articles, the whole help center


def test_a_search_that_names_a_section_offers_its_articles(tmp_path, make_app):
    categories = (
        "- slug: care\n  title: Garment care\n  description: Washing and storing.\n"
        "- slug: gifts\n  title: Gifts\n  description: Cards and wrapping.\n"
    )
    content = write_content(
        tmp_path / "c",
        {
            "care/wool.md": "---\ntitle: Washing wool jumpers\n---\nHand wash them cold.\n",
            "care/linen.md": "---\ntitle: Ironing linen\n---\nIron it while damp.\n",
            "gifts/cards.md": "---\ntitle: Gift card balance\n---\nBalances never expire.\n",
        },
        categories,
    )
    client = make_app(CONTENT_DIR=str(content)).test_client()
    shown = empty_state(client.get("/search?q=garments").get_data(as_text=True))
    section = shown.split("<h3>More in Garment care</h3>")[1]
    assert ">Washing wool jumpers</a>" in section and ">Ironing linen</a>" in section
    assert "Gift card balance" not in shown and "Popular articles" not in shown


def test_did_you_mean_links_to_the_corrected_search(client):
    html = client.get("/search?q=tracknig").get_data(as_text=True)
    assert 'Did you mean <a href="/search?q=tracking">tracking</a>?' in html


def test_script_in_a_query_is_escaped_on_the_page_and_in_json(app, client):
    attack = '<script>alert("x")</script> parcel'
    html = client.get("/search", query_string={"q": attack}).get_data(as_text=True)
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert" in html
    data = client.get("/api/search", query_string={"q": attack}).get_json()
    assert data["query"] == attack  # JSON carries the text; it is never HTML
    assert all("<script" not in r["snippet"] for r in data["results"])
    assert events(app)[-1].query_raw_redacted == attack


def test_bad_parameters_fall_back_to_defaults(client):
    for url in (
        "/search?q=parcel&page=abc",
        "/search?q=parcel&page=-4",
        "/search?q=parcel&category=nope&type=poem",
        "/api/search?q=parcel&limit=zzz",
        "/search?q=" + "x" * 1000,
    ):
        assert client.get(url).status_code == 200, url


def test_api_answers_the_documented_shape(client):
    data = client.get("/api/search?q=parcel&limit=5").get_json()
    assert set(data) == {"query", "total", "suggestion", "results"}
    assert data["query"] == "parcel" and data["total"] == 1 and data["suggestion"] is None
    [result] = data["results"]
    assert {"path", "title", "url", "summary", "snippet", "category", "type"} <= set(result)
    assert result["url"] == "/articles/shipping/track-a-parcel"
    assert result["path"] == "shipping/track-a-parcel" and result["type"] == "faq"


def test_searches_are_recorded_with_personal_data_redacted(app, client):
    client.get("/search?q=Refund for ANNA@example.com order JP-20211")
    client.get("/api/search?q=parcel 07700 900123")
    first, second = events(app)
    assert first.query_raw_redacted == "Refund for [email] order [number]"
    assert first.query_normalized == "refund for [email] order [number]"
    assert (first.source, second.source) == ("page", "api")
    assert second.query_raw_redacted == "parcel [phone]"
    assert second.results_count == 1
    assert "anna" not in str([e.query_normalized for e in events(app)])


def test_instant_keystrokes_are_not_recorded(app, client):
    for prefix in ("pa", "par", "parc", "parce", "parcel"):
        client.get(f"/api/search?q={prefix}&instant=1")
    assert events(app) == []


def test_only_the_first_unfiltered_page_is_recorded(app, client):
    client.get("/search?q=parcel")
    client.get("/search?q=parcel&category=shipping")
    client.get("/search?q=parcel&page=2")
    assert len(events(app)) == 1


def test_opening_a_result_records_the_click_and_lands_on_the_article(app, client):
    html = client.get("/search?q=parcel").get_data(as_text=True)
    link = html.split('<h2 class="result-title"><a href="')[1].split('"')[0].replace("&amp;", "&")
    response = client.get(link)
    assert response.status_code == 303
    assert response.headers["Location"] == "/articles/shipping/track-a-parcel"
    client.get(link)  # opened twice (back, then again): one click
    [click] = clicks(app)
    assert (click.article_path, click.position) == ("shipping/track-a-parcel", 1)
    assert click.search_event_id == events(app)[0].id


def test_opening_an_instant_result_records_the_search_then_the_click(app, client):
    data = client.get("/api/search?q=parcel&instant=1").get_json()
    url = data["results"][0]["open_url"]
    assert parse_qs(urlsplit(url).query)["q"] == ["parcel"]
    assert client.get(url).status_code == 303
    [event] = events(app)
    assert (event.query_normalized, event.source, event.results_count) == ("parcel", "instant", 1)
    assert clicks(app)[0].article_path == "shipping/track-a-parcel"


def test_forged_click_tokens_record_nothing(app, client):
    response = client.get("/search/open?path=shipping/track-a-parcel&pos=1&e=forged")
    assert response.status_code == 303
    assert clicks(app) == [] and events(app) == []
    assert client.get("/search/open?path=../../etc/passwd&pos=1").status_code == 404


def test_article_page_merges_related_from_front_matter_and_the_index(tmp_path, make_app):
    body = "Velvet cushions fade in sunlight; rotate velvet cushions and vacuum velvet gently.\n"
    content = write_content(
        tmp_path / "c",
        {
            "care/velvet.md": "---\ntitle: Velvet care\nrelated: [care/zips]\n---\n" + body,
            "care/more-velvet.md": "---\ntitle: Velvet cushions\n---\n" + body,
            "care/zips.md": "---\ntitle: Stuck zips\n---\nRub a pencil on the teeth.\n",
            "care/unrelated.md": "---\ntitle: Gift cards\n---\nBalances never expire.\n",
        },
    )
    client = make_app(CONTENT_DIR=str(content)).test_client()
    html = client.get("/articles/care/velvet").get_data(as_text=True)
    related = html.split('id="related-heading"')[1].split("</section>")[0]
    assert related.index("Stuck zips") < related.index("Velvet cushions")  # editors' pick first
    assert "Gift cards" not in related and "Velvet care" not in related


def test_many_result_pages_are_linked_around_the_current_one():
    from app.help.search import page_links

    assert page_links(1, 1) == [1]
    assert page_links(1, 4) == [1, 2, 3, 4]
    assert page_links(1, 500) == [1, 2, 3, None, 100]
    assert page_links(50, 500) == [1, None, 48, 49, 50, 51, 52, None, 100]
    assert page_links(100, 500) == [1, None, 98, 99, 100]
    assert page_links(4, 9) == [1, 2, 3, 4, 5, 6, None, 9]
