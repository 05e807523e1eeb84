"""Helpers for the command-line commands of every feature (``flask --app exchange …``)."""

from __future__ import annotations

import functools

import click
from sqlalchemy.exc import OperationalError

from exchange.errors import DomainError
from exchange.extensions import db


def _schema_out_of_date(error: OperationalError) -> bool:
    text = str(error.orig).lower()
    if "connection" in text:
        return False
    return any(sign in text for sign in ("no such table", "no such column", "does not exist"))


def database_errors_as_messages(command):
    """Show an unreachable database as one clear line, not a traceback."""

    @functools.wraps(command)
    def wrapped(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except OperationalError as error:
            db.session.rollback()
            if _schema_out_of_date(error):
                raise click.ClickException(
                    "the database schema is not up to date: run `flask --app exchange db upgrade`."
                ) from None
            raise click.ClickException(
                f"cannot reach the database ({type(error.orig).__name__}): check DATABASE_URL "
                "and that the database server is running."
            ) from None
        except DomainError as error:
            db.session.rollback()
            raise click.ClickException(str(error)) from None

    return wrapped
