"""Filters and globals for the templates."""

from __future__ import annotations

from datetime import time

from flask import Flask, request
from flask_babel import format_time, get_locale

from exchange import clock as app_clock
from exchange.core.display import body_classes, current_display
from exchange.core.locale import current_translations
from exchange.core.permissions import Role
from exchange.partners.countries import country_name


def clock(value: time | None) -> str:
    """A time of day as the user's language writes it (9:00 AM, 09:00). A programme's times are
    local wall-clock times: there is no time zone to convert from."""
    return "" if value is None else format_time(value, "short", rebase=False)


def register(app: Flask) -> None:
    app.jinja_env.filters["country_name"] = country_name
    app.jinja_env.filters["clock"] = clock
    app.jinja_env.globals["Role"] = Role
    app.jinja_env.globals["get_locale"] = get_locale
    # Flask-Babel's callables, with the request's translations looked up once
    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=lambda s: current_translations().ugettext(s),
        ngettext=lambda s, p, n: current_translations().ungettext(s, p, n),
        pgettext=lambda c, s: current_translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: current_translations().unpgettext(c, s, p, n),
        newstyle=True,
    )

    @app.context_processor
    def inject_navigation():
        display = current_display()
        return {
            "display": display,
            "body_class": body_classes(display),
            "current_path": request.full_path.rstrip("?") if request else "/",
            "languages": app.config["LANGUAGES"],
            "today": app_clock.today(),
        }
