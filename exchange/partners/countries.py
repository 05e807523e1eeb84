"""ISO 3166-1 alpha-2 country codes, with names in the user's language (from CLDR via Babel)."""

from __future__ import annotations

from functools import cache

from babel import Locale
from flask_babel import get_locale

# CLDR territories that are not ISO 3166-1 countries
_NOT_COUNTRIES = {"EU", "EZ", "UN", "QO", "XA", "XB", "XK", "ZZ"}


@cache
def country_codes() -> frozenset[str]:
    return frozenset(
        code
        for code in Locale("en").territories
        if isinstance(code, str)
        and len(code) == 2
        and code.isalpha()
        and code not in _NOT_COUNTRIES
    )


def country_name(code: str | None) -> str:
    if not code:
        return ""
    locale = get_locale() or Locale("en")
    return locale.territories.get(code.upper(), code.upper())


def country_choices() -> list[tuple[str, str]]:
    locale = get_locale() or Locale("en")
    names = locale.territories
    return sorted(
        ((code, names.get(code, code)) for code in country_codes()), key=lambda item: item[1]
    )
