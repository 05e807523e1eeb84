"""Helpers shared by the views of every feature."""

from __future__ import annotations

from typing import TypeVar

from flask_wtf import FlaskForm
from markupsafe import escape

# types-WTForms describes WTForms 3.2; SelectChoice and the render_option below are 3.3's
from wtforms import SelectChoice, widgets  # type: ignore[attr-defined]

from exchange.core.bounds import guard
from exchange.errors import DomainError


def attach_error(form: FlaskForm, error: DomainError) -> None:
    """Show a service's refusal next to its field, or at the top of the form."""
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = [*field.errors, str(error)]
    else:
        form.form_errors.append(str(error))


T = TypeVar("T")


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


class Form(FlaskForm):
    """The base of every form: each field checks its value's bounds before anything else
    (``exchange.core.bounds``): no control characters, numbers and dates the columns hold."""

    class Meta(FlaskForm.Meta):
        def bind_field(self, form, unbound_field, options):
            return guard(super().bind_field(form, unbound_field, options))
