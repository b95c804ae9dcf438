"""Sending the outbox: claim each due message, hand it to the mail backend, retry failures later
with growing pauses. Plain Python apart from `register_mail_sending`, the development hook."""

import logging
import smtplib
import ssl
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from typing import Any

from flask import Flask, Response
from sqlalchemy import CursorResult, case, event, func, select, update
from sqlalchemy.orm import Session, UOWTransaction

from app.extensions import db
from app.models.refunds import OutboxMessage
from app.models.types import utcnow

log = logging.getLogger("app.notifications")

MAX_ATTEMPTS = 8
# Pause after the 1st, 2nd, ... failure; the last one repeats until MAX_ATTEMPTS.
BACKOFF = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=6),
)
# How long a sender may hold a claimed message before it counts as crashed.
CLAIM_TIMEOUT = timedelta(minutes=10)
SMTP_TIMEOUT = 10
# Errors from the mail server or the network: the message waits and is tried again.
DELIVERY_ERRORS = (smtplib.SMTPException, OSError, TimeoutError)

Config = Mapping[str, Any]  # the app's config: MAIL_BACKEND, MAIL_FROM, MAIL_SERVER, ...


class MailConfigError(ValueError):
    """The mail settings cannot work (an unknown MAIL_BACKEND)."""


@dataclass
class SendReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0


@dataclass(frozen=True)
class Email:
    """What a backend needs to send one outbox message, read before any network traffic."""

    id: int
    to: str
    subject: str
    body: str
    created_at: datetime


def backoff(attempts: int) -> timedelta:
    """The pause before trying again after `attempts` failures."""
    return BACKOFF[min(attempts, len(BACKOFF)) - 1]


def send_pending(config: Config, now: datetime | None = None, limit: int = 100) -> SendReport:
    """Send up to `limit` due messages, oldest first, committing after each one."""
    backend = _backend(config)
    clock: Callable[[], datetime] = (lambda: now) if now else utcnow
    started = clock()
    report = SendReport(failed=_release_stale_claims(started))
    due = db.session.execute(
        select(OutboxMessage.id)
        .where(OutboxMessage.status == "pending", OutboxMessage.next_attempt_at <= started)
        .order_by(OutboxMessage.created_at, OutboxMessage.id)
        .limit(limit)
    ).scalars()
    for message_id in list(due):
        if not claim(message_id, started):
            continue  # another sender has it
        email = _read(message_id)
        try:
            backend(config, email, clock())
        except Exception as error:  # noqa: BLE001 - recorded on the message, never raised
            if not isinstance(error, DELIVERY_ERRORS):
                log.exception("unexpected error sending an email", extra={"outbox_id": email.id})
            if _record_failure(message_id, error, clock()) == "failed":
                report.failed += 1
            else:
                report.retrying += 1
        else:
            _record_success(message_id, clock())
            report.sent += 1
    return report


def claim(message_id: int, now: datetime) -> bool:
    """Mark a due message as being sent by this sender; False if another sender got it first.
    The claim lasts CLAIM_TIMEOUT (kept in next_attempt_at) and is committed at once."""
    result = db.session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.id == message_id,
            OutboxMessage.status == "pending",
            OutboxMessage.next_attempt_at <= now,
        )
        .values(status="sending", next_attempt_at=now + CLAIM_TIMEOUT)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    assert isinstance(result, CursorResult)  # an UPDATE's, which execute()'s typing can't say
    return result.rowcount == 1


