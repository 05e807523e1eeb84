"""What a coordinator does on the roster, and what the pages say afterwards: who moved up after a
withdrawal (by name only to those who may see them), attendance that comes back to its row,
everyone marked present at once, and a place given from the waiting list by hand."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa

from exchange import clock
from exchange.audit.models import AuditEvent
from exchange.exchanges.models import Exchange
from exchange.extensions import db
from exchange.notifications.models import Notification, NotificationKind
from exchange.registrations import roster_actions, services
from exchange.registrations.models import Registration, RegistrationStatus
from exchange.registrations.services import RegistrationError
from tests import factories
from tests.helpers import login_as, post_form


@pytest.fixture
def school(app_context):
    return factories.institution(name="SP 5 Olsztyn")


@pytest.fixture
def other_school(app_context):
    return factories.institution(name="SP 7 Olsztyn")


def _register(exchange, participant, by) -> Registration:
    registration = services.register_participant(exchange, participant, by=by)
    db.session.commit()
    return registration


def _status(registration: Registration) -> RegistrationStatus:
    return db.session.scalar(
        sa.select(Registration.status).where(Registration.id == registration.id)
    )


def _flashes(client) -> list[tuple[str, str]]:
    """The messages waiting for the next page, as (category, text)."""
    with client.session_transaction() as session:
        return list(session.get("_flashes", []))


def _events(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action)))


def _moved_up_mail_to(address: str) -> list[Notification]:
    return list(
        db.session.scalars(
            sa.select(Notification).where(
                Notification.kind == NotificationKind.MOVED_UP, Notification.address == address
            )
        )
    )


def _local(location: str) -> str:
    """The redirect's target, which must stay on this site (no scheme, no host)."""
    parts = urlsplit(location)
    assert not parts.scheme, location
    assert not parts.netloc, location
    return location


# --- who moved up after a withdrawal --------------------------------------------------------


def test_a_coordinator_is_told_who_moved_up_and_comes_back_to_the_row(client, coordinator, school):
    exchange = factories.exchange(capacity=1)
    ola = factories.participant(school, first_name="Ola", last_name="Kowalska")
    kacper = factories.participant(school, first_name="Kacper", last_name="Nowak")
    holder = _register(exchange, ola, coordinator)
    waiting = _register(exchange, kacper, coordinator)
    login_as(client, coordinator)

    response = post_form(client, f"/registrations/{holder.id}/withdraw")

    assert response.status_code == 302
    assert _local(response.location) == (
        f"/exchanges/{exchange.id}/roster#registration-{holder.id}"
    )
    assert _flashes(client) == [
        ("success", "Ola Kowalska is withdrawn."),
        ("info", "Kacper Nowak moved up from the waiting list and has the freed place."),
    ]
    assert _status(waiting) is RegistrationStatus.CONFIRMED


def test_a_school_learns_the_name_of_its_own_pupil_who_moved_up(client, coordinator, school):
    representative = factories.user(role="school", institution=school, email="sp5@example.org")
    exchange = factories.exchange(capacity=1)
    holder = _register(exchange, factories.participant(school, first_name="Ola"), coordinator)
    _register(exchange, factories.participant(school, first_name="Kacper"), coordinator)
    login_as(client, representative)

    response = post_form(client, f"/registrations/{holder.id}/withdraw")

    assert _local(response.location) == "/registrations/"
    messages = [text for _category, text in _flashes(client)]
    assert any(text.startswith("Kacper ") and "moved up" in text for text in messages)


def test_a_school_is_not_told_the_name_of_another_schools_pupil_who_moved_up(
    client, coordinator, school, other_school
):
    representative = factories.user(role="school", institution=school, email="sp5@example.org")
    exchange = factories.exchange(capacity=1)
    holder = _register(exchange, factories.participant(school, first_name="Ola"), coordinator)
    other_pupil = factories.participant(other_school, first_name="Zenobia", last_name="Tajna")
    waiting = _register(exchange, other_pupil, coordinator)
    login_as(client, representative)

    post_form(client, f"/registrations/{holder.id}/withdraw")

    flashes = _flashes(client)
    assert ("info", "The next person on the waiting list has the freed place.") in flashes
    assert not any("Zenobia" in text or "Tajna" in text for _category, text in flashes)
    assert _status(waiting) is RegistrationStatus.CONFIRMED


