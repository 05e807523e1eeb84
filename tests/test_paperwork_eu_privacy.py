"""Children's data of the EU list: citizenship, place of birth and residence document are in the
person's access export, gone after anonymisation or erasure, and never change the activity
report."""

from __future__ import annotations

import json
from datetime import date, timedelta

from exchange import clock
from exchange.extensions import db
from exchange.registrations import services
from exchange.registrations.models import Participant, ResidenceDocumentKind
from tests import factories
from tests.helpers import login_as, post_form, report_figures

RESIDENCE = {
    "citizenship": "UA",
    "place_of_birth": "Odesa",
    "residence_document_kind": ResidenceDocumentKind.RESIDENCE_CARD,
    "residence_document_number": "RC9988776",
    "residence_document_expires_on": date(2028, 6, 30),
}


def _cleared(person: Participant) -> bool:
    db.session.refresh(person)
    return (
        person.citizenship == ""
        and person.place_of_birth == ""
        and person.residence_document_kind is None
        and person.residence_document_number == ""
        and person.residence_document_expires_on is None
    )


def test_the_access_export_includes_citizenship_and_residence(client, school_user):
    pupil = factories.participant(school_user.institution, **RESIDENCE)
    login_as(client, school_user)
    data = json.loads(client.get(f"/participants/{pupil.id}/export.json").data)["participant"]
    assert data["citizenship"] == "UA"
    assert data["place_of_birth"] == "Odesa"
    assert data["residence_document"] == {
        "kind": "residence_card",
        "number": "RC9988776",
        "expires_on": "2028-06-30",
    }


def test_anonymisation_clears_citizenship_and_residence_and_keeps_the_report(
    app, app_context, coordinator
):
    today = clock.today()
    old = factories.exchange(start=today - timedelta(days=800))
    recent = factories.exchange(start=today - timedelta(days=100))
    old_pupil = factories.participant(last_name="Old", **RESIDENCE)
    recent_pupil = factories.participant(last_name="Recent", **RESIDENCE)
    for exchange, pupil in ((old, old_pupil), (recent, recent_pupil)):
        services.register_participant(exchange, pupil, by=coordinator, today=exchange.start_date)
    db.session.commit()
    before = report_figures()

    result = app.test_cli_runner().invoke(args=["anonymise"])
    assert result.exit_code == 0, result.output

    assert _cleared(old_pupil)
    assert not _cleared(recent_pupil)
    assert report_figures() == before


def test_erasure_clears_the_persons_citizenship_and_residence_only(client, coordinator):
    exchange = factories.exchange()
    erased = factories.participant(**RESIDENCE)
    kept = factories.participant(**RESIDENCE)
    for pupil in (erased, kept):
        services.register_participant(exchange, pupil, by=coordinator)
    db.session.commit()
    before = report_figures()
    login_as(client, coordinator)
    assert post_form(client, f"/participants/{erased.id}/erase").status_code == 302
    assert _cleared(erased)
    assert not _cleared(kept)
    assert report_figures() == before


def test_the_report_does_not_change_with_citizenship(app_context, coordinator):
    exchange = factories.exchange(start=clock.today() - timedelta(days=30))
    pupil = factories.participant()
    services.register_participant(exchange, pupil, by=coordinator, today=exchange.start_date)
    db.session.commit()
    before = report_figures()
    for name, value in RESIDENCE.items():
        setattr(pupil, name, value)
    db.session.commit()
    assert report_figures() == before
