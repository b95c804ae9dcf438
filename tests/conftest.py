"""Fixtures: an app on a temporary SQLite database and a temporary content folder."""

import os
import re
import shutil
import textwrap
import uuid
from contextlib import contextmanager
from pathlib import Path

import flask_migrate
import pytest
import sqlalchemy
import sqlalchemy.pool

from app import config as settings
from app import create_app
from app.extensions import db
from app.services import services
from tests.insights_helpers import load_week, write_policy

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL")


def pytest_configure(config):
    """The suite runs as FRONTDESK_ENV=test: development defaults, but no public secrets
    (an app built without them gets random ones); tests of production settings say so."""
    os.environ["FRONTDESK_ENV"] = "test"


ROOT = Path(__file__).resolve().parent.parent

CATEGORIES = """\
- slug: shipping
  title: Shipping & delivery
  description: Getting your order to you.
- slug: returns
  title: Returns
  description: Sending things back.
"""

ARTICLES = {
    "shipping/track-a-parcel.md": """\
        ---
        title: How do I track my parcel?
        summary: Follow your parcel from our warehouse to your door.
        type: faq
        tags: [tracking, delivery]
        updated: 2026-09-01
        order: 10
        related: [returns/send-it-back]
        aliases: ["where is my package"]
        ---
        Open the link in your shipping email to see where your parcel is.
        """,
    "shipping/delivery-options.md": """\
        ---
        title: Delivery options
        description: Standard, express and pickup, with prices.
        weight: 20
        keywords: express, pickup
        updated: 2026-10-05
        ---
        | Option | Days |
        |--------|------|
        | Standard | 3-5 |
        | Express | 1 |
        """,
    "returns/send-it-back.md": """\
        ---
        title: Send an item back step by step
        summary: Print a label, pack the item and drop it off.
        type: tutorial
        updated: 2026-11-01
        ---
        ## Before you start

        !!! note "Keep the tags"
            Items need their tags.

        ## Print the label

        Use the returns page.

        ### If you have no printer

        Choose a drop-off QR code.

        ```
        RMA-12345
        ```
        """,
}


def write_content(root: Path, articles: dict[str, str], categories: str = CATEGORIES) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "categories.yml").write_text(categories, encoding="utf-8")
    for relative, text in articles.items():
        file = root / relative
        file.parent.mkdir(parents=True, exist_ok=True)
        file.write_text(textwrap.dedent(text), encoding="utf-8")
    return root


@pytest.fixture
def content_dir(tmp_path: Path) -> Path:
    root = write_content(tmp_path / "content", ARTICLES)
    shutil.copy(ROOT / "content" / "returns-policy.yml", root / "returns-policy.yml")
    return root


@contextmanager
def fresh_database(tmp_path: Path):
    """A fresh, empty database: an SQLite file in `tmp_path`, or with TEST_DATABASE_URL set, a
    new schema in that PostgreSQL database (dropped afterwards)."""
    if not TEST_DATABASE_URL:
        yield f"sqlite:///{tmp_path / 'test.db'}"
        return
    base = settings.database_url(TEST_DATABASE_URL)
    schema = f"test_{uuid.uuid4().hex[:16]}"
    admin = sqlalchemy.create_engine(base, poolclass=sqlalchemy.pool.NullPool)
    with admin.begin() as connection:
        connection.execute(sqlalchemy.text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in base else "?"
    yield f"{base}{separator}options=-csearch_path%3D{schema}"
    with admin.begin() as connection:
        connection.execute(sqlalchemy.text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture
def database_url(tmp_path: Path):
    """A fresh, empty database for one test (see fresh_database)."""
    with fresh_database(tmp_path) as url:
        yield url


@pytest.fixture
def config(tmp_path: Path, content_dir: Path, database_url: str) -> dict:
    """Settings for the test app; tests may change them before `app` is first used."""
    return {
        "TESTING": True,
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "CONTENT_DIR": str(content_dir),
        "INDEX_DIR": str(tmp_path / "index"),
        "SITE_URL": "https://help.example.test",
        # Counters reach the database with each record, so tests can read them at once;
        # tests/test_analytics_counters.py covers the batches.
        "ANALYTICS_FLUSH_EVERY": 1,
    }


@pytest.fixture
def make_app(config: dict):
    """Build a migrated app from the test settings, with `overrides` on top, its articles
    loaded and index opened as a web worker has them before its first request (`warm=False`
    leaves that to the first request). Their database connections and search index files
    are closed after the test."""
    made = []

    def make(warm: bool = True, **overrides):
        app = create_app({**config, **overrides})
        with app.app_context():
            flask_migrate.upgrade()
        if warm:
            services(app).warm()
        made.append(app)
        return app

    yield make
    for app in made:
        services(app).close()
        with app.app_context():
            db.engine.dispose()


@pytest.fixture
def app(make_app):
    return make_app()


@pytest.fixture
def week_app(make_app, content_dir):
    """An app holding the editors' sample week: searches, clicks, votes, views and returns
    (tests/insights_helpers.py), with a return policy that covers some reasons."""
    write_policy(content_dir)
    app = make_app()
    load_week(app)
    return app


@pytest.fixture
def client(app):
    """pytest-flask's client keeps each request's context open afterwards, so a second client
    in the same test would share its `g` (and Flask-WTF's cached CSRF token). Not this one."""
    return app.test_client()


@pytest.fixture
def _push_request_context():
    """pytest-flask pushes one request context around each test, which makes every client
    call share `g` (and with it Flask-WTF's CSRF token cache). Requests here get their own."""
    yield


CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def csrf_token(html: str) -> str:
    match = CSRF.search(html)
    assert match, "page has no CSRF token"
    return match.group(1)
