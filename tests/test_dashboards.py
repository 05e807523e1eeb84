"""The dashboards after login, checked against hand-counted data."""

from __future__ import annotations

from datetime import date, timedelta

from exchange import clock
from exchange.dashboard import queries
from exchange.extensions import db
from exchange.notifications.models import DeliveryState, Notification, NotificationKind
from exchange.partners.models import InstitutionLevel, SchoolLevel
from exchange.registrations.models import Registration, RegistrationStatus
from tests import factories
from tests.helpers import login_as

C, W, A = RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED, RegistrationStatus.ATTENDED


def _days(n: int) -> date:
    return clock.today() + timedelta(days=n)


def _teach(institution, *levels: SchoolLevel) -> None:
    db.session.add_all(InstitutionLevel(institution_id=institution.id, level=x) for x in levels)
    db.session.commit()


def _register(exchange, institution, status, **participant) -> Registration:
    pupil = factories.participant(institution, **participant)
    registration = Registration(
        exchange_id=exchange.id,
        participant_id=pupil.id,
        institution_id=institution.id,
        status=status,
    )
    db.session.add(registration)
    db.session.commit()
    return registration


def test_city_halls_dashboard(client, admin):
    school, other = factories.institution(), factories.institution()
    soon = factories.exchange(
        title="Soon", start=_days(10), capacity=10, minors_per_adult=2,
        registration_closes=_days(3),
    )  # fmt: skip
    for _ in range(3):  # three minors with consent, one without, no adult: 4 minors need 2
        _register(soon, school, C)
    _register(soon, school, C, consent=False)
    _register(soon, other, C, minor=False)  # an adult alone: no minors, no warning
    _register(soon, other, W)
    _register(soon, other, W)
    factories.exchange(title="Later", start=_days(45))  # beyond 30 days
    finished = factories.exchange(
        title="Finished", start=_days(-10), end_date=_days(-5), status="registration_closed"
    )
    _register(finished, school, C)
    _register(finished, school, C)
    _register(finished, school, A)  # marked
    db.session.add(
        Notification(
            user_id=admin.id, address=admin.email, language="en",
            kind=NotificationKind.MOVED_UP, data={}, state=DeliveryState.FAILED,
        )
    )  # fmt: skip
    db.session.commit()

    board = queries.staff_dashboard()
    (upcoming,) = board.upcoming
    assert upcoming.exchange.title == "Soon"
    assert (upcoming.places.taken, upcoming.places.capacity, upcoming.places.waiting) == (5, 10, 2)
    assert (upcoming.missing_consents, upcoming.ratio_warnings) == (1, 1)
    assert [item.title for item in board.closing] == ["Soon"]
    assert [(item.exchange.title, item.count) for item in board.unmarked] == [("Finished", 2)]
    assert board.failed_emails == 1

    login_as(client, admin)
    page = client.get("/dashboard").get_data(as_text=True)
    assert "5 / 10" in page
    assert "2 participants not marked" in page
    assert "1 e-mail could not be delivered." in page
    assert "closes in 3 days" in page


def test_a_schools_dashboard(client, school_user):
    mine, other = school_user.institution, factories.institution()
    _teach(mine, SchoolLevel.SECONDARY)  # the factories' youth exchanges' level
    first = factories.exchange(
        title="Rovaniemi", start=_days(20), capacity=3, institution_quota=2,
        registration_closes=_days(5),
    )  # fmt: skip
    _register(first, other, C)
    _register(first, mine, C, last_name="Pierwsza")
    _register(first, mine, C, last_name="Bezzgody", consent=False)
    _register(first, other, W)
    _register(first, mine, W, last_name="Czekająca")  # second in the queue
    _register(first, mine, W, minor=False, last_name="Dorosła")  # third; adults need no consent
    factories.exchange(title="Lutsk", registration_opens=_days(4))  # not open yet
    db.session.commit()

    board = queries.school_dashboard(school_user)
    assert [r.participant.last_name for r in board.confirmed] == ["Bezzgody", "Pierwsza"]
    assert [(r.participant.last_name, p) for r, p in board.waiting] == [
        ("Czekająca", 2),
        ("Dorosła", 3),
    ]
    (missing,) = board.missing_consents
    assert (missing.participant.last_name, missing.needed_by) == ("Bezzgody", _days(5))
    ((exchange, places),) = board.open_exchanges
    assert exchange.title == "Rovaniemi"
    assert (places.taken, places.left, places.school_taken, places.quota) == (3, 0, 2, 2)

    login_as(client, school_user)
    page = client.get("/dashboard").get_data(as_text=True)
    assert "2 with a place, 2 on the waiting list." in page
    assert "your school: 2 of 2" in page
    assert "Lutsk" not in page


def test_a_school_sees_the_open_exchanges_of_its_levels_and_its_pupils_ages(client, school_user):
    from exchange.exchanges.models import ExchangeKind

    school = school_user.institution
    _teach(school, SchoolLevel.PRIMARY, SchoolLevel.VOCATIONAL)
    youth = ExchangeKind.YOUTH
    factories.exchange(title="Primary", kind=youth, school_level=SchoolLevel.PRIMARY)
    factories.exchange(title="Vocational", kind=youth, school_level=SchoolLevel.VOCATIONAL)
    factories.exchange(title="Secondary", kind=youth, school_level=SchoolLevel.SECONDARY)
    factories.exchange(title="Any level", kind=ExchangeKind.SPORTS)
    factories.exchange(title="Teens", kind=ExchangeKind.SPORTS, min_age=14, max_age=16)
    factories.exchange(title="Little ones", kind=youth, school_level=SchoolLevel.PRIMARY,
                       min_age=8, max_age=10)  # fmt: skip

    def shown() -> list[str]:
        db.session.expire_all()
        board = queries.school_dashboard(db.session.get(type(school_user), school_user.id))
        return sorted(exchange.title for exchange, _places in board.open_exchanges)

    # no pupils on record yet: every age of its levels
    assert shown() == ["Any level", "Little ones", "Primary", "Teens", "Vocational"]
    factories.participant(school)  # 15 on the first day of each
    factories.participant(school, minor=False)  # a teacher's age says nothing
    factories.participant(factories.institution(), date_of_birth=_days(-9 * 366))  # elsewhere
    assert shown() == ["Any level", "Primary", "Teens", "Vocational"]
    factories.participant(school, date_of_birth=_days(-9 * 366 + 60))
    assert shown() == ["Any level", "Little ones", "Primary", "Teens", "Vocational"]

    login_as(client, school_user)
    page = client.get("/dashboard").get_data(as_text=True)
    assert "Little ones" in page
    assert "Secondary" not in page.split('id="open"')[1]
