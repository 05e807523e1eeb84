"""A user's own access request: everything held about the account, as JSON, with every
message addressed to them and no secret; for themselves, or for an admin."""

from __future__ import annotations

import re

import sqlalchemy as sa

from exchange.audit.models import AuditEvent
from exchange.auth.models import User
from exchange.extensions import db
from exchange.notifications.cli import run_once
from exchange.partners.models import Institution
from exchange.registrations import services as registrations
from tests import factories
from tests.helpers import login_as, post_form

NEW_PASSWORD = "Łyna river at dawn, 1353"  # noqa: S105
SECRET_PATTERNS = ("/invitation/", "/password/reset/", "secret_link", "token", "password_hash")


def _invite(client, coordinator, email: str = "ewa@sp5.example") -> tuple[User, str]:
    """A school representative invited through the page; the link the page showed."""
    school = factories.institution(name="SP 5")
    login_as(client, coordinator)
    page = post_form(
        client,
        "/school-accounts/new",
        {"full_name": "Ewa Nowak", "email": email, "institution_id": school.id},
    ).get_data(as_text=True)
    link = re.search(r"/invitation/[A-Za-z0-9_-]+", page).group(0)
    post_form(client, "/logout")
    return db.session.scalar(sa.select(User).where(User.email == email)), link


def _no_secret(text: str, *secrets: str) -> None:
    for secret in (*SECRET_PATTERNS, *secrets):
        assert secret not in text


def test_a_school_representative_downloads_their_data_with_every_message_and_no_secret(
    client, coordinator, smtp_server
):
    user, link = _invite(client, coordinator)
    # pending: the stored message still holds the one-time link
    chosen = {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    assert post_form(client, link, chosen).status_code == 302
    post_form(client, "/logout")
    db.session.expire_all()
    user = db.session.get(User, user.id)
    post_form(client, "/password/forgot", {"email": user.email})  # a reset link, pending
    pupil = factories.participant(db.session.get(Institution, user.institution_id))
    registrations.register_many(factories.exchange(title="Halmstad 2026"), [pupil], by=user)
    db.session.commit()
    login_as(client, user, NEW_PASSWORD)

    page = client.get("/account/data").get_data(as_text=True)
    assert 'href="/account/data.json"' in page
    response = client.get("/account/data.json")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == f"attachment; filename=account-{user.id}.json"
    assert response.headers["Cache-Control"] == "no-store"
    data = response.get_json()
    assert data["account"] == {
        "id": user.id,
        "email": "ewa@sp5.example",
        "full_name": "Ewa Nowak",
        "role": "school",
        "institution": "SP 5",
        "language": "pl",
        "active": True,
        "created_at": user.created_at.isoformat(),
        "last_login_at": data["account"]["last_login_at"],
    }
    assert [(m["kind"], m["state"]) for m in data["emails"]] == [
        ("invitation", "pending"),
        ("password_reset", "pending"),
        ("registration_summary", "pending"),
    ]
    assert data["emails"][0]["subject"] == "Państwa konto w systemie wymian Olsztyna"
    assert data["emails"][0]["to"] == "ewa@sp5.example"
    assert data["emails"][2]["subject"] == "Zgłoszenie na wymianę Halmstad 2026"
    assert data["email_choices"]["registration_opened"] is False
    assert "start_reminder" not in data["email_choices"]
    assert {item["kind"] for item in data["one_time_links"]} == {"invitation", "password_reset"}
    assert len(data["sessions"]) == 1
    assert {"device", "ip_address", "logged_in_at", "last_seen_at"} == set(data["sessions"][0])
    actions = [event["action"] for event in data["audit_log"]]
    assert "login" in actions
    _no_secret(response.get_data(as_text=True), link.rsplit("/", 1)[1])

    run_once()  # sent: still listed, still without the link
    after = client.get("/account/data.json").get_json()
    assert [m["state"] for m in after["emails"]] == ["sent", "sent", "sent"]
    assert after["emails"][0]["sent_at"]
    _no_secret(str(after))


def test_an_admin_downloads_anyones_data_and_the_export_is_audited(client, admin, coordinator):
    school = factories.user(role="school", full_name="Sam School")
    other = factories.user(role="school", email="someone.else@example.org")
    institution = db.session.get(Institution, school.institution_id)
    registrations.register_many(factories.exchange(), [factories.participant(institution)],
                                by=school)  # fmt: skip
    registrations.register_many(
        factories.exchange(),
        [factories.participant(db.session.get(Institution, other.institution_id))],
        by=other,
    )
    db.session.commit()
    login_as(client, admin)
    assert f"/users/{school.id}/export.json" in client.get("/users/").get_data(as_text=True)
    response = client.get(f"/users/{school.id}/export.json")
    assert response.status_code == 200
    data = response.get_json()
    assert data["account"]["full_name"] == "Sam School"
    assert [m["kind"] for m in data["emails"]] == ["registration_summary"]
    assert "someone.else" not in response.get_data(as_text=True)
    assert data["sessions"] == []  # never logged in
    event = db.session.scalar(
        sa.select(AuditEvent).where(
            AuditEvent.action == "export", AuditEvent.object_id == school.id
        )
    )
    assert (event.object_type, event.actor_id, event.detail) == ("user", admin.id, "access request")
    assert client.get("/users/999999/export.json").status_code == 404


def test_nobody_else_downloads_a_users_data(client, coordinator, school_user):
    victim = factories.user(role="school", email="victim@example.org")
    for user in (coordinator, school_user):
        login_as(client, user)
        assert client.get(f"/users/{victim.id}/export.json").status_code == 403
        own = client.get("/account/data.json").get_json()
        assert own["account"]["email"] == user.email
        assert "victim" not in str(own)
        post_form(client, "/logout")
    assert client.get("/account/data.json").status_code == 302  # log in first


def test_a_staff_export_lists_the_staff_choices_and_the_messages_whatever_their_data(
    app_context, coordinator
):
    from exchange.auth.privacy import export_account
    from exchange.notifications.models import Notification, NotificationKind

    db.session.add(
        Notification(user_id=coordinator.id, address=coordinator.email, language="en",
                     kind=NotificationKind.MOVED_UP, data={})  # erased with a pupil's data
    )  # fmt: skip
    db.session.commit()
    data = export_account(coordinator, by=coordinator)
    ((kind, subject),) = [(m["kind"], m["subject"]) for m in data["emails"]]
    assert (kind, subject) == ("moved_up", "A place became free")
    assert set(data["email_choices"]) == {"start_reminder", "consent_withdrawn"}
