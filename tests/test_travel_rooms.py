"""Rooms: beds given only when the room keeps the rooming rules, guardians travelling along,
and the rooming list for the hotel."""

from __future__ import annotations

import io

import sqlalchemy as sa
from openpyxl import load_workbook

from exchange.audit.models import AuditEvent
from exchange.exchanges.models import Exchange
from exchange.extensions import db
from exchange.registrations.models import (
    HOLDING_PLACE,
    Gender,
    ParticipantRole,
    Registration,
    RegistrationStatus,
)
from exchange.travel.models import (
    IdentityDocument,
    LegTraveller,
    Room,
    RoomAssignment,
    TravellingGuardian,
)
from exchange.travel.queries import rooming_overview
from tests import factories
from tests.helpers import login_as, post_form


def _occupants(room: Room) -> list[int]:
    db.session.expire_all()
    return sorted(
        db.session.scalars(
            sa.select(RoomAssignment.registration_id).where(RoomAssignment.room_id == room.id)
        )
    )


def _people(exchange, **kinds):
    """name → registration, for pupils (``girl``/``boy``) and adults (``adult``/``leader``)."""
    made = {}
    for name, kind in kinds.items():
        if kind in ("girl", "boy"):
            gender = Gender.FEMALE if kind == "girl" else Gender.MALE
            person = factories.participant(last_name=name, gender=gender)
        else:
            role = ParticipantRole.TEACHER if kind == "leader" else ParticipantRole.ARTIST
            person = factories.participant(last_name=name, minor=False, role=role)
        made[name] = factories.registration(exchange, person)
    return made


def test_a_coordinator_adds_a_room_and_gives_beds(client, coordinator):
    exchange = factories.exchange()
    people = _people(exchange, Anna="girl", Beata="girl")
    login_as(client, coordinator)
    response = post_form(
        client,
        f"/exchanges/{exchange.id}/rooms",
        {"kind": "hotel", "accommodation": "Hotel Kopernik", "name": "101", "beds": "2"},
    )
    assert response.status_code == 302
    room = db.session.scalars(sa.select(Room)).one()
    for registration in people.values():
        sent = post_form(client, f"/rooms/{room.id}/occupants", {"registration": registration.id})
        assert sent.status_code == 302
    assert _occupants(room) == sorted(r.id for r in people.values())
    page = client.get(f"/exchanges/{exchange.id}/rooms").get_data(as_text=True)
    assert "Anna" in page
    assert "Hotel Kopernik" in page


def test_a_minor_is_not_put_with_another_gender(client, coordinator):
    exchange = factories.exchange()
    people = _people(exchange, Anna="girl", Bartek="boy")
    room = factories.room(exchange, occupants=[people["Anna"]])
    login_as(client, coordinator)
    response = post_form(
        client, f"/rooms/{room.id}/occupants", {"registration": people["Bartek"].id}
    )
    assert response.status_code == 302
    assert _occupants(room) == [people["Anna"].id]
    page = client.get(f"/exchanges/{exchange.id}/rooms").get_data(as_text=True)
    assert "minors of another gender may not share a room" in page


def test_a_minor_is_put_with_an_adult_only_when_the_adult_is_their_guardian(client, coordinator):
    exchange = factories.exchange()
    people = _people(exchange, Anna="girl", Mama="adult")
    room = factories.room(exchange, occupants=[people["Anna"]])
    login_as(client, coordinator)
    post_form(client, f"/rooms/{room.id}/occupants", {"registration": people["Mama"].id})
    assert _occupants(room) == [people["Anna"].id]

    recorded = post_form(
        client,
        f"/exchanges/{exchange.id}/guardians",
        {"minor_id": people["Anna"].id, "guardian_id": people["Mama"].id},
    )
    assert recorded.status_code == 302
    assert db.session.scalar(sa.select(sa.func.count()).select_from(TravellingGuardian)) == 1
    post_form(client, f"/rooms/{room.id}/occupants", {"registration": people["Mama"].id})
    assert _occupants(room) == sorted([people["Anna"].id, people["Mama"].id])


def test_a_guardian_must_be_an_adult_and_the_ward_a_minor(client, coordinator):
    exchange = factories.exchange()
    people = _people(exchange, Anna="girl", Beata="girl", Mama="adult")
    login_as(client, coordinator)
    for minor, guardian in (("Anna", "Beata"), ("Mama", "Anna")):
        post_form(
            client,
            f"/exchanges/{exchange.id}/guardians",
            {"minor_id": people[minor].id, "guardian_id": people[guardian].id},
        )
    assert db.session.scalar(sa.select(sa.func.count()).select_from(TravellingGuardian)) == 0


