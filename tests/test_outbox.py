"""Customer emails: queued with the return, sent by `flask outbox send` to a real SMTP server,
retried with growing pauses when it is down, sent once even by two senders at the same time."""

import socket
import threading
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from app.extensions import db
from app.models import ReturnEvent, ReturnRequest
from app.models.refunds import OutboxMessage
from app.notifications.outbox import queue_email
from app.notifications.sending import MAX_ATTEMPTS, claim, send_pending
from tests.returns_helpers import choose, confirm, line_ids, look_up, make_order

T0 = datetime(2030, 5, 1, 9, 0, tzinfo=UTC)  # later than any message's next_attempt_at


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class SMTPServer:
    """A real SMTP server on localhost that keeps what it receives; it can be stopped and
    started again on the same port, and refuses mail to bounce@example.com."""

    def __init__(self):
        self.port = free_port()
        self.received = []  # (envelope recipients, parsed message)
        self.controller = None

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address == "bounce@example.com":
            return "550 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = message_from_bytes(envelope.content, policy=policy.default)
        self.received.append((envelope.rcpt_tos, message))
        return "250 Message accepted for delivery"

    def start(self):
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self):
        if self.controller:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def smtp():
    server = SMTPServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def smtp_app(make_app, smtp):
    return make_app(MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp.port)


def confirm_return(app, client):
    """Walk the customer flow to a confirmed (auto-approved, label issued) return."""
    tee = line_ids(app, make_order(app))[0]
    look_up(client)
    choose(client, **{f"qty-{tee}": "1", f"reason-{tee}": "too_small"})
    response, _ = confirm(client)
    assert response.status_code == 303
    return response


def outbox(app) -> list[OutboxMessage]:
    with app.app_context():
        rows = db.session.execute(select(OutboxMessage).order_by(OutboxMessage.id)).scalars()
        return list(rows)  # attributes stay readable: the session closes, nothing expires


def the_return(app) -> tuple[str, str, int]:
    with app.app_context():
        ret = db.session.execute(select(ReturnRequest)).scalar_one()
        events = db.session.execute(select(db.func.count()).select_from(ReturnEvent)).scalar()
        return ret.rma_number, ret.status, events


def queue(app, *addresses: str) -> None:
    with app.app_context():
        for n, address in enumerate(addresses):
            queue_email(address, f"Message {n}", f"Body {n}")
        db.session.commit()


def send(app, **kwargs):
    with app.app_context():
        return send_pending(app.config, **kwargs)


def test_confirming_a_return_queues_its_label_email_with_the_return(app, client):
    confirm_return(app, client)

    [message] = outbox(app)
    with app.app_context():
        ret = db.session.execute(select(ReturnRequest)).scalar_one()
        assert message.return_id == ret.id and ret.status == "label_issued"
        assert message.subject == f"Your return {ret.rma_number}: label ready"
    assert message.to_address == "ana@example.com"
    assert (message.status, message.attempts, message.sent_at) == ("pending", 0, None)


def test_flask_outbox_send_delivers_the_label_email_over_smtp(smtp_app, smtp):
    client = smtp_app.test_client()
    status_path = confirm_return(smtp_app, client).headers["Location"]
    rma, _, _ = the_return(smtp_app)

    result = smtp_app.test_cli_runner().invoke(args=["outbox", "send"])

    assert result.exit_code == 0, result.output
    assert "Sent 1, retrying 0, failed 0." in result.output
    [(recipients, email)] = smtp.received
    assert recipients == ["ana@example.com"]
    assert email["To"] == "ana@example.com"
    assert email["From"].addresses[0].addr_spec == "care@juniperandpine.example"
    assert rma in email["Subject"] and "label ready" in email["Subject"]
    assert email["Message-ID"] and email["Date"]
    body = email.get_content()
    assert f"https://help.example.test{status_path}" in body
    assert "1 x Linen tee" in body
    [message] = outbox(smtp_app)
    assert message.status == "sent" and message.sent_at is not None and message.attempts == 0

    again = smtp_app.test_cli_runner().invoke(args=["outbox", "send"])
    assert "Sent 0, retrying 0, failed 0." in again.output and len(smtp.received) == 1


def test_a_down_mail_server_leaves_the_email_to_retry_later(smtp_app, smtp):
    confirm_return(smtp_app, smtp_app.test_client())
    before = the_return(smtp_app)
    smtp.stop()

    report = send(smtp_app, now=T0)

    assert (report.sent, report.retrying, report.failed) == (0, 1, 0)
    [message] = outbox(smtp_app)
    assert (message.status, message.attempts) == ("pending", 1)
    assert "ConnectionRefusedError" in message.last_error
    assert message.next_attempt_at == T0 + timedelta(minutes=1)
    assert the_return(smtp_app) == before  # the return is untouched

    early = send(smtp_app, now=T0 + timedelta(seconds=59))
    assert (early.sent, early.retrying, early.failed) == (0, 0, 0)
    assert outbox(smtp_app)[0].attempts == 1

    smtp.start()
    later = send(smtp_app, now=T0 + timedelta(minutes=1))
    assert (later.sent, later.retrying, later.failed) == (1, 0, 0)
    [(recipients, email)] = smtp.received
    assert recipients == ["ana@example.com"] and before[0] in email["Subject"]
    [message] = outbox(smtp_app)
    assert message.status == "sent" and message.sent_at == T0 + timedelta(minutes=1)


