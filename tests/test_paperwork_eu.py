"""The EU list of travellers for school trips: who is on it (pupils who are not EU citizens, on a
trip to an EU partner city), of which school, and the roster's warning when such a pupil
travels outside the EU instead."""

from __future__ import annotations

import io
from datetime import date

import sqlalchemy as sa
from openpyxl import load_workbook

from exchange.audit.models import AuditEvent
from exchange.exchanges.models import Direction
from exchange.extensions import db
from exchange.registrations.models import ResidenceDocumentKind
from tests import factories
from tests.helpers import login_as, pdf_text, post_form


def _trip(city: str, country: str, **values):
    partner = factories.partner(name=city, slug=city.lower(), country=country)
    return factories.exchange([partner], city=city, **values)


def _ukrainian(school, **values):
    values.setdefault("last_name", "Shevchenko")
    return factories.participant(
        school,
        citizenship="UA",
        place_of_birth="Kharkiv",
        residence_document_kind=ResidenceDocumentKind.TEMPORARY_PROTECTION,
        residence_document_number="UKR4455667",
        residence_document_expires_on=date(2027, 3, 4),
        **values,
    )


def _eu_list(client, exchange, school, tmp_path, fmt="pdf", **query):
    response = client.get(f"/exchanges/{exchange.id}/eu-list/{school.id}.{fmt}", query_string=query)
    assert response.status_code == 200
    if fmt == "xlsx":
        return response.data
    assert response.mimetype == "application/pdf"
    return pdf_text(response.data, tmp_path)


def test_a_ukrainian_pupil_on_a_trip_to_offenburg_is_on_the_eu_list(client, school_user, tmp_path):
    school = school_user.institution
    school.address = "ul. Kościuszki 1, 10-501 Olsztyn"
    trip = _trip("Offenburg", "DE")
    factories.registration(trip, _ukrainian(school, first_name="Olena"))
    factories.registration(
        trip, factories.participant(school, last_name="Kowalczyk", citizenship="PL")
    )
    factories.registration(trip, factories.participant(school, last_name="Unknownska"))
    teacher = factories.participant(school, minor=False, last_name="Nauczycielska")
    factories.registration(trip, teacher)
    login_as(client, school_user)

    text = _eu_list(client, trip, school, tmp_path)

    assert "Shevchenko" in text
    assert "Kharkiv" in text
    assert "UKR4455667" in text
    assert "Ukraina" in text  # the nationality, in Polish by default
    assert "Offenburg" in text
    assert "Kościuszki" in text
    assert "Nauczycielska" in text  # the accompanying teacher
    assert "Kowalczyk" not in text  # an EU citizen travels on their own papers
    assert "Unknownska" not in text  # citizenship unknown: not assumed either way
    assert "94/795" in text
    english = _eu_list(client, trip, school, tmp_path, lang="en")
    assert "Ukraine" in english
    assert "Stamp of the authority" in english
    page = client.get(f"/exchanges/{trip.id}/eu-papers/{school.id}").get_data(as_text=True)
    assert "Unknownska" in page  # the school is told whose citizenship is missing


def test_the_list_of_one_school_carries_none_of_another_schools_pupils(
    client, coordinator, tmp_path
):
    trip = _trip("Gelsenkirchen", "DE")
    first, second = factories.institution(), factories.institution()
    factories.registration(trip, _ukrainian(first, last_name="Bondarenko"))
    factories.registration(trip, _ukrainian(second, last_name="Melnyk"))
    factories.registration(trip, factories.participant(second, minor=False, last_name="Teacherska"))
    login_as(client, coordinator)

    text = _eu_list(client, trip, first, tmp_path)
    assert "Bondarenko" in text
    assert "Melnyk" not in text
    assert "Teacherska" not in text
    workbook = load_workbook(io.BytesIO(_eu_list(client, trip, second, tmp_path, fmt="xlsx")))
    cells = [str(cell) for sheet in workbook for row in sheet.iter_rows(values_only=True)
             for cell in row]  # fmt: skip
    assert "Melnyk" in cells
    assert "Bondarenko" not in cells


def test_a_school_gets_only_its_own_list(client, school_user):
    trip = _trip("Châteauroux", "FR")
    other = factories.institution()
    factories.registration(trip, _ukrainian(other))
    login_as(client, school_user)
    for url in (
        f"/exchanges/{trip.id}/eu-list/{other.id}.pdf",
        f"/exchanges/{trip.id}/eu-list/{other.id}.xlsx",
        f"/exchanges/{trip.id}/eu-papers/{other.id}",
    ):
        assert client.get(url).status_code == 404
    own = school_user.institution.id
    assert client.get(f"/exchanges/{trip.id}/eu-list/{own}.pdf").status_code == 200


