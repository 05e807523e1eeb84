"""Error pages. A 500 rolls the session back so nothing half-done is committed later.

An error page never makes things worse: every handler may find the database gone (the request's
transaction died with its connection, the page's layout asks for the current user…), and then
answers 503 with the unavailable page, not a 500. Database errors are logged by kind, never with
their message, which may quote a child's row (``exchange.core.logs``).
"""

from __future__ import annotations

import functools
import logging

from flask import Flask, current_app, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError, OperationalError, SQLAlchemyError
from werkzeug.exceptions import HTTPException

from exchange.audit import services as audit
from exchange.core.bounds import ControlCharacters
from exchange.core.logs import describe, frames, redact
from exchange.extensions import db

log = logging.getLogger(__name__)

_TITLES = {
    400: "Bad request",
    403: "Forbidden",
    404: "Page not found",
    405: "Method not allowed",
    413: "File too large",
    415: "Unsupported media type",
    429: "Too many requests",
    500: "Something went wrong",
    503: "Service unavailable",
}


def _page(code: int, message: str | None = None):
    titles = {
        400: _("Bad request"),
        403: _("You do not have access to this page"),
        404: _("Page not found"),
        405: _("Method not allowed"),
        413: _("The file is too large"),
        415: _("Only forms can be sent here"),
        429: _("Too many requests"),
        500: _("Something went wrong"),
        503: _("The service is unavailable"),
    }
    title = titles.get(code, _TITLES.get(code, str(code)))
    return render_template("errors/error.html", code=code, title=title, message=message), code


def discard_session() -> bool:
    """End the request's transaction. When its connection is gone (the database stopped while
    the request was in flight), forget the session and return False: the rollback cannot reach
    the database, and the next request gets a new connection."""
    try:
        db.session.rollback()
    except SQLAlchemyError as error:
        log.error("rollback failed, session discarded: %s", describe(error))
        try:
            db.session.close()
        except SQLAlchemyError:
            db.session.registry.clear()
        return False
    return True


def unavailable_page():
    """The 503 page, without the layout and without the context processors: the layout and
    Flask-Login's context processor would ask the database for the current user again."""
    discard_session()
    title = _("The service is unavailable")
    message = _("The database does not answer. Please try again in a moment.")
    template = current_app.jinja_env.get_template("errors/unavailable.html")
    return template.render(title=title, message=message), 503


def database_may_be_down(handler):
    """An error handler that answers 503 when the database fails it too."""

    @functools.wraps(handler)
    def wrapped(error):
        try:
            return handler(error)
        except OperationalError as failure:
            log.error("database unavailable: %s", describe(failure))
            return unavailable_page()

    return wrapped


def register(app: Flask) -> None:
    @app.errorhandler(ControlCharacters)
    @database_may_be_down
    def control_characters(error: ControlCharacters):
        return _page(400, _("The request contains control characters, which are not allowed."))

    @app.errorhandler(CSRFError)
    @database_may_be_down
    def csrf_error(error: CSRFError):
        if not discard_session():
            return unavailable_page()
        # counted, not a row each: anyone can send these
        audit.count_refusal("csrf_refused", detail=f"{request.method} {redact(request.path)}")
        return _page(
            400, _("The form has expired or was not sent from this site. Please try again.")
        )

    @app.errorhandler(HTTPException)
    @database_may_be_down
    def http_error(error: HTTPException):
        if error.code is None or error.code < 400:
            return error
        if request.path.startswith("/static/"):
            return error
        if error.code == 429:
            if not discard_session():
                return unavailable_page()
            audit.count_refusal("rate_limited", detail=f"{request.method} {redact(request.path)}")
            return _page(
                429,
                _(
                    "There were too many attempts in a short time, so this one was refused "
                    "to protect the accounts. Please wait a minute, then try again."
                ),
            )
        return _page(error.code)

    @app.errorhandler(OperationalError)
    def database_unavailable(error: OperationalError):
        log.error("database unavailable: %s", describe(error))
        return unavailable_page()

    @app.errorhandler(DBAPIError)
    @database_may_be_down
    def database_error(error: DBAPIError):
        if error.connection_invalidated:  # the connection was lost: not a bug, the database
            log.error("database unavailable: %s", describe(error))
            return unavailable_page()
        # logged here, by kind: Flask would log the message, and with it the failing row
        log.error(
            "database error on %s %s: %s\n%s",
            request.method,
            redact(request.path),
            describe(error),
            frames(error),
        )
        if not discard_session():
            return unavailable_page()
        return _page(500)

    @app.errorhandler(500)
    @database_may_be_down
    def internal_error(error: Exception):
        if not discard_session():
            return unavailable_page()
        return _page(500)

    @app.teardown_appcontext
    def end_session_quietly(error: BaseException | None) -> None:
        # before Flask-SQLAlchemy's own teardown (teardowns run in reverse order): a session
        # whose connection died mid-request must not fail the request after its answer
        discard_session()
