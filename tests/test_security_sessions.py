"""Sessions: kept on the server, so logging out ends every copy of the cookie; they end after a
working day idle and twelve hours after log-in; a new password ends the other ones."""

from __future__ import annotations

from datetime import timedelta
from email.utils import parsedate_to_datetime

import pytest
import sqlalchemy as sa
import time_machine

from exchange import clock
from exchange.auth.models import UserSession
from exchange.extensions import db
from tests import factories
from tests.helpers import login_as, post_form, reset_limits

NEW_PASSWORD = "a brand new passphrase"


@pytest.fixture(autouse=True)
def _reset_rate_limits(app):
    reset_limits()
    yield
    reset_limits()


def _logged_in(client) -> bool:
    return client.get("/dashboard").status_code == 200


def _sessions_of(user) -> list[UserSession]:
    return list(db.session.scalars(sa.select(UserSession).where(UserSession.user_id == user.id)))


def _sends_to_login(response) -> bool:
    return response.status_code == 302 and response.headers["Location"].startswith("/login")


# --- logging out ----------------------------------------------------------------------------


def test_a_cookie_copied_before_logout_opens_nothing_afterwards(client, app, school_user):
    pupil = factories.participant(school_user.institution)
    login_as(client, school_user)
    copied = client.get_cookie("session").value
    assert client.get(f"/participants/{pupil.id}/export.json").status_code == 200

    assert post_form(client, "/logout").status_code == 302

    thief = app.test_client()
    thief.set_cookie("session", copied)
    response = thief.get(f"/participants/{pupil.id}/export.json")
    assert _sends_to_login(response)
    assert pupil.last_name not in response.get_data(as_text=True)
    assert not _logged_in(thief)
    assert _sessions_of(school_user) == []


def test_the_cookie_holds_a_random_id_of_which_only_a_hash_is_stored(client, coordinator):
    login_as(client, coordinator)
    with client.session_transaction() as session:
        token = session["_user_id"]
    (stored,) = _sessions_of(coordinator)
    assert len(token) >= 40
    assert str(coordinator.id) != token
    assert token not in stored.token_hash
    assert len(stored.token_hash) == 64


def test_a_made_up_or_old_style_session_id_is_not_accepted(client, coordinator):
    login_as(client, coordinator)
    for forged in (str(coordinator.id), f"{coordinator.id}:0", "not-a-session"):
        with client.session_transaction() as session:
            session["_user_id"] = forged
        assert not _logged_in(client)
        login_as(client, coordinator)


def test_each_login_is_a_session_of_its_own(app, coordinator):
    first, second = app.test_client(), app.test_client()
    login_as(first, coordinator)
    login_as(second, coordinator)
    assert len(_sessions_of(coordinator)) == 2
    post_form(first, "/logout")
    assert not _logged_in(first)
    assert _logged_in(second)


# --- idle time and the absolute lifetime -----------------------------------------------------


def test_login_makes_a_session_cookie_that_lasts_a_working_day(client, coordinator):
    response = login_as(client, coordinator)
    cookie = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("session="))
    expires = next(part for part in cookie.split("; ") if part.startswith("Expires="))
    left = parsedate_to_datetime(expires.removeprefix("Expires=")) - clock.now()
    assert timedelta(hours=7, minutes=59) < left <= timedelta(hours=8)


def test_session_idle_for_more_than_eight_hours_is_logged_out(client, coordinator):
    login_as(client, coordinator)
    with time_machine.travel(clock.now() + timedelta(hours=8, seconds=5)):
        assert _sends_to_login(client.get("/dashboard"))
        assert not _logged_in(client)


def test_the_server_refuses_a_session_idle_too_long_even_with_a_fresh_cookie(client, coordinator):
    """The signed cookie carries its own expiry; the server checks its record as well."""
    login_as(client, coordinator)
    # the time of the last request is written at most once a minute: a minute is allowed
    db.session.execute(
        sa.update(UserSession).values(last_seen_at=clock.now() - timedelta(hours=8, seconds=30))
    )
    db.session.commit()
    assert _logged_in(client)
    db.session.execute(
        sa.update(UserSession).values(last_seen_at=clock.now() - timedelta(hours=8, minutes=1.1))
    )
    db.session.commit()
    assert _sends_to_login(client.get("/dashboard"))
    page = client.get("/login").get_data(as_text=True)
    assert "logged out after a long time without activity" in page
    assert not _logged_in(client)


