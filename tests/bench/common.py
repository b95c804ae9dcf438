"""Timing helpers and table printing shared by the benchmarks."""

import statistics
import time
from collections.abc import Callable


def timings_ms(action: Callable[[], object], runs: int, warmup: int = 20) -> list[float]:
    for _ in range(warmup):
        action()
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def percentile(samples: list[float], pct: float) -> float:
    ordered = sorted(samples)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered)) - 1))
    return ordered[index]


def summary(samples: list[float]) -> dict[str, float]:
    return {
        "median": statistics.median(samples),
        "p95": percentile(samples, 95),
        "runs": len(samples),
    }


def print_table(title: str, headers: list[str], rows: list[list[object]]) -> None:
    cells = [headers] + [[f"{c:.3f}" if isinstance(c, float) else str(c) for c in r] for r in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    print(f"\n{title}")
    for n, row in enumerate(cells):
        print(
            "  "
            + "  ".join(
                c.rjust(w) if i else c.ljust(w)
                for i, (c, w) in enumerate(zip(row, widths, strict=True))
            )
        )
        if n == 0:
            print("  " + "  ".join("-" * w for w in widths))
