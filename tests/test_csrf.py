"""A form sent without the session's CSRF token (from another site) is refused and changes nothing,
even for a logged-in admin whose browser carries the session cookie."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from exchange.auth.models import User
from exchange.extensions import db
from exchange.partners.models import Institution, PartnerCity
from tests import factories
from tests.helpers import csrf_token, login_as

EXPIRED = "The form has expired or was not sent from this site."


@pytest.fixture
def logged_in_admin(client, admin):
    login_as(client, admin)
    return admin


def _post_without_token(client, url: str, data: dict):
    response = client.post(url, data=data)
    assert response.status_code == 400
    assert EXPIRED in response.get_data(as_text=True)
    db.session.expire_all()
    return response


def _count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_create_user_needs_the_token(client, logged_in_admin):
    _post_without_token(
        client,
        "/users/new",
        {"full_name": "Mallory", "email": "mallory@example.org", "role": "admin",
         "password": "a long enough password"},
    )  # fmt: skip
    assert db.session.scalar(sa.select(User).where(User.email == "mallory@example.org")) is None


def test_edit_user_needs_the_token(client, logged_in_admin, coordinator):
    _post_without_token(
        client,
        f"/users/{coordinator.id}/edit",
        {"full_name": "Cora", "email": "mallory@example.org", "role": "admin",
         "password": "a long enough password"},
    )  # fmt: skip
    user = db.session.get(User, coordinator.id)
    assert user.email == "coord@example.org"
    assert user.full_name == "Cora Ord"
    assert user.role.value == "coordinator"


def test_set_user_active_needs_the_token(client, logged_in_admin, coordinator):
    _post_without_token(client, f"/users/{coordinator.id}/active", {"active": "0"})
    assert db.session.get(User, coordinator.id).active is True


def test_create_partner_needs_the_token(client, logged_in_admin):
    _post_without_token(
        client,
        "/partners/new",
        {"name": "Mallorytown", "country": "DE", "kind": "partnership", "year_signed": "2000",
         "status": "active"},
    )  # fmt: skip
    assert _count(PartnerCity) == 0


def test_edit_partner_needs_the_token(client, logged_in_admin, partners):
    _post_without_token(
        client,
        "/partners/lutsk/edit",
        {"name": "Lutsk", "country": "UA", "kind": "partnership", "year_signed": "1997",
         "status": "ended", "status_note": "Ended by a forged form."},
    )  # fmt: skip
    lutsk = db.session.scalar(sa.select(PartnerCity).where(PartnerCity.slug == "lutsk"))
    assert lutsk.status.value == "active"
    assert lutsk.status_note == ""


def test_create_institution_needs_the_token(client, logged_in_admin):
    _post_without_token(client, "/institutions/new", {"name": "Forged school", "kind": "school"})
    assert _count(Institution) == 0


def test_edit_institution_needs_the_token(client, logged_in_admin):
    school = factories.institution(name="Real school")
    _post_without_token(
        client, f"/institutions/{school.id}/edit", {"name": "Forged school", "kind": "ngo"}
    )
    assert db.session.get(Institution, school.id).name == "Real school"


def test_archive_institution_needs_the_token(client, logged_in_admin):
    school = factories.institution(name="Real school")
    _post_without_token(client, f"/institutions/{school.id}/active", {"active": "0"})
    assert db.session.get(Institution, school.id).active is True


def test_logout_needs_the_token(client, logged_in_admin):
    _post_without_token(client, "/logout", {})
    assert client.get("/dashboard").status_code == 200  # still logged in


def test_language_switch_needs_the_token(client, logged_in_admin):
    response = _post_without_token(client, "/language", {"language": "pl", "next": "/partners/"})
    assert "Set-Cookie" not in response.headers or "lang=" not in response.headers["Set-Cookie"]
    assert client.get_cookie("lang") is None
    assert '<html lang="en">' in client.get("/dashboard").get_data(as_text=True)


def test_a_token_from_another_session_is_refused(client, logged_in_admin, app):
    other = app.test_client()
    foreign_token = csrf_token(other)
    response = client.post(
        "/users/new",
        data={"csrf_token": foreign_token, "full_name": "Mallory", "role": "admin",
              "email": "mallory@example.org", "password": "a long enough password"},
    )  # fmt: skip
    assert response.status_code == 400
    assert db.session.scalar(sa.select(User).where(User.email == "mallory@example.org")) is None
