"""The parents' consent and declaration forms: pre-filled with the trip and the pupil, one page
per pupil of the school, the consent text version the app records, in Polish or English."""

from __future__ import annotations

import sqlalchemy as sa

from exchange.audit.models import AuditEvent
from exchange.extensions import db
from exchange.registrations.models import CONSENT_TEXT_VERSION
from tests import factories
from tests.helpers import login_as, pdf_text


def _trip():
    partner = factories.partner(name="Offenburg", slug="offenburg", country="DE")
    return factories.exchange([partner], title="Offenburg 2027", city="Offenburg")


def test_a_pupils_form_carries_their_name_the_trip_and_the_consent_version(
    client, school_user, tmp_path
):
    trip = _trip()
    pupil = factories.participant(school_user.institution, first_name="Zofia", last_name="Żak")
    registration = factories.registration(trip, pupil)
    login_as(client, school_user)

    response = client.get(f"/registrations/{registration.id}/consent-form.pdf")

    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert "attachment" in response.headers["Content-Disposition"]
    text = pdf_text(response.data, tmp_path)
    assert "Zofia Żak" in text
    assert "Offenburg 2027" in text
    assert CONSENT_TEXT_VERSION in text
    assert "Zgoda i oświadczenie rodzica" in text  # Polish unless asked
    assert "Podpis rodzica" in text
    english = pdf_text(
        client.get(f"/registrations/{registration.id}/consent-form.pdf?lang=en").data, tmp_path
    )
    assert "Parent's consent and declaration" in english
    assert "Signature of the parent or legal guardian" in english


def test_the_schools_forms_have_a_page_for_each_of_its_pupils_and_none_of_another_school(
    client, coordinator, tmp_path
):
    trip = _trip()
    school, other = factories.institution(), factories.institution()
    for name in ("Adamska", "Bielska", "Cieślak"):
        factories.registration(trip, factories.participant(school, last_name=name))
    factories.registration(trip, factories.participant(school, minor=False, last_name="Teacher"))
    factories.registration(trip, factories.participant(other, last_name="Obcowska"))
    login_as(client, coordinator)

    response = client.get(f"/exchanges/{trip.id}/consent-forms/{school.id}.pdf")

    assert response.status_code == 200
    pages = pdf_text(response.data, tmp_path).split("\f")
    pages = [page for page in pages if page.strip()]
    assert len(pages) == 3
    for page, name in zip(pages, ("Adamska", "Bielska", "Cieślak"), strict=True):
        assert name in page
    assert "Obcowska" not in "".join(pages)
    assert "Teacher" not in "".join(pages)


def test_a_school_cannot_produce_another_schools_forms(client, school_user):
    trip = _trip()
    other = factories.institution()
    registration = factories.registration(trip, factories.participant(other))
    login_as(client, school_user)
    assert client.get(f"/exchanges/{trip.id}/consent-forms/{other.id}.pdf").status_code == 404
    assert client.get(f"/registrations/{registration.id}/consent-form.pdf").status_code == 404


def test_every_form_produced_is_audited_without_personal_data(client, school_user, tmp_path):
    trip = _trip()
    school = school_user.institution
    registration = factories.registration(
        trip, factories.participant(school, last_name="Audytowska")
    )
    login_as(client, school_user)
    client.get(f"/exchanges/{trip.id}/consent-forms/{school.id}.pdf")
    client.get(f"/registrations/{registration.id}/consent-form.pdf")
    events = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "export").order_by(AuditEvent.id)
    ).all()
    assert [(event.object_type, event.object_id) for event in events] == [
        ("exchange", trip.id),
        ("registration", registration.id),
    ]
    assert all("Audytowska" not in event.detail for event in events)


def test_the_papers_page_links_each_pupils_form(client, school_user):
    trip = _trip()
    school = school_user.institution
    registration = factories.registration(trip, factories.participant(school, last_name="Linkowa"))
    login_as(client, school_user)
    detail = client.get(f"/exchanges/{trip.id}").get_data(as_text=True)
    assert f"/exchanges/{trip.id}/eu-papers/{school.id}" in detail
    page = client.get(f"/exchanges/{trip.id}/eu-papers/{school.id}").get_data(as_text=True)
    assert "Linkowa" in page
    assert f"/registrations/{registration.id}/consent-form.pdf" in page
    assert f"/exchanges/{trip.id}/consent-forms/{school.id}.pdf" in page


def test_the_form_names_the_leader_the_school_chose_and_the_parents_contribution(
    client, school_user, tmp_path
):
    """What the school decided on its trip paperwork and in its accounts is printed, not left
    as a line to fill in by hand."""
    from exchange.paperwork.models import AccountCategory

    trip = _trip()
    school = school_user.institution
    pupil = factories.participant(school, first_name="Zofia", last_name="Żak")
    registration = factories.registration(trip, pupil)
    teacher = factories.participant(school, minor=False, first_name="Anna", last_name="Lewandowska")
    factories.registration(trip, teacher)
    login_as(client, school_user)
    url = f"/registrations/{registration.id}/consent-form.pdf?lang=en"
    blank = pdf_text(client.get(url).data, tmp_path)
    assert "Anna Lewandowska" not in blank

    factories.trip_staff(trip, school, leader=teacher)
    factories.account_line(
        trip,
        school,
        category=AccountCategory.PARENTS,
        unit_amount="1250.50",
        quantity=3,
    )

    filled = pdf_text(client.get(url).data, tmp_path)
    assert "Anna Lewandowska" in filled
    assert "1,250.50" in filled  # per pupil, not the 3,751.50 of the line
    assert "3,751.50" not in filled
    whole_school = pdf_text(
        client.get(f"/exchanges/{trip.id}/consent-forms/{school.id}.pdf?lang=en").data, tmp_path
    )
    assert "Anna Lewandowska" in whole_school
    assert "1,250.50" in whole_school
