"""Small statistics for the reports (shares, the Wilson score interval) and numbers in words."""

import math

Z_95 = 1.96


def share(part: int, whole: int) -> float | None:
    """part / whole, or None when there is nothing to divide."""
    return part / whole if whole else None


def wilson_lower_bound(positive: int, total: int, z: float = Z_95) -> float | None:
    """The lower end of the Wilson score interval for positive / total (95% by default): a
    share we can be confident of, which stays low while there are few answers."""
    if total <= 0:
        return None
    p = positive / total
    z2 = z * z
    centre = p + z2 / (2 * total)
    margin = z * math.sqrt(p * (1 - p) / total + z2 / (4 * total * total))
    return (centre - margin) / (1 + z2 / total)


def percent(value: float | None) -> str:
    return "–" if value is None else f"{value * 100:.0f}%"


def plural(count: int, word: str) -> str:
    """ "1 search", "2 searches", "3 votes"."""
    if count == 1:
        return f"{count} {word}"
    return f"{count} {word}{'es' if word.endswith(('s', 'ch')) else 's'}"
