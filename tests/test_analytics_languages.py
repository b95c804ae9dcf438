"""Analytics per language: searches, views and votes keep the page's language; a search whose
own language found nothing but English answered keeps the English articles that answered; the
daily counters add up per language; the migration makes what was recorded before English."""

import flask_migrate
import pytest
from sqlalchemy import select, text

from app.analytics.rollup import rebuild_search_daily
from app.extensions import db
from app.models import ArticleViewDaily, SearchEvent, Vote
from app.models.analytics import SearchDaily, SearchDayTotal
from app.models.types import utcnow
from tests.conftest import write_content
from tests.insights_helpers import search_counters
from tests.test_translations import GERMAN, GERMAN_CATEGORIES
from tests.test_votes import post_vote

# The German help center has no returns article: English answers this German search.
ENGLISH_ONLY = "printer"


@pytest.fixture
def german_app(content_dir, make_app):
    write_content(content_dir / "de", GERMAN, GERMAN_CATEGORIES)
    return make_app()


def events(app) -> list[tuple]:
    with app.app_context():
        rows = db.session.execute(select(SearchEvent).order_by(SearchEvent.id)).scalars()
        return [(e.query_normalized, e.language, e.answered_in, e.answered_by) for e in rows]


def test_searches_keep_the_page_language_and_what_english_answered(german_app):
    client = german_app.test_client()
    client.get("/de/search?q=paket")  # German articles answer
    client.get(f"/de/search?q={ENGLISH_ONLY}")  # only English ones do
    client.get("/de/search?q=zzzqqq")  # nothing does
    client.get(f"/fr/api/search?q={ENGLISH_ONLY}")  # French has no articles of its own
    client.get(f"/search?q={ENGLISH_ONLY}")
    assert events(german_app) == [
        ("paket", "de", None, None),
        (ENGLISH_ONLY, "de", "en", ["returns/send-it-back"]),
        ("zzzqqq", "de", None, None),
        (ENGLISH_ONLY, "fr", "en", ["returns/send-it-back"]),
        (ENGLISH_ONLY, "en", None, None),
    ]
    with german_app.app_context():
        live = search_counters()
        per_language = db.session.execute(
            select(
                SearchDaily.language, SearchDaily.query_normalized, SearchDaily.searches
            ).order_by(SearchDaily.language, SearchDaily.query_normalized)
        ).all()
        totals = db.session.execute(
            select(
                SearchDayTotal.language, SearchDayTotal.searches, SearchDayTotal.zero_results
            ).order_by(SearchDayTotal.language)
        ).all()
        rebuild_search_daily()
        assert search_counters() == live  # the rebuild counts per language the same way
    assert per_language == [
        ("de", "paket", 1),
        ("de", ENGLISH_ONLY, 1),
        ("de", "zzzqqq", 1),
        ("en", ENGLISH_ONLY, 1),
        ("fr", ENGLISH_ONLY, 1),
    ]
    assert totals == [("de", 3, 1), ("en", 1, 0), ("fr", 1, 0)]


def test_an_instant_result_opened_on_a_german_page_is_recorded_as_german(german_app):
    client = german_app.test_client()
    response = client.get(f"/de/search/open?q={ENGLISH_ONLY}&path=returns/send-it-back&pos=1")
    assert response.status_code == 303
    assert events(german_app) == [(ENGLISH_ONLY, "de", "en", ["returns/send-it-back"])]


def test_views_and_votes_keep_the_page_language(german_app):
    client = german_app.test_client()
    for prefix in ("/de", "/de", ""):
        client.get(f"{prefix}/articles/shipping/track-a-parcel/seen")
    post_vote(client, url="/de/articles/shipping/track-a-parcel/vote", helpful="yes")
    with german_app.app_context():
        views = db.session.execute(
            select(ArticleViewDaily.language, ArticleViewDaily.views).order_by(
                ArticleViewDaily.language
            )
        ).all()
        votes = db.session.execute(select(Vote.article_path, Vote.language)).all()
    assert views == [("de", 2), ("en", 1)]
    assert votes == [("shipping/track-a-parcel", "de")]


