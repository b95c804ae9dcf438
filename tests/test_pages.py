"""The help center's pages as a visitor sees them."""

import json
import re

import pytest

from app.services import services
from tests.conftest import ARTICLES, write_content


def test_home_lists_categories_with_counts_and_articles(client):
    html = client.get("/").get_data(as_text=True)
    assert "<h1>How can we help?</h1>" in html
    assert re.search(
        r'href="/categories/shipping">Shipping &amp; delivery</a>.*?2 articles', html, re.S
    )
    assert re.search(r'href="/categories/returns">Returns</a>.*?1 article<', html, re.S)
    recent = html.split('id="recent-heading"')[1]
    assert recent.index("Send an item back") < recent.index("Delivery options")
    assert "1 November 2026" in recent


def test_category_page_groups_faqs_and_tutorials(client):
    html = client.get("/categories/shipping").get_data(as_text=True)
    assert "<h1>Shipping &amp; delivery</h1>" in html
    assert "Frequently asked questions" in html
    assert "Step-by-step guides" not in html
    assert html.index("How do I track my parcel?") < html.index("Delivery options")
    returns = client.get("/categories/returns").get_data(as_text=True)
    assert "Step-by-step guides" in returns and "Send an item back step by step" in returns


def test_unknown_category_is_a_404_page(client):
    response = client.get("/categories/nope")
    assert response.status_code == 404
    assert "We couldn&#39;t find that page" in response.get_data(as_text=True)


def test_article_page_has_breadcrumbs_meta_and_structured_data(client):
    response = client.get("/articles/shipping/track-a-parcel")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert '<h1 id="article-title">How do I track my parcel?</h1>' in html
    crumbs = html.split('class="breadcrumbs"')[1].split("</nav>")[0]
    assert re.findall(r">([^<]+)</a>", crumbs) == [
        "Help center",
        "Shipping &amp; delivery",
        "How do I track my parcel?",
    ]
    assert '<meta name="description" content="Follow your parcel from our warehouse' in html
    assert (
        '<link rel="canonical" href="https://help.example.test/articles/shipping/track-a-parcel">'
        in html
    )
    assert 'datetime="2026-09-01">1 September 2026</time>' in html
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    data = [json.loads(b) for b in blocks]
    assert data[0]["@type"] == "Article" and data[0]["dateModified"] == "2026-09-01"
    assert [i["name"] for i in data[1]["itemListElement"]] == [
        "Help center",
        "Shipping & delivery",
        "How do I track my parcel?",
    ]
    related = html.split('id="related-heading"')[1]
    assert 'href="/articles/returns/send-it-back">Send an item back step by step' in related
    assert "Still need help?" in html and "mailto:support@juniperandpine.example" in html


def test_tutorials_get_a_table_of_contents_and_faqs_do_not(client):
    tutorial = client.get("/articles/returns/send-it-back").get_data(as_text=True)
    toc = tutorial.split('class="toc"')[1].split("</nav>")[0]
    assert re.findall(r'href="#([^"]+)"', toc) == [
        "before-you-start",
        "print-the-label",
        "if-you-have-no-printer",
    ]
    assert '<h2 id="print-the-label">' in tutorial
    faq = client.get("/articles/shipping/track-a-parcel").get_data(as_text=True)
    assert 'class="toc"' not in faq


def test_unknown_article_is_a_friendly_404(client):
    response = client.get("/articles/shipping/does-not-exist")
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert "<h1>We couldn&#39;t find that page</h1>" in html
    assert 'role="search" action="/search"' in html
    assert 'href="/"' in html


def test_an_exported_file_name_is_served_at_its_slug_and_its_old_address_redirects(
    tmp_path, make_app
):
    articles = dict(ARTICLES)
    articles["Store Support/Shipping/Track-your-order.md"] = "---\ntitle: Track it\n---\nBody"
    client = make_app(CONTENT_DIR=str(write_content(tmp_path / "export", articles))).test_client()
    page = client.get("/articles/store-support/shipping/track-your-order")
    assert '<h1 id="article-title">Track it</h1>' in page.get_data(as_text=True)
    old = client.get("/articles/Store%20Support/Shipping/Track-your-order")
    assert old.status_code == 301
    assert old.location == "/articles/store-support/shipping/track-your-order"
    assert client.get("/categories/store-support").status_code == 200


