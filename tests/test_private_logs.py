"""Nothing personal and no secret reaches a log, even when things go wrong.

A child's name, date of birth, phone, e-mail, medical note and guardian are planted, then the
requests that write them fail in the database (a constraint the test adds refuses them: on
PostgreSQL the error's message repeats the failing row), the database goes away, and pages
that show them are read — with every logger at DEBUG, SQLAlchemy's included. None of the values
may appear in any log record. The tokens of one-time links are left out of the access logs of
werkzeug's development server and of gunicorn.
"""

from __future__ import annotations

import logging
import os
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from werkzeug.serving import make_server

from exchange import create_app
from exchange.auth import services as auth_services
from exchange.exchanges import subscriptions
from exchange.extensions import db
from tests import factories
from tests.helpers import IsolatedClient, login_as, make_config, post_form

PROJECT_ROOT = Path(__file__).resolve().parent.parent
#: what a log writes instead of a one-time link's token
REDACTED = "[token]"

EDIT = {
    "first_name": "Zuzanna",
    "last_name": "Wierzbowska-Quist",
    "date_of_birth": "2012-03-17",
    "gender": "female",
    "country": "PL",
    "role": "pupil",
    "email": "zuzanna.quist@example.org",
    "phone": "+48 601 234 567",
    "emergency_contact_name": "Halina Quist",
    "emergency_contact_phone": "+48 602 765 432",
    "dietary_notes": "No gluten, ever",
    "medical_notes": "Peanut allergy: EpiPen in the front pocket",
}
GUARDIAN = "Bożydar Quistowski"
#: what must not be in any log line, in any of the forms a value takes there
SECRETS = (
    "Zuzanna",
    "Quist",
    "2012-03-17",
    "2012, 3, 17",
    "601 234 567",
    "602 765 432",
    "zuzanna.quist",
    "gluten",
    "EpiPen",
    "Bożydar",
)

PLANTED = {
    "postgresql": (
        "ALTER TABLE participant ADD CONSTRAINT ck_planted_failure "
        "CHECK (medical_notes NOT LIKE '%EpiPen%')",
        "ALTER TABLE consent_record ADD CONSTRAINT ck_planted_failure "
        "CHECK (guardian_name NOT LIKE 'Bożydar%')",
    ),
    "sqlite": (
        "CREATE TRIGGER planted_failure_participant BEFORE UPDATE ON participant "
        "WHEN NEW.medical_notes LIKE '%EpiPen%' BEGIN SELECT RAISE(ABORT, 'planted'); END",
        "CREATE TRIGGER planted_failure_consent BEFORE INSERT ON consent_record "
        "WHEN NEW.guardian_name LIKE 'Bożydar%' BEGIN SELECT RAISE(ABORT, 'planted'); END",
    ),
}
UNPLANTED = {
    "postgresql": (
        "ALTER TABLE participant DROP CONSTRAINT ck_planted_failure",
        "ALTER TABLE consent_record DROP CONSTRAINT ck_planted_failure",
    ),
    "sqlite": (
        "DROP TRIGGER planted_failure_participant",
        "DROP TRIGGER planted_failure_consent",
    ),
}


@pytest.fixture
def every_log(caplog) -> Iterator[pytest.LogCaptureFixture]:
    """Every logger at DEBUG, and the records of those that do not propagate (the app's) too."""
    loggers = [logging.getLogger(), *map(logging.getLogger, list(logging.root.manager.loggerDict))]
    levels = {logger: logger.level for logger in loggers}
    silent = [logger for logger in loggers if not logger.propagate]
    for logger in loggers:
        logger.setLevel(logging.DEBUG)
    for logger in silent:
        logger.addHandler(caplog.handler)
    caplog.handler.setLevel(logging.DEBUG)
    yield caplog
    for logger in silent:
        logger.removeHandler(caplog.handler)
    for logger, level in levels.items():
        logger.setLevel(level)


def _everything_logged(caplog: pytest.LogCaptureFixture) -> str:
    """The records' messages and their tracebacks, formatted as any handler would."""
    formatter = logging.Formatter("%(name)s %(levelname)s %(message)s")
    return "\n".join(formatter.format(record) for record in caplog.records)


@pytest.fixture
def app_with_planted_failures(app, backend, tmp_path) -> Iterator[Flask]:
    """The suite's database, refusing the planted values; as in production, an unexpected
    error is answered with the error page (not raised into the test)."""
    with app.app_context(), db.engine.begin() as connection:
        for statement in PLANTED[backend]:
            connection.execute(sa.text(statement))
    failing = create_app(
        make_config(app.config["SQLALCHEMY_DATABASE_URI"], tmp_path, PROPAGATE_EXCEPTIONS=False)
    )
    failing.test_client_class = IsolatedClient
    yield failing
    with failing.app_context():
        db.engine.dispose()
    with app.app_context(), db.engine.begin() as connection:
        for statement in UNPLANTED[backend]:
            connection.execute(sa.text(statement))


