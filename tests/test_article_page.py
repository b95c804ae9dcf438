"""The article page as a shared cache would want it: the same bytes for every visitor, an
ETag and public Cache-Control, 304 for a current copy, nothing of a visitor's own on it; a
visitor's vote lives on their own (never shared) copy."""

import re

from sqlalchemy import event

from app.extensions import db
from app.search import build_index
from app.services import services

ARTICLE = "/articles/shipping/track-a-parcel"
SAME_SITE = {"Sec-Fetch-Site": "same-origin"}
BATCHED = {"ANALYTICS_FLUSH_EVERY": 10_000, "ANALYTICS_FLUSH_SECONDS": 3600}


def statements(app) -> list[str]:
    """The SQL the app runs from now on."""
    ran = []
    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", lambda *args: ran.append(args[2]))
    return ran


def test_every_visitor_gets_the_same_page_a_shared_cache_may_keep(app):
    ana, ben = app.test_client(), app.test_client()
    ben.get("/search?q=parcel")  # ben has a session (a visitor id) by now
    pages = [ana.get(ARTICLE), ben.get(ARTICLE), ana.get(ARTICLE)]
    assert len({page.data for page in pages}) == 1
    first = pages[0]
    assert first.status_code == 200 and "Was this article helpful?" in first.text
    assert first.cache_control.public and first.cache_control.max_age == 60
    assert first.cache_control.stale_while_revalidate == 600
    assert first.headers["ETag"]
    for page in pages:
        assert "Set-Cookie" not in page.headers
        assert "Cookie" not in page.headers.get("Vary", "")
    assert 'name="csrf_token"' not in first.text


def test_a_current_copy_is_answered_304(app, client):
    first = client.get(ARTICLE)
    again = client.get(ARTICLE, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
    other = client.get(ARTICLE, headers={"If-None-Match": '"not-this-one"'})
    assert other.status_code == 200 and other.data == first.data


def test_a_vote_changes_the_shared_page_only_by_its_count(make_app):
    app = make_app(ARTICLE_MAX_AGE=0)  # counted again on every view
    ana, ben = app.test_client(), app.test_client()
    before = ana.get(ARTICLE)
    assert "found this helpful" not in before.text
    vote = ben.post(ARTICLE + "/vote", data={"helpful": "yes"}, headers=SAME_SITE)
    assert vote.status_code == 303
    after = ana.get(ARTICLE, headers={"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200
    assert "1 of 1 person found this helpful" in after.text
    assert "Thanks for letting us know" not in after.text
    assert "Thanks for letting us know" not in ben.get(ARTICLE).text


def test_the_shared_count_is_counted_again_only_after_the_pages_max_age(app):
    ana, ben = app.test_client(), app.test_client()
    assert "found this helpful" not in ana.get(ARTICLE).text
    ben.post(ARTICLE + "/vote", data={"helpful": "no"}, headers=SAME_SITE)
    assert "found this helpful" not in ana.get(ARTICLE).text  # as a cache would show it
    assert "What went wrong?" in ben.get(ARTICLE + "/feedback").text


def test_the_voters_own_copy_is_never_shared(app, client):
    vote = client.post(ARTICLE + "/vote", data={"helpful": "no"}, headers=SAME_SITE)
    assert vote.headers["Location"].endswith(ARTICLE + "/feedback#feedback")
    own = client.get(vote.headers["Location"])
    assert own.status_code == 200 and "What went wrong?" in own.text
    assert own.cache_control.private and own.cache_control.no_store
    assert '<meta name="robots" content="noindex">' in own.text
    assert re.search(f'<link rel="canonical" href="[^"]+{ARTICLE}">', own.text)


def test_readers_cost_one_query_a_minute_and_no_session(make_app):
    """The count of helpful votes is read once while the page's max age lasts; nothing else
    touches the database (views are counted in batches) and no visitor id is made."""
    app = make_app(**BATCHED)
    services(app).warm()
    ran = statements(app)
    reader = app.test_client()
    for _ in range(3):
        assert reader.get(ARTICLE).status_code == 200
    assert len(ran) == 1 and "votes" in ran[0]
    with reader.session_transaction() as session:
        assert "visitor_id" not in session


def test_a_rebuilt_index_is_seen_in_the_related_articles(app, tmp_path):
    client = app.test_client()
    first = client.get(ARTICLE)
    build_index(services(app).library, app.config["INDEX_DIR"])
    again = client.get(ARTICLE)
    assert again.status_code == 200 and "Related articles" in again.text
    assert again.headers["ETag"] == first.headers["ETag"]  # same articles, same page


def test_each_site_address_gets_its_own_links(make_app):
    app = make_app(SITE_URL="")
    canonical = re.compile(r'<link rel="canonical" href="([^"]+)">')
    for host in ("help.example.test", "support.example.test", "help.example.test"):
        page = app.test_client().get(ARTICLE, base_url=f"https://{host}").text
        assert canonical.search(page).group(1) == f"https://{host}{ARTICLE}"


def test_a_message_shown_once_waits_for_a_page_of_the_visitors_own(app):
    client = app.test_client()
    with client.session_transaction() as session:
        session["_flashes"] = [("message", "Your feedback was saved.")]
    assert "Your feedback was saved." not in client.get(ARTICLE).text
    assert "Your feedback was saved." in client.get("/").text


def test_pages_still_serve_with_form_protection_turned_off(make_app):
    client = make_app(WTF_CSRF_ENABLED=False).test_client()
    response = client.get(ARTICLE)
    assert response.status_code == 200
    assert "How do I track my parcel?" in response.text
    assert "Was this article helpful?" in response.text
