from __future__ import annotations

from flask import current_app, request


def select_locale() -> str | None:
    """The language chosen with the switch (a cookie), else the browser's preference."""
    languages = current_app.config["LANGUAGES"]
    chosen = request.cookies.get("lang")
    if chosen in languages:
        return chosen
    return request.accept_languages.best_match(languages)
