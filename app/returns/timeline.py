"""The notes the site itself writes on a return's timeline. They are stored in English, as staff
read the timeline; the customer's status page reads each back into the message (or messages,
one sentence after another) it was made from, to say it in the customer's language. A note
that isn't one of these (staff's own words) is shown as it was written.
"""

import re
from typing import Final

from app.i18n import N_
from app.phrases import Amount, Phrase

APPROVED_AUTOMATICALLY: Final = N_("Approved automatically.")
CANCELED_BY_CUSTOMER: Final = N_("Canceled by the customer.")
DELIVERED: Final = N_("Delivered to the returns warehouse")
EXCHANGE_COMPLETE: Final = N_("Exchange complete.")
NO_REPLACEMENT: Final = N_("No replacement is sent: the items weren't accepted.")
LOST_IN_TRANSIT: Final = N_(
    "The parcel was lost in transit, so we refunded without waiting for it."
)
COUNTED: Final = N_("Counted: %(items)s.")
REPLACEMENT_SENT: Final = N_("Replacement sent: %(items)s, tracking %(tracking)s (%(carrier)s).")
FURTHER_REFUND: Final = N_("Further refund: %(amount)s refunded (%(reference)s).")
REFUND_FAILED: Final = N_(
    "The refund of %(amount)s didn't reach you (%(reason)s); we'll issue it again."
)
LABEL_EXPIRED: Final = N_("The label wasn't used within %(days)s days, so it has expired.")
REFUNDED: Final = N_("%(amount)s refunded (%(reference)s).")
ACCEPTED: Final = N_("%(item)s: accepted.")
NOT_ACCEPTED: Final = N_("%(item)s: not accepted (%(why)s).")

# Where two could read the same sentence, the first listed wins ("Further refund: ..." is
# also "<amount> refunded (...)." with an odd amount).
NOTES = (
    APPROVED_AUTOMATICALLY,
    CANCELED_BY_CUSTOMER,
    DELIVERED,
    EXCHANGE_COMPLETE,
    NO_REPLACEMENT,
    LOST_IN_TRANSIT,
    COUNTED,
    REPLACEMENT_SENT,
    FURTHER_REFUND,
    REFUND_FAILED,
    LABEL_EXPIRED,
    REFUNDED,
    ACCEPTED,
    NOT_ACCEPTED,
)
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


def _pattern(template: str) -> re.Pattern[str]:
    """The template as a regular expression: each value as short as it can be, the sentence
    ending the note or followed by the next one."""
    pieces = PLACEHOLDER.split(template)  # text, name, text, name, ..., text
    regex = "".join(
        f"(?P<{piece}>.+?)" if odd else re.escape(piece)
        for odd, piece in ((n % 2 == 1, piece) for n, piece in enumerate(pieces))
    )
    return re.compile(regex + r"(?= |\Z)", re.DOTALL)


PATTERNS = [(template, _pattern(template)) for template in NOTES]


def read(note: str, currency: str) -> Phrase | None:
    """The note as the messages it was made of (amounts in `currency`, the order's), or None
    for words of staff's own. Each sentence is the shortest reading any message gives."""
    parts: list[Phrase] = []
    at = 0
    while at < len(note):
        found = [
            (match.end(), order, template, match)
            for order, (template, pattern) in enumerate(PATTERNS)
            if (match := pattern.match(note, at))
        ]
        if not found:
            return None
        end, _, template, match = min(found, key=lambda candidate: candidate[:2])
        values: dict[str, object] = dict(match.groupdict())
        if "amount" in values:
            values["amount"] = Amount.read(str(values["amount"]), currency) or values["amount"]
        parts.append(Phrase(template, **values))
        at = end + 1
    return parts[0] if len(parts) == 1 else Phrase.joined(parts)