def test_leaders_get_rooms_of_their_own(client, coordinator):
    exchange = factories.exchange()
    people = _people(exchange, Teacher="leader", Coach="leader", Fan="adult")
    room = factories.room(exchange, occupants=[people["Teacher"]])
    login_as(client, coordinator)
    post_form(client, f"/rooms/{room.id}/occupants", {"registration": people["Fan"].id})
    post_form(client, f"/rooms/{room.id}/occupants", {"registration": people["Coach"].id})
    assert _occupants(room) == sorted([people["Teacher"].id, people["Coach"].id])


def test_a_room_takes_no_more_people_than_beds(client, coordinator):
    exchange = factories.exchange()
    people = _people(exchange, Anna="girl", Beata="girl")
    room = factories.room(exchange, beds=1, occupants=[people["Anna"]])
    login_as(client, coordinator)
    post_form(client, f"/rooms/{room.id}/occupants", {"registration": people["Beata"].id})
    assert _occupants(room) == [people["Anna"].id]


def test_only_people_with_a_place_get_a_bed(client, coordinator):
    exchange = factories.exchange()
    waiting = factories.registration(
        exchange, factories.participant(), status=RegistrationStatus.WAITLISTED
    )
    room = factories.room(exchange)
    login_as(client, coordinator)
    post_form(client, f"/rooms/{room.id}/occupants", {"registration": waiting.id})
    assert _occupants(room) == []


def test_moving_a_person_frees_their_old_bed(client, coordinator):
    exchange = factories.exchange()
    people = _people(exchange, Anna="girl")
    first = factories.room(exchange, occupants=[people["Anna"]])
    second = factories.room(exchange)
    login_as(client, coordinator)
    post_form(client, f"/rooms/{second.id}/occupants", {"registration": people["Anna"].id})
    assert _occupants(first) == []
    assert _occupants(second) == [people["Anna"].id]
    post_form(
        client, f"/rooms/{second.id}/occupants/remove", {"registration_id": people["Anna"].id}
    )
    assert _occupants(second) == []


def test_the_rooming_list_for_the_hotel(client, coordinator):
    exchange = factories.exchange()
    people = _people(exchange, Zofia="girl", Teacher="leader")
    factories.room(exchange, name="201", occupants=[people["Zofia"]])
    factories.room(exchange, name="202", occupants=[people["Teacher"]])
    factories.identity_document(people["Zofia"].participant, number="HIDDEN123")
    login_as(client, coordinator)
    response = client.get(f"/exchanges/{exchange.id}/rooming.xlsx")
    assert response.status_code == 200
    rows = [[cell.value for cell in row] for row in load_workbook(io.BytesIO(response.data)).active]
    assert (rows[1][1], rows[1][3], rows[1][6]) == ("201", "Zofia", "Minor")
    assert (rows[2][1], rows[2][6]) == ("202", "Group leader")
    assert "HIDDEN123" not in str(rows)
    assert client.get(f"/exchanges/{exchange.id}/rooming.pdf").mimetype == "application/pdf"
    details = db.session.scalars(
        sa.select(AuditEvent.detail).where(AuditEvent.action == "export")
    ).all()
    assert sorted(details) == ["rooming.pdf", "rooming.xlsx"]


def test_the_demo_data_keeps_the_rooming_rules(app, app_context):
    """``flask demo-data`` gives every traveller of the quick demo a bed by the rules, a seat
    out and back, and a document on cross-border trips; some documents warn."""
    result = app.test_cli_runner().invoke(args=["demo-data", "--seed", "3", "--years", "1"])
    assert result.exit_code == 0, result.output
    assert "travel legs" in result.output
    exchange_ids = db.session.scalars(
        sa.select(Registration.exchange_id)
        .join(Registration.exchange)
        .where(Registration.status.in_(HOLDING_PLACE), Exchange.status != "cancelled")
        .distinct()
    ).all()
    assert exchange_ids
    for exchange_id in exchange_ids:
        overview = rooming_overview(db.session.get(Exchange, exchange_id))
        assert overview.problems == []
        assert overview.without_bed == []
    seats = db.session.scalar(sa.select(sa.func.count()).select_from(LegTraveller))
    holders = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Registration)
        .join(Registration.exchange)
        .where(Registration.status.in_(HOLDING_PLACE), Exchange.status != "cancelled")
    )
    assert seats == 2 * holders
    assert db.session.scalar(sa.select(sa.func.count()).select_from(IdentityDocument))
