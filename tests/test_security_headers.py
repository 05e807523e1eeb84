"""Security headers on every response, HSTS over HTTPS only, and the proxy set-up."""

from __future__ import annotations

import pytest
from flask import request

from exchange import create_app
from exchange.config import ConfigError, load_config
from exchange.core.permissions import public
from tests.helpers import login_as, make_config

EXPECTED = {
    "Content-Security-Policy": (
        "default-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'; "
        "object-src 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}


@pytest.mark.parametrize(
    "url", ["/", "/login", "/partners/", "/no-such-page", "/static/css/app.css", "/dashboard"]
)
def test_every_response_carries_the_security_headers(client, url):
    with client.get(url) as response:  # closes the static file
        headers = response.headers
    for name, value in EXPECTED.items():
        assert headers.get(name) == value, name
    assert "camera=()" in headers["Permissions-Policy"]
    assert "geolocation=()" in headers["Permissions-Policy"]


def test_logged_in_pages_carry_the_headers_and_are_not_cached(client, coordinator):
    login_as(client, coordinator)
    response = client.get("/dashboard")
    assert response.status_code == 200
    assert response.headers["Content-Security-Policy"] == EXPECTED["Content-Security-Policy"]
    assert response.headers["Cache-Control"] == "no-store"


def test_anonymous_public_pages_may_be_cached(client):
    assert "no-store" not in client.get("/partners/").headers.get("Cache-Control", "")


def test_strict_transport_security_only_over_https(client):
    assert "Strict-Transport-Security" not in client.get("/login").headers
    secure = client.get("/login", base_url="https://localhost")
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=")
    assert int(secure.headers["Strict-Transport-Security"].split("=")[1]) >= 15552000


def test_session_cookie_is_httponly_and_samesite_lax(client, coordinator):
    response = login_as(client, coordinator)
    cookie = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("session="))
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_production_cookies_are_secure(monkeypatch, tmp_path):
    monkeypatch.setenv("SECRET_KEY", "0123456789abcdef" * 4)
    config = load_config(tmp_path, "production")
    assert config.SESSION_COOKIE_SECURE is True
    assert config.SESSION_COOKIE_HTTPONLY is True
    assert config.SESSION_COOKIE_SAMESITE == "Lax"


# --- ProxyFix -------------------------------------------------------------------------------


def _app_behind_proxy(tmp_path, **settings):
    app = create_app(make_config(f"sqlite:///{tmp_path / 'proxy.db'}", tmp_path, **settings))

    @public
    def echo():
        return f"{request.remote_addr} {request.scheme}"

    app.add_url_rule("/_echo", view_func=echo)
    return app


FORWARDED = {"X-Forwarded-For": "198.51.100.7", "X-Forwarded-Proto": "https"}


def test_forwarded_headers_are_ignored_without_a_configured_proxy(tmp_path):
    app = _app_behind_proxy(tmp_path)
    response = app.test_client().get("/_echo", headers=FORWARDED)
    assert response.get_data(as_text=True) == "127.0.0.1 http"
    assert "Strict-Transport-Security" not in response.headers


def test_configured_proxy_gives_the_client_address_and_scheme(tmp_path):
    app = _app_behind_proxy(tmp_path, PROXY_FIX_X_FOR=1, PROXY_FIX_X_PROTO=1)
    response = app.test_client().get("/_echo", headers=FORWARDED)
    assert response.get_data(as_text=True) == "198.51.100.7 https"
    assert "Strict-Transport-Security" in response.headers


def test_proxy_settings_come_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("PROXY_FIX_X_FOR", "1")
    monkeypatch.setenv("PROXY_FIX_X_PROTO", "2")
    config = load_config(tmp_path, "development")
    assert (config.PROXY_FIX_X_FOR, config.PROXY_FIX_X_PROTO) == (1, 2)
    monkeypatch.delenv("PROXY_FIX_X_FOR")
    monkeypatch.delenv("PROXY_FIX_X_PROTO")
    config = load_config(tmp_path, "development")
    assert (config.PROXY_FIX_X_FOR, config.PROXY_FIX_X_PROTO) == (0, 0)


@pytest.mark.parametrize("value", ["yes", "-1", "1.5"])
def test_a_wrong_proxy_setting_is_a_clear_config_error(monkeypatch, tmp_path, value):
    monkeypatch.setenv("PROXY_FIX_X_FOR", value)
    with pytest.raises(ConfigError, match="PROXY_FIX_X_FOR"):
        load_config(tmp_path, "development")
