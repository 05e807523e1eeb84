"""The files of the documents on disk, kept in step with the rows of the session.

Files live in ``DOCUMENTS_DIR`` (``instance/documents`` unless set; a shared volume in
production), outside the static folder, each under a random name. A file is written before its
row is flushed; if the transaction is then rolled back, the file is removed, so a failed commit
leaves no orphan. A file whose row is deleted is removed only once the deletion is committed, so
a rolled-back deletion leaves the document whole. A row deleted with its exchange or its person
(``session.delete``) takes its file along the same way.
"""

from __future__ import annotations

import contextlib
import logging
import os
import secrets
from pathlib import Path

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import Session

from exchange.documents.models import Document
from exchange.exchanges.models import Exchange
from exchange.registrations.models import Participant

log = logging.getLogger(__name__)

#: session.info keys: files written in this transaction, and files to remove after its commit
WRITTEN = "documents_written"
DOOMED = "documents_doomed"


def directory() -> Path:
    return Path(current_app.config["DOCUMENTS_DIR"])


def path_of(stored_name: str) -> Path:
    return directory() / stored_name


def new_name() -> str:
    """A random name, nothing of the user's file in it."""
    return secrets.token_hex(24)


def write(session: Session, data: bytes) -> tuple[str, Path]:
    """Write ``data`` under a new random name; removed again if the transaction is rolled
    back. Written to a temporary name first, so a half-written file never has a real name."""
    folder = directory()
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    name = new_name()
    target = folder / name
    partial = folder / f".{name}.part"
    try:
        with open(partial, "xb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(partial, target)
    except OSError:
        with contextlib.suppress(OSError):
            partial.unlink()
        raise
    session.info.setdefault(WRITTEN, []).append(target)
    return name, target


def read(document: Document) -> bytes | None:
    try:
        return path_of(document.stored_name).read_bytes()
    except FileNotFoundError:
        return None


def remove_after_commit(session: Session, stored_names: list[str]) -> None:
    session.info.setdefault(DOOMED, []).extend(path_of(name) for name in stored_names)


def _unlink(paths: list[Path]) -> None:
    for path in paths:
        try:
            path.unlink(missing_ok=True)
        except OSError as error:  # logged by kind; the name is random, no personal data
            log.error("could not remove document file %s: %s", path.name, type(error).__name__)


@sa.event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    session.info.pop(WRITTEN, None)
    _unlink(session.info.pop(DOOMED, []))


@sa.event.listens_for(Session, "after_soft_rollback")
def _after_rollback(session: Session, previous_transaction) -> None:
    if not previous_transaction.parent:  # the outermost transaction: its files go
        _unlink(session.info.pop(WRITTEN, []))
        session.info.pop(DOOMED, None)


@sa.event.listens_for(Session, "before_flush")
def _files_of_deleted_owners(session: Session, flush_context, instances) -> None:
    """An exchange or a person deleted: their documents' rows go by the database's cascade,
    their files after the commit."""
    exchanges = [item.id for item in session.deleted if isinstance(item, Exchange)]
    people = [item.id for item in session.deleted if isinstance(item, Participant)]
    documents = [item.stored_name for item in session.deleted if isinstance(item, Document)]
    if exchanges or people:
        with session.no_autoflush:
            documents += session.scalars(
                sa.select(Document.stored_name).where(
                    sa.or_(Document.exchange_id.in_(exchanges), Document.participant_id.in_(people))
                )
            ).all()
    if documents:
        remove_after_commit(session, documents)
