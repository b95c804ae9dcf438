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
