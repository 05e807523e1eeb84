"""The registration rules in exchange/registrations/services.py, called as the views call them."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from exchange import clock
from exchange.exchanges.models import ExchangeStatus
from exchange.extensions import db
from exchange.registrations import participants, queries, services
from exchange.registrations.models import ConsentMethod, Registration, RegistrationStatus
from exchange.registrations.participants import ParticipantValues
from exchange.registrations.services import RegistrationError
from tests import factories


@pytest.fixture
def school(app_context):
    return factories.institution(name="I LO im. Kopernika")


def _register(exchange, participant, by):
    registration = services.register_participant(exchange, participant, by=by)
    db.session.commit()
    return registration


def test_places_are_confirmed_until_full_then_waitlisted(coordinator, school):
    exchange = factories.exchange(capacity=2)
    pupils = [factories.participant(school) for _ in range(3)]
    statuses = [_register(exchange, pupil, coordinator).status for pupil in pupils]
    assert statuses == [
        RegistrationStatus.CONFIRMED,
        RegistrationStatus.CONFIRMED,
        RegistrationStatus.WAITLISTED,
    ]


def test_no_capacity_means_no_limit(coordinator, school):
    exchange = factories.exchange(capacity=None)
    for _ in range(5):
        registration = _register(exchange, factories.participant(school), coordinator)
        assert registration.status is RegistrationStatus.CONFIRMED


def test_institution_quota_waitlists_the_school_but_not_others(coordinator, school):
    other_school = factories.institution(name="Gimnazjum 2")
    exchange = factories.exchange(capacity=10, institution_quota=1)
    first = _register(exchange, factories.participant(school), coordinator)
    second = _register(exchange, factories.participant(school), coordinator)
    third = _register(exchange, factories.participant(other_school), coordinator)
    assert first.status is RegistrationStatus.CONFIRMED
    assert second.status is RegistrationStatus.WAITLISTED
    assert third.status is RegistrationStatus.CONFIRMED


@pytest.mark.parametrize(
    "status",
    [
        ExchangeStatus.DRAFT,
        ExchangeStatus.PLANNED,
        ExchangeStatus.REGISTRATION_CLOSED,
        ExchangeStatus.COMPLETED,
        ExchangeStatus.CANCELLED,
    ],
)
def test_registration_only_while_open(coordinator, school, status):
    exchange = factories.exchange(status=status)
    with pytest.raises(RegistrationError, match="not open"):
        services.register_participant(exchange, factories.participant(school), by=coordinator)


def test_registration_only_inside_its_window(coordinator, school):
    today = clock.today()
    exchange = factories.exchange(
        registration_opens=today + timedelta(days=1), registration_closes=today + timedelta(days=9)
    )
    with pytest.raises(RegistrationError, match="open from"):
        services.register_participant(exchange, factories.participant(school), by=coordinator)
    late = factories.exchange(
        registration_opens=today - timedelta(days=9), registration_closes=today - timedelta(days=1)
    )
    with pytest.raises(RegistrationError, match="open from"):
        services.register_participant(late, factories.participant(school), by=coordinator)


def test_age_range_is_checked_on_the_start_date(coordinator, school):
    start = clock.today() + timedelta(days=30)
    exchange = factories.exchange(start=start, min_age=13, max_age=19)
    # turns 13 the day before the exchange starts: allowed
    thirteen = factories.participant(
        school, date_of_birth=date(start.year - 13, start.month, start.day) - timedelta(days=1)
    )
    assert _register(exchange, thirteen, coordinator).status is RegistrationStatus.CONFIRMED
    # turns 13 the day after: too young on the start date
    twelve = factories.participant(
        school, date_of_birth=date(start.year - 13, start.month, start.day) + timedelta(days=1)
    )
    with pytest.raises(RegistrationError, match="will be 12 on the first day"):
        services.register_participant(exchange, twelve, by=coordinator)


def test_chaperones_are_outside_the_age_range(coordinator, school):
    exchange = factories.exchange(min_age=13, max_age=19)
    teacher = factories.participant(school, minor=False)
    assert _register(exchange, teacher, coordinator).status is RegistrationStatus.CONFIRMED


def test_minor_without_consent_is_refused(coordinator, school):
    exchange = factories.exchange()
    pupil = factories.participant(school, consent=False)
    with pytest.raises(RegistrationError, match="record a parent's or guardian's consent"):
        services.register_participant(exchange, pupil, by=coordinator)
    participants.record_consent(
        pupil,
        participants.ConsentValues(
            guardian_name="Jan Kowalski",
            given_on=clock.today(),
            method=ConsentMethod.EMAIL,
            text_version="2026-01",
        ),
        by=coordinator,
    )
    db.session.commit()
    assert _register(exchange, pupil, coordinator).status is RegistrationStatus.CONFIRMED


def test_one_registration_per_participant_and_exchange(coordinator, school):
    exchange = factories.exchange()
    pupil = factories.participant(school)
    _register(exchange, pupil, coordinator)
    with pytest.raises(RegistrationError, match="already registered"):
        services.register_participant(exchange, pupil, by=coordinator)


def test_withdrawing_a_place_promotes_the_first_waiting(coordinator, school):
    exchange = factories.exchange(capacity=1)
    first, second, third = (factories.participant(school) for _ in range(3))
    holder = _register(exchange, first, coordinator)
    waiting_first = _register(exchange, second, coordinator)
    waiting_second = _register(exchange, third, coordinator)
    assert queries.waiting_position(waiting_first) == 1
    assert queries.waiting_position(waiting_second) == 2

    result = services.withdraw(holder, by=coordinator)
    db.session.commit()

    assert [item.id for item in result.withdrawn] == [holder.id]
    assert [item.id for item in result.promoted] == [waiting_first.id]
    statuses = dict(
        db.session.execute(
            sa.select(Registration.participant_id, Registration.status).where(
                Registration.exchange_id == exchange.id
            )
        ).all()
    )
    assert statuses == {
        first.id: RegistrationStatus.WITHDRAWN,
        second.id: RegistrationStatus.CONFIRMED,
        third.id: RegistrationStatus.WAITLISTED,
    }
    assert queries.waiting_position(db.session.get(Registration, waiting_second.id)) == 1


def test_withdrawing_from_the_waiting_list_promotes_nobody(coordinator, school):
    exchange = factories.exchange(capacity=1)
    _register(exchange, factories.participant(school), coordinator)
    waiting = _register(exchange, factories.participant(school), coordinator)
    assert services.withdraw(waiting, by=coordinator).promoted == []


def test_promotion_respects_the_institution_quota(coordinator, school):
    other = factories.institution(name="Szkoła 3")
    exchange = factories.exchange(capacity=2, institution_quota=1)
    holder = _register(exchange, factories.participant(school), coordinator)
    _register(exchange, factories.participant(other), coordinator)
    blocked = _register(exchange, factories.participant(other), coordinator)  # quota
    eligible = _register(exchange, factories.participant(school), coordinator)  # capacity
    assert blocked.status is eligible.status is RegistrationStatus.WAITLISTED
    result = services.withdraw(holder, by=coordinator)
    db.session.commit()
    assert [item.id for item in result.promoted] == [eligible.id]


def test_a_withdrawn_participant_can_register_again_at_the_back(coordinator, school):
    exchange = factories.exchange(capacity=1)
    pupil = factories.participant(school)
    registration = _register(exchange, pupil, coordinator)
    services.withdraw(registration, by=coordinator)
    db.session.commit()
    again = _register(exchange, pupil, coordinator)
    assert again.id == registration.id
    assert again.status is RegistrationStatus.CONFIRMED


def test_withdrawing_consent_withdraws_the_minors_future_places(coordinator, school):
    exchange = factories.exchange(capacity=1)
    pupil = factories.participant(school)
    registration = _register(exchange, pupil, coordinator)
    waiting = _register(exchange, factories.participant(school), coordinator)
    consent = pupil.consents[0]
    result = services.withdraw_consent(consent, by=coordinator)
    db.session.commit()
    assert [item.id for item in result.withdrawn] == [registration.id]
    assert [item.id for item in result.promoted] == [waiting.id]
    assert db.session.get(Registration, registration.id).status is RegistrationStatus.WITHDRAWN
    assert db.session.get(Registration, waiting.id).status is RegistrationStatus.CONFIRMED


def test_attendance_only_after_the_start(coordinator, school):
    exchange = factories.exchange()
    registration = _register(exchange, factories.participant(school), coordinator)
    with pytest.raises(RegistrationError, match="once the exchange has started"):
        services.mark_attendance(registration, True, by=coordinator)
    services.mark_attendance(registration, True, by=coordinator, today=exchange.start_date)
    assert registration.status is RegistrationStatus.ATTENDED


def test_roster_counts_minors_adults_consents_and_ratio(coordinator, school):
    exchange = factories.exchange(capacity=3, minors_per_adult=2)
    pupils = [factories.participant(school) for _ in range(3)]
    for pupil in pupils:
        _register(exchange, pupil, coordinator)
    _register(exchange, factories.participant(school, minor=False), coordinator)  # waitlisted
    # consent withdrawn after registering for an exchange that has started is still missing
    pupils[0].consents[0].withdrawn_at = pupils[0].consents[0].recorded_at
    db.session.commit()

    result = queries.roster(exchange)
    (group,) = result.institutions
    assert (result.confirmed, result.waitlisted, result.minors, result.adults) == (3, 1, 3, 0)
    assert group.adults_needed == 2  # 3 minors at 1 adult per 2 minors
    assert [p.id for p in group.missing_consents] == [pupils[0].id]
    assert result.free_places == 0


def test_participant_rules(coordinator, school):
    today = clock.today()
    base = {
        "first_name": "Ola",
        "last_name": "Nowak",
        "date_of_birth": date(today.year - 12, 1, 1),
        "gender": "female",
        "country": "PL",
        "role": "pupil",
    }
    with pytest.raises(RegistrationError) as error:
        participants.create_participant(
            ParticipantValues(**base), institution=school, by=coordinator
        )
    assert error.value.field == "emergency_contact_name"
    with pytest.raises(RegistrationError) as error:
        participants.create_participant(
            ParticipantValues(**{**base, "date_of_birth": today + timedelta(days=1)}),
            institution=school,
            by=coordinator,
        )
    assert error.value.field == "date_of_birth"
    with pytest.raises(RegistrationError) as error:
        participants.create_participant(
            ParticipantValues(**{**base, "country": "XX"}), institution=school, by=coordinator
        )
    assert error.value.field == "country"
    adult = {**base, "date_of_birth": date(1980, 5, 5), "role": "teacher"}
    with pytest.raises(RegistrationError) as error:
        participants.create_participant(
            ParticipantValues(**adult), institution=school, by=coordinator
        )
    assert error.value.field == "email"
