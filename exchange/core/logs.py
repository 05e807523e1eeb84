"""Logs without personal data and without secrets.

- The one-time links (``/password/reset/<token>``, ``/invitation/<token>``) and the personal
  calendar links (``/calendar/<token>.ics``) are written to every log as ``…/[token]``: the
  access log of werkzeug's development server, gunicorn's access and error logs
  (``GunicornLogger``, named in ``gunicorn.conf.py``) and the app's own lines.
- SQLAlchemy never logs a row it read (its DEBUG level would), and the engine is made with
  ``hide_parameters`` (``exchange.config``), so neither its log nor an error's message carries
  the values of a statement.
- A database error is logged by kind (``describe``), never with its message: PostgreSQL's
  message repeats the failing row ("Failing row contains (…)", "Key (email)=(…)").
"""

from __future__ import annotations

import logging
import re
import traceback

from gunicorn.glogging import Logger as BaseGunicornLogger

#: paths whose last part is a secret; a new route with a ``<token>`` must be listed here
#: (tests/test_private_logs.py checks the URL map)
TOKEN_PATHS = ("/password/reset/", "/invitation/", "/calendar/")
REDACTED = "[token]"
_TOKEN = re.compile("(" + "|".join(re.escape(path) for path in TOKEN_PATHS) + r")[^/?#\s\"']+")


def redact(text: str) -> str:
    """``text`` with the token of every one-time link replaced by ``[token]``."""
    return _TOKEN.sub(rf"\1{REDACTED}", text)


def _redact_value(value: object) -> object:
    return redact(value) if isinstance(value, str) else value


class RedactTokens(logging.Filter):
    """A filter for a logger whose lines name request paths (werkzeug's request log)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, dict):
            record.args = {key: _redact_value(value) for key, value in record.args.items()}
        elif isinstance(record.args, tuple):
            record.args = tuple(_redact_value(value) for value in record.args)
        return True


class NoRows(logging.Filter):
    """SQLAlchemy logs every row it reads at DEBUG: names, dates of birth, medical notes."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (isinstance(record.msg, str) and record.msg.startswith("Row "))


def _add_filter_once(logger: logging.Logger, kind: type[logging.Filter]) -> None:
    if not any(isinstance(existing, kind) for existing in logger.filters):
        logger.addFilter(kind())


def install_filters() -> None:
    """On the loggers of libraries, once per process."""
    _add_filter_once(logging.getLogger("werkzeug"), RedactTokens)
    _add_filter_once(logging.getLogger("sqlalchemy.engine.Engine"), NoRows)


def describe(error: BaseException) -> str:
    """A database error's kind, for the log: its class, the driver's class and the constraint's
    name when there is one; never its message, which may quote the row."""
    parts = [type(error).__name__]
    original = getattr(error, "orig", None)
    if original is not None:
        parts.append(type(original).__name__)
        constraint = getattr(getattr(original, "diag", None), "constraint_name", None)
        if constraint:
            parts.append(f"constraint {constraint}")
    return " / ".join(parts)


def frames(error: BaseException) -> str:
    """Where ``error`` was raised: the traceback's frames, without the exception's message."""
    return "".join(traceback.format_tb(error.__traceback__))


class GunicornLogger(BaseGunicornLogger):
    """gunicorn's logger with the tokens of one-time links left out of every line (the request
    line, the path, the Referer of the page's own styles…)."""

    def atoms(self, resp, req, environ, request_time):
        return {
            key: _redact_value(value)
            for key, value in super().atoms(resp, req, environ, request_time).items()
        }

    def error(self, msg, *args, **kwargs):
        super().error(redact(str(msg)), *(_redact_value(arg) for arg in args), **kwargs)

    def exception(self, msg, *args, **kwargs):
        super().exception(redact(str(msg)), *(_redact_value(arg) for arg in args), **kwargs)
