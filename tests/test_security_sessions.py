"""Sessions: they expire after a working day idle, and a new password ends the other ones."""

from __future__ import annotations

from datetime import timedelta
from email.utils import parsedate_to_datetime

import pytest

from exchange import clock
from exchange.auth.models import User
from exchange.auth.sessions import LAST_SEEN
from exchange.extensions import db, limiter
from tests import factories
from tests.helpers import login_as, post_form

NEW_PASSWORD = "a brand new passphrase"


@pytest.fixture(autouse=True)
def _reset_rate_limits(app):
    limiter.reset()
    yield
    limiter.reset()


def _logged_in(client) -> bool:
    return client.get("/dashboard").status_code == 200


# --- idle time ------------------------------------------------------------------------------


def test_login_makes_a_session_cookie_that_lasts_a_working_day(client, coordinator):
    response = login_as(client, coordinator)
    cookie = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("session="))
    expires = next(part for part in cookie.split("; ") if part.startswith("Expires="))
    left = parsedate_to_datetime(expires.removeprefix("Expires=")) - clock.now()
    assert timedelta(hours=7, minutes=59) < left <= timedelta(hours=8)


def test_session_idle_for_more_than_eight_hours_is_logged_out(client, coordinator):
    login_as(client, coordinator)
    with client.session_transaction() as session:
        session[LAST_SEEN] = clock.timestamp() - 8 * 3600 - 5
    response = client.get("/dashboard")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")
    page = client.get("/login").get_data(as_text=True)
    assert "logged out after a long time without activity" in page
    assert not _logged_in(client)


def test_each_request_pushes_the_idle_limit_on(client, coordinator):
    login_as(client, coordinator)
    with client.session_transaction() as session:
        session[LAST_SEEN] = clock.timestamp() - 7 * 3600
    assert _logged_in(client)
    with client.session_transaction() as session:
        assert session[LAST_SEEN] >= clock.timestamp() - 5
        assert session.permanent


def test_session_without_a_last_request_time_is_not_accepted(client, coordinator):
    login_as(client, coordinator)
    with client.session_transaction() as session:
        del session[LAST_SEEN]
    assert not _logged_in(client)


def test_session_id_without_a_version_is_not_accepted(client, coordinator):
    login_as(client, coordinator)
    with client.session_transaction() as session:
        session["_user_id"] = str(coordinator.id)  # a cookie from before session versions
    assert not _logged_in(client)


def test_deactivating_a_user_ends_their_open_session(client, app, admin, coordinator):
    login_as(client, coordinator)
    other = app.test_client()
    login_as(other, admin)
    assert post_form(other, f"/users/{coordinator.id}/active", {"active": "0"}).status_code == 302
    assert not _logged_in(client)


# --- changing one's own password ------------------------------------------------------------


def _change(client, current=factories.PASSWORD, new=NEW_PASSWORD, confirm=None):
    return post_form(
        client,
        "/account/password",
        {"current_password": current, "password": new, "confirm": confirm or new},
    )


@pytest.mark.parametrize("role", ["admin", "coordinator", "school"])
def test_every_user_has_a_change_password_page(client, role):
    login_as(client, factories.user(role=role))
    page = client.get("/account/password").get_data(as_text=True)
    assert "<h1>Change my password</h1>" in page
    assert '<label for="current_password">Current password</label>' in page
    assert '<label for="password">New password</label>' in page
    assert '<label for="confirm">Repeat the new password</label>' in page


def test_change_password_needs_login(client):
    response = client.get("/account/password")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_changing_the_password_keeps_this_session_and_ends_the_others(app, coordinator):
    here, elsewhere = app.test_client(), app.test_client()
    login_as(here, coordinator)
    login_as(elsewhere, coordinator)

    response = _change(here)
    assert response.status_code == 302
    assert "Your password is changed" in here.get(response.headers["Location"]).get_data(
        as_text=True
    )
    assert _logged_in(here)
    assert not _logged_in(elsewhere)

    fresh = app.test_client()
    assert (
        post_form(fresh, "/login", {"email": coordinator.email, "password": factories.PASSWORD})
    ).status_code == 401
    login_as(fresh, coordinator, password=NEW_PASSWORD)


def test_wrong_current_password_is_refused_next_to_its_field(client, coordinator):
    login_as(client, coordinator)
    response = _change(client, current="not my password at all")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert '<p class="error" id="current_password-error">The current password is wrong.</p>' in page
    login_as(client.application.test_client(), coordinator)  # the old password still works


def test_new_password_must_follow_the_rules_and_be_repeated(client, coordinator):
    login_as(client, coordinator)
    assert _change(client, new="short").status_code == 422
    assert _change(client, confirm="something else entirely").status_code == 422
    response = _change(client, new="Password1234")
    assert response.status_code == 422
    assert "most common passwords" in response.get_data(as_text=True)
    user = db.session.get(User, coordinator.id)
    assert user.session_version == 0
    assert _logged_in(client)


def test_admin_setting_a_password_ends_that_users_sessions(app, admin, coordinator):
    admin_client, coordinator_client = app.test_client(), app.test_client()
    login_as(admin_client, admin)
    login_as(coordinator_client, coordinator)
    response = post_form(
        admin_client,
        f"/users/{coordinator.id}/edit",
        {
            "full_name": coordinator.full_name,
            "email": coordinator.email,
            "role": "coordinator",
            "password": NEW_PASSWORD,
        },
    )
    assert response.status_code == 302
    assert not _logged_in(coordinator_client)
    assert _logged_in(admin_client)


def test_admin_setting_their_own_password_stays_logged_in(app, admin):
    here, elsewhere = app.test_client(), app.test_client()
    login_as(here, admin)
    login_as(elsewhere, admin)
    response = post_form(
        here,
        f"/users/{admin.id}/edit",
        {"full_name": admin.full_name, "email": admin.email, "role": "admin",
         "password": NEW_PASSWORD},
    )  # fmt: skip
    assert response.status_code == 302
    assert _logged_in(here)
    assert not _logged_in(elsewhere)
