"""Failed log-ins are limited per account and per client address; 429 has a clear page.

The account's limit counts per client address (a stranger who uses it up does not lock out the
owner, who logs in from elsewhere) under a higher cap for all addresses together; the keys are
read from the parsed form, and a body that is not a form is refused without being read.
"""

from __future__ import annotations

import json

import pytest

from tests import factories
from tests.helpers import csrf_token, login_as, post_form, reset_limits


@pytest.fixture(autouse=True)
def _reset_rate_limits(app):
    reset_limits()
    yield
    reset_limits()


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


def test_account_limit_holds_for_other_spellings_of_the_address(client, coordinator):
    for _ in range(5):
        assert _login(client, coordinator.email).status_code == 401
    spelled = f"  {coordinator.email.upper()} "
    assert _login(client, spelled, password=factories.PASSWORD).status_code == 429


def test_a_stranger_who_used_up_the_tries_does_not_lock_the_owner_out(app, client, coordinator):
    for _ in range(5):
        assert _login(client, coordinator.email, address="203.0.113.66").status_code == 401
    assert _login(client, coordinator.email, address="203.0.113.66").status_code == 429
    owner = app.test_client()
    response = _login(owner, coordinator.email, factories.PASSWORD, address="198.51.100.7")
    assert response.status_code == 302
    assert owner.get("/dashboard").status_code == 200


def test_all_addresses_together_have_a_cap_per_account(app, client, coordinator, monkeypatch):
    assert app.config["LOGIN_RATE_LIMIT_PER_ACCOUNT_GLOBAL"] == "50 per hour"
    monkeypatch.setitem(app.config, "LOGIN_RATE_LIMIT_PER_ACCOUNT_GLOBAL", "8 per hour")
    for number in range(8):  # two addresses, four tries each: under the per-address limit
        assert _login(client, coordinator.email, address=f"192.0.2.{number % 2}").status_code == 401
    response = _login(client, coordinator.email, factories.PASSWORD, address="198.51.100.7")
    assert response.status_code == 429


def _json_login(client, email, password, address="192.0.2.10"):
    return client.post(
        "/login",
        data=json.dumps({"email": email, "password": password}),
        content_type="application/json",
        headers={"X-CSRFToken": csrf_token(client)},
        environ_base={"REMOTE_ADDR": address},
    )


def test_a_json_body_is_refused_and_gets_no_extra_guesses(client, coordinator):
    for _ in range(5):
        assert _login(client, coordinator.email).status_code == 401
    for password in ("another guess", factories.PASSWORD):
        response = _json_login(client, coordinator.email, password)
        assert response.status_code == 415
        assert "Only forms can be sent here" in response.get_data(as_text=True)
    assert client.get("/dashboard").status_code == 302
    assert _login(client, coordinator.email, factories.PASSWORD).status_code == 429


def test_a_json_body_cannot_log_in_even_with_the_right_password(client, coordinator):
    assert _json_login(client, coordinator.email, factories.PASSWORD).status_code == 415
    assert client.get("/dashboard").status_code == 302


@pytest.mark.parametrize("url", ["/password/forgot", "/language", "/account/password"])
def test_other_forms_refuse_bodies_that_are_not_forms(client, coordinator, url):
    login_as(client, coordinator)
    for content_type, body in [
        ("application/json", json.dumps({"email": coordinator.email, "language": "pl"})),
        ("text/plain", "email=" + coordinator.email),
        ("application/xml", "<email>x</email>"),
    ]:
        response = client.post(
            url,
            data=body,
            content_type=content_type,
            headers={"X-CSRFToken": csrf_token(client)},
        )
        assert response.status_code == 415, (url, content_type)


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


def test_the_key_prefix_comes_from_the_environment(monkeypatch, tmp_path):
    """One Redis may count for several sites (or test runs): each under its own prefix."""
    from exchange.config import load_config

    monkeypatch.delenv("RATELIMIT_KEY_PREFIX", raising=False)
    assert load_config(tmp_path, "development").RATELIMIT_KEY_PREFIX == "exchange"
    monkeypatch.setenv("RATELIMIT_KEY_PREFIX", "exchange-staging")
    assert load_config(tmp_path, "development").RATELIMIT_KEY_PREFIX == "exchange-staging"
