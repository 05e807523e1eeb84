"""A sending school's trip papers: the trip card, the participant list and the notice to the
education superintendent carry that school's people only, with the roster's numbers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from io import BytesIO

import pytest
import sqlalchemy as sa
import time_machine
from openpyxl import load_workbook

from exchange import clock
from exchange.audit.models import AuditEvent
from exchange.exchanges.access import get_exchange
from exchange.exchanges.models import Direction, Exchange
from exchange.extensions import db
from exchange.paperwork.models import TripStaff
from exchange.registrations.models import RegistrationStatus
from exchange.registrations.queries import roster
from tests import factories
from tests.helpers import login_as, pdf_text, post_form


@dataclass
class Trip:
    exchange_id: int
    schools: dict[str, int]
    users: dict[str, object]
    leaders: dict[str, int]
    chaperones: dict[str, int]
    pupils: dict[str, list[str]]


def _school(name: str, exchange, pupils: list[tuple[str, str]], klass: str):
    school = factories.institution(name=name, address="ul. Szkolna 1, 10-001 Olsztyn")
    names = []
    for first, last in pupils:
        person = factories.participant(
            school, first_name=first, last_name=last, school_class=klass,
            parent_phone=f"+48 600 {len(last):03d} 111",
        )  # fmt: skip
        factories.registration(exchange, person)
        names.append(last)
    leader = factories.participant(
        school, minor=False, first_name="Leon", last_name=f"Lider{name[-1]}"
    )
    chaperone = factories.participant(
        school, minor=False, first_name="Olga", last_name=f"Opiekun{name[-1]}"
    )
    for adult in (leader, chaperone):
        factories.registration(exchange, adult)
    # a pupil on the waiting list is not on the papers
    waiting = factories.participant(school, last_name=f"Czekajaca{name[-1]}")
    factories.registration(exchange, waiting, status=RegistrationStatus.WAITLISTED)
    user = factories.user(role="school", institution=school)
    return school, user, leader, chaperone, names


@pytest.fixture
def trip(app_context) -> Trip:
    partner = factories.partner(name="Offenburg", country="DE")
    exchange = factories.exchange(
        [partner], title="Jugendaustausch Offenburg", direction=Direction.OUTGOING,
        description="Wspólny projekt ekologiczny",
    )  # fmt: skip
    factories.programme_item(exchange, activity="Powitanie w ratuszu", place="Rathaus")
    factories.travel_leg(exchange)
    one = _school("Szkoła A", exchange, [("Ala", "Abacka"), ("Bartek", "Babacki")], "2a")
    two = _school("Szkoła B", exchange, [("Celina", "Cebulska")], "3c")
    return Trip(
        exchange_id=exchange.id,
        schools={"one": one[0].id, "two": two[0].id},
        users={"one": one[1], "two": two[1]},
        leaders={"one": one[2].id, "two": two[2].id},
        chaperones={"one": one[3].id, "two": two[3].id},
        pupils={"one": one[4], "two": two[4]},
    )


def _choose_staff(client, trip: Trip, key: str) -> None:
    response = post_form(
        client,
        f"/exchanges/{trip.exchange_id}/paperwork/{trip.schools[key]}",
        {"leader_id": str(trip.leaders[key]), "chaperone_ids": [str(trip.chaperones[key])]},
    )
    assert response.status_code == 302


def test_each_school_papers_carry_its_own_pupils_only(client, trip, tmp_path):
    for key, other in (("one", "two"), ("two", "one")):
        login_as(client, trip.users[key])
        _choose_staff(client, trip, key)
        base = f"/exchanges/{trip.exchange_id}"
        school = trip.schools[key]
        papers = {
            "card": client.get(f"{base}/trip-card/{school}.pdf"),
            "list": client.get(f"{base}/participant-list/{school}.pdf"),
            "notice": client.get(f"{base}/superintendent-notice/{school}.pdf"),
        }
        for name, response in papers.items():
            assert response.status_code == 200, name
            assert response.mimetype == "application/pdf"
            text = pdf_text(response.data, tmp_path)
            for pupil in trip.pupils[key]:
                assert pupil in text, (name, pupil)
            for pupil in trip.pupils[other]:
                assert pupil not in text, (name, pupil)
            assert f"Czekajaca{key[-1]}" not in text
        card = pdf_text(papers["card"].data, tmp_path)
        assert "KARTA WYCIECZKI" in card
        assert f"Leon Lider{'A' if key == 'one' else 'B'}" in card
        assert "Powitanie w ratuszu" in card
        assert "Autokar" in card or "Autobus" in card
        assert "Niemcy" in card
        notice = pdf_text(papers["notice"].data, tmp_path)
        assert "Warmińsko-Mazurski Kurator Oświaty" in notice
        assert "10-575 Olsztyn" in notice
        assert "KARTA WYCIECZKI" in notice  # the card goes with the notice
        post_form(client, "/logout")


def _number_after(text: str, label: str) -> int:
    line = next(line for line in text.splitlines() if line.strip().startswith(label))
    return int(line.split()[-1])


def test_the_numbers_on_the_card_are_the_roster_s(client, trip, admin, tmp_path):
    login_as(client, admin)
    exchange = get_exchange(trip.exchange_id)
    groups = {group.institution.id: group for group in roster(exchange).institutions}
    for key in ("one", "two"):
        response = client.get(f"/exchanges/{trip.exchange_id}/trip-card/{trip.schools[key]}.pdf")
        text = pdf_text(response.data, tmp_path)
        group = groups[trip.schools[key]]
        assert _number_after(text, "Liczba uczestników") == group.confirmed
        assert _number_after(text, "w tym niepełnoletnich") == group.minors
        assert _number_after(text, "w tym pełnoletnich") == group.adults
        assert _number_after(text, "Liczba uczniów") == len(trip.pupils[key])


def test_the_card_is_in_english_on_request(client, trip, admin, tmp_path):
    login_as(client, admin)
    url = f"/exchanges/{trip.exchange_id}/trip-card/{trip.schools['one']}.pdf?lang=en"
    text = pdf_text(client.get(url).data, tmp_path)
    assert "TRIP CARD" in text
    assert "Germany" in text


def test_another_school_s_papers_are_not_found(client, trip):
    login_as(client, trip.users["one"])
    base = f"/exchanges/{trip.exchange_id}"
    other = trip.schools["two"]
    for url in (
        f"{base}/paperwork/{other}",
        f"{base}/trip-card/{other}.pdf",
        f"{base}/participant-list/{other}.pdf",
        f"{base}/participant-list/{other}.xlsx",
        f"{base}/superintendent-notice/{other}.pdf",
    ):
        assert client.get(url).status_code == 404, url
    assert (
        client.get(f"{base}/paperwork")
        .headers["Location"]
        .endswith(f"/paperwork/{trip.schools['one']}")
    )


def test_coordinators_see_every_sending_school(client, trip, coordinator):
    login_as(client, coordinator)
    page = client.get(f"/exchanges/{trip.exchange_id}/paperwork").get_data(as_text=True)
    assert "Szkoła A" in page
    assert "Szkoła B" in page


def test_the_leader_and_chaperones_come_from_the_school_s_adults(client, trip):
    login_as(client, trip.users["one"])
    url = f"/exchanges/{trip.exchange_id}/paperwork/{trip.schools['one']}"
    response = post_form(client, url, {"leader_id": str(trip.leaders["two"])})
    assert response.status_code == 422
    response = post_form(
        client,
        url,
        {"leader_id": str(trip.leaders["one"]), "chaperone_ids": [str(trip.leaders["one"])]},
    )
    assert response.status_code == 422
    assert "The leader is not also one of the chaperones." in response.get_data(as_text=True)
    _choose_staff(client, trip, "one")
    staff = db.session.scalar(
        sa.select(TripStaff).where(TripStaff.institution_id == trip.schools["one"])
    )
    assert staff.leader_id == trip.leaders["one"]


def test_the_participant_list_xlsx_has_class_age_and_parent_phone(client, trip, tmp_path):
    login_as(client, trip.users["one"])
    response = client.get(
        f"/exchanges/{trip.exchange_id}/participant-list/{trip.schools['one']}.xlsx"
    )
    sheet = load_workbook(BytesIO(response.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert [row[1] for row in rows[1:]] == ["Abacka", "Babacki"]
    assert rows[1][3] == "2a"
    assert rows[1][5] == 15
    assert rows[1][6] == "'+48 600 006 111"  # a leading + is defused, as everywhere


def test_a_formula_in_a_name_is_defused_in_the_list(client, app_context, tmp_path):
    school = factories.institution()
    exchange = factories.exchange()
    pupil = factories.participant(school, last_name="=HYPERLINK(1)")
    factories.registration(exchange, pupil)
    login_as(client, factories.user(role="school", institution=school))
    response = client.get(f"/exchanges/{exchange.id}/participant-list/{school.id}.xlsx")
    sheet = load_workbook(BytesIO(response.data)).active
    assert sheet.cell(2, 2).value == "'=HYPERLINK(1)"


def test_every_paper_is_logged_without_personal_data(client, trip):
    login_as(client, trip.users["one"])
    school = trip.schools["one"]
    client.get(f"/exchanges/{trip.exchange_id}/trip-card/{school}.pdf")
    client.get(f"/exchanges/{trip.exchange_id}/participant-list/{school}.xlsx")
    client.get(f"/exchanges/{trip.exchange_id}/superintendent-notice/{school}.pdf")
    events = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "export").order_by(AuditEvent.id)
    ).all()
    assert [event.detail for event in events] == [
        f"trip card (pl); institution {school}",
        f"participant list xlsx (pl); institution {school}",
        f"superintendent notice (pl); institution {school}",
    ]
    assert all(event.object_id == trip.exchange_id for event in events)
    assert all(event.actor_id == trip.users["one"].id for event in events)


def test_the_notice_is_only_for_a_trip_abroad(client, app_context):
    school = factories.institution()
    exchange = factories.exchange(direction=Direction.INCOMING)
    login_as(client, factories.user(role="school", institution=school))
    assert (
        client.get(f"/exchanges/{exchange.id}/superintendent-notice/{school.id}.pdf").status_code
        == 404
    )


# --- the dashboard's reminder ---------------------------------------------------------------


def _dashboard(client) -> str:
    return client.get("/dashboard").get_data(as_text=True)


REMINDER = "its notice to the superintendent has not been produced"


def _move_start(trip: Trip, start: date) -> None:
    db.session.execute(
        sa.update(Exchange).where(Exchange.id == trip.exchange_id)
        .values(start_date=start, end_date=start + timedelta(days=4))
    )  # fmt: skip
    db.session.commit()


@pytest.mark.parametrize(
    ("days_before", "reminded"), [(15, False), (14, True), (0, True), (-1, False)]
)
def test_the_dashboard_reminds_at_14_days(client, trip, days_before, reminded):
    """Reminded from 14 days before the first day until it; not 15 days before, nor after."""
    start = date.fromisoformat("2026-07-13")
    _move_start(trip, start)
    day = start - timedelta(days=days_before)
    with time_machine.travel(clock.start_of_day(day) + timedelta(hours=10), tick=False):
        login_as(client, trip.users["one"])
        assert (REMINDER in _dashboard(client)) is reminded


def test_producing_the_notice_ends_the_reminder(client, trip):
    _move_start(trip, clock.today() + timedelta(days=10))
    login_as(client, trip.users["one"])
    assert REMINDER in _dashboard(client)
    client.get(f"/exchanges/{trip.exchange_id}/superintendent-notice/{trip.schools['one']}.pdf")
    assert REMINDER not in _dashboard(client)
    page = client.get(f"/exchanges/{trip.exchange_id}/paperwork/{trip.schools['one']}")
    assert "produced on" in page.get_data(as_text=True)
    # the other school still has to produce its own
    post_form(client, "/logout")
    login_as(client, trip.users["two"])
    assert REMINDER in _dashboard(client)
