from __future__ import annotations

import re
from decimal import Decimal

from flask import current_app, has_request_context, request
from flask_babel import format_currency


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


#: a currency written as its code right before the number ("PLN12,500.50", English has no
#: symbol for the złoty): Babel's pattern glues them, people write a space between
_CODE_BEFORE_NUMBER = re.compile(r"^(-?[A-Z]{3})(?=\d)")


def format_money(value: Decimal | float | int, currency: str = "PLN") -> str:
    """An amount as the user's language writes it: "12 500,50 zł", "PLN 12,500.50", "€12,500.50"."""
    return _CODE_BEFORE_NUMBER.sub("\\1\xa0", format_currency(value, currency))
