"""The kind-specific details of an exchange (a youth exchange's school level, a fair's stand…).

They are declared once, on the model's columns (``kind_detail`` in ``models.py``); the rules,
the form and the detail page read that declaration through ``KIND_DETAILS``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from exchange.enums import LabelledEnum
from exchange.exchanges.models import Exchange, ExchangeKind


@dataclass(frozen=True)
class KindDetail:
    """One kind-specific detail, as its column declares it."""

    name: str
    kind: ExchangeKind
    label: Any  # a lazy string
    #: the message when the detail is missing
    missing: Any
    #: the enum of a detail chosen from a list, else None
    choices: type[LabelledEnum] | None
    #: the longest text a short text field takes; None for a long text (or a choice)
    max_length: int | None

    @property
    def blank(self) -> str | None:
        """What an empty detail is stored as."""
        return None if self.choices is not None else ""


def _details() -> tuple[KindDetail, ...]:
    details = []
    for column in Exchange.__table__.columns:
        if "kind" not in column.info:
            continue
        enum_class = getattr(column.type, "enum_class", None)
        is_long = isinstance(column.type, sa.Text)
        details.append(
            KindDetail(
                name=column.key,
                kind=column.info["kind"],
                label=column.info["label"],
                missing=column.info["missing"],
                choices=enum_class,
                max_length=None if enum_class or is_long else getattr(column.type, "length", None),
            )
        )
    return tuple(details)


#: every kind-specific detail, in the order of the model's columns
KIND_DETAILS = _details()
DETAILS_BY_NAME = {detail.name: detail for detail in KIND_DETAILS}
#: the details each kind of exchange needs; the others' are cleared on save
KIND_FIELDS: dict[ExchangeKind, tuple[str, ...]] = {
    kind: tuple(detail.name for detail in KIND_DETAILS if detail.kind is kind)
    for kind in ExchangeKind
}


def kind_details(exchange: Exchange) -> list[tuple[str, Any]]:
    """(label, value) pairs of the exchange's kind-specific details that are filled in."""
    details = []
    for name in KIND_FIELDS[exchange.kind]:
        value = getattr(exchange, name)
        if value:
            label = DETAILS_BY_NAME[name].label
            details.append((str(label), value.label if hasattr(value, "label") else value))
    return details
