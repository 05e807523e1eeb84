"""Filters and globals for the templates."""

from __future__ import annotations

from flask import Flask, request
from flask_babel import get_locale

from exchange.auth.models import Role
from exchange.db import local_today
from exchange.partners.countries import country_name


def register(app: Flask) -> None:
    app.jinja_env.filters["country_name"] = country_name
    app.jinja_env.globals["Role"] = Role
    app.jinja_env.globals["get_locale"] = get_locale

    @app.context_processor
    def inject_navigation():
        return {
            "current_path": request.full_path.rstrip("?") if request else "/",
            "languages": app.config["LANGUAGES"],
            "today": local_today(),
        }
