from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from flask import Flask, abort

from exchange import create_app
from exchange.core.permissions import public
from exchange.extensions import db
from exchange.partners.models import PartnerCity
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


# --- every path answers 503 when the database does not --------------------------------------


def test_a_form_without_its_token_with_the_database_down_answers_503(app_without_database):
    """The refused token is recorded in the audit log, which is in the database."""
    client = app_without_database.test_client()
    for url, data in (("/login", {"email": "a@example.org"}), ("/language", {"language": "pl"})):
        response = client.post(url, data=data)
        assert response.status_code == 503, url
        assert "The database does not answer." in response.get_data(as_text=True)


def test_an_unknown_page_for_a_logged_in_user_with_the_database_down_answers_503(
    client, coordinator, app_without_database
):
    """The 404 page's layout asks the database for the user in the header."""
    login_as(client, coordinator)
    browser = app_without_database.test_client()
    browser.set_cookie("session", client.get_cookie("session").value)
    for url in ("/no-such-page", "/participants/2147483648", "/exchanges/abc"):
        response = browser.get(url)
        assert response.status_code == 503, url
        assert "The database does not answer." in response.get_data(as_text=True)


def _cut_the_connection(backend: str) -> None:
    """What a database that stops in the middle of a request does to the request's
    connection: PostgreSQL ends the server process, SQLite's file handle is closed."""
    connection = db.session.connection()
    if backend == "postgresql":
        pid = connection.exec_driver_sql("SELECT pg_backend_pid()").scalar()
        killer = sa.create_engine(db.engine.url, isolation_level="AUTOCOMMIT")
        with killer.connect() as other:
            other.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        killer.dispose()
    else:
        connection.connection.dbapi_connection.close()


@pytest.fixture
def app_losing_its_database(app, backend, tmp_path) -> Iterator[Flask]:
    """The suite's database, with views that lose their connection half-way (as when the
    database stops while they run) and then query, commit, fail or answer 404."""
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    broken = create_app(make_config(url, tmp_path, PROPAGATE_EXCEPTIONS=False))
    broken.test_client_class = IsolatedClient

    @broken.get("/in-flight/<what>")
    @public
    def in_flight(what: str):
        db.session.execute(sa.text("SELECT 1"))
        _cut_the_connection(backend)
        if what == "query":
            db.session.execute(sa.text("SELECT 1"))
        elif what == "commit":
            db.session.add(PartnerCity(name="Lost", slug="lost", country="DE", year_signed=1990))
            db.session.commit()
        elif what == "error":
            raise RuntimeError("a bug, while the database was going away")
        elif what == "not-found":
            abort(404)
        return "unreachable"

    yield broken
    with broken.app_context():
        db.engine.dispose()


@pytest.mark.parametrize(
    ("what", "status"), [("query", 503), ("commit", 503), ("error", 503), ("not-found", 404)]
)
def test_a_request_whose_connection_dies_in_flight_is_answered(
    app_losing_its_database, what, status
):
    client = app_losing_its_database.test_client()
    response = client.get(f"/in-flight/{what}")
    assert response.status_code == status
    if status == 503:
        assert "The database does not answer." in response.get_data(as_text=True)
    # and the next request gets a working connection
    assert client.get("/healthz").status_code == 200
