"""The date range a report covers: parsed from `?start=&end=`, whole UTC days, both ends
included."""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

DEFAULT_DAYS = 30
MAX_DAYS = 366


@dataclass(frozen=True)
class DateRange:
    start: date
    end: date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def since(self) -> datetime:
        """The first moment of the range (UTC)."""
        return datetime.combine(self.start, time(), UTC)

    @property
    def until(self) -> datetime:
        """The first moment after the range (UTC)."""
        return datetime.combine(self.end + timedelta(days=1), time(), UTC)

    def each_day(self) -> Iterator[date]:
        for offset in range(self.days):
            yield self.start + timedelta(days=offset)

    def as_args(self) -> dict[str, str]:
        return {"start": self.start.isoformat(), "end": self.end.isoformat()}


def last_days(today: date, days: int = DEFAULT_DAYS) -> DateRange:
    return DateRange(today - timedelta(days=days - 1), today)


def parse_range(start: str | None, end: str | None, today: date) -> tuple[DateRange, str | None]:
    """The range asked for, or the last 30 days and a message saying what was wrong."""
    default = last_days(today)
    if not start and not end:
        return default, None
    try:
        first = date.fromisoformat(start) if start else default.start
        last = date.fromisoformat(end) if end else today
    except ValueError:
        return default, "Dates must look like 2026-11-23. Showing the last 30 days."
    if first > last:
        return default, "The start date is after the end date. Showing the last 30 days."
    if (last - first).days + 1 > MAX_DAYS:
        return default, f"Choose at most {MAX_DAYS} days. Showing the last 30 days."
    return DateRange(first, last), None