def test_withdrawing_a_consent_says_who_moved_up(client, coordinator, school):
    exchange = factories.exchange(capacity=1)
    pupil = factories.participant(school, first_name="Ola", last_name="Kowalska")
    _register(exchange, pupil, coordinator)
    _register(
        exchange, factories.participant(school, first_name="Kacper", last_name="Nowak"), coordinator
    )
    login_as(client, coordinator)

    post_form(client, f"/consents/{pupil.consents[0].id}/withdraw")

    assert (
        "info",
        "Kacper Nowak moved up from the waiting list and has the freed place.",
    ) in _flashes(client)


def test_withdrawing_from_the_waiting_list_moves_nobody_up(client, coordinator, school):
    exchange = factories.exchange(capacity=1)
    _register(exchange, factories.participant(school), coordinator)
    waiting = _register(exchange, factories.participant(school, first_name="Kacper"), coordinator)
    login_as(client, coordinator)

    post_form(client, f"/registrations/{waiting.id}/withdraw")

    assert [category for category, _text in _flashes(client)] == ["success"]


# --- attendance -----------------------------------------------------------------------------


@pytest.mark.parametrize(("attended", "said"), [("1", "present"), ("0", "absent")])
def test_marking_attendance_confirms_it_and_returns_to_the_row(
    client, coordinator, school, attended, said
):
    exchange = factories.exchange(start=clock.today())
    pupil = factories.participant(school, first_name="Ola", last_name="Kowalska")
    registration = _register(exchange, pupil, coordinator)
    login_as(client, coordinator)

    response = post_form(
        client, f"/registrations/{registration.id}/attendance", {"attended": attended}
    )

    row = f"registration-{registration.id}"
    assert _local(response.location) == f"/exchanges/{exchange.id}/roster#{row}"
    assert _flashes(client) == [("success", f"Ola Kowalska is marked {said}.")]
    page = client.get(response.location).get_data(as_text=True)
    assert f'<tr id="{row}">' in page
    assert f"Ola Kowalska is marked {said}." in page


def test_attendance_refused_before_the_start_still_returns_to_the_row(client, coordinator, school):
    exchange = factories.exchange()
    registration = _register(exchange, factories.participant(school), coordinator)
    login_as(client, coordinator)

    response = post_form(client, f"/registrations/{registration.id}/attendance", {"attended": "1"})

    assert response.location.endswith(f"#registration-{registration.id}")
    assert _flashes(client) == [
        ("error", "Attendance can be recorded once the exchange has started.")
    ]
    assert _status(registration) is RegistrationStatus.CONFIRMED


# --- everyone present -----------------------------------------------------------------------


def test_everyone_with_a_place_is_marked_present_in_one_audited_step(coordinator, school):
    exchange = factories.exchange(start=clock.today(), capacity=4)
    confirmed = [_register(exchange, factories.participant(school), coordinator) for _ in range(3)]
    absent = _register(exchange, factories.participant(school), coordinator)
    waiting = _register(exchange, factories.participant(school), coordinator)
    services.mark_attendance(absent, False, by=coordinator)
    db.session.commit()
    updates_before = db.session.scalar(
        sa.select(sa.func.count()).select_from(AuditEvent).where(AuditEvent.action == "update")
    )

    count = roster_actions.mark_all_present(exchange, by=coordinator)
    db.session.commit()

    assert count == 3
    assert [_status(item) for item in confirmed] == [RegistrationStatus.ATTENDED] * 3
    assert _status(absent) is RegistrationStatus.NO_SHOW  # a recorded absence stays
    assert _status(waiting) is RegistrationStatus.WAITLISTED
    (event,) = _events("mark_all_present")
    assert (event.object_type, event.object_id, event.detail) == (
        "exchange",
        exchange.id,
        "3 present",
    )
    assert event.actor_id is None  # no request: the command line or a test
    updates_after = db.session.scalar(
        sa.select(sa.func.count()).select_from(AuditEvent).where(AuditEvent.action == "update")
    )
    assert updates_after == updates_before  # one event, not one per participant
    changed_by = set(
        db.session.scalars(
            sa.select(Registration.status_changed_by_id).where(
                Registration.id.in_([item.id for item in confirmed])
            )
        )
    )
    assert changed_by == {coordinator.id}


