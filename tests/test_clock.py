"""One clock for the whole app, and the moments that break date code.

Every test runs at a pinned instant (``tests/conftest.py``); the tests here travel to the
awkward ones: just after midnight in Olsztyn (when UTC still shows the previous day), New Year,
29 February, the two nights Poland changes between CET and CEST, an exchange that starts today
and a pupil who turns 18 on the first day of the exchange.
"""

from __future__ import annotations

import ast
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
import time_machine

from exchange import clock
from exchange.audit import services as audit
from exchange.audit.models import AuditEvent
from exchange.demo import exchanges as demo
from exchange.demo import registrations as registrations_demo
from exchange.extensions import db
from exchange.registrations import privacy, services
from exchange.registrations.models import RegistrationStatus, age_on
from exchange.registrations.services import RegistrationError
from tests import factories

PACKAGE = Path(__file__).resolve().parent.parent / "exchange"
#: the calls that read the system clock; only exchange/clock.py may make them
CLOCK_CALLS = {
    ("date", "today"),
    ("datetime", "now"),
    ("datetime", "utcnow"),
    ("datetime", "today"),
    ("time", "time"),
    ("time", "time_ns"),
}
WARSAW = clock.CITY_TIMEZONE


def _travel(iso: str):
    """Travel to a wall-clock time in Olsztyn (or to an instant with its own offset)."""
    moment = datetime.fromisoformat(iso)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=WARSAW)
    return time_machine.travel(moment, tick=False)


