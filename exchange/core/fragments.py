"""Rendered fragments, and other values read from the data, kept until the data changes.

A page read far more often than it is written (the exchanges list) keeps the HTML of its
content per viewer, language, day and query string. Every committed change to the app's data
moves ``DataGeneration`` on in the same transaction; a fragment is kept under the generation
that was read *before* its data, so it is never older than its key says, and one of an older
generation is never used again. Nothing is hidden until some time passes: the next request
after a change renders afresh.

The fragments live in each worker's memory (at most ``FRAGMENT_CACHE_SIZE``; 0 turns them
off). The generation lives in the database, so two servers, or two workers, see each other's
changes at once.

A change is anything written through the session (the unit of work, or an ``insert()``,
``update()`` or ``delete()`` it executes) to a table other than the bookkeeping ones below,
whose rows no cached page shows.
"""

from __future__ import annotations

import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar, cast

import sqlalchemy as sa
from flask import Flask, current_app
from markupsafe import Markup
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction

from exchange import clock
from exchange.core.locale import current_locale
from exchange.core.models import DataGeneration
from exchange.db import table_of
from exchange.extensions import db

#: tables no cached fragment shows: sessions, the audit log, the outbox, one-time links, and
#: the generation itself (a log-in or a sent e-mail keeps every fragment)
UNSHOWN_TABLES = frozenset(
    {
        "data_generation",
        "user_session",
        "audit_event",
        "refused_requests",
        "notification",
        "password_reset",
    }
)

T = TypeVar("T")

_CHANGED = "exchange.data_changed"
_GENERATION = table_of(DataGeneration)
_ROW = 1


class FragmentCache:
    """The fragments of one generation, the most recently used kept, thread-safe."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.generation: int | None = None
        self._items: OrderedDict[Hashable, object] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, generation: int, key: Hashable) -> object | None:
        with self._lock:
            if generation != self.generation:
                return None
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
            return found

    def put(self, generation: int, key: Hashable, value: object) -> None:
        with self._lock:
            if generation != self.generation:
                # what is kept is of another generation (numbers are compared for equality
                # only: a row made again starts at a random one)
                self._items.clear()
                self.generation = generation
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def __len__(self) -> int:
        return len(self._items)


def register(app: Flask) -> None:
    app.extensions["fragments"] = FragmentCache(app.config.get("FRAGMENT_CACHE_SIZE", 256))
    factory = db.session.session_factory
    for name, listener in (
        ("after_flush", _note_flush),
        ("do_orm_execute", _note_statement),
        ("before_commit", _bump_generation),
        ("after_commit", _forget_change),
        ("after_rollback", _forget_change),
    ):
        if not sa.event.contains(factory, name, listener):
            sa.event.listen(factory, name, listener)


def cached(name: str, viewer: Any, parts: Hashable, build: Callable[[], str]) -> Markup:
    """The fragment ``name`` for ``viewer`` and ``parts`` (say, the query string), built by
    ``build`` (a template rendered with autoescaping) unless one of the current generation is
    kept. Language and day are part of the key; ``build`` must depend on nothing else but the
    data."""
    key = (getattr(viewer, "id", None), str(current_locale()), clock.today(), parts)
    html = kept(name, key, build)
    return Markup(html)  # noqa: S704 - a template's output, escaped by Jinja


def kept(name: str, parts: Hashable, compute: Callable[[], T]) -> T:
    """``compute()``, a value read from the data that depends on nothing but ``parts`` (say, a
    feed's version), kept until the data changes."""
    cache: FragmentCache = current_app.extensions["fragments"]
    generation = current_generation() if cache.size else None
    if generation is None:
        return compute()
    key = (name, parts)
    found = cache.get(generation, key)
    if found is None:
        found = compute()
        cache.put(generation, key, found)
    return cast(T, found)


def current_generation() -> int | None:
    """The data's generation, or None before the first change (nothing is kept then)."""
    return db.session.execute(
        sa.select(_GENERATION.c.value).where(_GENERATION.c.id == _ROW)
    ).scalar_one_or_none()


# --- noticing a change --------------------------------------------------------------------


def _on_a_page(table: Any) -> bool:
    return getattr(table, "name", None) not in UNSHOWN_TABLES


def _note_flush(session: Session, flush_context: UOWTransaction) -> None:
    """A flush that wrote a row some page shows. An object that is only "dirty" (an attribute
    set to the value it had) writes nothing, and must not make its transaction write: on
    SQLite a transaction that has only read cannot always begin to write."""
    if session.info.get(_CHANGED):
        return
    written = (
        *session.new,
        *session.deleted,
        *(instance for instance in session.dirty if session.is_modified(instance)),
    )
    if any(_on_a_page(getattr(instance, "__table__", None)) for instance in written):
        session.info[_CHANGED] = True


def _note_statement(state: ORMExecuteState) -> None:
    if state.session.info.get(_CHANGED):
        return
    statement = state.statement
    if state.is_insert or state.is_update or state.is_delete:
        if _on_a_page(getattr(statement, "table", None)):
            state.session.info[_CHANGED] = True
    elif isinstance(statement, sa.TextClause):
        verb = statement.text.lstrip().split(None, 1)[:1]
        if verb and verb[0].lower() in {"insert", "update", "delete"}:
            state.session.info[_CHANGED] = True


def _bump_generation(session: Session) -> None:
    """Move the generation on in the transaction that commits the change (the last lock the
    transaction takes, held only until its commit)."""
    session.flush()  # what is still pending is part of this commit
    if not session.info.pop(_CHANGED, False):
        return
    connection = session.connection()
    if _increment(connection):
        return
    # the first change since the table was made or emptied
    insert = pg_insert if connection.dialect.name == "postgresql" else sqlite_insert
    connection.execute(
        insert(_GENERATION)
        .values(id=_ROW, value=secrets.randbits(62))
        .on_conflict_do_nothing(index_elements=[_GENERATION.c.id])
    )
    _increment(connection)  # another transaction made it at the same moment: move it on


def _increment(connection: sa.Connection) -> bool:
    result = connection.execute(
        sa.update(_GENERATION).where(_GENERATION.c.id == _ROW).values(value=_GENERATION.c.value + 1)
    )
    return bool(result.rowcount)


def _forget_change(session: Session) -> None:
    session.info.pop(_CHANGED, None)
