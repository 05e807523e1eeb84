"""Children's data in travel: the access export includes it, anonymisation and erasure delete
every document number of the people they anonymise and leave the activity report as it was."""

from __future__ import annotations

import json
from datetime import timedelta

import sqlalchemy as sa

from exchange import clock
from exchange.extensions import db
from exchange.registrations import services
from exchange.travel.models import IdentityDocument, LegTraveller, TravellingGuardian
from tests import factories
from tests.helpers import login_as, post_form, report_figures


def _numbers() -> list[str]:
    db.session.expire_all()
    return sorted(db.session.scalars(sa.select(IdentityDocument.number)))


def test_the_access_export_includes_travel(client, coordinator, school_user):
    exchange = factories.exchange()
    pupil = factories.participant(school_user.institution)
    parent = factories.participant(school_user.institution, minor=False, last_name="Parent")
    registration = factories.registration(exchange, pupil)
    factories.registration(exchange, parent)
    factories.identity_document(pupil, number="EXP123456")
    factories.travel_leg(exchange, travellers=[registration], carrier="Flixbus")
    factories.room(exchange, occupants=[registration], name="Room 12")
    factories.travelling_guardian(exchange, pupil, parent)
    login_as(client, school_user)
    data = json.loads(client.get(f"/participants/{pupil.id}/export.json").data)
    assert data["identity_document"]["number"] == "EXP123456"
    assert data["travel_legs"][0]["carrier"] == "Flixbus"
    assert data["rooms"][0]["room"] == "Room 12"
    assert data["travelling_guardians"][0]["guardian"] == parent.full_name


def test_anonymisation_deletes_document_numbers_and_keeps_the_report(app, app_context, coordinator):
    today = clock.today()
    old = factories.exchange(start=today - timedelta(days=800), status="registration_open")
    recent = factories.exchange(start=today - timedelta(days=100))
    old_pupil = factories.participant(last_name="Old")
    old_parent = factories.participant(minor=False, last_name="OldParent")
    recent_pupil = factories.participant(last_name="Recent")
    for exchange, pupil in ((old, old_pupil), (old, old_parent), (recent, recent_pupil)):
        services.register_participant(exchange, pupil, by=coordinator, today=exchange.start_date)
    db.session.commit()
    registration = old_pupil.registrations[0]
    factories.travel_leg(old, travellers=[registration])
    factories.room(old, occupants=[registration])
    factories.travelling_guardian(old, old_pupil, old_parent)
    factories.identity_document(old_pupil, number="OLD111111")
    factories.identity_document(old_parent, number="OLD222222")
    factories.identity_document(recent_pupil, number="NEW333333")
    before = report_figures()

    result = app.test_cli_runner().invoke(args=["anonymise"])
    assert result.exit_code == 0, result.output
    assert "Anonymised 2 participants" in result.output

    assert _numbers() == ["NEW333333"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(TravellingGuardian)) == 0
    # the seat stays, naming nobody now
    assert db.session.scalar(sa.select(sa.func.count()).select_from(LegTraveller)) == 1
    assert report_figures() == before


def test_erasure_deletes_the_persons_document_number_only(client, coordinator):
    exchange = factories.exchange()
    erased, kept = factories.participant(), factories.participant()
    for pupil in (erased, kept):
        services.register_participant(exchange, pupil, by=coordinator)
    db.session.commit()
    factories.identity_document(erased, number="ERASE1234")
    factories.identity_document(kept, number="KEEP12345")
    before = report_figures()
    login_as(client, coordinator)
    assert post_form(client, f"/participants/{erased.id}/erase").status_code == 302
    assert _numbers() == ["KEEP12345"]
    assert report_figures() == before


def test_removing_a_participant_removes_their_document(client, school_user):
    pupil = factories.participant(school_user.institution)
    factories.identity_document(pupil, number="GONE12345")
    login_as(client, school_user)
    assert post_form(client, f"/participants/{pupil.id}/delete").status_code == 302
    assert _numbers() == []
