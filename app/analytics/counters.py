"""Counts of what customers read (article views, searches, opened results), kept in the process
and written to the database together: one transaction for everything counted since the last
write, once ANALYTICS_FLUSH_EVERY records or ANALYTICS_FLUSH_SECONDS have gone by (at the end
of the request that makes them due), and when a gunicorn worker stops (gunicorn.conf.py).

Searches and opened results are stored as rows straight away (a click refers to its search);
what waits is what is added up from them: the daily view, search and click counters, and the
synonym suggestions learnt from a visitor's searches. These are analytics, and the bound on
losing them is the batch: a worker killed outright (not stopped) loses at most that many
seconds or records of counts. The search counters can be recomputed from the stored searches
(app.analytics.rollup.rebuild_search_daily); article views have no other record.
"""

import logging
import math
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from functools import cache

from flask import Flask
from sqlalchemy import Connection

from app.analytics.rollup import SearchCounts, write_search_counts
from app.analytics.sql import Upsert, upsert
from app.analytics.synonyms import FoundSearch, learn
from app.config import DEFAULT_LANGUAGE
from app.extensions import db
from app.models.analytics import ArticleViewDaily
from app.models.types import utcnow
from app.services import services

log = logging.getLogger(__name__)

# Kept across failed writes (the database is down) until this many records, then dropped.
MAX_KEPT = 100_000


@dataclass
class Batch:
    """Everything counted since the last write."""

    views: Counter[tuple[str, date, str]] = field(default_factory=Counter)  # path, day, language
    searches: SearchCounts = field(default_factory=SearchCounts)
    found: list[FoundSearch] = field(default_factory=list)  # to learn synonyms from
    records: int = 0

    def add(self, other: "Batch") -> None:
        self.views.update(other.views)
        self.searches.add(other.searches)
        self.found.extend(other.found)
        self.records += other.records


class Pending:
    """This process's batch, and when it is due to be written."""

    def __init__(self, every: int, seconds: float, clock: Callable[[], float] = time.monotonic):
        self.every = max(1, every)
        self.seconds = seconds
        self.clock = clock
        self._batch = Batch()
        self._since: float | None = None  # when the batch's first record was counted
        self._retry_at = -math.inf  # after a failed write, the next try waits this long
        self._lock = threading.Lock()

    @property
    def records(self) -> int:
        return self._batch.records

    def add(self, count: Callable[[Batch], None]) -> None:
        with self._lock:
            count(self._batch)
            self._batch.records += 1
            if self._since is None:
                self._since = self.clock()

    def due(self) -> bool:
        since = self._since
        if since is None:
            return False
        now = self.clock()
        if now < self._retry_at:
            return False
        return self._batch.records >= self.every or now - since >= self.seconds

    def take(self) -> Batch | None:
        with self._lock:
            batch, self._batch, self._since = self._batch, Batch(), None
        return batch if batch.records else None

    def put_back(self, batch: Batch) -> None:
        """A batch that could not be written: counted again with the next one."""
        with self._lock:
            if self._batch.records + batch.records > MAX_KEPT:
                log.error("analytics counts dropped: %d records never written", batch.records)
                return
            batch.add(self._batch)
            self._batch = batch
            now = self.clock()
            self._since = now if self._since is None else self._since
            self._retry_at = now + self.seconds


def pending(app: Flask | None = None) -> Pending:
    """The app's batch (the current app's when none is named)."""
    counts = services(app).analytics
    if counts is None:
        raise RuntimeError("the app's analytics counters were never registered (see register)")
    return counts


def record(count: Callable[[Batch], None]) -> None:
    """Count something (`count` adds it to the batch); write the batch if that made it due."""
    counts = pending()
    counts.add(count)
    if counts.due():
        flush(counts)


def count_article_view(article_path: str, language: str = DEFAULT_LANGUAGE) -> None:
    """Count a view of the article on a page in `language`."""
    day = utcnow().date()

    def count(batch: Batch) -> None:
        batch.views[article_path, day, language] += 1

    record(count)


@cache
def _add_views(dialect: str) -> Upsert:
    return upsert(
        dialect,
        ArticleViewDaily,
        ["article_path", "day", "language", "views"],
        ["article_path", "day", "language"],
        lambda new: {"views": ArticleViewDaily.views + new.views},
    )


def write(connection: Connection, batch: Batch) -> None:
    """Add a batch to the database's counters, in the caller's transaction."""
    if batch.views:
        connection.execute(
            _add_views(connection.dialect.name),
            [
                {"article_path": path, "day": day, "language": language, "views": views}
                for (path, day, language), views in batch.views.items()
            ],
        )
    write_search_counts(connection, batch.searches)
    learn(connection, batch.found)


def flush(counts: Pending | None = None) -> bool:
    """Write what has been counted, in one transaction. A failure is logged and the counts
    are kept for the next try: they never cost a customer their page. False on failure."""
    counts = counts or pending()
    batch = counts.take()
    if batch is None:
        return True
    try:
        with db.engine.begin() as connection:
            write(connection, batch)
    except Exception:  # noqa: BLE001 - whatever went wrong, the counts wait for the next try
        counts.put_back(batch)
        log.warning("analytics counts not written yet (%d kept)", batch.records, exc_info=True)
        return False
    return True


def flush_app(app: Flask) -> None:
    """Write what the app has counted (a worker stopping: see gunicorn.conf.py)."""
    if pending(app).records:
        with app.app_context():
            flush()


def register(app: Flask) -> None:
    """Give the app its batch, written when a request ends with it due."""
    counts = services(app).analytics = Pending(
        app.config["ANALYTICS_FLUSH_EVERY"], app.config["ANALYTICS_FLUSH_SECONDS"]
    )

    @app.teardown_request
    def flush_when_due(_error: BaseException | None) -> None:
        if counts.due():
            flush(counts)
