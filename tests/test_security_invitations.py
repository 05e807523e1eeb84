"""Invitation links set an account's first password, so they are made only for accounts that
have never had one: otherwise whoever makes the link could take the account over."""

from __future__ import annotations

import re

import sqlalchemy as sa

from exchange.auth import services
from exchange.auth.models import Invitation
from exchange.extensions import db
from tests import factories
from tests.helpers import login_as, post_form

LINK = re.compile(r'value="http://localhost(/invitation/[^"]+)"')
NEW_PASSWORD = "the coordinator's own password"


def _invitations() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Invitation))


def test_a_coordinator_cannot_take_over_an_active_school_account(app, client, coordinator):
    school = factories.user(role="school", full_name="Sam School")
    owner = app.test_client()
    login_as(owner, school)
    login_as(client, coordinator)

    response = post_form(client, f"/school-accounts/{school.id}/invitation")

    assert response.status_code == 302
    assert response.headers["Location"] == "/school-accounts/"
    page = client.get("/school-accounts/").get_data(as_text=True)
    assert "Sam School has already set a password, so no invitation link can be made" in page
    assert "/invitation/" not in page
    assert _invitations() == 0
    assert owner.get("/dashboard").status_code == 200  # the owner is still logged in
    login_as(app.test_client(), school)  # and the password is theirs


def test_an_admin_cannot_make_a_link_for_an_account_with_a_password_either(client, admin):
    coordinator = factories.user(role="coordinator")
    login_as(client, admin)
    response = post_form(client, f"/school-accounts/{coordinator.id}/invitation")
    assert response.headers["Location"] == "/users/"
    assert _invitations() == 0


def test_an_account_that_never_set_a_password_gets_a_new_link(app, client, coordinator):
    school = factories.user(role="school", password=None)
    login_as(client, coordinator)
    response = post_form(client, f"/school-accounts/{school.id}/invitation")
    assert response.status_code == 200
    path = LINK.search(response.get_data(as_text=True)).group(1)
    invited = app.test_client()
    response = post_form(invited, path, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 302
    assert invited.get("/dashboard").status_code == 200


def test_a_link_stops_working_once_the_account_has_a_password(client, coordinator, admin):
    school = factories.user(role="school", password=None)
    token = services.invite(school, by=coordinator)
    db.session.commit()
    assert client.get(f"/invitation/{token}").status_code == 200
    services.set_password(school, "a password the school chose")
    db.session.commit()
    assert client.get(f"/invitation/{token}").status_code == 404
    response = post_form(client, f"/invitation/{token}", {"password": NEW_PASSWORD,
                                                          "confirm": NEW_PASSWORD})  # fmt: skip
    assert response.status_code == 404


def test_the_page_offers_new_links_only_to_accounts_without_a_password(client, coordinator):
    with_password = factories.user(role="school", full_name="Has Password")
    without = factories.user(role="school", full_name="No Password", password=None)
    login_as(client, coordinator)
    page = client.get("/school-accounts/").get_data(as_text=True)
    assert f'action="/school-accounts/{without.id}/invitation"' in page
    assert f'action="/school-accounts/{with_password.id}/invitation"' not in page
