"""Counts of reads written in batches: article views, the daily search counters and synonym
suggestions reach the database when a worker's batch is written, add up to what the stored
searches say whichever worker's batch lands first, and survive a failed write."""

import runpy
from datetime import timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from app.analytics import counters, synonyms
from app.analytics.rollup import rebuild_search_daily
from app.analytics.searches import record_click, record_search
from app.extensions import db
from app.models import (
    ArticleViewDaily,
    SearchClick,
    SearchEvent,
    SynonymSuggestion,
)
from app.services import services
from tests.insights_helpers import ROOT, SYNONYM_VISITS, SYNONYMS_LEARNT, at, search_counters

BATCHED = {"ANALYTICS_FLUSH_EVERY": 10_000, "ANALYTICS_FLUSH_SECONDS": 3600}
# The image each article page loads to count a view of itself.
TRACK = "/articles/shipping/track-a-parcel/seen"
SEND = "/articles/returns/send-it-back/seen"


def views(app) -> dict[str, int]:
    with app.app_context():
        rows = db.session.execute(select(ArticleViewDaily)).scalars()
        return {row.article_path: row.views for row in rows}


def flush(*apps) -> None:
    for app in apps:
        with app.app_context():
            assert counters.flush()


def test_article_views_wait_for_the_batch_and_land_in_one_write(make_app):
    app = make_app(**BATCHED)
    client = app.test_client()
    for url in (TRACK, TRACK, TRACK, SEND):
        assert client.get(url).status_code == 200
    assert views(app) == {}
    flush(app)
    assert views(app) == {"shipping/track-a-parcel": 3, "returns/send-it-back": 1}
    client.get(TRACK)
    flush(app)
    assert views(app) == {"shipping/track-a-parcel": 4, "returns/send-it-back": 1}


def test_the_request_that_fills_the_batch_writes_it(make_app):
    app = make_app(ANALYTICS_FLUSH_EVERY=3, ANALYTICS_FLUSH_SECONDS=3600)
    client = app.test_client()
    client.get(TRACK)
    client.get(SEND)
    assert views(app) == {}
    client.get(TRACK)
    assert views(app) == {"shipping/track-a-parcel": 2, "returns/send-it-back": 1}


def test_counts_older_than_the_interval_go_with_the_next_request_for_any_page(make_app):
    app = make_app(ANALYTICS_FLUSH_EVERY=10_000, ANALYTICS_FLUSH_SECONDS=5)
    clock = SimpleNamespace(now=100.0)
    services(app).analytics.clock = lambda: clock.now
    client = app.test_client()
    client.get(TRACK)
    clock.now += 4
    client.get("/categories/shipping")
    assert views(app) == {}
    clock.now += 2
    client.get("/categories/shipping")  # counts nothing, but finds the batch due
    assert views(app) == {"shipping/track-a-parcel": 1}


def test_a_stopping_gunicorn_worker_writes_what_it_holds(make_app):
    app = make_app(**BATCHED)
    app.test_client().get(TRACK)
    worker_exit = runpy.run_path(str(ROOT / "gunicorn.conf.py"))["worker_exit"]
    worker_exit(None, SimpleNamespace(wsgi=app))
    assert views(app) == {"shipping/track-a-parcel": 1}
    worker_exit(None, SimpleNamespace(wsgi=lambda environ, start_response: []))  # not Frontdesk


def test_a_failed_write_keeps_the_counts_and_tries_again_later(make_app, monkeypatch):
    app = make_app(ANALYTICS_FLUSH_EVERY=2, ANALYTICS_FLUSH_SECONDS=5)
    clock = SimpleNamespace(now=100.0)
    services(app).analytics.clock = lambda: clock.now
    write = counters.write

    def database_down(connection, batch):
        raise OperationalError("INSERT", {}, Exception("database is locked"))

    monkeypatch.setattr(counters, "write", database_down)
    client = app.test_client()
    client.get(TRACK)
    assert client.get(TRACK).status_code == 200  # the batch is due, and can't be written
    assert services(app).analytics.records == 2
    monkeypatch.setattr(counters, "write", write)
    client.get(SEND)  # due by count, but a retry waits for the interval
    assert views(app) == {}
    clock.now += 5
    client.get(SEND)
    assert views(app) == {"shipping/track-a-parcel": 2, "returns/send-it-back": 2}


def daily_counters(app):
    with app.app_context():
        return search_counters()


