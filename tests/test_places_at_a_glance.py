"""Places at a glance: taken and left, the school's quota, and where registration stands —
the badge and the Register button never contradict the dates."""

from __future__ import annotations

from datetime import timedelta

import pytest

from exchange import clock
from exchange.exchanges.models import ExchangeStatus
from exchange.extensions import db
from exchange.registrations.models import Registration, RegistrationStatus
from tests import factories
from tests.helpers import login_as

REGISTER = "Register participants"


def _days(n: int):
    return clock.today() + timedelta(days=n)


@pytest.mark.parametrize(
    ("opens", "closes", "badge", "can_register"),
    [
        (3, 20, "opens on ", False),
        (-10, 2, "closes in 2 days", True),
        (-10, 0, "closes today", True),
        (-10, 30, "open until ", True),
        (-30, -1, "registration closed", False),
    ],
)
def test_the_badge_and_the_button_follow_the_dates(
    client, school_user, opens, closes, badge, can_register
):
    exchange = factories.exchange(
        registration_opens=_days(opens), registration_closes=_days(closes)
    )
    factories.participant(school_user.institution)  # someone to register
    login_as(client, school_user)
    page = client.get(f"/exchanges/{exchange.id}").get_data(as_text=True)
    assert badge in page
    assert (REGISTER in page) is can_register
    register_page = client.get(f"/exchanges/{exchange.id}/register").get_data(as_text=True)
    assert ('type="submit" class="button primary"' in register_page) is can_register
    listing = client.get("/exchanges/").get_data(as_text=True)
    assert badge in listing


def test_a_planned_exchange_says_registration_is_not_open_yet(client, school_user):
    exchange = factories.exchange(status=ExchangeStatus.PLANNED)
    login_as(client, school_user)
    page = client.get(f"/exchanges/{exchange.id}").get_data(as_text=True)
    assert "registration not open yet" in page
    assert REGISTER not in page


def test_places_taken_left_waiting_and_the_schools_quota(client, school_user):
    """Hand-counted: 25 places, 3 taken by the school, 4 by another, 2 waiting."""
    exchange = factories.exchange(capacity=25, institution_quota=5)
    other = factories.institution()
    rows = [(school_user.institution, RegistrationStatus.CONFIRMED)] * 3 + [
        (other, RegistrationStatus.CONFIRMED)
    ] * 4 + [(other, RegistrationStatus.WAITLISTED)] * 2 + [
        (other, RegistrationStatus.WITHDRAWN)
    ]  # fmt: skip
    for institution, status in rows:
        pupil = factories.participant(institution)
        db.session.add(
            Registration(
                exchange_id=exchange.id,
                participant_id=pupil.id,
                institution_id=institution.id,
                status=status,
            )
        )
    db.session.commit()
    login_as(client, school_user)
    for url in (f"/exchanges/{exchange.id}", "/exchanges/", f"/exchanges/{exchange.id}/register"):
        page = client.get(url).get_data(as_text=True)
        assert "7 of 25 places taken, 18 left" in page, url
        assert "2 waiting" in page, url
        assert "your school: 3 of 5" in page, url
