"""The editors' reports computed from one known week of data: exact counts, click-through,
Wilson bounds, grouping of differently written queries, returns by category and SKU."""

import re
from datetime import date

import flask_migrate
from sqlalchemy import select, text

from app.analytics import reports
from app.analytics.article_report import article_detail, article_report
from app.analytics.dates import DateRange, parse_range
from app.analytics.returns_report import returns_report
from app.analytics.rollup import rebuild_search_daily
from app.analytics.stats import wilson_lower_bound
from app.extensions import db
from app.models import ArticleViewDaily, SearchEvent
from app.models.types import utcnow
from app.services import services
from tests.insights_helpers import (
    WEEK,
    at,
    record_searches,
    search_counters,
)


def test_wilson_lower_bound():
    assert wilson_lower_bound(0, 0) is None
    assert round(wilson_lower_bound(60, 100), 4) == 0.5020
    assert round(wilson_lower_bound(3, 3), 4) == 0.4385  # three Yes: lower than 60 of 100
    assert wilson_lower_bound(0, 3) == 0.0
    assert round(wilson_lower_bound(9, 10), 4) == 0.5958


def test_date_ranges_default_to_the_last_30_days_and_explain_bad_input():
    today = date(2026, 11, 23)
    assert parse_range(None, None, today) == (DateRange(date(2026, 10, 25), today), None)
    assert parse_range("2026-11-01", "2026-11-07", today) == (WEEK, None)
    assert parse_range("2026-11-01", None, today)[0] == DateRange(date(2026, 11, 1), today)
    default = DateRange(date(2026, 10, 25), today)
    assert parse_range("1 Nov", "2026-11-07", today) == (
        default,
        "Dates must look like 2026-11-23. Showing the last 30 days.",
    )
    assert parse_range("2026-11-08", "2026-11-07", today) == (
        default,
        "The start date is after the end date. Showing the last 30 days.",
    )
    assert parse_range("2024-01-01", "2026-11-07", today)[1] == (
        "Choose at most 366 days. Showing the last 30 days."
    )
    assert WEEK.days == 7 and WEEK.as_args() == {"start": "2026-11-01", "end": "2026-11-07"}


def test_search_report_groups_differently_written_queries(week_app):
    with week_app.app_context():
        report = reports.search_report(WEEK)
    assert report.searches == 19 and report.zero_results == 3 and report.clicked_searches == 3
    assert [(d.day.day, d.searches, d.zero_results, d.clicked_searches) for d in report.days] == [
        (1, 1, 0, 1),
        (2, 3, 1, 1),
        (3, 1, 0, 0),
        (4, 1, 1, 0),
        (5, 1, 1, 0),
        (6, 12, 0, 1),
        (7, 0, 0, 0),
    ]
    top = [(q.query, q.searches, q.clicked_searches, q.zero_results) for q in report.top]
    assert top == [
        ("track parcel", 12, 1, 0),
        ("refund status", 4, 2, 0),
        ("velvet poncho", 2, 0, 2),
        ("my email is [email]", 1, 0, 1),
    ]
    refund = report.top[1]
    assert (refund.ctr, refund.avg_position, refund.clicks) == (0.5, 1.5, 2)
    assert refund.example == "refund status"  # the latest wording in the range
    assert round(report.top[0].ctr, 4) == 0.0833 and report.top[0].avg_position == 1.0


def test_zero_result_groups_have_count_last_seen_and_an_example(week_app):
    with week_app.app_context():
        zero = reports.search_report(WEEK).zero
    assert [(q.query, q.zero_results, q.last_zero_at.isoformat(), q.example) for q in zero] == [
        ("velvet poncho", 2, "2026-11-05T11:00:00+00:00", "Velvet Poncho!"),
        ("my email is [email]", 1, "2026-11-04T08:00:00+00:00", "my email is [email]"),
    ]
    # The search on 31 October belongs to another range.
    with week_app.app_context():
        october = reports.search_report(DateRange(date(2026, 10, 1), date(2026, 10, 31)))
    assert [(q.query, q.zero_results) for q in october.zero] == [("velvet poncho", 1)]


def test_no_click_queries_are_searched_often_and_rarely_opened(week_app):
    with week_app.app_context():
        no_click = reports.search_report(WEEK).no_click
    assert [(q.query, q.with_results, q.clicked_searches, q.no_clicks) for q in no_click] == [
        ("track parcel", 12, 1, 11)
    ]
    assert round(no_click[0].results_ctr, 4) == 0.0833