def _release_stale_claims(now: datetime) -> int:
    """Give messages whose sender stopped mid-send back to the queue, counting that as a failed
    attempt (so a message that crashes every sender ends up failed); returns how many failed."""
    stale = (OutboxMessage.status == "sending", OutboxMessage.next_attempt_at <= now)
    failed = db.session.execute(
        select(func.count())
        .select_from(OutboxMessage)
        .where(*stale, OutboxMessage.attempts + 1 >= MAX_ATTEMPTS)
    ).scalar_one()
    db.session.execute(
        update(OutboxMessage)
        .where(*stale)
        .values(
            status=case((OutboxMessage.attempts + 1 >= MAX_ATTEMPTS, "failed"), else_="pending"),
            attempts=OutboxMessage.attempts + 1,
            last_error="the sender stopped while sending; it may or may not have been delivered",
        )
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return failed


def _read(message_id: int) -> Email:
    message = db.session.get_one(OutboxMessage, message_id)
    email = Email(message.id, message.to_address, message.subject, message.body, message.created_at)
    db.session.commit()  # no transaction stays open while we talk to the mail server
    return email


def _record_success(message_id: int, now: datetime) -> None:
    message = db.session.get_one(OutboxMessage, message_id)
    message.status, message.sent_at = "sent", now  # last_error stays: how delivery went
    db.session.commit()
    log.info("email sent", extra={"outbox_id": message_id})


def _record_failure(message_id: int, error: Exception, now: datetime) -> str:
    message = db.session.get_one(OutboxMessage, message_id)
    message.attempts += 1
    message.last_error = f"{type(error).__name__}: {error}"[:2000]
    if message.attempts >= MAX_ATTEMPTS:
        message.status = "failed"
    else:
        message.status = "pending"
        message.next_attempt_at = now + backoff(message.attempts)
    db.session.commit()
    log.warning(
        "email not sent",
        extra={"outbox_id": message_id, "attempts": message.attempts, "error": message.last_error},
    )
    return message.status


Backend = Callable[[Config, Email, datetime], None]


def _backend(config: Config) -> Backend:
    name = config.get("MAIL_BACKEND", "console")
    if name not in BACKENDS:
        raise MailConfigError(
            f"unknown MAIL_BACKEND {name!r}; use one of: {', '.join(sorted(BACKENDS))}"
        )
    return BACKENDS[name]


def build_message(config: Config, email: Email, now: datetime) -> EmailMessage:
    """The plain-text email. Its Message-ID is the same on every attempt, so a receiver can
    drop a duplicate when a send timed out after the server had already accepted it."""
    domain = parseaddr(config["MAIL_FROM"])[1].rpartition("@")[2] or "localhost"
    message = EmailMessage()
    message["From"] = config["MAIL_FROM"]
    message["To"] = email.to
    message["Subject"] = email.subject
    message["Date"] = format_datetime(now)
    message["Message-ID"] = f"<outbox-{email.id}-{int(email.created_at.timestamp())}@{domain}>"
    message.set_content(email.body)
    return message


def send_console(config: Config, email: Email, now: datetime) -> None:
    """Print the email to stdout, readably (development)."""
    head = f"From: {config['MAIL_FROM']}\nTo: {email.to}\nSubject: {email.subject}"
    print(f"{head}\n\n{email.body.rstrip()}\n{'-' * 72}", file=sys.stdout, flush=True)


def send_smtp(config: Config, email: Email, now: datetime) -> None:
    """Deliver the email to MAIL_SERVER; raises one of DELIVERY_ERRORS when that fails."""
    message = build_message(config, email, now)
    with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=SMTP_TIMEOUT) as smtp:
        if config.get("MAIL_USE_TLS"):
            smtp.starttls(context=ssl.create_default_context())
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD", ""))
        smtp.send_message(message)


BACKENDS: dict[str, Backend] = {"console": send_console, "smtp": send_smtp}


def _note_queued_mail(session: Session, flush_context: UOWTransaction) -> None:
    if any(isinstance(obj, OutboxMessage) for obj in session.new):
        session.info["outbox_queued"] = True


def register_mail_sending(app: Flask) -> None:
    """With MAIL_SEND_AFTER_REQUEST, send the outbox once a request that queued mail has
    been answered (development): never delays the response, never breaks it."""
    if not app.config.get("MAIL_SEND_AFTER_REQUEST"):
        return
    if not event.contains(db.session, "after_flush", _note_queued_mail):
        event.listen(db.session, "after_flush", _note_queued_mail)

    @app.after_request
    def send_when_answered(response: Response) -> Response:
        if db.session.info.pop("outbox_queued", False):
            response.call_on_close(_sender(app))
        return response


def _sender(app: Flask) -> Callable[[], None]:
    def send() -> None:
        try:
            with app.app_context():
                send_pending(app.config)
        except Exception:  # noqa: BLE001 - the request is answered; `flask outbox send` retries
            log.exception("sending mail after the request failed")

    return send
