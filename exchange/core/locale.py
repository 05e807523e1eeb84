from __future__ import annotations

from flask import current_app, has_request_context, request


def select_locale() -> str | None:
    """The language chosen with the switch (a cookie), else the browser's preference.

    Outside a request (CLI commands) there is neither: None means the default language.
    """
    if not has_request_context():
        return None
    languages = current_app.config["LANGUAGES"]
    chosen = request.cookies.get("lang")
    if chosen in languages:
        return chosen
    return request.accept_languages.best_match(languages)
