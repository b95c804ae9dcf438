"""The notes the site itself writes on a return's timeline. They are stored in English, as staff
read the timeline; the customer's status page reads each back into the message (or messages,
one sentence after another) it was made from, to say it in the customer's language. A note
that isn't one of these (staff's own words) is shown as it was written.
"""

import re
from typing import Final

from app.i18n import N_
from app.phrases import Amount, Phrase, Plural

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
LABEL_EXPIRED: Final = Plural(
    "The label wasn't used within %(num)d day, so it has expired.",
    "The label wasn't used within %(num)d days, so it has expired.",
)
REFUNDED: Final = N_("%(amount)s refunded (%(reference)s).")
ACCEPTED: Final = N_("%(item)s: accepted.")
NOT_ACCEPTED: Final = N_("%(item)s: not accepted (%(why)s).")

# Where two could read the same sentence, the first listed wins ("Further refund: ..." is
# also "<amount> refunded (...)." with an odd amount).
NOTES: tuple[str | Plural, ...] = (
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
PLACEHOLDER = re.compile(r"%\((\w+)\)([sd])")


def _pattern(template: str) -> re.Pattern[str]:
    """The template as a regular expression: each value as short as it can be (a number's
    digits), the sentence ending the note or followed by the next one."""
    pieces = PLACEHOLDER.split(template)  # text, name, conversion, text, ..., text
    regex = re.escape(pieces[0])
    for at in range(1, len(pieces), 3):
        name, conversion, text = pieces[at : at + 3]
        regex += f"(?P<{name}>{'[0-9]+' if conversion == 'd' else '.+?'})" + re.escape(text)
    return re.compile(regex + r"(?= |\Z)", re.DOTALL)


# A message with plural forms is read in each of its English forms.
PATTERNS = [
    (message, _pattern(template))
    for message in NOTES
    for template in (
        (message.singular, message.plural) if isinstance(message, Plural) else (message,)
    )
]


def _phrase(message: str | Plural, values: dict[str, object]) -> Phrase:
    """The note's message said again with the values read from it."""
    if isinstance(message, Plural):
        return message(int(str(values.pop("num"))), **values)
    return Phrase(message, **values)


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
        parts.append(_phrase(template, values))
        at = end + 1
    return parts[0] if len(parts) == 1 else Phrase.joined(parts)
