"""Home page, dashboard, language and display switches, and the health check."""

from __future__ import annotations

import logging

import sqlalchemy as sa
from flask import (
    Blueprint,
    current_app,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError

from exchange.core import display
from exchange.core.permissions import is_safe_next, public
from exchange.dashboard import queries as dashboards
from exchange.extensions import db
from exchange.partners.services import list_partners

log = logging.getLogger(__name__)

LANGUAGE_COOKIE = "lang"

bp = Blueprint("site", __name__)


@bp.get("/")
@public
def index():
    return render_template("site/index.html", partners=list_partners())


@bp.get("/dashboard")
def dashboard():
    """What needs attention: city hall's exchanges and e-mails, or a school's registrations."""
    user = current_user._get_current_object()
    if user.is_staff:
        return render_template("site/dashboard.html", staff=dashboards.staff_dashboard())
    return render_template("site/dashboard.html", school=dashboards.school_dashboard(user))


def _back(target: str | None):
    """A redirect to ``next`` when it is a path on this site, else to the home page."""
    return make_response(redirect(target if is_safe_next(target) else url_for(".index")))


def _remember(response, name: str, value: str) -> None:
    """Keep a visitor's choice for a year (a preference, not personal data)."""
    response.set_cookie(
        name,
        value,
        max_age=365 * 24 * 3600,
        samesite="Lax",
        httponly=True,
        secure=current_app.config.get("SESSION_COOKIE_SECURE", False),
    )


@bp.post("/language")
@public
def set_language():
    language = request.form.get("language", "")
    response = _back(request.form.get("next"))
    if language in current_app.config["LANGUAGES"]:
        _remember(response, LANGUAGE_COOKIE, language)
    return response


@bp.post("/display")
@public
def set_display():
    """The contrast and text-size switches in the header: a form field per preference."""
    response = _back(request.form.get("next"))
    for name, allowed in display.CHOICES.items():
        value = request.form.get(name)
        if value in allowed:
            _remember(response, name, value)
    return response


@bp.get("/healthz")
@public
def healthz():
    try:
        db.session.execute(sa.text("SELECT 1"))
        database = "ok"
    except SQLAlchemyError as error:
        db.session.rollback()
        log.warning("health check: database unavailable: %s", type(error).__name__)
        database = "unavailable"
    status = 200 if database == "ok" else 503
    return jsonify(app="ok" if status == 200 else "degraded", database=database), status
