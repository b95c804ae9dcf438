"""The SQL that differs between SQLite and PostgreSQL: UTC calendar days and upserts."""

from collections.abc import Callable

from sqlalchemy import Date, bindparam, case
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import FunctionElement

from app.extensions import db


class utc_day(FunctionElement):  # noqa: N801 - reads like the SQL function it stands for
    """The UTC calendar day of a timestamp column, as a date."""

    type = Date()
    name = "utc_day"
    inherit_cache = True


@compiles(utc_day, "sqlite")
def _utc_day_sqlite(element, compiler, **kw) -> str:
    # SQLite keeps UTC timestamps as text ("2026-11-23 09:15:00.000000").
    return f"date({compiler.process(element.clauses, **kw)})"


@compiles(utc_day)
def _utc_day_default(element, compiler, **kw) -> str:
    return f"CAST(({compiler.process(element.clauses, **kw)} AT TIME ZONE 'UTC') AS DATE)"


def dialect_name() -> str:
    """The session's database: "sqlite" or "postgresql"."""
    return db.session.get_bind().dialect.name


def upsert(dialect: str, model, columns: list[str], keys: list[str], updates: Callable):
    """INSERT ... ON CONFLICT (keys) DO UPDATE, for that database, with a bound parameter
    named after each column. `updates` gets the row that was about to be inserted
    (`excluded`) and returns the columns to change. Build it once and reuse it: building
    costs more than running it."""
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(model).values({column: bindparam(column) for column in columns})
    return statement.on_conflict_do_update(index_elements=keys, set_=updates(statement.excluded))


def later(new, old):
    """The later of two timestamps, either of which may be NULL (SQL's max() and greatest()
    disagree about NULL between databases)."""
    return case((old.is_(None), new), (new.is_(None), old), (new > old, new), else_=old)
