"""Declarative base with the constraint naming convention, column types and shared mixins."""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from typing import TypeVar

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, registry

from exchange import clock

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(sa.TypeDecorator[datetime]):
    """A timezone-aware timestamp, stored in UTC on every database.

    SQLite has no time zones, so values come back naive; this type gives them back their UTC zone
    and refuses naive datetimes on the way in.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime; use an aware datetime (clock.now())")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def _enum_values(enum_class: type[enum.Enum]) -> list[str]:
    return [member.value for member in enum_class]


class Base(DeclarativeBase):
    # Enums are stored by value, as VARCHAR with a named CHECK constraint: adding a member
    # later is a plain migration on both SQLite and PostgreSQL.
    registry = registry(
        metadata=sa.MetaData(naming_convention=NAMING_CONVENTION),
        type_annotation_map={
            datetime: UTCDateTime(),
            enum.Enum: sa.Enum(
                enum.Enum,
                native_enum=False,
                create_constraint=True,
                values_callable=_enum_values,
                validate_strings=True,
                length=32,
            ),
        },
    )


def table_of(model: type[Base]) -> sa.Table:
    """The table of a model (SQLAlchemy types ``__table__`` as any selectable)."""
    table = model.__table__
    if not isinstance(table, sa.Table):
        raise TypeError(f"{model.__name__} is not mapped to a table")
    return table


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(default=clock.now, onupdate=clock.now)


def render_migration_item(type_: str, obj: object, autogen_context) -> str | bool:
    """Write our column types into migrations as the plain SQLAlchemy types they store."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


@sa.event.listens_for(sa.engine.Engine, "connect")
def _configure_sqlite(dbapi_connection, connection_record) -> None:
    """SQLite: enforce foreign keys, wait for locks instead of failing, use WAL so readers do
    not block the writer, and let SQLAlchemy (not the driver) start transactions."""
    import sqlite3

    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    # The driver would open transactions itself, only before writes; with None it stays out of
    # the way and ``_begin_sqlite`` below starts every transaction, reads included.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute("PRAGMA busy_timeout = 30000")
    if cursor.execute("PRAGMA journal_mode").fetchone()[0] != "memory":
        cursor.execute("PRAGMA journal_mode = WAL")
    cursor.close()


#: execution option: how an SQLite transaction begins ("DEFERRED" or "IMMEDIATE")
SQLITE_BEGIN = "sqlite_begin"


@sa.event.listens_for(sa.engine.Engine, "begin")
def _begin_sqlite(connection: sa.Connection) -> None:
    if connection.dialect.name != "sqlite":
        return
    mode = connection.get_execution_options().get(SQLITE_BEGIN, "DEFERRED")
    if mode not in {"DEFERRED", "IMMEDIATE"}:
        raise ValueError(f"unknown SQLite transaction mode {mode!r}")
    connection.exec_driver_sql(f"BEGIN {mode}")


_S = TypeVar("_S", bound=sa.orm.Session)


def lock_for_update(session: _S | sa.orm.scoped_session[_S], instance: object) -> None:
    """Make the rest of the session's transaction the only writer of ``instance``'s row.

    PostgreSQL: ``SELECT … FOR UPDATE`` on the row, and the object is reloaded. SQLite locks the
    whole database instead: a transaction that has only read so far is ended and a new one
    begins with ``BEGIN IMMEDIATE``, which waits for (and then excludes) every other writer; the
    object is reloaded in it. Locking again in the same transaction is cheap. The first lock
    must come before the session writes anything.
    """
    if isinstance(session, sa.orm.scoped_session):
        session = session()
    mapper = sa.inspect(instance).mapper
    primary_key = mapper.primary_key_from_instance(instance)
    query = sa.select(mapper.class_).where(
        *(column == value for column, value in zip(mapper.primary_key, primary_key, strict=True))
    )
    if session.get_bind().dialect.name == "sqlite":
        begin_writing(session)
        session.execute(query.execution_options(populate_existing=True))
    else:
        session.execute(query.with_for_update().execution_options(populate_existing=True))


def begin_writing(session: _S | sa.orm.scoped_session[_S]) -> None:
    """SQLite: make the rest of the session's transaction able to write, whoever else writes.

    In WAL mode SQLite refuses at once (``database is locked``, without waiting out the busy
    timeout) the first write of a transaction that began by reading when another connection
    has committed since. So a transaction that has only read so far is ended here and a new
    one begins with ``BEGIN IMMEDIATE``, which waits for the other writers. Objects loaded
    before are expired and reload in it. PostgreSQL: nothing to do. Must come before the
    session writes anything.
    """
    if isinstance(session, sa.orm.scoped_session):
        session = session()
    if session.get_bind().dialect.name != "sqlite" or _holds_sqlite_write_lock(session):
        return
    if has_changes(session):
        raise RuntimeError("begin_writing must come before the session writes")
    session.commit()  # ends a transaction that has only read
    session.connection(execution_options={SQLITE_BEGIN: "IMMEDIATE"})


_WROTE = "exchange_wrote"


def has_changes(session: sa.orm.Session | sa.orm.scoped_session) -> bool:
    """True when the session's transaction has changed something: flushed, or about to."""
    return bool(session.new or session.dirty or session.deleted or session.info.get(_WROTE))


def _holds_sqlite_write_lock(session: sa.orm.Session) -> bool:
    if not session.in_transaction():
        return False
    options = session.connection().get_execution_options()
    return options.get(SQLITE_BEGIN) == "IMMEDIATE"


@sa.event.listens_for(sa.orm.Session, "after_flush")
def _remember_write(session: sa.orm.Session, flush_context) -> None:
    session.info[_WROTE] = True


@sa.event.listens_for(sa.orm.Session, "after_transaction_end")
def _forget_write(session: sa.orm.Session, transaction) -> None:
    if transaction.parent is None:
        session.info.pop(_WROTE, None)


def escape_like(text: str) -> str:
    """``text`` with the wildcards of LIKE escaped (use with ``escape="\\\\"``), so a search for
    "50%" or "a_b" finds those characters."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
