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


def test_deflections_and_synonym_suggestions_recorded_before_languages_are_english(app):
    """fd40134fecf4: articles shown before a return and synonym suggestions gain the page's
    language; going back drops the suggestions learnt on other languages' pages."""
    import flask_migrate
    from sqlalchemy import text

    from app.models.types import utcnow
    from tests.returns_helpers import make_order

    order_id = make_order(app)

    def rows(sql: str) -> list[tuple]:
        found = [tuple(row) for row in db.session.execute(text(sql))]
        db.session.commit()  # (PostgreSQL: the migrations wait for the read's locks)
        return found

    with app.app_context():
        flask_migrate.downgrade(revision="b4e2d8f61a37")
        db.session.execute(
            text(
                "INSERT INTO deflections (order_id, reason_code, article_path, outcome,"
                " created_at) VALUES (:order, 'too_small', 'sizing/guide', 'solved', :at)"
            ),
            {"order": order_id, "at": utcnow()},
        )
        suggestion = (
            "INSERT INTO synonym_suggestions ({language}zero_query, followed_by, count, status,"
            " first_seen, last_seen, updated_at) VALUES ({code}'parcle', 'parcel', 2, 'open',"
            " :at, :at, :at)"
        )
        db.session.execute(text(suggestion.format(language="", code="")), {"at": utcnow()})
        db.session.commit()
        flask_migrate.upgrade()
        assert rows("SELECT reason_code, language FROM deflections") == [("too_small", "en")]
        assert rows("SELECT language, zero_query FROM synonym_suggestions") == [("en", "parcle")]
        # The same pair learnt on German pages is German's own suggestion.
        german = suggestion.format(language="language, ", code="'de', ")
        db.session.execute(text(german), {"at": utcnow()})
        db.session.commit()
        flask_migrate.downgrade(revision="b4e2d8f61a37")
        assert rows("SELECT zero_query, count FROM synonym_suggestions") == [("parcle", 2)]
        assert rows("SELECT reason_code FROM deflections") == [("too_small",)]
        flask_migrate.upgrade()
        assert rows("SELECT language FROM synonym_suggestions") == [("en",)]
