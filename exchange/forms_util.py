"""Helpers shared by the views of every feature."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar, cast

from flask_wtf import FlaskForm
from markupsafe import Markup, escape

# types-WTForms describes WTForms 3.2; SelectChoice and the render_option below are 3.3's
from wtforms import SelectChoice, SelectField, widgets  # type: ignore[attr-defined]
from wtforms.validators import ValidationError

from exchange.core.bounds import guard
from exchange.db import has_changes
from exchange.errors import DomainError
from exchange.extensions import db

T = TypeVar("T")


def attach_error(form: FlaskForm, error: DomainError) -> None:
    """Show a service's refusal next to its field, or at the top of the form; a refusal of
    several things (``Refusals``) puts each next to its own field."""
    for part in error.parts:
        field = getattr(form, part.field, None) if part.field else None
        if field is not None:
            field.errors = [*field.errors, *part.messages]
        else:
            form.form_errors.extend(part.messages)


@dataclass
class Submission(Generic[T]):
    """What became of a form: ``done`` (the service's ``result`` is committed), or not sent,
    or refused (the errors are on the form; ``error`` is the service's refusal, if any)."""

    form: FlaskForm
    done: bool = False
    error: DomainError | None = None
    _result: T | None = None

    @property
    def result(self) -> T:
        """What the service returned; only a ``done`` submission has one."""
        if not self.done:
            raise RuntimeError("the form was not done: it has no result")
        return cast(T, self._result)

    @property
    def status(self) -> int:
        """The status of the page that shows the form again: 200 when it is first shown,
        422 when what was sent is refused."""
        return 422 if self.form.is_submitted() and not self.done else 200


def attach_problems(form: FlaskForm, check: Callable[[], object]) -> None:
    """Run the service's rules (``check``, which writes nothing) on a form whose shape is
    wrong, and show what they refuse next to the fields that have no error yet: every problem
    is reported after one submit, one message per field."""
    try:
        check()
    except DomainError as error:
        for part in error.parts:
            field = getattr(form, part.field, None) if part.field else None
            if field is None:
                form.form_errors.extend(part.messages)
            elif not field.errors:
                field.errors = [*field.errors, *part.messages]


def submit(
    form: FlaskForm, action: Callable[[], T], *, check: Callable[[], object] | None = None
) -> Submission[T]:
    """The one flow of every form: validate → call the service (``action``) → commit; or, when
    the service refuses, undo what it did and attach its error to its field (or the form).

    A refusal after the service changed something rolls the session back, so nothing
    half-made is committed later; a refusal before any change leaves the session (and the
    objects the page shows again) as they are. ``check``, the service's rules without the
    write, runs when the form's shape is wrong, so its refusals are shown at the same time.
    """
    if not form.validate_on_submit():
        if check is not None and form.is_submitted():
            attach_problems(form, check)
        return Submission(form)
    try:
        result = action()
    except DomainError as error:
        if has_changes(db.session):
            db.session.rollback()
        attach_error(form, error)
        return Submission(form, error=error)
    db.session.commit()
    return Submission(form, done=True, _result=result)


def accepted(field):
    """A field's data, or None when the form refused it: the service's rules, run beside the
    form's errors (``submit(…, check=…)``), never see a value the form has refused (a NaN, a
    year 9999)."""
    return None if field.errors else field.data


def required(data: T | None) -> T:
    """The data of a field that a validated form has checked with ``DataRequired`` or
    ``InputRequired`` (or that always has a value): never None."""
    if data is None:
        raise ValueError("a required field has no data: does it lack its validator?")
    return data


def choices(pairs) -> list[SelectChoice]:
    """``(value, label)`` pairs as the option objects WTForms wants."""
    return [SelectChoice(value, label) for value, label in pairs]


def enum_choices(enum_class) -> list[SelectChoice]:
    """An option per member of an enum that has a translated ``label``."""
    return [SelectChoice(member.value, member.label) for member in enum_class]


def optional_int(value: str | int | None) -> int | None:
    """``coerce`` for a select whose empty choice means "none"."""
    if value is None or value in ("", "None"):
        return None
    return int(value)


#: what ``markupsafe.escape`` does to a plain string
_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "'": "&#39;", '"': "&#34;"})


def _escape(value: object) -> str:
    if hasattr(value, "__html__"):
        return str(escape(value))
    return str(value).translate(_ESCAPES)


class Select(widgets.Select):
    """WTForms' ``<select>`` writing each option as one plain string (the widget makes the
    whole list markup once): the same HTML, several times faster. The report's filter lists
    two thousand institutions, and an option through ``html_params`` and ``Markup`` costs tens
    of microseconds."""

    @classmethod
    def render_option(cls, choice, **kwargs):  # type: ignore[override]
        if kwargs or choice.render_kw:
            return super().render_option(choice, **kwargs)
        value = str(choice.value) if isinstance(choice.value, bool) else choice.value
        label = _escape(choice.label or choice.value)
        selected = "selected " if choice.selected else ""
        return f'<option {selected}value="{_escape(value)}">{label}</option>'

    def __call__(self, field, **kwargs):
        """A long list (the report's two thousand institutions) writes its options once per
        list and language and keeps them; only the selected one is written again."""
        choices = field.choices
        if (
            self.multiple
            or not isinstance(choices, list)
            or len(choices) < LONG_SELECT
            or not all(type(c) is SelectChoice and not c.render_kw and c.optgroup is None
                       for c in choices)
        ):  # fmt: skip
            return super().__call__(field, **kwargs)
        kwargs.setdefault("id", field.id)
        flags = getattr(field, "flags", {})
        for key in dir(flags):
            if key in self.validation_attrs and key not in kwargs:
                kwargs[key] = getattr(flags, key)
        options = list(_options(tuple((c.value, str(c.label)) for c in choices)))
        for number, choice in enumerate(choices):
            if field.coerce(choice.value) == field.data:
                options[number] = options[number].replace("<option ", "<option selected ", 1)
        select = f"<select {widgets.html_params(name=field.name, **kwargs)}>"
        return Markup(f"{select}{''.join(options)}</select>")  # noqa: S704 - escaped options


#: from this many options on, a ``<select>`` keeps its options (``Select``)
LONG_SELECT = 200


class LongSelectField(SelectField):
    """A ``SelectField`` of many options (the report's two thousand institutions) that checks
    the chosen value in a set: WTForms' own check builds and compares an option object per
    choice (6 ms for two thousand). The same choices are accepted and refused."""

    def pre_validate(self, form) -> None:
        choices = self.choices
        if (
            self.process_errors
            or not self.validate_choice
            or not isinstance(choices, list)
            or not all(type(choice) is SelectChoice for choice in choices)
        ):
            super().pre_validate(form)
            return
        if self.data not in {self.coerce(choice.value) for choice in choices}:
            message = getattr(self, "invalid_choice_message", None)  # WTForms 3.3's
            raise ValidationError(message or self.gettext("Not a valid choice."))


@functools.lru_cache(maxsize=32)
def _options(pairs: tuple[tuple[object, str], ...]) -> tuple[str, ...]:
    """The ``<option>`` of each (value, label), none selected."""
    return tuple(
        f'<option value="{_escape(str(v) if isinstance(v, bool) else v)}">{_escape(label or v)}'
        "</option>"
        for v, label in pairs
    )


class Form(FlaskForm):
    """The base of every form: each field checks its value's bounds before anything else
    (``exchange.core.bounds``): no control characters, numbers and dates the columns hold."""

    class Meta(FlaskForm.Meta):
        def bind_field(self, form, unbound_field, options):
            return guard(super().bind_field(form, unbound_field, options))
