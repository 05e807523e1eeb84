"""What the pages say about places and about registration's dates, as HTML: the badge of the
registration window and the summary of the places (the exchanges list shows both on each of its
rows, the exchange's page, the registration form and the dashboards once each).

Each is a pure function of its few values and the language, so it is written once per
combination and kept (a list page's rows repeat the same few): Jinja macros with their
translations cost ~0.1 ms a row.
"""

from __future__ import annotations

import functools
from datetime import date

from flask_babel import format_date, ngettext
from flask_babel import gettext as _
from markupsafe import Markup, escape

from exchange.core.locale import current_locale
from exchange.exchanges.models import RegistrationWindow
from exchange.registrations.glance import Places


def registration_badge(window: RegistrationWindow) -> Markup:
    """Where registration stands (from the dates): a ``<span class="badge">``."""
    locale = current_locale()
    return _badge(window.state, window.day, window.days_left, str(locale) if locale else "")


@functools.lru_cache(maxsize=4096)
def _badge(state: str, day: date | None, days_left: int | None, locale: str) -> Markup:
    def short(value: date | None) -> str:
        return format_date(value, "d MMM") if value else ""

    match state:
        case "opens":
            css, text = "badge badge-soon", _("opens on %(day)s", day=short(day))
        case "closing":
            css = "badge badge-closing"
            text = (
                _("closes today")
                if days_left == 0
                else ngettext("closes in %(num)d day", "closes in %(num)d days", days_left or 0)
            )
        case "open":
            css = "badge badge-open"
            text = _("open until %(day)s", day=short(day)) if day else _("open")
        case "closed":
            css, text = "badge", _("registration closed")
        case _:
            css, text = "badge", _("registration not open yet")
    return Markup(f'<span class="{css}">{escape(text)}</span>')  # noqa: S704 - escaped above


def places_summary(places: Places) -> Markup:
    """The places taken and left (with a ``<meter>`` when there is a limit), those waiting, and
    the viewer's school's share of its quota."""
    locale = current_locale()
    return _places_markup(
        places.capacity,
        places.taken,
        places.waiting,
        places.quota,
        places.school_taken,
        str(locale) if locale else "",
    )


@functools.lru_cache(maxsize=4096)
def _places_markup(
    capacity: int | None,
    taken: int,
    waiting: int,
    quota: int | None,
    school_taken: int | None,
    locale: str,
) -> Markup:
    places = Places(capacity, taken, waiting, quota, school_taken)
    if capacity is not None:
        parts = [
            f'<meter min="0" max="{capacity}" value="{taken}" aria-hidden="true">'
            f"{places.percent}%</meter> ",
            escape(
                _("%(taken)d of %(capacity)d places taken, %(left)d left",
                  taken=taken, capacity=capacity, left=places.left)
            ),
        ]  # fmt: skip
    else:
        parts = [
            escape(
                ngettext("%(num)d place taken (no limit)", "%(num)d places taken (no limit)", taken)
            )
        ]
    if waiting:
        parts.append("; " + escape(ngettext("%(num)d waiting", "%(num)d waiting", waiting)))
    if school_taken is not None and quota:
        parts.append(
            "; " + escape(_("your school: %(used)d of %(quota)d", used=school_taken, quota=quota))
        )
    return Markup("".join(parts))  # noqa: S704 - each part escaped
