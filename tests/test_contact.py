"""After "No" and a reason: the reader can ask the support team, with the article and their
last search carried along; the message reaches the support inbox through the outbox and
never the analytics."""

from sqlalchemy import select

from app.extensions import db
from app.models import OutboxMessage, SearchEvent
from tests.conftest import csrf_token

ARTICLE = "/articles/shipping/track-a-parcel"
CONTACT = "/contact?article=shipping/track-a-parcel"


def vote_no(client) -> str:
    client.post(ARTICLE + "/vote", data={"helpful": "no"})
    fields = {"helpful": "no", "reason": "didnt_solve"}
    return client.post(ARTICLE + "/vote", data=fields, follow_redirects=True).text


def test_a_reader_the_article_didnt_help_can_ask_the_team(app, client):
    client.get("/search?q=parcel+never+came+ana@example.com")
    page = vote_no(client)
    assert 'href="/contact?article=shipping/track-a-parcel">Ask our team about this</a>' in page

    form = client.get(CONTACT).text
    assert "How do I track my parcel?" in form
    assert "you last searched for “parcel never came [email]”" in form
    sent = client.post(
        CONTACT,
        data={
            "csrf_token": csrf_token(form),
            "name": "Ana",
            "email": "ana.reader@example.com",
            "message": "The tracking link says the label was created a week ago.",
        },
    )
    assert sent.status_code == 200
    assert "Our team will reply to ana.reader@example.com" in sent.text
    with app.app_context():
        [message] = db.session.execute(select(OutboxMessage)).scalars().all()
        searches = db.session.execute(select(SearchEvent.query_raw_redacted)).scalars().all()
    assert message.to_address == app.config["SUPPORT_EMAIL"]
    assert message.subject == "Help request: How do I track my parcel?"
    assert "From: Ana <ana.reader@example.com>" in message.body
    assert "https://help.example.test/articles/shipping/track-a-parcel" in message.body
    assert "Their last search: parcel never came [email]" in message.body
    assert "label was created a week ago" in message.body
    assert searches == ["parcel never came [email]"]  # nothing of the message


def test_a_message_without_a_valid_email_is_kept_with_a_clear_message(app, client):
    form = client.get(CONTACT).text
    sent = client.post(
        CONTACT,
        data={"csrf_token": csrf_token(form), "email": "not an email", "message": "Help"},
    )
    assert sent.status_code == 400
    assert "Enter an email address like name@example.com." in sent.text
    assert "Help</textarea>" in sent.text  # what they wrote is kept
    with app.app_context():
        assert db.session.execute(select(OutboxMessage)).first() is None


def test_only_published_articles_can_be_asked_about(client):
    assert client.get("/contact?article=nope").status_code == 404
    assert client.get("/contact").status_code == 404


def test_messages_are_rate_limited(client):
    form = client.get(CONTACT).text
    data = {"csrf_token": csrf_token(form), "email": "a@example.com", "message": "Hello"}
    answers = [client.post(CONTACT, data=data).status_code for _ in range(6)]
    assert answers == [200] * 5 + [429]
