""" "Was this article helpful?": one vote per visitor per article, reasons, limits, and
votes sent from other sites refused."""

from sqlalchemy import select

from app.extensions import db
from app.models import Vote

ARTICLE = "/articles/shipping/track-a-parcel"
VOTE_URL = ARTICLE + "/vote"
OWN_COPY = ARTICLE + "/feedback"


def votes(app) -> list[Vote]:
    with app.app_context():
        return list(db.session.execute(select(Vote).order_by(Vote.id)).scalars())


def post_vote(client, fetch=False, url=VOTE_URL, **fields):
    """A vote as a browser sends it from the article page."""
    headers = {"Sec-Fetch-Site": "same-origin", "Origin": "http://localhost"}
    if fetch:
        headers["X-Requested-With"] = "fetch"
    return client.post(url, data=fields, headers=headers)


def test_yes_vote_is_stored_and_remembered(app, client):
    response = post_vote(client, helpful="yes")
    assert response.status_code == 303
    assert response.headers["Location"].endswith(OWN_COPY + "#feedback")
    [vote] = votes(app)
    assert (vote.article_path, vote.helpful, vote.reason) == ("shipping/track-a-parcel", True, None)
    html = client.get(OWN_COPY).get_data(as_text=True)
    assert "Thanks for letting us know it helped." in html
    assert 'value="yes" aria-pressed="true"' in html


def test_no_then_reason_updates_the_same_row(app, client):
    post_vote(client, helpful="no")
    page = client.get(OWN_COPY).get_data(as_text=True)
    assert "Sorry this article didn" in page and "What went wrong?" in page

    post_vote(client, helpful="no", reason="outdated", comment="  Prices changed.  ")
    [vote] = votes(app)
    assert (vote.helpful, vote.reason, vote.comment) == (False, "outdated", "Prices changed.")
    page = client.get(OWN_COPY).get_data(as_text=True)
    assert "we've noted your feedback: <strong>The information is out of date</strong>" in page
    assert (
        'checked id="reason-0"' in page
        or 'id="reason-0" name="reason" type="radio" value="outdated" checked' in page
    )


def test_changing_to_yes_keeps_one_row_and_clears_the_reason(app, client):
    post_vote(client, helpful="no", reason="unclear", comment="Confusing")
    first = votes(app)[0]
    post_vote(client, helpful="yes")
    [vote] = votes(app)
    assert vote.id == first.id
    assert (vote.helpful, vote.reason, vote.comment) == (True, None, None)
    assert vote.updated_at >= first.updated_at


def test_each_visitor_has_their_own_vote(app):
    for answer in ("yes", "no", "yes"):
        post_vote(app.test_client(), helpful=answer)
    assert [v.helpful for v in votes(app)] == [True, False, True]
    assert len({v.visitor_id for v in votes(app)}) == 3


def test_comment_over_1000_characters_is_refused_and_nothing_stored(app, client):
    response = post_vote(client, helpful="no", reason="other", comment="x" * 1001)
    assert response.status_code == 400
    assert "Please keep it under 1000 characters." in response.get_data(as_text=True)
    assert votes(app) == []
    assert post_vote(client, helpful="no", comment="x" * 1000).status_code == 303
    assert len(votes(app)[0].comment) == 1000


def test_unknown_reason_or_answer_is_a_form_error(app, client):
    bad_reason = post_vote(client, helpful="no", reason="because")
    assert bad_reason.status_code == 400
    assert "Not a valid choice" in bad_reason.get_data(as_text=True)
    bad_answer = post_vote(client, helpful="maybe")
    assert bad_answer.status_code == 400
    assert "Choose Yes or No." in bad_answer.get_data(as_text=True)
    missing = post_vote(client)
    assert missing.status_code == 400
    assert votes(app) == []


def test_a_vote_sent_from_another_site_is_refused(app, client):
    for headers in (
        {"Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "same-site", "Origin": "http://localhost"},
        {"Origin": "https://attacker.example"},
        {"Origin": "null"},
    ):
        response = client.post(VOTE_URL, data={"helpful": "no"}, headers=headers)
        assert response.status_code == 403
        assert "That came from another website" in response.get_data(as_text=True)
    assert votes(app) == []


def test_a_vote_from_a_browser_without_fetch_metadata_is_taken(app, client):
    """Browsers before Fetch Metadata send only Origin; a client that is no browser sends
    neither (no other site can make it vote)."""
    for headers in ({"Origin": "http://localhost"}, {}):
        assert client.post(VOTE_URL, data={"helpful": "yes"}, headers=headers).status_code == 303
    assert [vote.helpful for vote in votes(app)] == [True]


def test_vote_on_unknown_article_is_404_and_not_stored(app, client):
    response = post_vote(client, url="/articles/shipping/nope/vote", helpful="yes")
    assert response.status_code == 404
    assert votes(app) == []


def test_enhanced_vote_answers_with_the_feedback_box_only(app, client):
    response = post_vote(client, fetch=True, helpful="no")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert '<section id="feedback"' in html and "<html" not in html
    assert "What went wrong?" in html
    error = post_vote(client, fetch=True, helpful="no", comment="y" * 1500)
    assert error.status_code == 400
    assert "<html" not in error.get_data(as_text=True)
    assert "Please keep it under 1000 characters." in error.get_data(as_text=True)


def test_votes_are_rate_limited_per_visitor(app, client):
    app.config["VOTE_RATE_LIMIT"] = "3 per minute"
    statuses = [post_vote(client, helpful="yes").status_code for _ in range(4)]
    assert statuses == [303, 303, 303, 429]
    response = post_vote(client, helpful="no")
    assert "Too many requests" in response.get_data(as_text=True)
    assert votes(app)[0].helpful is True  # the refused "No" changed nothing


def test_dropping_the_cookie_does_not_escape_the_address_limit(app):
    app.config["VOTE_ADDRESS_RATE_LIMIT"] = "3 per minute"
    statuses = []
    for _ in range(4):
        client = app.test_client()  # a fresh cookie jar each time: a new visitor
        response = post_vote(client, url="/articles/returns/send-it-back/vote", helpful="yes")
        statuses.append(response.status_code)
    assert statuses == [303, 303, 303, 429]
    assert len(votes(app)) == 3


def test_home_lists_the_most_helpful_articles_first(app):
    for _ in range(2):
        post_vote(app.test_client(), url="/articles/returns/send-it-back/vote", helpful="yes")
    html = app.test_client().get("/").get_data(as_text=True)
    popular = html.split('id="popular-heading"')[1].split("</section>")[0]
    assert popular.index("Send an item back") < popular.index("How do I track my parcel?")
