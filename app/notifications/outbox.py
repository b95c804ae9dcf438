"""Queueing customer emails about their return."""

from flask import render_template

from app.extensions import db
from app.models.refunds import OutboxMessage
from app.models.returns import ReturnRequest

# Statuses the customer is emailed about, and the subject line of each.
SUBJECTS = {
    "label_issued": "Your return {rma}: label ready",
    "received": "Your return {rma} has arrived",
    "refunded": "Your return {rma}: refund issued",
    "rejected": "Your return {rma} could not be accepted",
    "replacement_sent": "Your return {rma}: replacement on its way",
    "expired": "Your return {rma}: the label has expired",
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
    new item dispatched); other statuses send nothing. `links`:
    the absolute `status_url` and `label_url` of the return."""
    if status not in SUBJECTS:
        return None
    body = render_template(
        f"emails/return_{status}.txt", ret=ret, url=links["status_url"], note=note, **links
    )
    return queue_email(
        ret.order.email, SUBJECTS[status].format(rma=ret.rma_number), body, return_id=ret.id
    )
