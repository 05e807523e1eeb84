"""Children's data: retention, access requests and erasure keep the reports' figures."""

from __future__ import annotations

import json
from datetime import date, timedelta

from exchange import clock
from exchange.extensions import db
from exchange.registrations import privacy, services
from exchange.registrations.models import Participant
from tests import factories
from tests.helpers import login_as, post_form, report_figures


def test_anonymous_birth_date_keeps_the_age_group_and_the_year():
    born = date(2008, 9, 20)
    # turned 18 on 2026-09-20: a minor on 2026-06-01, an adult on 2026-10-01
    starts = [date(2026, 6, 1), date(2026, 10, 1)]
    new = privacy.anonymous_birth_date(born, starts)
    assert new.year == 2008
    assert new != born
    for start in starts:
        assert (new > privacy._add_years(start, -18)) == (born > privacy._add_years(start, -18))
    assert privacy.anonymous_birth_date(born, []) == date(2008, 1, 1)


def test_anonymise_removes_personal_data_after_the_retention_period(app, app_context, coordinator):
    today = clock.today()
    school = factories.institution()
    old = factories.exchange(
        start=today - timedelta(days=800), status="registration_open", capacity=5
    )
    recent = factories.exchange(start=today - timedelta(days=100))
    # turns 18 the day after the old exchange starts: a minor there, which the anonymised
    # date of birth must keep (the 1st of January of the same year would make them an adult)
    born = privacy._add_years(old.start_date, -18) + timedelta(days=1)
    if born.month == 1 and born.day == 1:
        born += timedelta(days=1)
    old_pupil = factories.participant(
        school, last_name="Old", medical_notes="asthma", date_of_birth=born
    )
    recent_pupil = factories.participant(school, last_name="Recent")
    for exchange, pupil in ((old, old_pupil), (recent, recent_pupil)):
        services.register_participant(exchange, pupil, by=coordinator, today=exchange.start_date)
    db.session.commit()
    before = report_figures()

    result = app.test_cli_runner().invoke(args=["anonymise"])
    assert result.exit_code == 0, result.output
    assert "Anonymised 1 participants" in result.output

    db.session.expire_all()
    gone = db.session.get(Participant, old_pupil.id)
    kept = db.session.get(Participant, recent_pupil.id)
    assert gone.first_name == "Anonymised"
    assert "Old" not in (gone.first_name + gone.last_name)
    assert gone.medical_notes == gone.emergency_contact_name == gone.emergency_contact_phone == ""
    assert all(consent.guardian_name == "" for consent in gone.consents)
    assert gone.anonymised_at is not None
    assert kept.last_name == "Recent"
    assert report_figures() == before
    assert any(table for figures in before for table in figures.values()), (
        "the fixture shows up in the reports"
    )
    # running again finds nothing new
    assert "Anonymised 0" in app.test_cli_runner().invoke(args=["anonymise"]).output


def test_access_request_export_covers_every_table(client, coordinator, school_user):
    exchange = factories.exchange()
    pupil = factories.participant(school_user.institution, dietary_notes="vegan")
    services.register_participant(exchange, pupil, by=coordinator)
    db.session.commit()
    login_as(client, school_user)
    response = client.get(f"/participants/{pupil.id}/export.json")
    assert response.status_code == 200
    data = json.loads(response.data)
    assert data["participant"]["last_name"] == pupil.last_name
    assert data["participant"]["dietary_notes"] == "vegan"
    assert data["consents"][0]["text_version"] == "2026-01"
    assert data["registrations"][0]["exchange"] == exchange.title
    assert any(event["action"] == "create" for event in data["audit_log"])


def test_another_school_cannot_export_or_erase(client, school_user):
    other = factories.participant()
    login_as(client, school_user)
    assert client.get(f"/participants/{other.id}/export.json").status_code == 404
    assert post_form(client, f"/participants/{other.id}/erase").status_code == 403


def test_erasure_on_request_keeps_the_reports(client, coordinator):
    exchange = factories.exchange()
    pupil = factories.participant(last_name="Erasable")
    services.register_participant(exchange, pupil, by=coordinator)
    db.session.commit()
    before = report_figures()
    login_as(client, coordinator)
    assert post_form(client, f"/participants/{pupil.id}/erase").status_code == 302
    erased = db.session.get(Participant, pupil.id)
    assert erased.last_name != "Erasable"
    assert erased.anonymised_at is not None
    assert report_figures() == before
