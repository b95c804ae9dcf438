"""The article page from its cached parts: rendered once per article, site address and index
generation, with each visitor's own form token or feedback box put in its place, and no
database work for a reader who hasn't voted."""

import re

from sqlalchemy import event

from app.extensions import db
from app.help import article_page
from app.search import build_index
from app.services import services
from tests.conftest import csrf_token

ARTICLE = "/articles/shipping/track-a-parcel"
BATCHED = {"ANALYTICS_FLUSH_EVERY": 10_000, "ANALYTICS_FLUSH_SECONDS": 3600}


def count_renders(monkeypatch) -> list[str]:
    rendered = []
    render = article_page.render_article_page

    def counted(lib, article, feedback):
        rendered.append(article.path)
        return render(lib, article, feedback)

    monkeypatch.setattr(article_page, "render_article_page", counted)
    return rendered


def statements(app) -> list[str]:
    """The SQL the app runs from now on."""
    ran = []
    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", lambda *args: ran.append(args[2]))
    return ran


def test_readers_who_have_not_voted_cost_no_database_work(make_app):
    app = make_app(**BATCHED)
    ran = statements(app)
    reader = app.test_client()
    first = reader.get(ARTICLE)
    assert first.status_code == 200 and "Was this article helpful?" in first.text
    assert "session=" in first.headers["Set-Cookie"]
    again = reader.get(ARTICLE)
    assert again.status_code == 200 and "Set-Cookie" not in again.headers
    with reader.session_transaction() as session:
        assert "visitor_id" not in session  # made with their first vote or search
    assert ran == []


def test_the_page_is_rendered_once_and_each_visitor_gets_their_own_token(app, monkeypatch):
    rendered = count_renders(monkeypatch)
    ana, ben = app.test_client(), app.test_client()
    pages = [client.get(ARTICLE).text for client in (ana, ben, ana)]
    assert rendered == ["shipping/track-a-parcel"]
    tokens = [csrf_token(page) for page in pages]
    assert tokens[0] == tokens[2] != tokens[1]
    assert len({page.replace(token, "") for page, token in zip(pages, tokens, strict=True)}) == 1
    vote = ben.post(ARTICLE + "/vote", data={"csrf_token": tokens[1], "helpful": "yes"})
    assert vote.status_code == 303
    assert "Thanks for letting us know it helped." in ben.get(ARTICLE).text
    assert "Thanks for letting us know" not in ana.get(ARTICLE).text
    assert rendered == ["shipping/track-a-parcel"]


def test_a_rebuilt_index_renders_the_page_again(app, monkeypatch):
    rendered = count_renders(monkeypatch)
    monkeypatch.setattr(article_page, "GENERATION_CHECK_SECONDS", 0)
    client = app.test_client()
    client.get(ARTICLE)
    client.get(ARTICLE)
    build_index(services(app).library, app.config["INDEX_DIR"])
    assert client.get(ARTICLE).status_code == 200
    assert rendered == ["shipping/track-a-parcel"] * 2


def test_each_site_address_gets_its_own_links(make_app):
    app = make_app(SITE_URL="")
    canonical = re.compile(r'<link rel="canonical" href="([^"]+)">')
    for host in ("help.example.test", "support.example.test", "help.example.test"):
        page = app.test_client().get(ARTICLE, base_url=f"https://{host}").text
        assert canonical.search(page).group(1) == f"https://{host}{ARTICLE}"


def test_a_message_shown_once_appears_on_the_article_page(app):
    client = app.test_client()
    client.get(ARTICLE)
    with client.session_transaction() as session:
        session["_flashes"] = [("message", "Your feedback was saved.")]
    assert "Your feedback was saved." in client.get(ARTICLE).text
    assert "Your feedback was saved." not in client.get(ARTICLE).text


def test_pages_still_serve_with_form_protection_turned_off(make_app):
    client = make_app(WTF_CSRF_ENABLED=False).test_client()
    response = client.get("/articles/shipping/track-a-parcel")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "How do I track my parcel?" in html and "Was this article helpful?" in html
