from __future__ import annotations

import contextlib
import re
from decimal import Decimal

from babel import Locale
from babel.support import NullTranslations
from flask import current_app, g, has_request_context, request
from flask_babel import format_currency, get_locale, get_translations


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


def current_locale() -> Locale | None:
    """``flask_babel.get_locale()``, in one lookup once the request knows its language: a list
    page asks for it hundreds of times (each label, each date), and Flask-Babel looks ``g`` up
    three times per call. The same object: Flask-Babel keeps it where this reads it."""
    try:
        locale = g._flask_babel.babel_locale
    except (AttributeError, RuntimeError):  # not chosen yet, or outside a request
        locale = None
    # None too after ``force_locale`` or ``refresh()``: Flask-Babel chooses it again
    return locale if locale is not None else get_locale()


def current_translations() -> NullTranslations:
    """``flask_babel.get_translations()``, kept for the rest of the request (where
    ``flask_babel.refresh()`` forgets it, as it forgets the language): the templates' ``_()``
    and ``ngettext()`` use it, some seventy times a page."""
    try:
        kept = g._flask_babel.babel_translations
    except (AttributeError, RuntimeError):
        kept = None
    if kept is not None:  # None after ``force_locale`` or ``refresh()``: look them up again
        return kept
    translations = get_translations()
    # outside a request there is nothing to keep it in
    with contextlib.suppress(AttributeError, RuntimeError):
        g._flask_babel.babel_translations = translations
    return translations


#: a currency written as its code right before the number ("PLN12,500.50", English has no
#: symbol for the złoty): Babel's pattern glues them, people write a space between
_CODE_BEFORE_NUMBER = re.compile(r"^(-?[A-Z]{3})(?=\d)")


def format_money(value: Decimal | float | int, currency: str = "PLN") -> str:
    """An amount as the user's language writes it: "12 500,50 zł", "PLN 12,500.50", "€12,500.50"."""
    return _CODE_BEFORE_NUMBER.sub("\\1\xa0", format_currency(value, currency))
