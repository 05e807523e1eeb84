"""Helpers shared by the test modules and the fixtures: a database per backend, a client that
isolates each request, logging in and posting forms with the CSRF token, comparing pages."""

from __future__ import annotations

import contextlib
import contextvars
import os
import re
import subprocess
import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import has_app_context
from flask.testing import FlaskClient

from exchange import clock
from exchange.config import TestingConfig
from exchange.extensions import db
from exchange.reports.figures import build_report
from exchange.reports.types import ReportFilter
from tests import factories

#: values that differ from one response to the next though the page is the same: the CSRF token
#: (it carries a timestamp) in forms and in the layout's meta tag
_PER_REQUEST = re.compile(r'((?:name="csrf_token" value|name="csrf-token" content)=")[^"]*(")')


def as_seen(page: str) -> str:
    """The page with its per-request values masked, for comparing what a user sees."""
    return _PER_REQUEST.sub(r"\1…\2", page)


# --- databases and clients ------------------------------------------------------------------


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


# --- logging in and posting forms ---------------------------------------------------------

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


def mail_text(message) -> str:
    """The plain-text part of an e-mail (the HTML part says the same)."""
    return message.get_body(("plain",)).get_content()


def mail_html(message) -> str:
    return message.get_body(("html",)).get_content()


def reset_limits() -> None:
    """Forget every rate-limit count (log-in attempts, imports…).

    The in-memory storage expires its counts in a timer thread; clearing the counts while that
    thread walks them fails in the thread (a KeyError, a warning that fails the test), so wait
    for it first.
    """
    from exchange.extensions import limiter

    timer = getattr(limiter.storage, "timer", None)
    if timer is not None:
        timer.join()
    limiter.reset()


def pdf_text(pdf: bytes, tmp_path: Path, *pages: str) -> str:
    """The text of a PDF as ``pdftotext -layout`` lays it out (``pages``: e.g. "-l", "1")."""
    path = tmp_path / f"text-{uuid.uuid4().hex}.pdf"
    path.write_bytes(pdf)
    return subprocess.run(  # noqa: S603
        ["pdftotext", "-layout", *pages, str(path), "-"],  # noqa: S607
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def report_figures():
    """Every table of the activity report, for each year the fixture's exchanges touch and for
    the whole span at once, exactly as the report page computes them."""
    today = clock.today()
    filters = [ReportFilter(date(today.year - 5, 1, 1), date(today.year + 1, 12, 31))]
    filters += [ReportFilter.for_year(year) for year in range(today.year - 3, today.year + 2)]
    return [
        {key: table.rows for key, table in build_report(report_filter).tables.items()}
        for report_filter in filters
    ]


@contextlib.contextmanager
def sent_statements() -> Iterator[list[str]]:
    """The SQL statements sent to the database inside the ``with`` block, in order."""
    sent: list[str] = []

    def note(conn, cursor, statement, parameters, context, executemany) -> None:
        sent.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", note)
    try:
        yield sent
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", note)