def test_each_request_pushes_the_idle_limit_on(app, client, coordinator, monkeypatch):
    monkeypatch.setitem(app.config, "SESSION_ABSOLUTE_LIFETIME", timedelta(days=2))
    login_as(client, coordinator)
    start = clock.now()
    for hours in (7, 14, 21):  # each within eight hours of the one before
        with time_machine.travel(start + timedelta(hours=hours, minutes=59)):
            assert _logged_in(client)
    with time_machine.travel(start + timedelta(hours=29, minutes=59, seconds=30)):
        assert not _logged_in(client)


def test_a_session_ends_twelve_hours_after_login_however_busy(client, coordinator):
    login_as(client, coordinator)
    start = clock.now()
    for hour in range(1, 12):
        with time_machine.travel(start + timedelta(hours=hour)):
            assert _logged_in(client)
    with time_machine.travel(start + timedelta(hours=12, seconds=1)):
        response = client.get("/dashboard")
        assert _sends_to_login(response)
        page = client.get("/login").get_data(as_text=True)
        assert "Your session ended 12 hours after you logged in." in page


def test_the_absolute_lifetime_comes_from_the_settings(app, client, coordinator, monkeypatch):
    monkeypatch.setitem(app.config, "SESSION_ABSOLUTE_LIFETIME", timedelta(hours=2))
    login_as(client, coordinator)
    with time_machine.travel(clock.now() + timedelta(hours=2, seconds=1)):
        assert not _logged_in(client)


def _updates_of_sessions(client, urls) -> int:
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        for url in urls:
            assert client.get(url).status_code == 200
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)
    return sum(statement.startswith("UPDATE user_session") for statement in statements)


def test_the_time_of_the_last_request_is_written_at_most_once_a_minute(client, coordinator):
    login_as(client, coordinator)
    with time_machine.travel(clock.now() + timedelta(seconds=30), tick=False):
        assert _updates_of_sessions(client, ["/dashboard", "/partners/", "/dashboard"]) == 0
    later = clock.now() + timedelta(minutes=5)
    with time_machine.travel(later, tick=False):
        assert _updates_of_sessions(client, ["/dashboard", "/partners/", "/dashboard"]) == 1
        (stored,) = _sessions_of(coordinator)
        assert stored.last_seen_at == later


def test_many_sessions_noted_at_once_answer_every_request(app, app_context):
    """Ten people's pages at the same moment, each writing the time of their last request,
    each in its own database connection: none answers 503. On SQLite the write used to be
    refused at once when another request had committed since this one began reading."""
    import threading

    users = [factories.user(role="coordinator") for _ in range(10)]
    clients = []
    for user in users:
        client = app.test_client()
        login_as(client, user)
        clients.append(client)
    db.session.remove()
    start = threading.Barrier(len(clients))
    statuses: list[int] = []

    def open_page(client) -> None:
        with app.app_context():
            start.wait(timeout=30)
            statuses.append(client.get("/partners/").status_code)
            db.session.remove()

    with time_machine.travel(clock.now() + timedelta(minutes=5), tick=True):
        threads = [threading.Thread(target=open_page, args=(client,)) for client in clients]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
    assert statuses == [200] * len(clients)
    with app.app_context():
        noted = db.session.scalars(sa.select(UserSession.last_seen_at)).all()
        assert all(moment > clock.now() + timedelta(minutes=4) for moment in noted)


def test_ended_sessions_are_deleted_at_the_next_login(app, coordinator, admin):
    login_as(app.test_client(), coordinator)
    login_as(app.test_client(), coordinator)
    with time_machine.travel(clock.now() + timedelta(hours=9)):
        login_as(app.test_client(), admin)
        assert _sessions_of(coordinator) == []
        assert len(_sessions_of(admin)) == 1


def test_anonymise_deletes_ended_sessions(app, coordinator):
    login_as(app.test_client(), coordinator)
    with time_machine.travel(clock.now() + timedelta(hours=13)):
        result = app.test_cli_runner().invoke(args=["anonymise"])
        assert result.exit_code == 0, result.output
        assert "Deleted 1 ended log-in session" in result.output
        assert _sessions_of(coordinator) == []


def test_deactivating_a_user_ends_their_open_sessions(client, app, admin, coordinator):
    login_as(client, coordinator)
    login_as(app.test_client(), coordinator)
    other = app.test_client()
    login_as(other, admin)
    assert post_form(other, f"/users/{coordinator.id}/active", {"active": "0"}).status_code == 302
    assert not _logged_in(client)
    assert _sessions_of(coordinator) == []
    assert post_form(other, f"/users/{coordinator.id}/active", {"active": "1"}).status_code == 302
    assert not _logged_in(client)  # coming back does not bring old sessions back


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
    assert len(_sessions_of(coordinator)) == 1
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


