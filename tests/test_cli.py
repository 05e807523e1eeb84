from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask

from exchange import create_app
from exchange.auth.models import User
from exchange.core.permissions import Role
from exchange.extensions import db
from exchange.partners.models import PartnerCity
from tests.helpers import login_as, make_config, post_form

UNREACHABLE_DATABASE = "postgresql+psycopg://nobody@127.0.0.1:1/none"
NEW_PASSWORD = "a long enough password"


def _count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


@pytest.fixture
def cli(app, app_context):
    return app.test_cli_runner()


@pytest.fixture
def app_without_database(tmp_path) -> Iterator[Flask]:
    app = create_app(make_config(UNREACHABLE_DATABASE, tmp_path))
    yield app
    with app.app_context():
        db.engine.dispose()


# --- seed -----------------------------------------------------------------------------------


def test_seed_adds_the_nine_partners_once_and_says_so(cli):
    first = cli.invoke(args=["seed"])
    assert first.exit_code == 0, first.output
    assert "Added 9 partner cities" in first.output
    assert "Province of Perugia" in first.output
    assert _count(PartnerCity) == 9

    second = cli.invoke(args=["seed"])
    assert second.exit_code == 0, second.output
    assert "already there" in second.output
    assert "Added" not in second.output
    assert _count(PartnerCity) == 9


# --- create-user ----------------------------------------------------------------------------


def test_create_user_makes_an_account_that_can_log_in(cli, client):
    result = cli.invoke(
        args=["create-user", "X@Example.org", "--role", "admin", "--password", NEW_PASSWORD]
    )
    assert result.exit_code == 0, result.output
    assert "Created admin x@example.org" in result.output
    user = db.session.scalar(sa.select(User).where(User.email == "x@example.org"))
    assert user.role is Role.ADMIN
    assert user.active is True

    login_as(client, user, password=NEW_PASSWORD)
    assert client.get("/users/").status_code == 200  # an admin indeed


def test_create_user_refuses_an_existing_email(cli, admin):
    result = cli.invoke(
        args=["create-user", "ADMIN@example.org", "--role", "admin", "--password", NEW_PASSWORD]
    )
    assert result.exit_code != 0
    assert "Another account already uses this e-mail address." in result.output
    assert "Traceback" not in result.output
    assert _count(User) == 1


def test_create_user_refuses_a_short_password(cli):
    result = cli.invoke(args=["create-user", "x@example.org", "--password", "short"])
    assert result.exit_code != 0
    assert "Use at least 12 characters." in result.output
    assert _count(User) == 0


def test_create_user_refuses_an_unknown_role(cli):
    result = cli.invoke(
        args=["create-user", "x@example.org", "--role", "root", "--password", NEW_PASSWORD]
    )
    assert result.exit_code != 0
    assert "root" in result.output
    assert _count(User) == 0


def test_create_user_school_representative_needs_an_existing_institution(cli):
    result = cli.invoke(
        args=["create-user", "s@example.org", "--role", "school", "--password", NEW_PASSWORD,
              "--institution-id", "999"]
    )  # fmt: skip
    assert result.exit_code != 0
    assert "no institution with id 999" in result.output
    assert _count(User) == 0


# --- ensure-admin ---------------------------------------------------------------------------


def test_ensure_admin_on_an_empty_database_prints_a_working_login(cli, client):
    result = cli.invoke(args=["ensure-admin"])
    assert result.exit_code == 0, result.output
    email = re.search(r"e-mail:\s+(\S+)", result.output).group(1)
    password = re.search(r"password:\s+(\S+)", result.output).group(1)
    assert email == client.application.config["ADMIN_EMAIL"]
    assert len(password) >= 12

    response = post_form(client, "/login", {"email": email, "password": password})
    assert response.status_code == 302
    assert client.get("/users/").status_code == 200  # the account is an admin


def test_ensure_admin_does_nothing_the_second_time(cli):
    assert cli.invoke(args=["ensure-admin"]).exit_code == 0
    result = cli.invoke(args=["ensure-admin"])
    assert result.exit_code == 0
    assert result.output.strip() == ""
    assert _count(User) == 1


def test_ensure_admin_does_nothing_when_users_exist(cli, coordinator):
    result = cli.invoke(args=["ensure-admin"])
    assert result.exit_code == 0
    assert "password" not in result.output
    assert _count(User) == 1


# --- database checks ------------------------------------------------------------------------


def test_check_db_says_the_database_answers(cli):
    result = cli.invoke(args=["check-db"])
    assert result.exit_code == 0, result.output
    assert "Database OK" in result.output


@pytest.mark.parametrize("command", ["check-db", "seed", "ensure-admin"])
def test_unreachable_database_is_one_clear_line_not_a_traceback(app_without_database, command):
    result = app_without_database.test_cli_runner().invoke(args=[command])
    assert result.exit_code != 0
    assert "cannot reach the database" in result.output
    assert "Traceback" not in result.output
    assert not isinstance(result.exception, sa.exc.SQLAlchemyError)


# --- a malformed DATABASE_URL: one sentence, from every way of starting the app --------------

PROJECT_ROOT = Path(__file__).resolve().parent.parent
STARTS = {
    "flask check-db": ["-m", "flask", "--app", "exchange", "check-db"],
    "flask db upgrade": ["-m", "flask", "--app", "exchange", "db", "upgrade"],
    "gunicorn": ["-m", "gunicorn", "--check-config", "wsgi:app"],
    "import wsgi": ["-c", "import wsgi"],
}


@pytest.mark.parametrize("start", STARTS)
@pytest.mark.parametrize(
    "url",
    [
        "postgresql+psycopg://u@127.0.0.1:notaport/x",
        "postgresql+psycopg://u@127.0.0.1:99999999/x",
        "postgresql+psycopg://u@[::1/x",
    ],
)
def test_a_malformed_database_url_stops_the_app_with_one_sentence(start, url):
    environment = {
        **{name: value for name, value in os.environ.items() if not name.startswith("FLASK_")},
        "DATABASE_URL": url,
        "EXCHANGE_ENV": "development",
    }
    result = subprocess.run(  # noqa: S603 - our own interpreter, fixed arguments
        [sys.executable, *STARTS[start]],
        cwd=PROJECT_ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Configuration error: DATABASE_URL"), lines[0]
    assert "Traceback" not in result.stdout + result.stderr
