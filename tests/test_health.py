from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask

from exchange import create_app
from exchange.extensions import db
from tests.helpers import IsolatedClient, login_as, make_config

#: nothing listens on port 1: every connection is refused at once
UNREACHABLE_DATABASE = "postgresql+psycopg://nobody@127.0.0.1:1/none"


@pytest.fixture
def app_without_database(tmp_path) -> Iterator[Flask]:
    app = create_app(make_config(UNREACHABLE_DATABASE, tmp_path))
    app.test_client_class = IsolatedClient
    yield app
    with app.app_context():
        db.engine.dispose()


def test_health_check_reports_app_and_database_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.is_json
    assert response.get_json() == {"app": "ok", "database": "ok"}


def test_health_check_reports_an_unreachable_database_with_503(app_without_database):
    response = app_without_database.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.is_json
    assert response.get_json()["database"] == "unavailable"
    assert response.get_json()["app"] != "ok"


@pytest.mark.parametrize("url", ["/", "/partners/", "/partners/rovaniemi"])
def test_page_with_the_database_down_says_so_without_a_traceback(app_without_database, url):
    response = app_without_database.test_client().get(url)
    assert response.status_code == 503
    assert response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert "<h1>The service is unavailable</h1>" in page
    assert "The database does not answer. Please try again in a moment." in page
    for leak in ("Traceback", "OperationalError", "psycopg", "127.0.0.1", "nobody"):
        assert leak not in page


def test_logged_in_user_with_the_database_down_gets_the_same_page(
    client, coordinator, app_without_database
):
    login_as(client, coordinator)
    session_cookie = client.get_cookie("session").value
    # the same user's browser, after the database went away (both apps share the secret key)
    browser = app_without_database.test_client()
    browser.set_cookie("session", session_cookie)
    response = browser.get("/dashboard")
    assert response.status_code == 503
    page = response.get_data(as_text=True)
    assert "The database does not answer." in page
    assert "Traceback" not in page


def test_login_with_the_database_down_answers_503(app_without_database):
    client = app_without_database.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = page.split('name="csrf-token" content="', 1)[1].split('"', 1)[0]
    response = client.post(
        "/login",
        data={"csrf_token": token, "email": "a@example.org", "password": "long enough pass"},
    )
    assert response.status_code == 503
    assert "The database does not answer." in response.get_data(as_text=True)
