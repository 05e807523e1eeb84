"""String enums with translated labels, shared by every feature's models."""

from __future__ import annotations

import enum
import functools

from exchange.core.locale import current_locale


class LabelledEnum(enum.StrEnum):
    """A string enum whose members have a translated label, given by ``_labels()``."""

    @property
    def label(self) -> str:
        locale = current_locale()
        # the class is part of the key: members of different enums with the same value
        # ("school", "other"…) are equal strings, but not the same label
        return _label(type(self), self.value, str(locale) if locale else "")

    @classmethod
    def _labels(cls) -> dict:
        raise NotImplementedError


@functools.cache
def _label(enum_class: type[LabelledEnum], value: str, locale: str) -> str:
    """A member's label in ``locale``: translated once per process and language (a list page
    shows a hundred labels, and each gettext goes through Flask-Babel's lookups)."""
    return str(enum_class._labels()[enum_class(value)])
