"""Error pages. A 500 rolls the session back so nothing half-done is committed later."""

from __future__ import annotations

import logging

from flask import Flask, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException

from exchange.audit import services as audit
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


def register(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        db.session.rollback()
        audit.count_refusal("csrf_refused")  # counted, not a row each: anyone can send these
        return _page(
            400, _("The form has expired or was not sent from this site. Please try again.")
        )

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code is None or error.code < 400:
            return error
        if request.path.startswith("/static/"):
            return error
        if error.code == 429:
            db.session.rollback()
            audit.count_refusal("rate_limited")
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
        db.session.rollback()
        log.error("database unavailable: %s", type(error.orig).__name__)
        # a page without the layout, rendered without the context processors: the layout and
        # Flask-Login's context processor would ask the database for the current user again
        title = _("The service is unavailable")
        message = _("The database does not answer. Please try again in a moment.")
        template = app.jinja_env.get_template("errors/unavailable.html")
        return template.render(title=title, message=message), 503

    @app.errorhandler(500)
    def internal_error(error: Exception):
        db.session.rollback()
        return _page(500)
