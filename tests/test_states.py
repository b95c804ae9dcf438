"""The state machine, as a table: every action from every status."""

import pytest

from app.models import ReturnRequest
from app.returns import states

ALL = list(states.CUSTOMER_LABELS)
ALLOWED = {
    ("requested", "approve"): "approved",
    ("requested", "reject"): "rejected",
    ("approved", "issue_label"): "label_issued",
    ("requested", "cancel"): "canceled",
    ("approved", "cancel"): "canceled",
    ("label_issued", "cancel"): "canceled",
    ("label_issued", "carrier_scan"): "in_transit",
    ("label_issued", "receive"): "received",
    ("in_transit", "receive"): "received",
    ("received", "inspect"): "inspected",
    ("approved", "refund"): "refunded",
    ("label_issued", "refund"): "refunded",
    ("in_transit", "refund"): "refunded",
    ("received", "refund"): "refunded",
    ("inspected", "refund"): "refunded",
    ("refunded", "close"): "closed",
    ("rejected", "close"): "closed",
    ("inspected", "close"): "closed",  # an exchange with nothing left to refund
    ("label_issued", "expire"): "expired",
}


@pytest.mark.parametrize("status", ALL)
@pytest.mark.parametrize("action", list(states.TRANSITIONS))
def test_every_action_from_every_status(status, action):
    expected = ALLOWED.get((status, action))
    if expected:
        assert states.next_status(status, action) == expected
    else:
        with pytest.raises(states.TransitionError, match="can't be"):
            states.next_status(status, action)


def test_a_refused_transition_changes_nothing():
    ret = ReturnRequest(status="in_transit")
    with pytest.raises(states.TransitionError):
        states.apply(ret, "cancel", actor="agent")
    assert ret.status == "in_transit" and ret.events == []


def test_each_transition_appends_an_event_with_its_actor():
    ret = ReturnRequest()
    states.start(ret, actor="customer")
    states.apply(ret, "approve", actor="Dana", note="Looks fine")
    assert [(e.status, e.actor, e.note) for e in ret.events] == [
        ("requested", "customer", None),
        ("approved", "Dana", "Looks fine"),
    ]