BEFORE = "7a1c3e5b9d20"


def test_the_migration_makes_earlier_analytics_english_and_back(app):
    today = utcnow().date()
    with app.app_context():
        flask_migrate.downgrade(revision=BEFORE)
        db.session.execute(
            text(
                "INSERT INTO search_events (query_raw_redacted, query_normalized, results_count,"
                " source, visitor_id, created_at) VALUES ('Poncho?', 'poncho', 0, 'page', 'v1',"
                " :at)"
            ),
            {"at": utcnow()},
        )
        db.session.execute(
            text(
                "INSERT INTO search_daily (query_normalized, day, searches, zero_results,"
                " clicked_searches, clicks, position_sum, example, last_seen) VALUES"
                " ('poncho', :day, 1, 1, 0, 0, 0, 'Poncho?', :at)"
            ),
            {"day": today, "at": utcnow()},
        )
        db.session.execute(
            text("INSERT INTO search_day_totals VALUES (:day, 1, 1, 0)"), {"day": today}
        )
        db.session.execute(
            text(
                "INSERT INTO article_views_daily (article_path, day, views)"
                " VALUES ('shipping/track-a-parcel', :day, 4)"
            ),
            {"day": today},
        )
        db.session.execute(
            text(
                "INSERT INTO content_gaps (kind, key, status, note, updated_by, created_at,"
                " updated_at) VALUES ('query', 'poncho', 'planned', '', 'ed', :at, :at)"
            ),
            {"at": utcnow()},
        )
        db.session.commit()
        flask_migrate.upgrade()

        def rows(sql: str) -> list[tuple]:
            found = [tuple(row) for row in db.session.execute(text(sql))]
            db.session.commit()  # (PostgreSQL: the migrations wait for the read's locks)
            return found

        assert rows("SELECT language, answered_in FROM search_events") == [("en", None)]
        assert rows("SELECT language, query_normalized, searches FROM search_daily") == [
            ("en", "poncho", 1)
        ]
        assert rows("SELECT language, searches FROM search_day_totals") == [("en", 1)]
        assert rows("SELECT language, views FROM article_views_daily") == [("en", 4)]
        assert rows("SELECT kind, language, key, status FROM content_gaps") == [
            ("query", "en", "poncho", "planned")
        ]
        # German activity the same day, then back: the languages are added up again.
        db.session.execute(
            text(
                "INSERT INTO search_daily (language, query_normalized, day, searches,"
                " zero_results, clicked_searches, clicks, position_sum, example, last_seen)"
                " VALUES ('de', 'poncho', :day, 2, 0, 1, 1, 1, 'Poncho', :at)"
            ),
            {"day": today, "at": utcnow()},
        )
        db.session.execute(
            text("INSERT INTO search_day_totals VALUES (:day, 'de', 2, 0, 1)"), {"day": today}
        )
        db.session.execute(
            text(
                "INSERT INTO article_views_daily (article_path, day, views, language)"
                " VALUES ('shipping/track-a-parcel', :day, 3, 'de')"
            ),
            {"day": today},
        )
        db.session.execute(
            text(
                "INSERT INTO content_gaps (kind, language, key, status, note, updated_by,"
                " created_at, updated_at) VALUES ('query', 'de', 'poncho', 'open', '', 'ed',"
                " :at, :at)"
            ),
            {"at": utcnow()},
        )
        db.session.commit()
        flask_migrate.downgrade(revision=BEFORE)
        assert rows(
            "SELECT query_normalized, searches, zero_results, clicks FROM search_daily"
        ) == [("poncho", 3, 1, 1)]
        assert rows("SELECT searches, clicked_searches FROM search_day_totals") == [(3, 1)]
        assert rows("SELECT article_path, views FROM article_views_daily") == [
            ("shipping/track-a-parcel", 7)
        ]
        assert rows("SELECT kind, key, status FROM content_gaps") == [
            ("query", "poncho", "planned")
        ]
        flask_migrate.upgrade()
        assert rows("SELECT language, searches FROM search_daily") == [("en", 3)]
