"""Extension objects, created unbound here and bound to an app in create_app."""

from flask import current_app, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

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
migrate = Migrate()
csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address)
login_manager = LoginManager()


def rate_limit(limit, **options):
    """`limiter.limit` for a view, which also marks the view as limited (see `unlimited`).
    Declare every limit with it: a limit `unlimited` can't see (Flask-Limiter's `limit` on a
    view or a blueprint, `shared_limit`, default or application limits passed to `Limiter`)
    would be skipped. tests/test_security.py checks the views against Flask-Limiter's."""
    decorate = limiter.limit(limit, **options)

    def decorator(view):
        limited = decorate(view)
        limited.rate_limited = True
        return limited

    return decorator


@limiter.request_filter
def unlimited() -> bool:
    """True for a request to a view without a limit (see `rate_limit`) while no limit applies
    to every page: Flask-Limiter then skips it. Otherwise it works out every request's limits,
    a third of what a cached article page costs, though most pages have none."""
    config = current_app.config
    if config.get("RATELIMIT_DEFAULT") or config.get("RATELIMIT_APPLICATION"):
        return False
    view = current_app.view_functions.get(request.endpoint)
    return not getattr(view, "rate_limited", False)


def sqlite_pragmas(dbapi_connection, _connection_record) -> None:
    """SQLite: a write-ahead log, so readers never wait for the writer and a commit needs no
    fsync (durable once checkpointed; a crash never corrupts the file). Every page that
    counts something (views, searches) commits, so this keeps those pages fast."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()
