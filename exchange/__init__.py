"""The Olsztyn partner-city exchange manager."""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from flask import Flask, current_app, has_app_context

from exchange.config import Config, load_config

if TYPE_CHECKING:
    from sqlalchemy.orm import ORMExecuteState

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def create_app(config: Config | dict | None = None, *, env: str | None = None) -> Flask:
    """Build the app: config → logging → input bounds → extensions → security → listeners →
    blueprints → errors → templates → cli."""
    app = Flask(
        __name__,
        template_folder=str(PROJECT_ROOT / "templates"),
        instance_path=str(PROJECT_ROOT / "instance"),
    )
    register_config(app, config, env)
    register_logging(app)
    register_bounds(app)
    register_extensions(app)
    register_security(app)
    register_listeners(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_template_helpers(app)
    register_cli(app)
    return app


def register_config(app: Flask, config: Config | dict | None, env: str | None) -> None:
    if config is None:
        config = load_config(Path(app.instance_path), env)
    app.config.from_mapping(config.as_dict() if isinstance(config, Config) else config)


def register_logging(app: Flask) -> None:
    """Log to stderr. Log lines name users by id only: no names, e-mails or other personal data,
    no tokens of one-time links, no rows or statement values (``exchange.core.logs``)."""
    from exchange.core.logs import install_filters, redact

    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger("exchange")
    root.handlers[:] = [handler]
    root.setLevel(app.config["LOG_LEVEL"])
    root.propagate = False
    install_filters()

    def log_exception(exc_info) -> None:
        # Flask's own line names the path, which may hold a one-time link's token
        from flask import request

        app.logger.error(
            "Exception on %s [%s]", redact(request.path), request.method, exc_info=exc_info
        )

    app.log_exception = log_exception  # type: ignore[method-assign]


def register_bounds(app: Flask) -> None:
    from exchange.core.bounds import register

    register(app)


def register_extensions(app: Flask) -> None:
    from exchange.auth.models import User
    from exchange.auth.sessions import check_session, load_user
    from exchange.core.locale import select_locale
    from exchange.core.permissions import require_login
    from exchange.extensions import babel, csrf, db, limiter, login_manager, migrate

    db.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"))
    csrf.init_app(app)
    limiter.init_app(app)
    # before init_app, which reads it: a relative default would look in exchange/translations
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(PROJECT_ROOT / "translations"))
    babel.init_app(app, locale_selector=select_locale)

    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = None  # the login page says what to do
    login_manager.session_protection = "strong"

    @login_manager.user_loader
    def load_session_user(session_id: str) -> User | None:
        return load_user(session_id)

    app.before_request(check_session)
    app.before_request(require_login)

    from exchange.core import fragments

    fragments.register(app)

    if app.config["RAISE_ON_LAZY_LOAD"]:
        _raise_on_lazy_load(app)


def _raise_on_lazy_load(app: Flask) -> None:
    """Turn every lazy load that would emit SQL into an error (tests): N+1 queries fail loudly.

    The listener is installed once on the shared session factory and asks the current app's
    config, so apps built with other settings in the same process are not affected.
    """
    import sqlalchemy as sa

    from exchange.extensions import db

    factory = db.session.session_factory
    if not sa.event.contains(factory, "do_orm_execute", _add_raiseload):
        sa.event.listen(factory, "do_orm_execute", _add_raiseload)


def _add_raiseload(state: ORMExecuteState) -> None:
    if (
        state.is_select
        and not state.is_column_load
        and has_app_context()
        and current_app.config.get("RAISE_ON_LAZY_LOAD")
    ):
        from sqlalchemy.orm import raiseload

        state.statement = state.statement.options(raiseload("*", sql_only=True))


def register_security(app: Flask) -> None:
    from exchange.core.security import register

    register(app)


def register_listeners(app: Flask) -> None:
    """Connect the receivers of the features' signals: importing a ``listeners`` module
    connects its functions (see docs/ARCHITECTURE.md)."""
    import exchange.audit.listeners
    import exchange.documents.listeners
    import exchange.documents.storage
    import exchange.hosting.listeners
    import exchange.notifications.listeners
    import exchange.paperwork.report_figures
    import exchange.registrations.listeners
    import exchange.travel.listeners  # noqa: F401


def register_blueprints(app: Flask) -> None:
    import exchange.paperwork.eu_views  # noqa: F401 (its views join views.bp)
    import exchange.paperwork.money_views  # noqa: F401 (its views join views.bp)
    import exchange.paperwork.trip_views  # noqa: F401 (its views join views.bp)
    import exchange.registrations.roster_views  # noqa: F401 (its views join views.bp)
    import exchange.travel.letter_views  # noqa: F401 (its views join views.bp)
    from exchange.audit.views import bp as audit_bp
    from exchange.auth.views import bp as auth_bp
    from exchange.documents.views import bp as documents_bp
    from exchange.exchanges.subscription_views import bp as subscriptions_bp
    from exchange.exchanges.views import bp as exchanges_bp
    from exchange.hosting.views import bp as hosting_bp
    from exchange.notifications.views import bp as notifications_bp
    from exchange.paperwork.views import bp as paperwork_bp
    from exchange.partners.views import bp as partners_bp
    from exchange.registrations.views import bp as registrations_bp
    from exchange.reports.views import bp as reports_bp
    from exchange.site.views import bp as site_bp
    from exchange.travel.views import bp as travel_bp

    app.register_blueprint(site_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(partners_bp)
    app.register_blueprint(exchanges_bp)
    app.register_blueprint(subscriptions_bp)
    app.register_blueprint(registrations_bp)
    app.register_blueprint(hosting_bp)
    app.register_blueprint(reports_bp)
    app.register_blueprint(audit_bp)
    app.register_blueprint(notifications_bp)
    app.register_blueprint(travel_bp)
    app.register_blueprint(documents_bp)
    app.register_blueprint(paperwork_bp)


def register_errorhandlers(app: Flask) -> None:
    from exchange.site.errors import register

    register(app)


def register_template_helpers(app: Flask) -> None:
    from exchange.documents.queries import consent_forms_of
    from exchange.registrations.badges import places_summary, registration_badge
    from exchange.registrations.glance import places_for
    from exchange.site.templating import register

    register(app)
    # the exchanges' pages show places, which the registrations count
    app.jinja_env.globals["places_for"] = places_for
    # the participant page lists the signed consent forms, which the documents keep
    app.jinja_env.globals["consent_forms_of"] = consent_forms_of
    app.jinja_env.globals["places_summary"] = places_summary
    app.jinja_env.globals["registration_badge"] = registration_badge


def register_cli(app: Flask) -> None:
    from exchange.cli import register

    register(app)
