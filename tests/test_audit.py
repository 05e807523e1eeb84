"""The audit log records who did what and when, without personal values, and is append-only."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
import sqlalchemy as sa
import time_machine

from exchange import clock
from exchange.audit.models import AuditEvent, RefusedRequests
from exchange.extensions import db
from tests import factories
from tests.helpers import login_as, post_form


def _events(**where) -> list[AuditEvent]:
    query = sa.select(AuditEvent).order_by(AuditEvent.id)
    for name, value in where.items():
        query = query.where(getattr(AuditEvent, name) == value)
    return list(db.session.scalars(query))


def _refusals(action: str) -> list[RefusedRequests]:
    query = sa.select(RefusedRequests).where(RefusedRequests.action == action)
    return list(db.session.scalars(query.order_by(RefusedRequests.id)))


def test_creating_and_editing_an_institution_is_logged_with_field_names(client, coordinator):
    login_as(client, coordinator)
    post_form(client, "/institutions/new", {"name": "SP 7", "kind": "school"})
    (created,) = _events(action="create", object_type="institution")
    assert created.actor_id == coordinator.id
    assert created.object_id is not None
    post_form(
        client,
        f"/institutions/{created.object_id}/edit",
        {"name": "SP 7 im. Kopernika", "kind": "school", "address": "ul. Długa 1"},
    )
    (updated,) = _events(action="update", object_type="institution")
    assert updated.changes == ["address", "name"]
    assert updated.ip_address == "127.0.0.1"


def test_changes_to_participants_name_fields_but_never_values(client, school_user):
    pupil = factories.participant(school_user.institution, last_name="Wiśniewska")
    login_as(client, school_user)
    data = {
        "first_name": pupil.first_name,
        "last_name": "Zielińska",
        "date_of_birth": pupil.date_of_birth.isoformat(),
        "gender": "female",
        "country": "PL",
        "role": "pupil",
        "emergency_contact_name": "Anna",
        "emergency_contact_phone": "600",
        "medical_notes": "epilepsy",
    }
    response = post_form(client, f"/participants/{pupil.id}/edit", data)
    assert response.status_code == 302
    (event,) = _events(action="update", object_type="participant")
    assert "last_name" in event.changes
    assert "medical_notes" in event.changes
    stored = json.dumps([e.changes for e in _events()]) + "".join(e.detail for e in _events())
    for secret in ("Zielińska", "Wiśniewska", "epilepsy"):
        assert secret not in stored


def test_registration_and_withdrawal_are_logged(client, coordinator, school_user):
    exchange = factories.exchange(capacity=1)
    pupil = factories.participant(school_user.institution)
    login_as(client, school_user)
    post_form(client, f"/exchanges/{exchange.id}/register", {"participants": [str(pupil.id)]})
    (created,) = _events(action="create", object_type="registration")
    assert created.actor_id == school_user.id
    post_form(client, f"/registrations/{created.object_id}/withdraw")
    (withdrawn,) = _events(action="update", object_type="registration")
    assert "status" in withdrawn.changes


def test_roster_export_is_logged(client, coordinator):
    exchange = factories.exchange()
    login_as(client, coordinator)
    client.get(f"/exchanges/{exchange.id}/roster.csv?include_notes=y")
    (event,) = _events(action="export")
    assert (event.object_type, event.object_id) == ("exchange", exchange.id)
    assert event.detail == "roster.csv with notes"
    assert event.actor_id == coordinator.id


def test_the_log_cannot_be_changed_or_deleted_from_the_app(app_context, coordinator):
    from exchange.audit import services

    services.record("export", "exchange", 1, actor_id=coordinator.id)
    db.session.commit()
    event = db.session.scalar(sa.select(AuditEvent))
    event.detail = "nothing happened"
    with pytest.raises(PermissionError):
        db.session.commit()
    db.session.rollback()
    db.session.delete(db.session.scalar(sa.select(AuditEvent)))
    with pytest.raises(PermissionError):
        db.session.commit()
    db.session.rollback()
    assert db.session.scalar(sa.select(AuditEvent.detail)) == ""


def test_admin_browses_and_filters_the_log(client, admin, coordinator):
    from exchange.audit import services

    services.record("export", "exchange", 7, actor_id=coordinator.id, detail="roster.csv")
    services.record("erase", "participant", 9, actor_id=admin.id)
    db.session.commit()
    login_as(client, admin)
    page = client.get("/audit/").get_data(as_text=True)
    assert "roster.csv" in page
    assert "participant #9" in page
    filtered = client.get("/audit/?action=erase").get_data(as_text=True)
    assert "participant #9" in filtered
    assert "roster.csv" not in filtered
    assert client.get("/audit/?date_from=garbage").status_code == 200


def test_only_admins_see_the_log(client, coordinator):
    login_as(client, coordinator)
    assert client.get("/audit/").status_code == 403


# --- what a curious or hostile new user tries: refused every time, and in the log ------------


def test_opening_another_schools_participant_is_refused_and_logged(client, school_user):
    other = factories.participant()
    login_as(client, school_user)
    assert client.get(f"/participants/{other.id}").status_code == 404
    (event,) = _events(action="access_denied")
    assert (event.object_type, event.object_id, event.actor_id) == (
        "participant",
        other.id,
        school_user.id,
    )
    # a number that exists nowhere is simply not found
    assert client.get("/participants/99999").status_code == 404
    assert len(_events(action="access_denied")) == 1


def test_a_form_without_its_token_is_refused_and_counted(client, admin):
    login_as(client, admin)
    response = client.post("/institutions/new", data={"name": "X", "kind": "school"})
    assert response.status_code == 400
    (counted,) = _refusals("csrf_refused")
    assert (counted.count, counted.ip_address) == (1, "127.0.0.1")
    assert counted.last_detail == "POST /institutions/new"
    assert _events(action="create", object_type="institution") == []


def test_a_flood_of_token_less_posts_is_counted_not_stored_row_by_row(app, client, admin):
    events_before = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent))
    start = clock.now().replace(second=0, microsecond=0)
    with time_machine.travel(start, tick=False):
        for number in range(200):
            response = client.post(
                "/login" if number % 2 else "/password/forgot",
                data={"email": "x@example.org"},
                environ_base={"REMOTE_ADDR": "203.0.113.9"},
            )
            assert response.status_code == 400
    with time_machine.travel(start + timedelta(minutes=1), tick=False):
        for _ in range(3):
            client.post("/logout", environ_base={"REMOTE_ADDR": "203.0.113.9"})

    events = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent))
    assert events == events_before
    rows = _refusals("csrf_refused")
    assert [(row.count, row.last_detail) for row in rows] == [
        (200, "POST /login"),
        (3, "POST /logout"),
    ]

    viewer = app.test_client()
    login_as(viewer, admin)
    page = viewer.get("/audit/").get_data(as_text=True)
    assert '<h2 id="refused">Refused requests</h2>' in page
    assert "<td>203.0.113.9</td>" in page
    assert '<td class="num">200</td>' in page


def test_next_to_another_site_is_not_followed_and_logged(client, coordinator):
    response = post_form(
        client,
        "/login?next=//evil.example",
        {"email": coordinator.email, "password": factories.PASSWORD},
    )
    assert response.headers["Location"] == "/dashboard"
    (event,) = _events(action="redirect_refused")
    assert event.detail == "//evil.example"


def test_ten_password_guesses_all_fail_and_are_logged(client, coordinator):
    answers = [
        post_form(
            client, "/login", {"email": coordinator.email, "password": f"guess number {n}"}
        ).status_code
        for n in range(10)
    ]
    assert answers[:5] == [401] * 5
    assert set(answers[5:]) == {429}
    failures = _events(action="login_failed")
    assert len(failures) == 5
    assert {event.object_id for event in failures} == {coordinator.id}
    assert all(event.detail == "wrong password" for event in failures)
    (counted,) = _refusals("rate_limited")
    assert counted.count == 5
    assert client.get("/dashboard").status_code == 302
    assert _events(action="login") == []


def test_a_successful_login_is_logged(client, coordinator):
    login_as(client, coordinator)
    (event,) = _events(action="login")
    assert (event.actor_id, event.object_id) == (coordinator.id, coordinator.id)


def test_grant_pack_downloads_are_logged(client, coordinator):
    exchange = factories.exchange()
    login_as(client, coordinator)
    assert client.get(f"/reports/exchanges/{exchange.id}/grant-pack.xlsx").status_code == 200
    assert client.get(f"/reports/exchanges/{exchange.id}/grant-pack.pdf").status_code == 200
    details = [event.detail for event in _events(action="export")]
    assert details == ["grant-pack.xlsx", "grant-pack.pdf"]


def test_deleting_a_programme_item_is_logged(client, coordinator):
    from tests import factories as make

    exchange = factories.exchange()
    item_id = make.programme_item(exchange).id
    login_as(client, coordinator)
    response = post_form(client, f"/exchanges/{exchange.id}/programme/{item_id}/delete")
    assert response.status_code == 302
    (event,) = _events(action="delete", object_type="programme_item")
    assert event.object_id == item_id