def test_failing_requests_leave_no_personal_data_in_the_logs(
    app_with_planted_failures, app_context, school_user, every_log, tmp_path
):
    pupil = factories.participant(school_user.institution, consent=False)
    pupil_id = pupil.id
    browser = app_with_planted_failures.test_client()
    login_as(browser, school_user)

    # a constraint refuses the UPDATE: a database error in the request, answered with a 500
    response = post_form(browser, f"/participants/{pupil_id}/edit", EDIT)
    assert response.status_code == 500
    # the same values stored, then read back, exported, and refused in an INSERT
    with app_with_planted_failures.app_context():
        db.session.execute(
            sa.text(
                "UPDATE participant SET first_name = :first, last_name = :last, phone = :phone,"
                " email = :email, medical_notes = 'peanuts' WHERE id = :id"
            ),
            {
                "first": EDIT["first_name"],
                "last": EDIT["last_name"],
                "phone": EDIT["phone"],
                "email": EDIT["email"],
                "id": pupil_id,
            },
        )
        db.session.commit()
    assert browser.get(f"/participants/{pupil_id}").status_code == 200
    assert browser.get(f"/participants/{pupil_id}/export.json").status_code == 200
    consent = {
        "guardian_name": GUARDIAN,
        "given_on": "2026-05-01",
        "method": "paper",
        "text_version": "2026-01",
    }
    response = post_form(browser, f"/participants/{pupil_id}/consents", consent)
    assert response.status_code == 500

    # and the database goes away while a user logs in with the e-mail address
    down = create_app(
        make_config("postgresql+psycopg://nobody@127.0.0.1:1/none", tmp_path / "down")
    )
    visitor = down.test_client()
    page = visitor.get("/login").get_data(as_text=True)
    token = page.split('name="csrf-token" content="', 1)[1].split('"', 1)[0]
    login = {"csrf_token": token, "email": EDIT["email"], "password": "x" * 12}
    response = visitor.post("/login", data=login)
    assert response.status_code == 503

    logged = _everything_logged(every_log)
    found = [secret for secret in SECRETS if secret in logged]
    assert not found, f"personal data in the logs: {found}"
    assert "database error" in logged  # the failures were logged, by kind
    assert "sqlalchemy.engine" in logged  # and SQLAlchemy logged its statements at DEBUG


# --- tokens in access logs ------------------------------------------------------------------


def test_every_route_with_a_token_is_redacted(app):
    from exchange.core.logs import TOKEN_PATHS

    with_token = [rule.rule for rule in app.url_map.iter_rules() if "<token>" in rule.rule]
    assert with_token
    for rule in with_token:
        assert rule.startswith(TOKEN_PATHS), f"{rule}: add its path to TOKEN_PATHS"


@pytest.fixture
def one_time_links(app_context, coordinator) -> dict[str, str]:
    school = factories.user(role="school", password=None)
    invitation = auth_services.invite(school, by=coordinator)
    _, reset = auth_services.request_password_reset(coordinator.email)
    calendar = subscriptions.make_subscription(school)
    db.session.commit()
    return {"invitation": invitation, "reset": reset, "calendar": calendar}


def test_the_development_servers_access_log_leaves_tokens_out(app, one_time_links, every_log):
    server = make_server("127.0.0.1", 0, app)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        base = f"http://127.0.0.1:{server.server_port}"
        for path in (
            f"/invitation/{one_time_links['invitation']}",
            f"/password/reset/{one_time_links['reset']}?lang=pl",
            f"/calendar/{one_time_links['calendar']}.ics",
        ):
            with urllib.request.urlopen(base + path) as response:  # noqa: S310 - a local URL
                assert response.status == 200
    finally:
        server.shutdown()
        thread.join()
    access = [r.getMessage() for r in every_log.records if r.name == "werkzeug"]
    assert any(f"/invitation/{REDACTED}" in line for line in access), access
    assert any(f"/password/reset/{REDACTED}?lang=pl" in line for line in access), access
    assert any(f"/calendar/{REDACTED} " in line for line in access), access
    logged = _everything_logged(every_log)
    for token in one_time_links.values():
        assert token not in logged


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_gunicorns_access_log_leaves_tokens_out(tmp_path):
    """gunicorn as production runs it (``gunicorn wsgi:app`` in the project folder, which reads
    gunicorn.conf.py), with its access log on. The database has no tables: the pages answer
    503, which is enough for their line in the log."""
    port = _free_port()
    token = "Zx9-SECRET-token_abcdef0123456789"
    # outside libfaketime, when the suite runs at another date: gunicorn's processes sleep
    # with clock_nanosleep, which libfaketime breaks (the test does not depend on the date)
    environment = {
        **{
            name: value
            for name, value in os.environ.items()
            if not name.startswith(("FLASK_", "FAKETIME")) and name != "LD_PRELOAD"
        },
        "DATABASE_URL": f"sqlite:///{tmp_path / 'empty.db'}",
        "EXCHANGE_ENV": "development",
        "SECRET_KEY": "k" * 40,
    }
    server = subprocess.Popen(  # noqa: S603 - our own interpreter, fixed arguments
        [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", "1",
         "--access-logfile", "-", "--error-logfile", "-", "wsgi:app"],
        cwd=PROJECT_ROOT,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )  # fmt: skip
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(base + "/healthz", timeout=2)  # noqa: S310
                break
            except urllib.error.HTTPError:
                break  # 503: it answers
            except OSError:
                assert time.monotonic() < deadline, "gunicorn did not start"
                time.sleep(0.2)
        for path in (f"/invitation/{token}", f"/password/reset/{token}", f"/calendar/{token}.ics"):
            request = urllib.request.Request(  # noqa: S310
                base + path, headers={"Referer": f"{base}/password/reset/{token}"}
            )
            with pytest.raises(urllib.error.HTTPError):
                urllib.request.urlopen(request, timeout=10)  # noqa: S310
    finally:
        server.terminate()
        output, _ = server.communicate(timeout=30)
    lines = [
        line
        for line in output.splitlines()
        if re.search(r'"GET /(invitation|password|calendar)', line)
    ]
    assert len(lines) == 3, output
    assert all(REDACTED in line for line in lines), lines
    assert token not in output
