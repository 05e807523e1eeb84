"""The app's one clock: every "now" and "today" comes from here.

Nothing else in the package reads the system clock (``tests/test_clock.py`` and ruff's banned-API
rule enforce it), so the tests can pin time in one place and the app behaves the same on any
date. "Today" is Olsztyn's today: registration windows, ages on the first day and the
retention period follow the city's calendar, not UTC's (just after midnight in Warsaw, UTC still
shows the previous day).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

#: the city's time zone: "today" for registration windows and ages is Olsztyn's today
CITY_TIMEZONE = ZoneInfo("Europe/Warsaw")


def now() -> datetime:
    """The current instant, aware, in UTC."""
    return datetime.now(UTC)


def today() -> date:
    """Today's date in Olsztyn."""
    return now().astimezone(CITY_TIMEZONE).date()


def timestamp() -> int:
    """Whole seconds since the epoch (for values kept in the session cookie)."""
    return int(now().timestamp())


def start_of_day(day: date) -> datetime:
    """The first instant of ``day`` in Olsztyn, aware."""
    return datetime.combine(day, time.min, tzinfo=CITY_TIMEZONE)


def end_of_day(day: date) -> datetime:
    """The last instant of ``day`` in Olsztyn, aware."""
    return datetime.combine(day, time.max, tzinfo=CITY_TIMEZONE)
