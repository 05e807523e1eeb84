"""Fixtures: an app per database backend, a clean database per test, factories, login helpers.

Every test runs on SQLite; it runs again on PostgreSQL when ``TEST_DATABASE_URL`` points to a
PostgreSQL server (each run creates its own database there and drops it afterwards). With
``REQUIRE_POSTGRES=1`` a missing PostgreSQL is a failure, not a skip.
"""

from __future__ import annotations

import contextlib
import contextvars
import os
import re
import uuid
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
import time_machine
from flask import Flask, has_app_context
from flask.testing import FlaskClient
from flask_migrate import upgrade

from exchange import create_app
from exchange.config import TestingConfig
from exchange.extensions import db, limiter
from tests import factories

BACKENDS = ("sqlite", "postgresql")

#: the instant every test runs at unless it travels elsewhere (``time_machine.travel``): a
#: Thursday morning in Olsztyn, so the suite gives the same result whatever the machine's date.
#: Time flows on from it (``tick``), so timestamps taken one after another still differ.
PINNED_NOW = datetime.fromisoformat("2026-05-14T09:30:00+02:00")


@pytest.hookimpl(wrapper=True)
def pytest_collection(session):
    """Collect at the pinned instant too, so a date computed in a ``parametrize`` agrees."""
    with time_machine.travel(PINNED_NOW, tick=True):
        return (yield)


@pytest.fixture(autouse=True)
def _pinned_clock(request) -> Iterator[None]:
    """Run every test at ``PINNED_NOW``, except the browser tests.

    The browser tests serve the app to a real Chromium, which keeps its own clock for cookie
    expiry: they run at the machine's time (try them under ``faketime``), on data made for it.
    """
    if request.node.get_closest_marker("browser") or request.node.get_closest_marker("real_clock"):
        yield
        return
    with time_machine.travel(PINNED_NOW, tick=True):
        yield


def postgres_server_url() -> str | None:
    url = os.environ.get("TEST_DATABASE_URL", "")
    return url if url.startswith("postgres") else None


@contextlib.contextmanager
def fresh_database(backend: str, tmp_dir: Path) -> Iterator[str]:
    """Yield the URL of a new, empty database; drop it afterwards."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_dir / f'test-{uuid.uuid4().hex[:8]}.db'}"
        return
    server_url = postgres_server_url()
    if server_url is None:
        if os.environ.get("REQUIRE_POSTGRES") == "1":
            pytest.fail("REQUIRE_POSTGRES=1 but TEST_DATABASE_URL names no PostgreSQL server")
        pytest.skip("PostgreSQL tests need TEST_DATABASE_URL=postgresql+psycopg://…")
    server = sa.make_url(server_url).set(drivername="postgresql+psycopg")
    name = f"exchange_test_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


class IsolatedClient(FlaskClient):
    """A test client whose every request runs in its own app context, as in production.

    Without this, a request would reuse the test's app context: its ``g`` (Flask-WTF caches
    the CSRF token there) and its database session (so a missing eager load would be hidden
    by objects the test already loaded). After the request the test's own transaction is
    ended (SQLite keeps a snapshot per transaction) and its objects expired, so the test reads
    what the request committed.
    """

    def open(self, *args, **kwargs):
        response = contextvars.Context().run(super().open, *args, **kwargs)
        if has_app_context():
            db.session.commit()
        return response


def make_config(database_url: str, instance_path: Path, **overrides) -> TestingConfig:
    config = TestingConfig(instance_path)
    config.SQLALCHEMY_DATABASE_URI = database_url
    for name, value in overrides.items():
        setattr(config, name, value)
    return config


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request) -> str:
    return request.param


@pytest.fixture(scope="session")
def app(backend, tmp_path_factory) -> Iterator[Flask]:
    tmp_dir = tmp_path_factory.mktemp(backend)
    with fresh_database(backend, tmp_dir) as url:
        app = create_app(make_config(url, tmp_dir))
        app.test_client_class = IsolatedClient
        with app.app_context():
            upgrade()  # the schema the migrations build, as in production
        yield app
        with app.app_context():
            db.engine.dispose()


@pytest.fixture(autouse=True)
def _clean_database(request) -> Iterator[None]:
    """Empty every table (and the login rate limits) after each test that used the database."""
    yield
    if "app" not in request.fixturenames:
        return
    app = request.getfixturevalue("app")
    with app.app_context():
        limiter.reset()
        db.session.remove()
        tables = list(reversed(db.metadata.sorted_tables))
        with db.engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                names = ", ".join(f'"{table.name}"' for table in tables)
                connection.exec_driver_sql(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
            else:
                for table in tables:
                    connection.execute(table.delete())


@pytest.fixture
def app_context(app) -> Iterator[None]:
    with app.app_context():
        yield
        db.session.remove()


@pytest.fixture
def client(app, app_context) -> FlaskClient:
    return app.test_client()


# --- helpers --------------------------------------------------------------------------------

CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


def csrf_token(client: FlaskClient) -> str:
    """The token of the client's session, read from the page layout as a browser would."""
    response = client.get("/partners/")
    match = CSRF_META.search(response.get_data(as_text=True))
    assert match, "the layout carries a CSRF token"
    return match.group(1)


def post_form(client: FlaskClient, url: str, data: dict | None = None, **kwargs):
    """POST a form with the session's CSRF token, as the browser would send it."""
    return client.post(url, data={"csrf_token": csrf_token(client), **(data or {})}, **kwargs)


def login_as(client: FlaskClient, user, password: str = factories.PASSWORD):
    response = post_form(client, "/login", {"email": user.email, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)
    return response


@pytest.fixture
def admin(app_context):
    return factories.user(role="admin", email="admin@example.org", full_name="Ada Admin")


@pytest.fixture
def coordinator(app_context):
    return factories.user(role="coordinator", email="coord@example.org", full_name="Cora Ord")


@pytest.fixture
def school_user(app_context):
    return factories.user(role="school", email="school@example.org", full_name="Sam School")


@pytest.fixture
def partners(app_context):
    from exchange.partners.services import seed_partners

    added = seed_partners()
    db.session.commit()
    return {partner.slug: partner for partner in added}


# --- the end of a run -----------------------------------------------------------------------


def pytest_terminal_summary(terminalreporter) -> None:
    """Skipped tests once, grouped by reason; a loud line when the browser tests did not run."""
    skipped = terminalreporter.stats.get("skipped", [])
    if not skipped:
        return
    reasons: dict[str, int] = {}
    browser_skipped = 0
    for report in skipped:
        reason = str(report.longrepr[2]) if isinstance(report.longrepr, tuple) else "?"
        reason = reason.removeprefix("Skipped: ")
        reasons[reason] = reasons.get(reason, 0) + 1
        if "browser" in report.keywords:
            browser_skipped += 1
    terminalreporter.write_sep("-", f"{len(skipped)} skipped")
    for reason, count in sorted(reasons.items(), key=lambda item: -item[1]):
        terminalreporter.write_line(f"{count:5d} × {reason}")
    if browser_skipped:
        terminalreporter.write_sep(
            "!",
            f"THE BROWSER TESTS DID NOT RUN ({browser_skipped} skipped): "
            "install Chromium (apt-get install chromium) or set REQUIRE_BROWSER=1 to fail instead",
            red=True,
            bold=True,
        )
