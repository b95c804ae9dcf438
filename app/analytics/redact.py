"""Removing personal data from search queries before they are stored."""

import re

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
# Order-like references: letters, a dash or hash, then digits (JP-10234, #10234, RMA-88812).
ORDER = re.compile(r"(?:\b[a-z]{1,4}-?|#)\d{3,}\b", re.IGNORECASE)
# Phone numbers: 7+ digits with optional +, spaces, dots, dashes and brackets between them.
PHONE = re.compile(r"(?<!\w)\+?\(?\d[\d\s().-]{5,}\d(?!\w)")
DIGITS = re.compile(r"\d{5,}")
LONG_DIGITS = re.compile(r"\d{12,}")
# Tracking and reference codes: 8+ letters and digits with at least 4 digits among them.
CODE = re.compile(r"\b(?=(?:[a-z]*\d){4})[a-z0-9]{8,}\b", re.IGNORECASE)


def redact(text: str) -> str:
    """Replace emails, phone numbers, order numbers and long digit runs with placeholders."""
    text = EMAIL.sub("[email]", text)
    text = ORDER.sub("[number]", text)
    text = CODE.sub("[number]", text)
    text = LONG_DIGITS.sub("[number]", text)
    text = PHONE.sub(lambda m: "[phone]" if _digit_count(m.group()) >= 7 else m.group(), text)
    return DIGITS.sub("[number]", text)


def _digit_count(text: str) -> int:
    return sum(c.isdigit() for c in text)


def normalise(redacted: str) -> str:
    """The grouping key of a query: lowercased words and placeholders, single-spaced."""
    return " ".join(re.findall(r"\[\w+\]|\w+", redacted.lower()))[:200]
