"""Failed log-ins are limited per account and per client address; 429 has a clear page."""

from __future__ import annotations

import pytest

from exchange.extensions import limiter
from tests import factories
from tests.helpers import login_as, post_form


@pytest.fixture(autouse=True)
def _reset_rate_limits(app):
    limiter.reset()
    yield
    limiter.reset()


WRONG_PASSWORD = "wrong password"


def _login(client, email, password=WRONG_PASSWORD, address="192.0.2.10"):
    return post_form(
        client,
        "/login",
        {"email": email, "password": password},
        environ_base={"REMOTE_ADDR": address},
    )


def test_sixth_failure_for_an_account_within_a_minute_answers_429(client, coordinator):
    for _ in range(5):
        assert _login(client, coordinator.email).status_code == 401
    response = _login(client, coordinator.email, password=factories.PASSWORD)
    assert response.status_code == 429
    page = response.get_data(as_text=True)
    assert "<h1>Too many requests</h1>" in page
    assert "wait a minute, then try again" in page
    assert 0 < int(response.headers["Retry-After"]) <= 60
    assert client.get("/dashboard").status_code == 302  # not logged in


def test_account_limit_holds_from_other_addresses_and_spellings(client, coordinator):
    for number in range(5):
        assert _login(client, coordinator.email, address=f"192.0.2.{number}").status_code == 401
    spelled = f"  {coordinator.email.upper()} "
    assert _login(client, spelled, address="198.51.100.1").status_code == 429


def test_other_accounts_are_not_affected(client, coordinator, admin):
    for number in range(5):
        _login(client, coordinator.email, address=f"192.0.2.{number}")
    assert _login(client, admin.email, password=factories.PASSWORD).status_code == 302


def test_successful_logins_do_not_count(client, coordinator):
    for _ in range(8):
        login_as(client, coordinator)
        post_form(client, "/logout")
    assert _login(client, coordinator.email).status_code == 401


def test_failures_from_one_address_are_limited_across_accounts(client, coordinator):
    for number in range(20):
        assert _login(client, f"nobody{number}@example.org").status_code == 401
    response = _login(client, coordinator.email, password=factories.PASSWORD)
    assert response.status_code == 429
    assert _login(client, coordinator.email, factories.PASSWORD, "192.0.2.99").status_code == 302


def test_login_page_itself_is_never_limited(client, coordinator):
    for _ in range(6):
        _login(client, coordinator.email)
    assert client.get("/login").status_code == 200


def test_limits_come_from_the_settings(app, client, coordinator, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_RATE_LIMIT_PER_ACCOUNT", "2 per minute")
    for _ in range(2):
        assert _login(client, coordinator.email).status_code == 401
    assert _login(client, coordinator.email).status_code == 429


def test_wrong_current_password_on_the_change_page_is_limited(client, coordinator):
    login_as(client, coordinator)
    data = {"password": "a brand new passphrase", "confirm": "a brand new passphrase"}
    for _ in range(5):
        response = post_form(client, "/account/password", {**data, "current_password": "wrong"})
        assert response.status_code == 422
    response = post_form(
        client, "/account/password", {**data, "current_password": factories.PASSWORD}
    )
    assert response.status_code == 429


def test_password_reset_requests_are_limited_per_account(client, coordinator):
    for _ in range(3):
        response = post_form(client, "/password/forgot", {"email": coordinator.email})
        assert response.status_code == 302
    response = post_form(client, "/password/forgot", {"email": coordinator.email})
    assert response.status_code == 429


def test_the_storage_comes_from_the_environment(monkeypatch, tmp_path):
    from exchange.config import load_config

    monkeypatch.delenv("RATELIMIT_STORAGE_URI", raising=False)
    assert load_config(tmp_path, "development").RATELIMIT_STORAGE_URI == "memory://"
    monkeypatch.setenv("RATELIMIT_STORAGE_URI", "redis://cache.example:6379/0")
    config = load_config(tmp_path, "development")
    assert config.RATELIMIT_STORAGE_URI == "redis://cache.example:6379/0"
