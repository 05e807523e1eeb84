"""Travel: legs and their travellers, identity documents and their warnings, manifests; who
sees which traveller and which document number."""

from __future__ import annotations

import io
from datetime import timedelta

import sqlalchemy as sa
from openpyxl import load_workbook

from exchange import clock
from exchange.audit.models import AuditEvent
from exchange.extensions import db
from exchange.registrations.models import RegistrationStatus
from exchange.travel.models import IdentityDocument, LegTraveller, TravelLeg
from tests import factories
from tests.helpers import login_as, post_form

LEG_FORM = {
    "direction": "outbound",
    "mode": "plane",
    "carrier": "LOT",
    "number": "LO 3",
    "departure_place": "Warsaw Chopin",
    "departure_time": "10:05",
    "arrival_place": "Chicago O'Hare",
    "arrival_time": "12:50",
}


def _trip(country: str = "DE", days: int = 5):
    partner = factories.partner(country=country)
    return factories.exchange([partner], days=days, status="registration_closed")


def _events(action: str, object_type: str) -> list[AuditEvent]:
    return list(
        db.session.scalars(
            sa.select(AuditEvent).where(
                AuditEvent.action == action, AuditEvent.object_type == object_type
            )
        )
    )


# --- legs -----------------------------------------------------------------------------------


def test_a_coordinator_adds_a_leg_and_its_travellers(client, coordinator):
    exchange = _trip("US")
    pupil = factories.participant(last_name="Flyer")
    waiting = factories.participant(last_name="Waiter")
    registration = factories.registration(exchange, pupil)
    waitlisted = factories.registration(exchange, waiting, status=RegistrationStatus.WAITLISTED)
    login_as(client, coordinator)
    day = exchange.start_date.isoformat()
    response = post_form(
        client,
        f"/exchanges/{exchange.id}/legs/new",
        {**LEG_FORM, "departure_date": day, "arrival_date": day},
    )
    assert response.status_code == 302
    leg = db.session.scalars(sa.select(TravelLeg)).one()
    assert (leg.carrier, leg.number, leg.arrival_place) == ("LOT", "LO 3", "Chicago O'Hare")
    assert len(_events("create", "travel_leg")) == 1

    page = client.get(f"/legs/{leg.id}/travellers").get_data(as_text=True)
    assert "Flyer" in page
    assert "Waiter" not in page  # only those with a place travel
    refused = post_form(client, f"/legs/{leg.id}/travellers", {"travellers": [waitlisted.id]})
    assert refused.status_code == 422
    saved = post_form(client, f"/legs/{leg.id}/travellers", {"travellers": [registration.id]})
    assert saved.status_code == 302
    assert db.session.scalars(sa.select(LegTraveller.registration_id)).all() == [registration.id]
    assert "Flyer" in client.get(f"/exchanges/{exchange.id}/travel").get_data(as_text=True)


def test_a_leg_cannot_arrive_before_it_leaves(client, coordinator):
    exchange = _trip()
    login_as(client, coordinator)
    day = exchange.start_date
    response = post_form(
        client,
        f"/exchanges/{exchange.id}/legs/new",
        {
            **LEG_FORM,
            "mode": "bus",
            "departure_date": day.isoformat(),
            "arrival_date": (day - timedelta(days=1)).isoformat(),
        },
    )
    assert response.status_code == 422
    assert "The arrival cannot be before the departure." in response.get_data(as_text=True)
    same_day_earlier = post_form(
        client,
        f"/exchanges/{exchange.id}/legs/new",
        {**LEG_FORM, "mode": "bus", "departure_date": day, "arrival_date": day,
         "departure_time": "12:00", "arrival_time": "08:00"},
    )  # fmt: skip
    assert same_day_earlier.status_code == 422
    assert db.session.scalar(sa.select(sa.func.count()).select_from(TravelLeg)) == 0


def test_deleting_a_leg_deletes_its_list_of_travellers(client, coordinator):
    exchange = _trip()
    registration = factories.registration(exchange, factories.participant())
    leg = factories.travel_leg(exchange, travellers=[registration])
    login_as(client, coordinator)
    assert post_form(client, f"/legs/{leg.id}/delete").status_code == 302
    assert db.session.scalar(sa.select(sa.func.count()).select_from(LegTraveller)) == 0


# --- identity documents ---------------------------------------------------------------------


def test_a_school_records_its_pupils_document(client, school_user):
    pupil = factories.participant(school_user.institution)
    login_as(client, school_user)
    expires = (clock.today() + timedelta(days=900)).isoformat()
    response = post_form(
        client,
        f"/participants/{pupil.id}/identity-document",
        {"kind": "passport", "number": "ea 123-4567", "issuing_country": "PL",
         "expires_on": expires},
    )  # fmt: skip
    assert response.status_code == 302
    document = db.session.scalars(sa.select(IdentityDocument)).one()
    assert (document.number, document.issuing_country) == ("EA1234567", "PL")
    # the audit log names the record, never the number
    (event,) = _events("create", "identity_document")
    assert "EA1234567" not in f"{event.changes} {event.detail}"
    page = client.get(f"/participants/{pupil.id}/identity-document").get_data(as_text=True)
    assert "EA1234567" in page