def test_everyone_present_only_once_the_exchange_has_started(coordinator, school):
    exchange = factories.exchange()
    registration = _register(exchange, factories.participant(school), coordinator)
    with pytest.raises(RegistrationError, match="once the exchange has started"):
        roster_actions.mark_all_present(exchange, by=coordinator)
    assert _status(registration) is RegistrationStatus.CONFIRMED
    assert roster_actions.mark_all_present(exchange, by=coordinator, today=exchange.start_date) == 1


def test_the_roster_offers_everyone_present_once_started_and_says_how_many(
    client, coordinator, school
):
    exchange = factories.exchange(start=clock.today())
    for _ in range(2):
        _register(exchange, factories.participant(school), coordinator)
    later = factories.exchange()
    _register(later, factories.participant(school), coordinator)
    login_as(client, coordinator)

    page = client.get(f"/exchanges/{exchange.id}/roster").get_data(as_text=True)
    assert "Mark all 2 confirmed participants present" in page
    assert "confirmed participants present" not in client.get(
        f"/exchanges/{later.id}/roster"
    ).get_data(as_text=True)

    response = post_form(client, f"/exchanges/{exchange.id}/roster/everyone-present")
    assert _local(response.location) == f"/exchanges/{exchange.id}/roster"
    assert _flashes(client) == [("success", "2 participants are marked present.")]
    assert len(_events("mark_all_present")) == 1

    post_form(client, f"/exchanges/{exchange.id}/roster/everyone-present")
    assert _flashes(client) == [("info", "Everyone with a place was already marked.")]
    assert len(_events("mark_all_present")) == 1

    post_form(client, f"/exchanges/{later.id}/roster/everyone-present")
    assert _flashes(client) == [
        ("error", "Attendance can be recorded once the exchange has started.")
    ]


def test_a_school_cannot_mark_everyone_present(client, coordinator, school):
    representative = factories.user(role="school", institution=school, email="sp5@example.org")
    exchange = factories.exchange(start=clock.today())
    registration = _register(exchange, factories.participant(school), coordinator)
    login_as(client, representative)
    response = post_form(client, f"/exchanges/{exchange.id}/roster/everyone-present")
    assert response.status_code == 403
    assert _status(registration) is RegistrationStatus.CONFIRMED
    assert _events("mark_all_present") == []


# --- a place from the waiting list by hand --------------------------------------------------


def _quota_full(coordinator, school):
    """Room in the exchange, but the school has used its quota: its teacher waits behind a
    third pupil (and the roster asks for more adults)."""
    exchange = factories.exchange(capacity=10, institution_quota=2, minors_per_adult=2)
    for _ in range(2):
        _register(exchange, factories.participant(school), coordinator)
    ahead = _register(exchange, factories.participant(school), coordinator)
    teacher = factories.participant(school, minor=False, first_name="Jan", last_name="Nauczyciel")
    waiting = _register(exchange, teacher, coordinator)
    assert ahead.status is waiting.status is RegistrationStatus.WAITLISTED
    return exchange, ahead, waiting


