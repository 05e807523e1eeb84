"""Bounds on what a user can send: checked once, at the root, for every view and every form.

- A URL (path or query) or a form with a control character (NUL, ESC, C1 controls…) is refused
  with a 400 page before any view runs; a form may carry tab, CR and LF (text areas).
- Every id in a URL is a positive number that fits the database's integer columns; a larger
  one matches no route (404).
- Page numbers are clamped to the same range.
- Every form field checks its value before its validators run (``Form`` below): no control
  characters (line breaks only in a text area), whole numbers that fit an integer column,
  finite decimals that fit the money columns, dates between 1900 and 2200, and no blank
  choice in a select.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any, TypeVar

from flask import Flask, current_app, request
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import FileStorage
from werkzeug.exceptions import BadRequest
from werkzeug.routing import IntegerConverter
from wtforms import Field, TextAreaField
from wtforms.fields.choices import SelectFieldBase
from wtforms.validators import StopValidation

F = TypeVar("F", bound=Callable[..., Any])

#: the range of the database's INTEGER columns (ids, capacities, ages, quotas…)
MIN_INT, MAX_INT = -(2**31), 2**31 - 1
#: the money columns are NUMERIC(12, 2): ten digits before the point, two after
MONEY_DIGITS, MONEY_PLACES = 12, 2
MAX_MONEY = Decimal(10) ** (MONEY_DIGITS - MONEY_PLACES) - Decimal(10) ** -MONEY_PLACES
#: the dates a user may enter (birth dates, exchanges, consents, filters)
FIRST_YEAR, LAST_YEAR = 1900, 2200

#: C0 and C1 control characters, and lone surrogates (which no database can store)
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
#: the same, but tab, line feed and carriage return: the line breaks of a text area
_CONTROL_BUT_LINES = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def has_control_characters(text: str, *, lines_allowed: bool = False) -> bool:
    pattern = _CONTROL_BUT_LINES if lines_allowed else _CONTROL
    return pattern.search(text) is not None


class ControlCharacters(BadRequest):
    """A URL or a form carries a control character."""

    description = "control characters"


def refuse_control_characters() -> None:
    """``before_request``, the first one: nothing with a control character reaches a view
    (nor the log-in check, the session or the database)."""
    if has_control_characters(request.path):
        raise ControlCharacters()
    for key, value in request.args.items(multi=True):
        if has_control_characters(key) or has_control_characters(value):
            raise ControlCharacters()
    if request.method in ("POST", "PUT", "PATCH", "DELETE"):
        for key, value in request.form.items(multi=True):
            if has_control_characters(key) or has_control_characters(value, lines_allowed=True):
                raise ControlCharacters()


class IdConverter(IntegerConverter):
    """``<int:…>`` in every route: 1 to 2³¹−1 and at most ten digits, else the URL matches no
    route (404) — never a number the database cannot compare with its columns."""

    regex = r"\d{1,10}"

    def __init__(self, map, fixed_digits: int = 0, min: int = 1, max: int = MAX_INT) -> None:  # noqa: A002
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max)


def page_number() -> int:
    """``?page=``, clamped to 1…2³¹−1; anything else is the first page."""
    page = request.args.get("page", type=int, default=1)
    return min(max(page, 1), MAX_INT)


def uploads_up_to(config_key: str) -> Callable[[F], F]:
    """A view that accepts a request larger than ``MAX_CONTENT_LENGTH`` (the bound of every
    other request): up to the setting ``config_key``. Put it right under the route."""

    def decorator(view: F) -> F:
        view.max_content_length_key = config_key  # type: ignore[attr-defined]
        return view

    return decorator


def raise_upload_limit() -> None:
    """``before_request``, before anything reads the body (the control-character check and
    the CSRF check read the form): the view's own bound on the request's size, if it has one."""
    view = current_app.view_functions.get(request.endpoint or "")
    key = getattr(view, "max_content_length_key", None)
    if key is not None:
        request.max_content_length = current_app.config[key]


def register(app: Flask) -> None:
    """Before the extensions and the blueprints: the checks run first, the converter is the
    one every route is built with."""
    app.url_map.converters["int"] = IdConverter
    hooks = app.before_request_funcs.setdefault(None, [])
    hooks.insert(0, refuse_control_characters)
    hooks.insert(0, raise_upload_limit)


# --- forms ----------------------------------------------------------------------------------


def _raw_values(field: Field) -> list:
    return list(field.raw_data or [])


def check_field(field: Field) -> None:
    """Raise ``StopValidation`` with a message when the field's value is out of bounds."""
    lines_allowed = isinstance(field, TextAreaField)
    for value in _raw_values(field):
        if isinstance(value, FileStorage):
            continue
        if not isinstance(value, str):  # a number or a list in a JSON body
            raise StopValidation(_l("Not a valid value."))
        if has_control_characters(value, lines_allowed=lines_allowed):
            raise StopValidation(
                _l("Control characters (such as line breaks) are not allowed here.")
            )
    if isinstance(field, SelectFieldBase) and any(
        isinstance(value, str) and value and not value.strip() for value in _raw_values(field)
    ):
        # blank is no choice; left to Optional(), it would clear the error and keep the blank
        raise StopValidation(_l("Not a valid choice."))
    values = field.data if isinstance(field.data, list | tuple) else [field.data]
    for value in values:
        _check_value(value)


def _check_value(value: object) -> None:
    if isinstance(value, bool) or value is None:
        return
    if isinstance(value, int):
        if not MIN_INT <= value <= MAX_INT:
            raise StopValidation(_l("This number is too large."))
    elif isinstance(value, Decimal | float):
        number = Decimal(value)
        if not number.is_finite():
            raise StopValidation(_l("Enter a number."))
        if abs(number) > MAX_MONEY:
            raise StopValidation(_l("This number is too large."))
        if number != number.quantize(Decimal(10) ** -MONEY_PLACES):
            raise StopValidation(_l("Use at most %(places)d decimal places.", places=MONEY_PLACES))
    elif isinstance(value, date) and not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise StopValidation(
            _l("Enter a date between %(first)d and %(last)d.", first=FIRST_YEAR, last=LAST_YEAR)
        )


def guard(field: Field) -> Field:
    """Make ``field`` run ``check_field`` before its own checks (its choices, its validators),
    whatever validators a form gives it later."""
    original = field.pre_validate

    def pre_validate(form) -> None:
        check_field(field)
        original(form)

    field.pre_validate = pre_validate  # type: ignore[method-assign]
    return field