def test_personal_data_is_redacted_before_it_is_counted(week_app):
    with week_app.app_context():
        stored = db.session.execute(
            text("SELECT query_raw_redacted || query_normalized FROM search_events")
        ).scalars()
        daily = db.session.execute(
            text("SELECT query_normalized || example FROM search_daily")
        ).scalars()
        everything = " ".join([*stored, *daily])
    assert "ana@example.com" not in everything and "[email]" in everything


def test_counters_kept_while_recording_equal_a_rebuild_from_the_events(week_app):
    with week_app.app_context():
        kept = search_counters()
        assert rebuild_search_daily() == 8  # (query, day) pairs
        assert search_counters() == kept


def test_the_migration_counts_searches_recorded_before_it(app):
    record_searches(app)
    with app.app_context():
        flask_migrate.downgrade(revision="6d486a4b0be5")
        assert db.session.scalar(text("SELECT count(*) FROM search_events")) == 20
        db.session.commit()  # (PostgreSQL: altering search_events waits for the read's lock)
        flask_migrate.upgrade()
        report = reports.search_report(WEEK)
    assert report.searches == 19
    assert [(q.query, q.searches, q.clicked_searches) for q in report.top][:2] == [
        ("track parcel", 12, 1),
        ("refund status", 4, 2),
    ]
    assert report.top[1].avg_position == 1.5
    assert [d.searches for d in report.days] == [1, 3, 1, 1, 1, 12, 0]


def test_article_report_ranks_by_wilson_and_marks_too_few_votes(week_app):
    library = services(week_app).library
    with week_app.app_context():
        report = article_report(WEEK, library, "wilson", descending=True)
    rows = {a.path: a for a in report.articles}
    parcel = rows["shipping/track-a-parcel"]
    assert (parcel.views, parcel.votes, parcel.helpful, parcel.search_clicks) == (15, 100, 60, 1)
    assert parcel.helpful_share == 0.6 and round(parcel.wilson, 4) == 0.5020
    assert parcel.reasons == {"outdated": 25, "unclear": 10, "missing_info": 5}
    send = rows["returns/send-it-back"]
    assert (send.views, send.votes, send.helpful, send.search_clicks) == (7, 10, 9, 2)
    options = rows["shipping/delivery-options"]
    assert (options.votes, options.helpful_share, options.too_few_votes) == (3, 0.0, True)
    order = [a.path for a in report.articles]
    assert order == ["returns/send-it-back", "shipping/track-a-parcel", "shipping/delivery-options"]
    with week_app.app_context():
        worst_first = article_report(WEEK, library, "wilson", descending=False)
        by_views = article_report(WEEK, library, "views")
    # Three "No" votes are marked, not ranked as the worst article.
    assert [a.path for a in worst_first.articles] == [
        "shipping/track-a-parcel",
        "returns/send-it-back",
        "shipping/delivery-options",
    ]
    assert [a.views for a in by_views.articles] == [15, 7, 0]


def test_latest_comments_and_the_searches_that_led_to_an_article(week_app):
    library = services(week_app).library
    with week_app.app_context():
        report = article_report(WEEK, library)
        detail = article_detail(WEEK, library, "returns/send-it-back")
    assert [(c.path, c.comment, c.at.day) for c in report.comments] == [
        ("shipping/track-a-parcel", "@SUM(1+1)", 7),
        ("shipping/track-a-parcel", '=HYPERLINK("http://evil.example","x")', 6),
        ("shipping/track-a-parcel", "Prices changed", 5),
        ("returns/send-it-back", "Which box?", 3),
        ("shipping/track-a-parcel", "-2+3 is wrong", 1),
    ]
    assert report.comments[0].reason_label == "The information is out of date"
    assert detail.searches == [("refund status", 2)]
    assert [(d.day.day, d.views) for d in detail.views_by_day if d.views] == [(3, 7)]
    assert [(c.comment, c.reason_label) for c in detail.comments] == [
        ("Which box?", "It was hard to understand")
    ]


