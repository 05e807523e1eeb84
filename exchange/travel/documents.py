"""Identity documents for cross-border travel: which trips leave the Schengen area, and when a
document is about to let its holder down. Pure functions of dates and country codes.

A document is valid through its expiry date, so one that expires on the day of return is
enough inside the Schengen area. Outside it (Kaliningrad, Lutsk, Richmond) the document must
stay valid three months after the return: the rule of the Schengen borders for whoever comes
back from outside, and what the consulates ask.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from datetime import date

from flask_babel import lazy_gettext as _l

from exchange.enums import LabelledEnum

#: the members of the Schengen area (ISO 3166-1 alpha-2), Bulgaria and Romania since 2025
SCHENGEN = frozenset(
    {
        "AT", "BE", "BG", "CH", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU",
        "IS", "IT", "LI", "LT", "LU", "LV", "MT", "NL", "NO", "PL", "PT", "RO", "SE", "SI",
        "SK",
    }
)  # fmt: skip
HOME_COUNTRY = "PL"
#: how long a document must outlast a trip outside the Schengen area
MONTHS_AFTER_RETURN_OUTSIDE_SCHENGEN = 3


def is_cross_border(countries: Iterable[str]) -> bool:
    """A trip with a partner in another country than Poland crosses a border."""
    return any(code.upper() != HOME_COUNTRY for code in countries)


def is_outside_schengen(countries: Iterable[str]) -> bool:
    return any(code.upper() not in SCHENGEN for code in countries)


def months_after(day: date, months: int) -> date:
    """The same day ``months`` later; the month's last day when it has no such day
    (30 November + 3 months is 28 February, or 29 in a leap year)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


class DocumentWarning(LabelledEnum):
    MISSING = "missing"
    EXPIRED = "expired"
    EXPIRES_BEFORE_RETURN = "expires_before_return"
    EXPIRES_TOO_SOON_AFTER_RETURN = "expires_too_soon_after_return"

    @classmethod
    def _labels(cls) -> dict:
        return {
            cls.MISSING: _l("No identity document recorded."),
            cls.EXPIRED: _l("The identity document has expired."),
            cls.EXPIRES_BEFORE_RETURN: _l("The identity document expires before the return."),
            cls.EXPIRES_TOO_SOON_AFTER_RETURN: _l(
                "Outside the Schengen area the identity document must be valid for three "
                "months after the return."
            ),
        }


def valid_until_needed(return_date: date, *, outside_schengen: bool) -> date:
    """The last day a document must be valid on for a trip that ends on ``return_date``."""
    if outside_schengen:
        return months_after(return_date, MONTHS_AFTER_RETURN_OUTSIDE_SCHENGEN)
    return return_date


def document_warnings(
    expires_on: date | None, *, return_date: date, outside_schengen: bool, today: date
) -> list[DocumentWarning]:
    """What is wrong with a document expiring on ``expires_on`` (None: no document) for a trip
    back on ``return_date``, seen on ``today``; an empty list when nothing is."""
    if expires_on is None:
        return [DocumentWarning.MISSING]
    if expires_on < today:
        return [DocumentWarning.EXPIRED]
    if expires_on < return_date:
        return [DocumentWarning.EXPIRES_BEFORE_RETURN]
    if expires_on < valid_until_needed(return_date, outside_schengen=outside_schengen):
        return [DocumentWarning.EXPIRES_TOO_SOON_AFTER_RETURN]
    return []
