"""Extension objects, created unbound here and bound to an app in create_app."""

from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.pool import ConnectionPoolEntry

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)

# The models' base class: db.Model, which Flask-SQLAlchemy builds from Base (its metadata and
# registry). mypy can't take an attribute as a base class (python/mypy#8603), so to mypy the
# models derive from Base itself, and their Mapped[...] columns type-check.
if TYPE_CHECKING:
    Model = Base
else:
    Model = db.Model

migrate = Migrate()
csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address)
login_manager = LoginManager()
babel = Babel()

_View = TypeVar("_View", bound=Callable[..., object])


def csrf_exempt(view: _View) -> _View:
    """Flask-WTF's csrf.exempt, typed: `view` takes no form token (its requests are vouched
    for another way, which the view says)."""
    csrf.exempt(view)
    return view


def sqlite_pragmas(
    dbapi_connection: DBAPIConnection, _connection_record: ConnectionPoolEntry
) -> None:
    """SQLite: a write-ahead log, so readers never wait for the writer and a commit needs no
    fsync (durable once checkpointed; a crash never corrupts the file). Every page that
    counts something (views, searches) commits, so this keeps those pages fast."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()
