from __future__ import annotations

import sqlalchemy as sa

from exchange.auth.models import User
from exchange.core.permissions import Role
from exchange.extensions import db
from tests import factories
from tests.helpers import login_as, post_form


def _count_users() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(User))


def test_admin_adds_a_coordinator_who_can_then_log_in(client, admin):
    login_as(client, admin)
    response = post_form(
        client,
        "/users/new",
        {
            "full_name": "Zofia Nowak",
            "email": "Zofia.Nowak@Olsztyn.eu",
            "role": "coordinator",
            "institution_id": "",
            "password": "a long enough password",
        },
    )
    assert response.status_code == 302
    assert "Zofia Nowak" in client.get("/users/").get_data(as_text=True)
    user = db.session.scalar(sa.select(User).where(User.email == "zofia.nowak@olsztyn.eu"))
    assert user.role is Role.COORDINATOR

    post_form(client, "/logout")
    other = client.application.test_client()
    response = post_form(
        other, "/login", {"email": "zofia.nowak@olsztyn.eu", "password": "a long enough password"}
    )
    assert response.status_code == 302


def test_duplicate_email_is_refused_next_to_the_field_and_nothing_saved(client, admin):
    login_as(client, admin)
    before = _count_users()
    response = post_form(
        client,
        "/users/new",
        {
            "full_name": "Another Admin",
            "email": "ADMIN@example.org",
            "role": "coordinator",
            "password": "a long enough password",
        },
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="email-error"' in page
    assert "Another account already uses this e-mail address." in page
    assert 'value="Another Admin"' in page  # the form keeps what was typed
    assert _count_users() == before


def test_school_representative_needs_an_institution(client, admin):
    login_as(client, admin)
    response = post_form(
        client,
        "/users/new",
        {
            "full_name": "Sam",
            "email": "sam@school.example.org",
            "role": "school",
            "password": "a long enough password",
        },
    )
    assert response.status_code == 422
    assert "belongs to an institution" in response.get_data(as_text=True)


def test_school_representative_with_institution_is_created(client, admin):
    school = factories.institution(name="I LO Olsztyn")
    login_as(client, admin)
    response = post_form(
        client,
        "/users/new",
        {
            "full_name": "Sam",
            "email": "sam@school.example.org",
            "role": "school",
            "institution_id": str(school.id),
            "password": "a long enough password",
        },
    )
    assert response.status_code == 302
    user = db.session.scalar(sa.select(User).where(User.email == "sam@school.example.org"))
    assert user.institution_id == school.id


def test_short_password_is_refused(client, admin):
    login_as(client, admin)
    response = post_form(
        client,
        "/users/new",
        {"full_name": "X", "email": "x@example.org", "role": "coordinator", "password": "short"},
    )
    assert response.status_code == 422
    assert "Use at least 12 characters." in response.get_data(as_text=True)


def test_invalid_role_or_institution_is_a_field_error_not_a_crash(client, admin):
    login_as(client, admin)
    response = post_form(
        client,
        "/users/new",
        {
            "full_name": "X",
            "email": "x@example.org",
            "role": "superuser",
            "institution_id": "abc",
            "password": "a long enough password",
        },
    )
    assert response.status_code == 422


def test_admin_edits_a_user(client, admin, coordinator):
    login_as(client, admin)
    response = post_form(
        client,
        f"/users/{coordinator.id}/edit",
        {"full_name": "Cora Renamed", "email": coordinator.email, "role": "coordinator"},
    )
    assert response.status_code == 302
    assert db.session.get(User, coordinator.id).full_name == "Cora Renamed"


def test_admin_deactivates_and_reactivates_a_user(client, admin, coordinator):
    login_as(client, admin)
    post_form(client, f"/users/{coordinator.id}/active", {"active": "0"})
    db.session.expire_all()
    assert db.session.get(User, coordinator.id).active is False
    post_form(client, f"/users/{coordinator.id}/active", {"active": "1"})
    db.session.expire_all()
    assert db.session.get(User, coordinator.id).active is True


def test_admin_cannot_deactivate_themselves(client, admin):
    login_as(client, admin)
    post_form(client, f"/users/{admin.id}/active", {"active": "0"})
    db.session.expire_all()
    assert db.session.get(User, admin.id).active is True


def test_deactivated_user_loses_their_session(client, admin, coordinator):
    login_as(client, coordinator)
    coordinator.active = False
    db.session.commit()
    assert client.get("/dashboard").status_code == 302


def test_unknown_user_is_404(client, admin):
    login_as(client, admin)
    assert client.get("/users/9999/edit").status_code == 404


def test_coordinators_and_schools_cannot_manage_users(client, coordinator, school_user):
    for user in (coordinator, school_user):
        login_as(client, user)
        assert client.get("/users/").status_code == 403
        assert client.get("/users/new").status_code == 403
        response = post_form(
            client,
            "/users/new",
            {"full_name": "X", "email": "x@example.org", "role": "admin", "password": "p" * 12},
        )
        assert response.status_code == 403
        post_form(client, "/logout")
    assert db.session.scalar(sa.select(User).where(User.email == "x@example.org")) is None