def test_article_script_in_markdown_never_reaches_the_page(tmp_path, make_app):
    articles = dict(ARTICLES)
    articles["shipping/evil.md"] = (
        "---\ntitle: Evil <script>alert(1)</script>\nsummary: '\"><script>x()</script>'\n---\n"
        "<script>alert('body')</script>\n\n<img src=x onerror=alert(2)>"
    )
    app = make_app(CONTENT_DIR=str(write_content(tmp_path / "evil", articles)))
    html = app.test_client().get("/articles/shipping/evil").get_data(as_text=True)
    assert "<script>alert" not in html and "<script>x()" not in html
    assert "onerror" not in html
    assert "Evil &lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_a_malformed_file_is_skipped_and_the_rest_still_serve(tmp_path, make_app):
    articles = dict(ARTICLES)
    articles["shipping/broken.md"] = "---\ntitle: [unclosed\n---\nBody"
    client = make_app(CONTENT_DIR=str(write_content(tmp_path / "broken", articles))).test_client()
    assert client.get("/articles/shipping/broken").status_code == 404
    assert client.get("/articles/shipping/track-a-parcel").status_code == 200
    assert client.get("/categories/shipping").status_code == 200


def test_sitemap_lists_every_page_with_lastmod(client):
    response = client.get("/sitemap.xml")
    assert response.mimetype == "application/xml"
    xml = response.get_data(as_text=True)
    locs = re.findall(r"<loc>([^<]+)</loc>", xml)
    assert "https://help.example.test/" in locs
    assert "https://help.example.test/categories/returns" in locs
    assert "https://help.example.test/articles/returns/send-it-back" in locs
    assert len(locs) == 1 + 2 + 3
    assert "<lastmod>2026-11-01</lastmod>" in xml


def test_robots_points_at_the_sitemap_and_keeps_private_pages_out(client):
    text = client.get("/robots.txt").get_data(as_text=True)
    assert "Sitemap: https://help.example.test/sitemap.xml" in text
    assert "Disallow: /returns/" in text


def test_healthz_reports_database_and_content(client):
    assert client.get("/healthz").get_json() == {
        "status": "ok",
        "checks": {"database": "ok", "articles": 3},
    }


@pytest.fixture
def failing_app(app):
    @app.get("/boom")
    def boom():
        raise RuntimeError("kaboom")

    return app


def test_an_unexpected_error_shows_the_500_page_not_a_traceback(failing_app, caplog):
    failing_app.testing = False  # let the error handler answer instead of re-raising
    failing_app.config["PROPAGATE_EXCEPTIONS"] = False
    response = failing_app.test_client().get("/boom")
    html = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Something went wrong on our side" in html
    assert "kaboom" not in html and "Traceback" not in html
    assert "unhandled error on /boom" in caplog.text


def test_wrong_method_gets_the_site_error_page(client):
    response = client.post("/")
    assert response.status_code in (400, 405)
    assert "site-header" in response.get_data(as_text=True)


def test_database_down_is_a_503_page_not_a_traceback(config, tmp_path, caplog):
    from app import create_app

    unreachable = {**config, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/gone/x.db"}
    app = create_app(unreachable)
    client = app.test_client()
    response = client.get("/")  # the most helpful articles come from the votes
    html = response.get_data(as_text=True)
    assert response.status_code == 503
    assert "This part of the site is briefly unavailable" in html and "Traceback" not in html
    assert "database unavailable on /" in caplog.text
    # An article page needs no database: its view is counted later, and the count of
    # readers it helped is left out.
    article = client.get("/articles/shipping/track-a-parcel")
    assert article.status_code == 200
    assert "How do I track my parcel?" in article.get_data(as_text=True)
    assert "found this helpful" not in article.get_data(as_text=True)
    assert client.get("/articles/shipping/track-a-parcel/seen").status_code == 200
    assert "analytics counts not written yet (1 kept)" in caplog.text
    services(app).close()