def test_on_a_trip_to_lutsk_the_roster_warns_and_no_eu_list_is_offered(
    client, coordinator, school_user
):
    trip = _trip("Lutsk", "UA")
    school = school_user.institution
    factories.registration(trip, _ukrainian(school, last_name="Kovalenko"))
    factories.registration(
        trip, factories.participant(school, last_name="Polska", citizenship="PL")
    )
    login_as(client, coordinator)

    roster = client.get(f"/exchanges/{trip.id}/roster").get_data(as_text=True)
    assert "the EU list of travellers does not apply" in roster
    warning = roster.split("visa-warning", 1)[1].split("</p>", 1)[0]
    assert "Kovalenko" in warning
    assert "Polska" not in warning
    assert client.get(f"/exchanges/{trip.id}/eu-list/{school.id}.pdf").status_code == 404
    page = client.get(f"/exchanges/{trip.id}/eu-papers/{school.id}").get_data(as_text=True)
    assert "applies only to trips to partner cities in the European Union" in page
    assert "eu-list/" not in page


def test_the_roster_does_not_warn_on_a_trip_inside_the_eu(client, coordinator):
    trip = _trip("Perugia", "IT")
    factories.registration(trip, _ukrainian(factories.institution()))
    login_as(client, coordinator)
    roster = client.get(f"/exchanges/{trip.id}/roster").get_data(as_text=True)
    assert "visa-warning" not in roster
    assert "EU list of travellers and consent forms" in roster


def test_no_eu_list_for_an_incoming_exchange(client, coordinator):
    trip = _trip("Offenburg", "DE", direction=Direction.INCOMING)
    school = factories.institution()
    login_as(client, coordinator)
    assert client.get(f"/exchanges/{trip.id}/eu-list/{school.id}.pdf").status_code == 404


def test_producing_the_list_is_audited_without_personal_data(client, coordinator, tmp_path):
    trip = _trip("Rovaniemi", "FI")
    school = factories.institution()
    factories.registration(trip, _ukrainian(school))
    login_as(client, coordinator)
    _eu_list(client, trip, school, tmp_path)
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "export"))
    assert event.object_id == trip.id
    assert "eu-list.pdf" in event.detail
    assert "Shevchenko" not in event.detail
    assert "UKR" not in event.detail


def test_the_participant_form_saves_citizenship_and_residence(client, school_user):
    pupil = factories.participant(school_user.institution)
    assert pupil.citizenship == ""  # unknown until someone says
    login_as(client, school_user)
    data = {
        "first_name": pupil.first_name, "last_name": pupil.last_name,
        "date_of_birth": pupil.date_of_birth.isoformat(), "gender": "female", "country": "PL",
        "role": "pupil", "emergency_contact_name": "Anna", "emergency_contact_phone": "+48 600",
        "citizenship": "UA", "place_of_birth": "Lviv",
        "residence_document_kind": "residence_card", "residence_document_number": "RC123",
        "residence_document_expires_on": "2028-01-31",
    }  # fmt: skip
    response = post_form(client, f"/participants/{pupil.id}/edit", data)
    assert response.status_code == 302
    db.session.expire_all()
    assert pupil.citizenship == "UA"
    assert pupil.place_of_birth == "Lviv"
    assert pupil.residence_document_kind is ResidenceDocumentKind.RESIDENCE_CARD
    assert pupil.residence_document_number == "RC123"
    assert pupil.residence_document_expires_on == date(2028, 1, 31)
    page = client.get(f"/participants/{pupil.id}").get_data(as_text=True)
    assert "RC123" in page

    refused = post_form(client, f"/participants/{pupil.id}/edit", {**data, "citizenship": "XX"})
    assert refused.status_code == 422
    without_kind = {**data, "residence_document_kind": ""}
    refused = post_form(client, f"/participants/{pupil.id}/edit", without_kind)
    assert refused.status_code == 422
    db.session.expire_all()
    assert pupil.citizenship == "UA"


def test_a_new_pupil_of_an_olsztyn_school_is_polish_by_default(client, school_user, coordinator):
    login_as(client, school_user)
    form = client.get("/participants/new").get_data(as_text=True)
    assert '<option selected value="PL">' in form or 'value="PL" selected' in form


def test_the_eu_list_spreadsheet_defuses_formulas(client, coordinator, tmp_path):
    trip = _trip("Halmstad", "SE")
    school = factories.institution(name="=HYPERLINK(1)")
    factories.registration(trip, _ukrainian(school, last_name="@SUM(1)"))
    login_as(client, coordinator)
    workbook = load_workbook(io.BytesIO(_eu_list(client, trip, school, tmp_path, fmt="xlsx")))
    cells = [cell for sheet in workbook for row in sheet.iter_rows() for cell in row]
    assert all(cell.data_type != "f" for cell in cells)
    texts = [cell.value for cell in cells if isinstance(cell.value, str)]
    assert "'=HYPERLINK(1)" in texts
    assert "'@SUM(1)" in texts
