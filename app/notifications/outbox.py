"""Queueing customer emails about their return."""

from flask import render_template
from flask_babel import gettext

from app.extensions import db
from app.i18n import N_
from app.models.refunds import OutboxMessage
from app.models.returns import ReturnRequest

# Statuses the customer is emailed about, and the subject line of each (in the language the
# email is written in: see notify_customer).
SUBJECTS = {
    "label_issued": N_("Your return %(rma)s: label ready"),
    "received": N_("Your return %(rma)s has arrived"),
    "refunded": N_("Your return %(rma)s: refund issued"),
    "rejected": N_("Your return %(rma)s could not be accepted"),
    "replacement_sent": N_("Your return %(rma)s: replacement on its way"),
    "expired": N_("Your return %(rma)s: the label has expired"),
}


def queue_email(to: str, subject: str, body: str, return_id: int | None = None) -> OutboxMessage:
    """Add an email to the outbox in the current transaction (the caller commits)."""
    message = OutboxMessage(to_address=to, subject=subject, body=body, return_id=return_id)
    db.session.add(message)
    return message


def notify_customer(
    ret: ReturnRequest, status: str, links: dict[str, str], note: str | None = None
) -> OutboxMessage | None:
    """Queue the email for a customer-visible status (or "replacement_sent", an exchange's
    new item dispatched); other statuses send nothing. `links`: the absolute `status_url`
    and `label_url` of the return. Written in the current language: the caller chooses it
    (app.returns.workflow.tell_customer: the return's)."""
    if status not in SUBJECTS:
        return None
    body = render_template(
        f"emails/return_{status}.txt", ret=ret, url=links["status_url"], note=note, **links
    )
    subject = gettext(SUBJECTS[status], rma=ret.rma_number)
    return queue_email(ret.order.email, subject, body, return_id=ret.id)