def _clock_reads(path: Path) -> list[str]:
    """``file:line`` of every call of the system clock in the module at ``path``."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        owner = node.func.value
        name = owner.attr if isinstance(owner, ast.Attribute) else getattr(owner, "id", None)
        if (name, node.func.attr) in CLOCK_CALLS:
            found.append(f"{path.name}:{node.lineno}")
    return found


def test_nothing_but_the_clock_module_reads_the_system_clock():
    modules = [path for path in PACKAGE.rglob("*.py") if path != PACKAGE / "clock.py"]
    assert len(modules) > 30
    assert [read for path in modules for read in _clock_reads(path)] == []


def test_the_scan_finds_a_clock_read(tmp_path):
    # the test above must be able to fail
    module = tmp_path / "exchange" / "sneaky.py"
    module.parent.mkdir()
    module.write_text(
        "import datetime, time\nfrom datetime import date\n"
        "a = datetime.date.today()\nb = datetime.datetime.now(datetime.UTC)\n"
        "c = date.today()\nd = time.time()\ne = clock.today()\n"
    )
    assert _clock_reads(module) == ["sneaky.py:3", "sneaky.py:4", "sneaky.py:5", "sneaky.py:6"]


def test_now_is_aware_utc_and_today_is_olsztyns_date():
    with _travel("2027-01-01T00:30:00"):
        assert clock.now() == datetime(2026, 12, 31, 23, 30, tzinfo=UTC)
        assert clock.now().tzinfo is UTC
        assert clock.now().date() == date(2026, 12, 31)
        assert clock.today() == date(2027, 1, 1)


@pytest.mark.parametrize(
    ("moment", "today"),
    [
        # spring forward: 02:00 CET becomes 03:00 CEST on 28 March 2027
        ("2027-03-27T23:30:00+00:00", date(2027, 3, 28)),
        ("2027-03-28T00:59:59+00:00", date(2027, 3, 28)),
        ("2027-03-28T01:00:00+00:00", date(2027, 3, 28)),
        ("2027-03-28T21:59:59+00:00", date(2027, 3, 28)),
        ("2027-03-28T22:00:00+00:00", date(2027, 3, 29)),
        # fall back: 03:00 CEST becomes 02:00 CET on 31 October 2027
        ("2027-10-30T21:59:59+00:00", date(2027, 10, 30)),
        ("2027-10-30T22:00:00+00:00", date(2027, 10, 31)),
        ("2027-10-31T01:30:00+00:00", date(2027, 10, 31)),
        ("2027-10-31T22:59:59+00:00", date(2027, 10, 31)),
        ("2027-10-31T23:00:00+00:00", date(2027, 11, 1)),
    ],
)
def test_today_follows_olsztyn_across_the_changes_of_summer_time(moment, today):
    with _travel(moment):
        assert clock.today() == today


def test_the_days_of_the_summer_time_changes_are_23_and_25_hours_long():
    def hours(day: date) -> float:
        start = clock.start_of_day(day).astimezone(UTC)
        end = clock.start_of_day(day + timedelta(days=1)).astimezone(UTC)
        return (end - start) / timedelta(hours=1)

    assert clock.start_of_day(date(2027, 3, 28)).astimezone(UTC) == datetime(
        2027, 3, 27, 23, tzinfo=UTC
    )
    assert (hours(date(2027, 3, 28)), hours(date(2027, 10, 31)), hours(date(2027, 6, 1))) == (
        23,
        25,
        24,
    )


@pytest.mark.parametrize(
    ("occurred", "day"),
    [
        ("2027-03-27T23:30:00+00:00", date(2027, 3, 28)),  # 00:30 CET, UTC still the 27th
        ("2027-03-28T21:30:00+00:00", date(2027, 3, 28)),  # 23:30 CEST
        ("2027-10-30T22:30:00+00:00", date(2027, 10, 31)),  # 00:30 CEST, UTC the 30th
        ("2027-10-31T22:30:00+00:00", date(2027, 10, 31)),  # 23:30 CET
    ],
)
def test_the_audit_log_filters_by_olsztyns_day_on_the_nights_of_summer_time(
    app_context, occurred, day
):
    moment = datetime.fromisoformat(occurred)
    db.session.add(AuditEvent(action="login", occurred_at=moment))
    db.session.commit()
    for filters, expected in (
        (audit.AuditFilter(date_from=day, date_to=day), 1),
        (audit.AuditFilter(date_to=day - timedelta(days=1)), 0),
        (audit.AuditFilter(date_from=day + timedelta(days=1)), 0),
    ):
        found = db.session.scalars(audit.events_query(filters)).all()
        assert len(found) == expected, (filters, found)


@pytest.fixture
def school(app_context):
    return factories.institution(name="I LO im. Kopernika")


def test_registration_that_closes_on_new_years_eve_is_closed_just_after_midnight(
    coordinator, school
):
    with _travel("2026-12-31T12:00:00"):
        exchange = factories.exchange(
            start=date(2027, 2, 1),
            registration_opens=date(2026, 12, 1),
            registration_closes=date(2026, 12, 31),
        )
        pupil, late = factories.participant(school), factories.participant(school)
    with _travel("2026-12-31T23:59:00"):
        services.register_participant(exchange, pupil, by=coordinator)
        db.session.commit()
    # 00:30 in Olsztyn on New Year's Day: UTC still shows 31 December
    with _travel("2027-01-01T00:30:00"), pytest.raises(RegistrationError, match="open from"):
        services.register_participant(exchange, late, by=coordinator)


def test_registration_that_opens_on_new_years_day_opens_at_midnight_in_olsztyn(coordinator, school):
    with _travel("2026-12-20T12:00:00"):
        exchange = factories.exchange(start=date(2027, 3, 1), registration_opens=date(2027, 1, 1))
        pupil = factories.participant(school)
    with _travel("2026-12-31T23:30:00"), pytest.raises(RegistrationError, match="open from"):
        services.register_participant(exchange, pupil, by=coordinator)
    db.session.rollback()
    with _travel("2027-01-01T00:05:00"):
        registration = services.register_participant(exchange, pupil, by=coordinator)
        db.session.commit()
    assert registration.status is RegistrationStatus.CONFIRMED


def test_a_pupil_who_turns_18_on_the_first_day_needs_no_consent(coordinator, school):
    first_day = date(2027, 6, 1)
    with _travel("2027-03-01T10:00:00"):
        exchange = factories.exchange(start=first_day)
        turns_18 = factories.participant(school, consent=False, date_of_birth=date(2009, 6, 1))
        day_later = factories.participant(school, consent=False, date_of_birth=date(2009, 6, 2))
        assert not turns_18.is_minor_on(first_day)
        assert day_later.is_minor_on(first_day)
        registration = services.register_participant(exchange, turns_18, by=coordinator)
        assert registration.status is RegistrationStatus.CONFIRMED
        with pytest.raises(RegistrationError, match="is a minor"):
            services.register_participant(exchange, day_later, by=coordinator)


def test_someone_born_on_29_february_comes_of_age_on_1_march():
    born = date(2012, 2, 29)
    assert age_on(born, date(2030, 2, 28)) == 17
    assert age_on(born, date(2030, 3, 1)) == 18
    assert age_on(born, date(2032, 2, 29)) == 20
    assert age_on(born, date(2032, 2, 28)) == 19


def test_an_exchange_that_starts_today_takes_attendance_but_not_tomorrows(coordinator, school):
    with _travel("2027-05-03T08:00:00"):
        starts_today = factories.exchange(start=clock.today())
        starts_tomorrow = factories.exchange(start=clock.today() + timedelta(days=1))
        pupil = factories.participant(school)
        today_place = services.register_participant(starts_today, pupil, by=coordinator)
        tomorrow_place = services.register_participant(starts_tomorrow, pupil, by=coordinator)
        db.session.commit()
        services.mark_attendance(today_place, True, by=coordinator)
        with pytest.raises(RegistrationError, match="once the exchange has started"):
            services.mark_attendance(tomorrow_place, True, by=coordinator)
    assert today_place.status is RegistrationStatus.ATTENDED


def test_withdrawn_consent_keeps_the_place_in_an_exchange_that_starts_today(coordinator, school):
    with _travel("2027-05-03T00:10:00"):
        starts_today = factories.exchange(start=clock.today())
        starts_tomorrow = factories.exchange(start=clock.today() + timedelta(days=1))
        pupil = factories.participant(school)
        kept = services.register_participant(starts_today, pupil, by=coordinator)
        lost = services.register_participant(starts_tomorrow, pupil, by=coordinator)
        db.session.commit()
        withdrawn = services.withdraw_consent(pupil.consents[0], by=coordinator)
        db.session.commit()
    assert [registration.id for registration in withdrawn.withdrawn] == [lost.id]
    assert kept.status is RegistrationStatus.CONFIRMED
    assert lost.status is RegistrationStatus.WITHDRAWN


def test_the_retention_period_counted_from_29_february():
    assert privacy.add_months(date(2028, 2, 29), -24) == date(2026, 2, 28)
    assert privacy.add_months(date(2028, 2, 29), -48) == date(2024, 2, 29)
    assert privacy.add_months(date(2026, 3, 31), -1) == date(2026, 2, 28)


@pytest.mark.parametrize("day", [date(2028, 2, 29), date(2027, 1, 1), date(2026, 12, 31)])
def test_demo_data_can_be_made_on_any_day_and_the_same_day_gives_the_same_data(app_context, day):
    def make() -> list[tuple]:
        demo.generate(db.session, seed=5, years=2, today=day)
        registrations_demo.generate(db.session, seed=5, today=day)
        db.session.flush()
        rows = db.session.execute(
            sa.text(
                "SELECT e.title, e.start_date, e.end_date, e.status, count(r.id) "
                "FROM exchange e LEFT JOIN registration r ON r.exchange_id = e.id "
                "GROUP BY e.id, e.title, e.start_date, e.end_date, e.status ORDER BY e.id"
            )
        ).all()
        return [tuple(str(value) for value in row) for row in rows]

    with _travel("2030-07-07T12:00:00"):  # the machine's date must not matter
        first = make()
    db.session.rollback()
    with _travel("2025-01-15T03:00:00"):
        second = make()
    db.session.rollback()
    assert first
    assert first == second
