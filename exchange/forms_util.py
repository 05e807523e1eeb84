"""Helpers shared by the views of every feature."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SelectChoice

from exchange.errors import DomainError


def attach_error(form: FlaskForm, error: DomainError) -> None:
    """Show a service's refusal next to its field, or at the top of the form."""
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = [*field.errors, str(error)]
    else:
        form.form_errors.append(str(error))


def choices(pairs) -> list[SelectChoice]:
    """``(value, label)`` pairs as the option objects WTForms wants."""
    return [SelectChoice(value, label) for value, label in pairs]


def enum_choices(enum_class) -> list[SelectChoice]:
    """An option per member of an enum that has a translated ``label``."""
    return [SelectChoice(member.value, member.label) for member in enum_class]


def optional_int(value: object) -> int | None:
    """``coerce`` for a select whose empty choice means "none"."""
    if value in (None, "", "None"):
        return None
    return int(value)  # type: ignore[arg-type]
