"""Fixtures: an app per database backend, a clean database per test, factories, login helpers.

Every test runs on SQLite; it runs again on PostgreSQL when ``TEST_DATABASE_URL`` points to a
PostgreSQL server (each run creates its own database there and drops it afterwards). With
``REQUIRE_POSTGRES=1`` a missing PostgreSQL is a failure, not a skip.
"""

from __future__ import annotations

import os
import select
import sys
import time
from collections.abc import Iterator
from datetime import datetime

import pytest
import time_machine
from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade

from exchange import create_app
from exchange.extensions import db
from tests import factories
from tests.helpers import IsolatedClient, fresh_database, make_config, reset_limits
from tests.smtp_server import smtp_server  # noqa: F401 (a fixture: a real SMTP server)

BACKENDS = ("sqlite", "postgresql")

#: the instant every test runs at unless it travels elsewhere (``time_machine.travel``): a
#: Thursday morning in Olsztyn, so the suite gives the same result whatever the machine's date.
#: Time flows on from it (``tick``), so timestamps taken one after another still differ.
PINNED_NOW = datetime.fromisoformat("2026-05-14T09:30:00+02:00")


def _sleep_by_select(seconds: float) -> None:
    select.select([], [], [], max(seconds, 0))


@pytest.fixture(autouse=True, scope="session")
def _sleep_under_faketime() -> Iterator[None]:
    """Under libfaketime (a run of the suite at another date), ``time.sleep`` fails with EINVAL:
    libfaketime 0.9.10 breaks ``clock_nanosleep`` when it leaves the monotonic clock alone. The
    subprocess module sleeps while it waits for a child; sleep with ``select`` instead."""
    if "faketime" not in os.environ.get("LD_PRELOAD", ""):
        yield
        return
    original, time.sleep = time.sleep, _sleep_by_select
    try:
        yield
    finally:
        time.sleep = original


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
        reset_limits()
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
    """Skipped tests once, grouped by reason; a loud line when the browser tests did not run;
    the fuzzer's count of requests and statuses when it ran."""
    fuzz = sys.modules.get("tests.test_fuzz")
    if fuzz is not None and fuzz.STATUSES:
        statuses = ", ".join(f"{code}: {n}" for code, n in sorted(fuzz.STATUSES.items()))
        terminalreporter.write_sep(
            "-", f"fuzz: {sum(fuzz.STATUSES.values())} requests, {fuzz.STATUSES[500]} answered 500"
        )
        terminalreporter.write_line(f"statuses: {statuses}")
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