def test_a_coordinator_gives_a_waiting_teacher_a_place_out_of_turn_and_beyond_the_quota(
    coordinator, school
):
    representative = factories.user(role="school", institution=school, email="sp5@example.org")
    exchange, ahead, teacher = _quota_full(coordinator, school)

    check = roster_actions.promote_by_hand(
        teacher, "  The group needs a second adult.  ", by=coordinator
    )
    db.session.commit()

    assert (check.free, check.school_taken, check.quota, check.beyond_quota) == (8, 2, 2, True)
    assert _status(teacher) is RegistrationStatus.CONFIRMED
    assert _status(ahead) is RegistrationStatus.WAITLISTED
    (event,) = _events("promote_by_hand")
    assert (event.object_type, event.object_id) == ("registration", teacher.id)
    assert event.detail == "The group needs a second adult."
    # the school hears of it as of a move up after a withdrawal
    (mail,) = _moved_up_mail_to(representative.email)
    assert mail.data["names"] == ["Jan Nauczyciel"]
    assert db.session.get(Exchange, exchange.id).capacity == 10


@pytest.mark.parametrize("reason", ["", "   ", "x" * 301])
def test_a_promotion_by_hand_needs_a_short_reason(coordinator, school, reason):
    _exchange, _ahead, teacher = _quota_full(coordinator, school)
    with pytest.raises(RegistrationError) as refused:
        roster_actions.promote_by_hand(teacher, reason, by=coordinator)
    assert refused.value.field == "reason"
    assert _status(teacher) is RegistrationStatus.WAITLISTED


def test_only_a_waiting_registration_is_moved_up_by_hand(coordinator, school):
    exchange = factories.exchange()
    registration = _register(exchange, factories.participant(school), coordinator)
    with pytest.raises(RegistrationError, match="Only a registration on the waiting list"):
        roster_actions.promote_by_hand(registration, "why not", by=coordinator)


def test_a_full_exchange_gets_a_place_for_the_person_only_when_asked(coordinator, school):
    exchange = factories.exchange(capacity=1)
    _register(exchange, factories.participant(school), coordinator)
    waiting = _register(exchange, factories.participant(school), coordinator)

    with pytest.raises(RegistrationError, match="All 1 places are taken") as refused:
        roster_actions.promote_by_hand(waiting, "needed", by=coordinator)
    assert refused.value.field == "add_place"
    db.session.rollback()
    assert _status(waiting) is RegistrationStatus.WAITLISTED

    check = roster_actions.promote_by_hand(waiting, "needed", add_place=True, by=coordinator)
    db.session.commit()
    assert check.free == 0
    assert not check.has_free_place
    assert _status(waiting) is RegistrationStatus.CONFIRMED
    assert db.session.get(Exchange, exchange.id).capacity == 2


def test_the_roster_links_each_waiting_person_to_the_promotion_page(client, coordinator, school):
    exchange = factories.exchange(capacity=1)
    holder = _register(exchange, factories.participant(school), coordinator)
    waiting = _register(exchange, factories.participant(school), coordinator)
    login_as(client, coordinator)
    page = client.get(f"/exchanges/{exchange.id}/roster").get_data(as_text=True)
    assert f'href="/registrations/{waiting.id}/promote"' in page
    assert f'href="/registrations/{holder.id}/promote"' not in page


def test_the_promotion_form_shows_a_missing_reason_next_to_the_field(client, coordinator, school):
    _exchange, _ahead, teacher = _quota_full(coordinator, school)
    login_as(client, coordinator)

    page = client.get(f"/registrations/{teacher.id}/promote").get_data(as_text=True)
    assert "Give Jan Nauczyciel a place" in page
    assert "1 person waits ahead of them" in page
    assert "beyond it" in page  # the quota

    response = post_form(client, f"/registrations/{teacher.id}/promote", {"reason": ""})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="reason-error"' in page
    assert 'aria-describedby="reason-help reason-error"' in page
    assert _status(teacher) is RegistrationStatus.WAITLISTED
    assert _events("promote_by_hand") == []

    response = post_form(client, f"/registrations/{teacher.id}/promote", {"reason": "x" * 301})
    assert response.status_code == 422
    assert _status(teacher) is RegistrationStatus.WAITLISTED