def test_after_eight_failures_the_email_is_marked_failed(smtp_app, smtp):
    smtp.stop()
    queue(smtp_app, "ana@example.com")
    now, pauses = T0, []
    for attempt in range(1, MAX_ATTEMPTS + 1):
        report = send(smtp_app, now=now)
        [message] = outbox(smtp_app)
        assert message.attempts == attempt
        if attempt < MAX_ATTEMPTS:
            assert (report.retrying, message.status) == (1, "pending")
            pauses.append(message.next_attempt_at - now)
            now = message.next_attempt_at
    assert (report.failed, message.status) == (1, "failed")
    minutes = [pause.total_seconds() / 60 for pause in pauses]
    assert minutes == [1, 5, 30, 120, 360, 360, 360]

    smtp.start()
    send(smtp_app, now=now + timedelta(days=30))
    assert smtp.received == [] and outbox(smtp_app)[0].status == "failed"


def test_one_refused_email_does_not_hold_up_the_others(smtp_app, smtp):
    queue(smtp_app, "bounce@example.com", "ana@example.com", "ben@example.com")

    report = send(smtp_app, now=T0)

    assert (report.sent, report.retrying, report.failed) == (2, 1, 0)
    assert [recipients for recipients, _ in smtp.received] == [
        ["ana@example.com"],
        ["ben@example.com"],
    ]
    bounced, *delivered = outbox(smtp_app)
    assert bounced.status == "pending" and "No such user here" in bounced.last_error
    assert [message.status for message in delivered] == ["sent", "sent"]


def test_two_senders_at_once_send_each_email_exactly_once(smtp_app, smtp):
    addresses = [f"customer{n}@example.com" for n in range(12)]
    queue(smtp_app, *addresses)
    barrier, reports = threading.Barrier(2), []

    def sender():
        with smtp_app.app_context():
            barrier.wait()
            reports.append(send_pending(smtp_app.config, now=T0))

    threads = [threading.Thread(target=sender) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(recipients[0] for recipients, _ in smtp.received) == sorted(addresses)
    assert sum(report.sent for report in reports) == 12
    assert {message.status for message in outbox(smtp_app)} == {"sent"}


def test_a_claimed_email_is_left_alone_until_its_sender_is_presumed_dead(smtp_app, smtp):
    queue(smtp_app, "ana@example.com")
    [message] = outbox(smtp_app)
    with smtp_app.app_context():
        assert claim(message.id, T0) is True  # a sender that then crashes
        assert claim(message.id, T0) is False  # a second sender must keep off

    assert send(smtp_app, now=T0 + timedelta(minutes=9)).sent == 0
    assert smtp.received == [] and outbox(smtp_app)[0].status == "sending"

    report = send(smtp_app, now=T0 + timedelta(minutes=10))

    assert report.sent == 1 and len(smtp.received) == 1
    [message] = outbox(smtp_app)
    assert message.status == "sent" and message.attempts == 1
    assert "stopped while sending" in message.last_error


def test_console_backend_prints_the_email_and_marks_it_sent(app, client):
    confirm_return(app, client)
    rma, _, _ = the_return(app)

    result = app.test_cli_runner().invoke(args=["outbox", "send"])

    assert "Sent 1, retrying 0, failed 0." in result.output
    assert "To: ana@example.com" in result.output
    assert f"Subject: Your return {rma}: label ready" in result.output
    assert "1 x Linen tee" in result.output
    [message] = outbox(app)
    assert message.status == "sent" and message.sent_at is not None


def test_an_unknown_backend_is_a_clear_error_and_sends_nothing(make_app):
    app = make_app(MAIL_BACKEND="pigeon")
    queue(app, "ana@example.com")

    result = app.test_cli_runner().invoke(args=["outbox", "send"])

    assert result.exit_code == 1
    assert "unknown MAIL_BACKEND 'pigeon'; use one of: console, smtp" in result.output
    assert outbox(app)[0].status == "pending" and outbox(app)[0].attempts == 0


def test_mail_is_sent_once_the_confirm_response_is_closed(make_app, capsys):
    app = make_app(MAIL_SEND_AFTER_REQUEST=True)
    client = app.test_client()

    response = confirm_return(app, client)

    assert outbox(app)[0].status == "pending"  # the customer's response is not held up
    response.close()  # what the WSGI server does once the response has been sent
    [message] = outbox(app)
    assert message.status == "sent"
    assert f"Subject: {message.subject}" in capsys.readouterr().out

    queue(app, "ben@example.com")  # say, by a command
    client.get(response.headers["Location"]).close()
    assert outbox(app)[1].status == "pending"  # requests that queue nothing send nothing


def test_a_down_mail_server_never_breaks_the_request(make_app):
    app = make_app(
        MAIL_SEND_AFTER_REQUEST=True,
        MAIL_BACKEND="smtp",
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=free_port(),
    )
    client = app.test_client()

    response = confirm_return(app, client)
    response.close()

    [message] = outbox(app)
    assert (message.status, message.attempts) == ("pending", 1)
    status = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Label ready" in status
