"""The SQL that differs between SQLite and PostgreSQL: UTC calendar days and upserts."""

from collections.abc import Callable, Mapping
from datetime import date
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Date, SQLColumnExpression, bindparam, case
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.base import ReadOnlyColumnCollection
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import Case, KeyedColumnElement
from sqlalchemy.sql.expression import FunctionElement

from app.extensions import Model, db

Upsert = postgresql.Insert | sqlite.Insert
# The row an upsert was about to insert, by column name (`excluded` in SQL).
Excluded = ReadOnlyColumnCollection[str, KeyedColumnElement[Any]]
_T = TypeVar("_T")


class utc_day(FunctionElement[date]):  # noqa: N801 - reads like the SQL function it stands for
    """The UTC calendar day of a timestamp column, as a date."""

    type = Date()
    name = "utc_day"
    inherit_cache = True


@compiles(utc_day, "sqlite")
def _utc_day_sqlite(element: utc_day, compiler: SQLCompiler, **kw: Any) -> str:
    # SQLite keeps UTC timestamps as text ("2026-11-23 09:15:00.000000").
    return f"date({compiler.process(element.clauses, **kw)})"


@compiles(utc_day)
def _utc_day_default(element: utc_day, compiler: SQLCompiler, **kw: Any) -> str:
    return f"CAST(({compiler.process(element.clauses, **kw)} AT TIME ZONE 'UTC') AS DATE)"


def dialect_name() -> str:
    """The session's database: "sqlite" or "postgresql"."""
    return db.session.get_bind().dialect.name


def upsert(
    dialect: str,
    model: type[Model],
    columns: list[str],
    keys: list[str],
    updates: Callable[[Excluded], Mapping[str, ColumnElement[Any]]],
) -> Upsert:
    """INSERT ... ON CONFLICT (keys) DO UPDATE, for that database, with a bound parameter
    named after each column. `updates` gets the row that was about to be inserted
    (`excluded`) and returns the columns to change. Build it once and reuse it: building
    costs more than running it."""
    insert: Callable[[type[Model]], Upsert] = (
        postgresql.insert if dialect == "postgresql" else sqlite.insert
    )
    statement = insert(model).values({column: bindparam(column) for column in columns})
    return statement.on_conflict_do_update(index_elements=keys, set_=updates(statement.excluded))


def later(new: SQLColumnExpression[_T], old: SQLColumnExpression[_T]) -> Case[_T]:
    """The later of two timestamps, either of which may be NULL (SQL's max() and greatest()
    disagree about NULL between databases)."""
    return case((old.is_(None), new), (new.is_(None), old), (new > old, new), else_=old)