def test_a_coordinator_promotes_through_the_page_and_is_told_so(client, coordinator, school):
    exchange, _ahead, teacher = _quota_full(coordinator, school)
    login_as(client, coordinator)

    response = post_form(
        client, f"/registrations/{teacher.id}/promote", {"reason": "Second adult needed"}
    )

    assert response.status_code == 302
    assert _local(response.location) == (
        f"/exchanges/{exchange.id}/roster#registration-{teacher.id}"
    )
    assert _flashes(client) == [
        ("success", "Jan Nauczyciel has a place, moved up by hand."),
        ("info", "SP 5 Olsztyn now holds 3 places, beyond its quota of 2."),
    ]
    assert _status(teacher) is RegistrationStatus.CONFIRMED
    (event,) = _events("promote_by_hand")
    assert (event.actor_id, event.detail) == (coordinator.id, "Second adult needed")


def test_a_full_exchange_on_the_promotion_page(client, coordinator, school):
    exchange = factories.exchange(capacity=1)
    _register(exchange, factories.participant(school), coordinator)
    waiting = _register(exchange, factories.participant(school), coordinator)
    login_as(client, coordinator)

    page = client.get(f"/registrations/{waiting.id}/promote").get_data(as_text=True)
    assert 'name="add_place"' in page
    response = post_form(client, f"/registrations/{waiting.id}/promote", {"reason": "needed"})
    assert response.status_code == 422
    assert 'id="add_place-error"' in response.get_data(as_text=True)
    assert _status(waiting) is RegistrationStatus.WAITLISTED

    response = post_form(
        client, f"/registrations/{waiting.id}/promote", {"reason": "needed", "add_place": "y"}
    )
    assert response.status_code == 302
    assert ("info", "A place was added for them: the exchange has one more place.") in _flashes(
        client
    )
    assert db.session.get(Exchange, exchange.id).capacity == 2
    assert _status(waiting) is RegistrationStatus.CONFIRMED


def test_the_promotion_page_of_someone_not_waiting_goes_back_to_the_roster(
    client, coordinator, school
):
    exchange = factories.exchange()
    registration = _register(
        exchange, factories.participant(school, first_name="Ola", last_name="Kowalska"), coordinator
    )
    login_as(client, coordinator)
    response = client.get(f"/registrations/{registration.id}/promote")
    assert _local(response.location).endswith(f"#registration-{registration.id}")
    assert _flashes(client) == [("info", "Ola Kowalska is not on the waiting list.")]


def test_a_school_cannot_promote_even_its_own_pupil(client, coordinator, school):
    representative = factories.user(role="school", institution=school, email="sp5@example.org")
    _exchange, _ahead, teacher = _quota_full(coordinator, school)
    login_as(client, representative)
    assert client.get(f"/registrations/{teacher.id}/promote").status_code == 403
    response = post_form(client, f"/registrations/{teacher.id}/promote", {"reason": "please"})
    assert response.status_code == 403
    assert _status(teacher) is RegistrationStatus.WAITLISTED
    assert _events("promote_by_hand") == []


def test_an_admin_and_any_coordinator_may_promote(client, coordinator, admin, school):
    """Staff act on every exchange's roster, not only the exchanges they coordinate."""
    _exchange, ahead, teacher = _quota_full(coordinator, school)
    someone_else = factories.user(role="coordinator", email="other-coord@example.org")
    for user, registration in ((admin, teacher), (someone_else, ahead)):
        login_as(client, user)
        response = post_form(client, f"/registrations/{registration.id}/promote", {"reason": "ok"})
        assert response.status_code == 302
        assert _status(registration) is RegistrationStatus.CONFIRMED
        post_form(client, "/logout")