def test_returns_report_by_category_sku_rate_deflections_and_coverage(week_app):
    with week_app.app_context():
        report = returns_report(WEEK, services(week_app).returns_policy, services(week_app).library)
    categories = [
        (r.key, r.units, r.exchanged, r.by_reason, r.sold, r.sold_returned)
        for r in report.by_category
    ]
    assert categories == [
        ("tops", 4, 0, {"wrong_item": 4}, 6, 4),
        ("shoes", 2, 1, {"too_small": 1, "damaged": 1}, 3, 2),  # the too-small one exchanged
        ("home", 0, 0, {}, 1, 0),
    ]
    assert (report.units, report.exchanged) == (6, 1)
    assert [round(r.return_rate, 4) for r in report.by_category] == [0.6667, 0.6667, 0.0]
    skus = [(r.key, r.name, r.units, r.exchanged, r.top_reason, r.sold) for r in report.by_sku]
    assert skus == [
        ("TEE-M", "Linen tee", 4, 0, "wrong_item", 6),
        ("SHOE-40", "Canvas shoe", 2, 1, "damaged", 3),
        ("MUG", "Stoneware mug", 0, 0, None, 1),
    ]
    deflections = [(d.reason, d.article_path, d.solved, d.continued) for d in report.deflections]
    assert deflections == [("too_small", "shipping/delivery-options", 1, 1)]
    coverage = {
        c.reason: (c.units, c.exchanged, c.covered, c.frequent, c.shown, c.solved)
        for c in report.coverage
    }
    assert coverage["wrong_item"] == (4, 0, False, True, 0, 0)
    assert coverage["too_small"] == (1, 1, True, False, 2, 1)
    assert coverage["damaged"] == (1, 0, True, False, 0, 0)
    assert [c.reason for c in report.coverage][:3] == ["wrong_item", "damaged", "too_small"]
    assert report.reasons == ["too_small", "damaged", "wrong_item"]


def test_opening_an_article_counts_a_view_for_today(app, client):
    """As a browser reads it: the page, then the image it loads to be counted (the page may
    come from a shared cache, the image never does)."""
    for _ in range(2):
        page = client.get("/articles/shipping/track-a-parcel")
        seen = re.search(r'<img class="seen" src="([^"]+)"', page.text).group(1)
        image = client.get(seen)
        assert (image.status_code, image.mimetype) == (200, "image/gif")
        assert image.cache_control.no_store
    assert client.get("/articles/nope").status_code == 404
    assert client.get("/articles/nope/seen").status_code == 404
    with app.app_context():
        rows = db.session.execute(select(ArticleViewDaily)).scalars().all()
        assert [(r.article_path, r.day, r.views) for r in rows] == [
            ("shipping/track-a-parcel", utcnow().date(), 2)
        ]


def test_searches_made_on_the_site_feed_the_report(app, client):
    client.get("/search?q=Where+is+my+parcel")
    client.get("/search?q=velvet+poncho")
    client.get("/api/search?q=velvet+poncho")
    today = utcnow().date()
    with app.app_context():
        report = reports.search_report(DateRange(today, today))
        events = db.session.execute(select(SearchEvent.visitor_id)).scalars().all()
    assert [(q.query, q.searches, q.zero_results) for q in report.zero] == [("velvet poncho", 2, 2)]
    assert report.searches == 3
    # One visitor: their searches can be followed within a visit.
    assert len(set(events)) == 1 and None not in events


def _searched(app, text: str, times: int, results: int = 3) -> None:
    """`times` searches for `text` on 3 November, none of them followed by a click."""
    from sqlalchemy import insert

    row = {"query_raw_redacted": text, "query_normalized": text, "results_count": results}
    with app.app_context():
        db.session.execute(
            insert(SearchEvent),
            [
                {**row, "source": "page", "visitor_id": f"v{n}", "created_at": at(3, 9, n % 60)}
                for n in range(times)
            ],
        )
        db.session.commit()
        rebuild_search_daily()


def test_the_rarely_clicked_threshold_follows_the_traffic_unless_configured(make_app):
    """A small shop's five searches that nobody opened are a gap; configured at ten, or in
    a month of thousands of searches, they are not."""
    week = WEEK
    small = make_app()
    _searched(small, "student discount", 5)
    with small.app_context():
        assert reports.no_click_threshold(week) == 3
        found = reports.query_lists(week, names=("no_click",))["no_click"]
        assert [q.query for q in found] == ["student discount"]
        assert reports.query_lists(week, names=("no_click",), min_searches=10)["no_click"] == []

    _searched(small, "track parcel", 2_500, results=1)  # a busy month
    with small.app_context():
        assert reports.no_click_threshold(week) == 10
        assert reports.no_click_threshold(week, configured=4) == 4
        found = reports.query_lists(week, names=("no_click",))["no_click"]
        assert "student discount" not in [q.query for q in found]
