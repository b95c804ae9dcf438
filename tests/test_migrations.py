"""The migrations are the only way the schema changes: they must match the models."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from app.extensions import db


def test_migrations_create_exactly_the_models_schema(app):
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, db.metadata) == []


def test_downgrade_to_empty_and_back(app):
    import flask_migrate
    from sqlalchemy import inspect

    with app.app_context():
        flask_migrate.downgrade(revision="base")
        assert "votes" not in inspect(db.engine).get_table_names()
        flask_migrate.upgrade()
        assert "votes" in inspect(db.engine).get_table_names()


def test_order_numbers_that_clash_once_normalised_are_reported_and_kept(app, capfd):
    """Before order number keys, "jp-10481" could be imported beside "JP-10481"."""
    import flask_migrate
    from sqlalchemy import text

    from app.returns.service import find_order

    with app.app_context():
        flask_migrate.downgrade(revision="d71a5580c148")
        columns = (
            "number, email, customer_name, address_line1, address_line2, city, region,"
            " postal_code, country, currency, payment_method, placed_at, return_lock"
        )
        for number in ("JP-10481", "jp-10481", "JP 2"):
            db.session.execute(
                text(
                    f"INSERT INTO orders ({columns}) VALUES (:number, 'a@example.com', '', '',"
                    " '', '', '', '97201', 'US', 'USD', 'card', '2026-11-01 00:00:00+00:00', 0)"
                ),
                {"number": number},
            )
        db.session.commit()
        capfd.readouterr()
        flask_migrate.upgrade()
        printed = capfd.readouterr().err  # Alembic's own log handler (migrations/alembic.ini)
        rows = db.session.execute(text("SELECT number, number_key FROM orders ORDER BY id"))
        keys = [tuple(row) for row in rows]
        assert keys[0] == ("JP-10481", "JP-10481") and keys[2] == ("JP 2", "JP2")
        assert keys[1][0] == "jp-10481" and keys[1][1].startswith("JP-10481#")
        assert "order 'jp-10481'" in printed and "lookups find 'JP-10481'" in printed
        assert find_order(" jp-10481 ", "a@example.com").number == "JP-10481"
        assert find_order("ＪＰ２", "97201").number == "JP 2"  # fullwidth, no space


def test_deflections_and_synonym_suggestions_recorded_before_languages_get_theirs(app):
    """fd40134fecf4: articles shown before a return get their order's language, synonym
    suggestions that of the pages their search found nothing on (English when it can't be
    told); going back drops the suggestions of other languages."""
    import flask_migrate
    from sqlalchemy import text

    from app.models.types import utcnow
    from tests.returns_helpers import make_order

    english_order = make_order(app)
    german_order = make_order(app, number="JP-10002", language="de")

    def rows(sql: str) -> list[tuple]:
        found = [tuple(row) for row in db.session.execute(text(sql))]
        db.session.commit()  # (PostgreSQL: the migrations wait for the read's locks)
        return found

    with app.app_context():
        flask_migrate.downgrade(revision="b4e2d8f61a37")
        for order_id, reason in ((english_order, "too_small"), (german_order, "too_big")):
            db.session.execute(
                text(
                    "INSERT INTO deflections (order_id, reason_code, article_path, outcome,"
                    " created_at) VALUES (:order, :reason, 'sizing/guide', 'solved', :at)"
                ),
                {"order": order_id, "reason": reason, "at": utcnow()},
            )
        searched = (
            "INSERT INTO search_events (query_raw_redacted, query_normalized, results_count,"
            " source, visitor_id, created_at, language) VALUES (:q, :q, :n, 'page', 'v1', :at,"
            " :language)"
        )
        for query, found, language in [
            ("pakte", 0, "de"),
            ("paket", 2, "de"),
            ("retrun", 0, "en"),  # found nothing on English and French pages: can't be told
            ("retrun", 0, "fr"),
        ]:
            db.session.execute(
                text(searched), {"q": query, "n": found, "language": language, "at": utcnow()}
            )
        suggestion = (
            "INSERT INTO synonym_suggestions ({language}zero_query, followed_by, count, status,"
            " first_seen, last_seen, updated_at) VALUES ({code}:zero, :next, 2, 'open',"
            " :at, :at, :at)"
        )
        for zero, following in [("parcle", "parcel"), ("pakte", "paket"), ("retrun", "return")]:
            db.session.execute(
                text(suggestion.format(language="", code="")),
                {"zero": zero, "next": following, "at": utcnow()},
            )
        db.session.commit()
        flask_migrate.upgrade()
        assert rows("SELECT reason_code, language FROM deflections ORDER BY id") == [
            ("too_small", "en"),
            ("too_big", "de"),
        ]
        assert rows("SELECT language, zero_query FROM synonym_suggestions ORDER BY id") == [
            ("en", "parcle"),
            ("de", "pakte"),
            ("en", "retrun"),
        ]
        flask_migrate.downgrade(revision="b4e2d8f61a37")
        assert rows("SELECT zero_query FROM synonym_suggestions ORDER BY id") == [
            ("parcle",),
            ("retrun",),
        ]
        assert rows("SELECT reason_code FROM deflections ORDER BY id") == [
            ("too_small",),
            ("too_big",),
        ]
        flask_migrate.upgrade()
        assert rows("SELECT language FROM synonym_suggestions") == [("en",), ("en",)]
