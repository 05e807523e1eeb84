"""Uploading and removing documents: the type from the content, the size bounded before the
file is read in full, the file and its row in one transaction (``storage``), an audit entry
for each.

A signed consent form uploaded for a registered participant who has no valid consent yet
records that consent (``registrations.participants.record_consent``, a paper form), so the
scan and the record agree.
"""

from __future__ import annotations

import hashlib
import logging
import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from typing import IO

from flask import current_app
from flask_babel import lazy_gettext as _l

from exchange.audit import services as audit
from exchange.auth.models import User
from exchange.documents import storage
from exchange.documents.models import EXCHANGE_KINDS, Document, DocumentKind, FileType
from exchange.documents.sniffing import sniff
from exchange.errors import DomainError
from exchange.exchanges.models import Exchange
from exchange.extensions import db
from exchange.registrations import participants as people
from exchange.registrations.models import ConsentMethod, Registration

log = logging.getLogger(__name__)

#: characters of a file name kept (the column holds 255)
MAX_NAME_LENGTH = 200
_UNSAFE = re.compile(r'[\x00-\x1f\x7f-\x9f/\\:*?"<>|;]+')


class DocumentError(DomainError):
    """A file refused; ``field`` is the form's file field unless said otherwise."""

    def __init__(self, message: str, field: str | None = "file") -> None:
        super().__init__(message, field)


@dataclass
class Upload:
    """A file as the browser sent it: its stream (read here, bounded) and its name."""

    stream: IO[bytes]
    filename: str


@dataclass
class ConsentScanValues:
    """The consent a scan shows, recorded with it when none is recorded yet."""

    guardian_name: str
    given_on: date | None
    text_version: str


def safe_name(filename: str, file_type: FileType) -> str:
    """The user's file name, fit to show and to offer for download: no path, no control or
    reserved characters, not too long, with the extension of its real type."""
    name = unicodedata.normalize("NFC", filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = _UNSAFE.sub("_", name).strip(" ._")
    stem = name.rsplit(".", 1)[0] if "." in name else name
    stem = stem.strip(" ._")[: MAX_NAME_LENGTH - 6] or "document"
    return f"{stem}.{file_type.extension}"


def read_bounded(upload: Upload) -> bytes:
    """The file's bytes, or DocumentError when it is empty or larger than DOCUMENT_MAX_BYTES
    (never more than one byte past the bound is read)."""
    limit = current_app.config["DOCUMENT_MAX_BYTES"]
    data = upload.stream.read(limit + 1)
    if len(data) > limit:
        raise DocumentError(_l("The file is larger than %(size)d MB.", size=limit // (1024 * 1024)))
    if not data:
        raise DocumentError(_l("The file is empty."))
    return data


def check_file(data: bytes) -> FileType:
    file_type = sniff(data)
    if file_type is None:
        raise DocumentError(
            _l("This file is not a PDF, PNG, JPEG, DOCX, XLSX or ODT document (its content "
               "was checked, not its name).")
        )  # fmt: skip
    return file_type


def _store(
    exchange: Exchange,
    upload: Upload,
    *,
    kind: DocumentKind,
    by: User,
    participant_id: int | None = None,
) -> Document:
    data = read_bounded(upload)
    file_type = check_file(data)
    try:
        stored_name, path = storage.write(db.session(), data)
    except OSError as error:  # a full or read-only volume: said, not a 500, and no row
        log.error("could not write a document file: %s", type(error).__name__)
        raise DocumentError(_l("The file could not be stored. Please try again later.")) from None
    document = Document(
        exchange_id=exchange.id,
        participant_id=participant_id,
        kind=kind,
        original_name=safe_name(upload.filename, file_type),
        stored_name=stored_name,
        file_type=file_type,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        uploaded_by_id=by.id,
    )
    try:
        db.session.add(document)
        db.session.flush()
    except Exception:
        path.unlink(missing_ok=True)
        raise
    audit.record("upload", "document", document.id, actor_id=by.id, detail=kind.value)
    return document


def upload_exchange_document(
    exchange: Exchange, upload: Upload, kind: DocumentKind, *, by: User
) -> Document:
    """Attach a document to the exchange (staff: the view checks)."""
    if kind not in EXCHANGE_KINDS:
        raise DocumentError(_l("Choose what the document is."), field="kind")
    return _store(exchange, upload, kind=kind, by=by)


def upload_consent_scan(
    registration: Registration, upload: Upload, values: ConsentScanValues, *, by: User
) -> Document:
    """Keep the scan of a participant's signed consent form for this exchange; when the person
    has no valid consent recorded, record it (a paper form, with its text version)."""
    participant = registration.participant
    recorded = any(consent.is_valid for consent in participant.consents)
    consent_values = None
    if not recorded:
        consent_values = people.ConsentValues(
            guardian_name=values.guardian_name,
            given_on=values.given_on or date.min,
            method=ConsentMethod.PAPER,
            text_version=values.text_version,
        )
        if values.given_on is None:
            raise DomainError(_l("Give the date the form was signed."), field="given_on")
        people.check_consent(consent_values, born=participant.date_of_birth)
    document = _store(
        registration.exchange,
        upload,
        kind=DocumentKind.CONSENT,
        by=by,
        participant_id=participant.id,
    )
    if consent_values is not None:
        people.record_consent(participant, consent_values, by=by)
    return document


def remove_document(document: Document, *, by: User) -> None:
    """Remove the document: its row now, its file once the deletion is committed."""
    audit.record("delete", "document", document.id, actor_id=by.id, detail=document.kind.value)
    db.session.delete(document)
    db.session.flush()


def record_download(document: Document, *, by: User) -> None:
    """A personal document (a signed consent form) was downloaded: the audit log says by whom."""
    if document.is_personal:
        audit.record("download", "document", document.id, actor_id=by.id)