def test_a_document_number_must_look_like_one(client, school_user):
    pupil = factories.participant(school_user.institution)
    login_as(client, school_user)
    response = post_form(
        client,
        f"/participants/{pupil.id}/identity-document",
        {"kind": "id_card", "number": "12", "issuing_country": "PL", "expires_on": "2030-01-01"},
    )
    assert response.status_code == 422
    assert "5 to 20 letters and digits" in response.get_data(as_text=True)


def test_a_school_cannot_reach_another_schools_document(client, school_user):
    other = factories.participant(last_name="Otherska")
    factories.identity_document(other, number="XY9999999")
    login_as(client, school_user)
    assert client.get(f"/participants/{other.id}/identity-document").status_code == 404
    assert (
        post_form(client, f"/participants/{other.id}/identity-document/delete").status_code == 404
    )
    assert db.session.scalar(sa.select(IdentityDocument.number)) == "XY9999999"
    assert _events("access_denied", "participant")


def test_a_school_sees_only_its_own_travellers_and_their_numbers(client, school_user):
    exchange = _trip()
    own = factories.participant(school_user.institution, last_name="Ownska")
    other = factories.participant(last_name="Otherska")
    registrations = [factories.registration(exchange, own), factories.registration(exchange, other)]
    factories.identity_document(own, number="OWN123456")
    factories.identity_document(other, number="OTH654321")
    factories.travel_leg(exchange, travellers=registrations)
    login_as(client, school_user)
    page = client.get(f"/exchanges/{exchange.id}/travel").get_data(as_text=True)
    assert "Ownska" in page
    assert "OWN123456" in page
    assert "Otherska" not in page
    assert "OTH654321" not in page


def test_city_hall_sees_every_traveller_and_number(client, coordinator):
    exchange = _trip()
    pupils = [factories.participant(last_name=name) for name in ("Alfa", "Beta")]
    for pupil, number in zip(pupils, ("AAA111111", "BBB222222"), strict=True):
        factories.registration(exchange, pupil)
        factories.identity_document(pupil, number=number)
    login_as(client, coordinator)
    page = client.get(f"/exchanges/{exchange.id}/travel").get_data(as_text=True)
    for text in ("Alfa", "Beta", "AAA111111", "BBB222222"):
        assert text in page


def test_the_travel_page_warns_of_documents_that_do_not_last(client, coordinator):
    exchange = _trip("UA")  # Lutsk: outside the Schengen area
    end = exchange.end_date
    fine, short, missing = (factories.participant(last_name=n) for n in ("Fine", "Short", "None"))
    for pupil in (fine, short, missing):
        factories.registration(exchange, pupil)
    factories.identity_document(fine, expires_on=end + timedelta(days=200))
    factories.identity_document(short, expires_on=end + timedelta(days=30))
    login_as(client, coordinator)
    page = client.get(f"/exchanges/{exchange.id}/travel").get_data(as_text=True)
    assert "valid for three months after the return" in page
    assert "No identity document recorded." in page
    assert "2 travellers need attention." in page


def test_no_warnings_for_a_trip_that_crosses_no_border(client, coordinator):
    exchange = _trip("PL")
    factories.registration(exchange, factories.participant())
    login_as(client, coordinator)
    page = client.get(f"/exchanges/{exchange.id}/travel").get_data(as_text=True)
    assert "No identity document recorded." not in page


# --- manifests ------------------------------------------------------------------------------


def test_the_manifest_masks_document_numbers_and_is_audited(client, coordinator):
    exchange = _trip("RU")
    pupil = factories.participant(last_name="Manifestowa")
    registration = factories.registration(exchange, pupil)
    factories.identity_document(pupil, number="PASS98765")
    leg = factories.travel_leg(exchange, travellers=[registration])
    login_as(client, coordinator)

    response = client.get(f"/legs/{leg.id}/manifest.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    cells = [str(cell.value) for row in sheet.iter_rows() for cell in row]
    assert "Manifestowa" in cells
    assert "•••65" in cells
    assert not any("PASS98765" in cell for cell in cells)

    pdf = client.get(f"/legs/{leg.id}/manifest.pdf")
    assert pdf.status_code == 200
    assert pdf.mimetype == "application/pdf"
    assert pdf.headers["Cache-Control"] == "no-store"
    exports = _events("export", "travel_leg")
    assert sorted(event.detail for event in exports) == ["manifest.pdf", "manifest.xlsx"]


def test_a_manifest_in_another_format_is_not_found(client, coordinator):
    leg = factories.travel_leg(_trip())
    login_as(client, coordinator)
    assert client.get(f"/legs/{leg.id}/manifest.csv").status_code == 404
