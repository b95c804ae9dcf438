"""Timing helpers and table printing shared by the benchmarks."""

import statistics
import time
from collections.abc import Callable
from pathlib import Path

import flask_migrate
from flask import Flask

from app import create_app

ROOT = Path(__file__).resolve().parents[2]


def bench_app(tmp: str, **overrides) -> Flask:
    """A migrated app on a fresh SQLite file with the shipped content, rate limits off."""
    settings = {
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/bench.db",
        "CONTENT_DIR": str(ROOT / "content"),
        "INDEX_DIR": f"{tmp}/index",
        "RATELIMIT_ENABLED": False,
        "LOG_LEVEL": "WARNING",
    }
    app = create_app({**settings, **overrides})
    with app.app_context():
        flask_migrate.upgrade()
    return app


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
