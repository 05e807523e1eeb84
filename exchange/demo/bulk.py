"""Writing many rows fast: Core ``insert()`` executemany with ids handed out here."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

#: reports how many steps are done (a progress bar's ``update``)
Progress = Callable[[int], None]


def next_id(session: Session, table: sa.Table) -> int:
    return (session.scalar(sa.select(sa.func.max(table.c.id))) or 0) + 1


def fix_sequences(session: Session, *tables: sa.Table) -> None:
    """After inserting rows with ids of our own: PostgreSQL's sequences continue after them."""
    if session.get_bind().dialect.name != "postgresql":
        return
    for table in tables:
        session.execute(
            sa.select(
                sa.func.setval(
                    sa.func.pg_get_serial_sequence(table.name, "id"),
                    sa.select(sa.func.coalesce(sa.func.max(table.c.id), 0) + 1).scalar_subquery(),
                    False,
                )
            )
        )


def full_rows(table: sa.Table, rows: list[dict], now: datetime | None) -> list[dict]:
    """Every row with every column (executemany wants the same keys in each): the column's
    scalar default where a row has no value, ``now`` for the time stamps. The id is left to
    the rows (and to the database when they have none)."""
    defaults: dict[str, Any] = {}
    for column in table.columns:
        default = column.default
        if column.primary_key:
            continue
        if default is None:
            defaults[column.key] = None
        elif isinstance(default, sa.ColumnDefault) and default.is_scalar:
            defaults[column.key] = default.arg
        else:  # clock.now: created_at, updated_at…
            defaults[column.key] = now
    return [defaults | row for row in rows]