def test_batched_search_counters_add_up_to_the_stored_searches_in_any_order(make_app):
    """Two workers on one database; the second writes the counts of a click, and of a later
    search, before the first writes the counts of the searches before them."""
    first, second = make_app(**BATCHED), make_app(**BATCHED)
    with first.app_context():
        refund = record_search("Refund status?", 3, "page", "v1", at=at(2, 9))
        record_search("velvet poncho", 0, "page", "v2", at=at(2, 10))
        record_search("Velvet poncho", 0, "page", "v3", at=at(3, 10))
    with second.app_context():
        assert record_click(refund, "returns/send-it-back", 2, at=at(2, 9, 1))
        record_search("velvet  poncho", 0, "page", "v4", at=at(2, 11))
    flush(second)
    with first.app_context():
        assert record_click(refund, "shipping/track-a-parcel", 1, at=at(2, 9, 2))
        assert record_click(refund, "shipping/track-a-parcel", 1)  # once per article
    flush(first)
    daily, totals = daily_counters(first)
    day = at(2).date()
    assert daily[:2] == [
        ("en", "refund status", day, 1, 0, 1, 2, 3, at(2, 9), None),
        ("en", "velvet poncho", day, 2, 2, 0, 0, 0, at(2, 11), at(2, 11)),
    ]
    assert totals == [(day, "en", 3, 2, 1), (at(3).date(), "en", 1, 1, 0)]
    with first.app_context():
        rebuild_search_daily()
    assert daily_counters(first) == (daily, totals)


def test_a_click_on_a_result_is_counted_for_the_search_that_showed_it(make_app):
    """The results page comes from one worker and the click goes to another."""
    first, second = make_app(**BATCHED), make_app(**BATCHED)
    page = first.test_client().get("/search?q=parcel").get_data(as_text=True)
    link = page.split('href="/search/open?', 1)[1].split('"', 1)[0].replace("&amp;", "&")
    assert second.test_client().get("/search/open?" + link).status_code == 303
    with first.app_context():
        [event] = db.session.execute(select(SearchEvent)).scalars().all()
        [click] = db.session.execute(select(SearchClick)).scalars().all()
        assert (click.search_event_id, click.article_path, click.position) == (
            event.id,
            "shipping/track-a-parcel",
            1,
        )
    flush(second, first)
    [row] = daily_counters(first)[0]
    assert row[:8] == ("en", "parcel", event.created_at.date(), 1, 0, 1, 1, 1)


def suggestions(app) -> list[tuple]:
    with app.app_context():
        rows = db.session.execute(select(SynonymSuggestion)).scalars()
        return sorted((r.zero_query, r.followed_by, r.count, r.status) for r in rows)


@pytest.mark.parametrize("visitors_per_query", [1, 500])
def test_synonyms_learnt_in_batches_are_those_learnt_one_search_at_a_time(
    make_app, monkeypatch, visitors_per_query
):
    """Each visit's first search goes to one worker and the rest to another, which writes its
    batch first. The visitors' searches are read one visitor at a time or all together."""
    monkeypatch.setattr(synonyms, "VISITORS_PER_QUERY", visitors_per_query)
    first, second = make_app(**BATCHED), make_app(**BATCHED)
    for visitor, searches in SYNONYM_VISITS:
        for number, (query, results, minutes) in enumerate(searches):
            with (second if number else first).app_context():
                when = at(3, 10) + timedelta(minutes=minutes)
                record_search(query, results, "page", visitor, at=when)
    flush(second, first)
    assert suggestions(first) == sorted(SYNONYMS_LEARNT)


def test_a_suggestion_seen_by_two_workers_keeps_its_first_and_last_sightings(make_app):
    """The worker with the later sighting writes its batch first."""
    early, late = make_app(**BATCHED), make_app(**BATCHED)
    for app, visitor, day in ((early, "v-early", 3), (late, "v-late", 4)):
        with app.app_context():
            record_search("poncho", 0, "page", visitor, at=at(day, 10))
            record_search("coat", 5, "page", visitor, at=at(day, 10, 1))
    flush(late, early)
    with early.app_context():
        [row] = db.session.execute(select(SynonymSuggestion)).scalars()
        assert (row.zero_query, row.followed_by, row.count) == ("poncho", "coat", 2)
        assert (row.first_seen, row.last_seen) == (at(3, 10, 1), at(4, 10, 1))