# --- the "Active sessions" page -------------------------------------------------------------

FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0"
SAFARI_IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
)


def _login_from(app, user, agent: str, address: str):
    visitor = app.test_client()
    visitor.environ_base.update({"HTTP_USER_AGENT": agent, "REMOTE_ADDR": address})
    login_as(visitor, user)
    return visitor


def test_the_account_menu_links_to_the_sessions_page(client, coordinator):
    login_as(client, coordinator)
    page = client.get("/dashboard").get_data(as_text=True)
    assert 'href="/account/sessions">Active sessions</a>' in page


def test_the_page_lists_where_the_user_is_logged_in(app, coordinator, admin):
    office = _login_from(app, coordinator, FIREFOX, "192.0.2.10")
    _login_from(app, coordinator, SAFARI_IPHONE, "198.51.100.20")
    _login_from(app, admin, FIREFOX, "203.0.113.30")
    page = office.get("/account/sessions").get_data(as_text=True)
    assert "<h1>Active sessions</h1>" in page
    assert page.count('<th scope="row">') == 2  # the admin's session is not listed
    assert 'Firefox · Windows <span class="badge">This device</span>' in page
    assert "Safari · iOS</th>" in page
    assert "192.0.2.10" in page
    assert "198.51.100.20" in page
    assert "203.0.113.30" not in page


def test_log_out_everywhere_else_keeps_only_this_session(app, coordinator):
    here = _login_from(app, coordinator, FIREFOX, "192.0.2.10")
    phone = _login_from(app, coordinator, SAFARI_IPHONE, "198.51.100.20")
    tablet = _login_from(app, coordinator, SAFARI_IPHONE, "198.51.100.21")
    response = post_form(here, "/account/sessions/end-others")
    assert response.headers["Location"] == "/account/sessions"
    assert "2 other sessions are ended." in here.get("/account/sessions").get_data(as_text=True)
    assert _logged_in(here)
    assert not _logged_in(phone)
    assert not _logged_in(tablet)
    assert len(_sessions_of(coordinator)) == 1


def test_one_other_session_can_be_logged_out(app, coordinator):
    here = _login_from(app, coordinator, FIREFOX, "192.0.2.10")
    phone = _login_from(app, coordinator, SAFARI_IPHONE, "198.51.100.20")
    tablet = _login_from(app, coordinator, SAFARI_IPHONE, "198.51.100.21")
    phone_session = next(s for s in _sessions_of(coordinator) if s.ip_address == "198.51.100.20")
    response = post_form(here, f"/account/sessions/{phone_session.id}/end")
    assert response.status_code == 302
    assert not _logged_in(phone)
    assert _logged_in(tablet)
    assert _logged_in(here)


def test_logging_out_this_session_from_the_page_is_a_logout(app, coordinator):
    here = _login_from(app, coordinator, FIREFOX, "192.0.2.10")
    this_session = _sessions_of(coordinator)[0]
    response = post_form(here, f"/account/sessions/{this_session.id}/end")
    assert response.headers["Location"] == "/"
    assert not _logged_in(here)
    assert _sessions_of(coordinator) == []


def test_another_users_session_cannot_be_logged_out(app, coordinator, admin):
    admin_client = _login_from(app, admin, FIREFOX, "192.0.2.10")
    here = _login_from(app, coordinator, FIREFOX, "192.0.2.11")
    admin_session = _sessions_of(admin)[0]
    assert post_form(here, f"/account/sessions/{admin_session.id}/end").status_code == 404
    assert _logged_in(admin_client)


@pytest.mark.parametrize(
    ("agent", "device"),
    [
        (FIREFOX, "Firefox · Windows"),
        (SAFARI_IPHONE, "Safari · iOS"),
        (
            "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/126.0.0.0 Safari/537.36",
            "Chrome · Linux",
        ),
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/126.0.0.0 Safari/537.36 Edg/126.0.0.0",
            "Edge · Windows",
        ),
        ("curl/8.5.0", ""),
        ("", ""),
    ],
)
def test_devices_are_named_by_browser_and_system(agent, device):
    from exchange.auth.sessions import describe_device

    assert describe_device(agent) == device
