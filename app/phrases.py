"""What the returns rules say to customers, made where no language is known (policy.py,
exchanges.py, photos.py: plain Python) and said where one is (a page, an email).

A Phrase is the English text itself, so staff pages, logs and tests read it as before, and it
remembers the marked message (`N_`) and values it was made from, so `app.templating.translated`
can say it again in the customer's language, with dates and amounts written that language's
way. Nothing here knows about Flask.
"""

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

CURRENCY_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "CAD": "CA$", "AUD": "A$"}
ENGLISH_AMOUNT = re.compile(r"(-?)(?:[^\d\s]*)([\d,]+)\.(\d\d)(?: [A-Z]{3})?")


def english_money(cents: int, currency: str = "USD") -> str:
    """Integer cents as an English reader reads them: $1,234.50, -$5.95, 12.00 XYZ."""
    sign = "-" if cents < 0 else ""
    whole, part = divmod(abs(cents), 100)
    symbol = CURRENCY_SYMBOLS.get(currency)
    amount = f"{whole:,}.{part:02d}"
    return f"{sign}{symbol}{amount}" if symbol else f"{sign}{amount} {currency}"


def english_date(day: date) -> str:
    """5 December 2026."""
    return f"{day.day} {day:%B %Y}"


@dataclass(frozen=True)
class Amount:
    """Money inside a phrase: written the reader's way where it is said."""

    cents: int
    currency: str

    def __str__(self) -> str:
        return english_money(self.cents, self.currency)

    @classmethod
    def read(cls, text: str, currency: str) -> "Amount | None":
        """An amount as english_money wrote it, read back (a timeline note's)."""
        found = ENGLISH_AMOUNT.fullmatch(text)
        if found is None:
            return None
        sign, whole, part = found.groups()
        cents = int(whole.replace(",", "")) * 100 + int(part)
        return cls(-cents if sign else cents, currency)


def _english(value: object) -> object:
    return english_date(value) if isinstance(value, date) else value


@dataclass(frozen=True)
class Plural:
    """A message whose words follow a number (`%(num)d`): its English singular and plural,
    collected for the catalogues as one message with its plural forms (`make translations`
    reads `Plural(...)` as it reads ngettext). Calling it makes the Phrase for a number."""

    singular: str
    plural: str

    def __call__(self, num: int, **values: object) -> "Phrase":
        return Phrase.counted(self, num, **values)


class Phrase(str):
    """English text made from a marked message and its values (`%(name)s` placeholders),
    or from several phrases one after another (`Phrase.joined`). A message with plural
    forms (`Plural`) keeps its plural too, and its number as the value `num`."""

    template: str
    values: Mapping[str, object]
    parts: tuple[str, ...]
    plural: str | None = None

    def __new__(cls, template: str, **values: object) -> "Phrase":
        english = {name: _english(value) for name, value in values.items()}
        phrase = super().__new__(cls, template % english if values else template)
        phrase.template, phrase.values, phrase.parts = template, values, ()
        return phrase

    @classmethod
    def counted(cls, message: Plural, num: int, **values: object) -> "Phrase":
        """The message for `num` (English has two forms: one, and every other number)."""
        phrase = cls(message.singular if num == 1 else message.plural, num=num, **values)
        phrase.template, phrase.plural = message.singular, message.plural
        return phrase

    @classmethod
    def joined(cls, parts: Iterable[str]) -> "Phrase":
        """Sentences one after another, each said in the reader's language on its own."""
        kept = tuple(parts)
        phrase = super().__new__(cls, " ".join(kept))
        phrase.template, phrase.values, phrase.parts = "", {}, kept
        return phrase
