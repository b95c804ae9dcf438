"""Frontdesk: a shop's customer self-service site (help center and returns portal)."""

import os
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import event
from werkzeug.middleware.proxy_fix import ProxyFix

from app import caching, services
from app import config as settings
from app.analytics import counters
from app.config import LANGUAGES
from app.extensions import babel, csrf, db, limiter, login_manager, migrate, sqlite_pragmas
from app.i18n import LanguagePrefix, select_locale
from app.logs import configure_logging
from app.notifications.sending import register_mail_sending
from app.security import RowId, SecurityHeaders, check_production, refuse_malformed_input
from app.staff.access import session_user


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the application. `config` overrides settings read from the environment."""
    app = Flask(
        __name__,
        instance_path=(config or {}).get("INSTANCE_PATH") or os.environ.get("INSTANCE_PATH"),
        instance_relative_config=True,
        template_folder="../templates",
        static_folder="../static",
    )
    app.config.from_mapping(settings.from_env(app.instance_path))
    if config:
        app.config.from_mapping(config)
    check_production(app.config)
    # Wrapping wsgi_app is how Flask documents middleware; its stubs type it as a method.
    app.wsgi_app = SecurityHeaders(  # type: ignore[method-assign]
        app.wsgi_app,
        production=app.config["ENV_NAME"] == "production",
        image_origins=app.config["PRODUCT_IMAGE_ORIGINS"],
    )
    app.wsgi_app = LanguagePrefix(app.wsgi_app, LANGUAGES)  # type: ignore[method-assign]
    if app.config["TRUSTED_PROXIES"]:
        hops = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops
        )
    app.session_interface = caching.SessionInterface()
    os.makedirs(app.instance_path, exist_ok=True)
    configure_logging(app)

    services.init_app(app)
    register_extensions(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_commands(app)
    register_template_helpers(app)
    register_mail_sending(app)
    counters.register(app)
    return app


def register_extensions(app: Flask) -> None:
    from app import models  # noqa: F401  (registers the tables on db.metadata)

    db.init_app(app)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            event.listen(db.engine, "connect", sqlite_pragmas)
    migrate.init_app(app, db, directory=str(Path(app.root_path).parent / "migrations"))
    app.before_request(refuse_malformed_input)  # before the CSRF check Flask-WTF adds
    csrf.init_app(app)
    limiter.init_app(app)
    babel.init_app(app, locale_selector=select_locale)  # catalogues: app/translations
    # Not Flask-Login's context processor: it loads the user, reading the session, for every
    # template, and a page that reads the session can't be shared by a cache (Vary: Cookie).
    # Templates get the `current_user` proxy instead (app.templating), read only where used.
    login_manager.init_app(app, add_context_processor=False)
    login_manager.login_view = "staff.sign_in"
    login_manager.login_message = "Please sign in to see that page."
    login_manager.session_protection = "strong"
    login_manager.user_loader(session_user)


def register_blueprints(app: Flask) -> None:
    from app.core import bp as core_bp
    from app.help import bp as help_bp
    from app.returns.views import bp as returns_bp
    from app.staff import bp as staff_bp
    from app.webhooks import bp as webhooks_bp

    app.url_map.converters["int"] = RowId  # before any route uses it
    app.register_blueprint(core_bp)
    app.register_blueprint(help_bp)
    app.register_blueprint(returns_bp)
    app.register_blueprint(staff_bp)
    app.register_blueprint(webhooks_bp)


def register_errorhandlers(app: Flask) -> None:
    from app.errors import register

    register(app)


def register_commands(app: Flask) -> None:
    from app.cli import (
        carrier_cli,
        catalogue_cli,
        content_cli,
        demo_cli,
        orders_cli,
        outbox_cli,
        returns_cli,
        users_cli,
    )

    for group in (
        content_cli,
        orders_cli,
        catalogue_cli,
        demo_cli,
        outbox_cli,
        users_cli,
        carrier_cli,
        returns_cli,
    ):
        app.cli.add_command(group)


def register_template_helpers(app: Flask) -> None:
    from app.templating import register

    register(app)
