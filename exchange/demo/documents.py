"""Synthetic documents for the demo database: a few exchanges near the demo's day get their
programme for parents (a PDF made with the reports' layout), some a photo (a small PNG), and a
couple of their registered minors the scan of their signed consent form (a PNG). The files are
written to DOCUMENTS_DIR as uploads are (``documents.storage``), so the rows and the files
agree; a rolled-back run leaves no file behind."""

from __future__ import annotations

import hashlib
import random
import struct
import zlib
from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from exchange.documents import storage
from exchange.documents.models import Document, DocumentKind, FileType
from exchange.exchanges.models import Exchange, ExchangeStatus, ProgrammeItem
from exchange.registrations.models import (
    ACTIVE,
    ConsentRecord,
    Participant,
    Registration,
    age_on,
)
from exchange.reports.pdf import ReportPDF

#: exchanges that get documents
EXCHANGES = 6
#: consent forms scanned per exchange
SCANS = 2


def _png(width: int, height: int, rng: random.Random) -> bytes:
    """A small picture: a gradient in two random colours."""
    first = [rng.randrange(256) for _ in range(3)]
    second = [rng.randrange(256) for _ in range(3)]
    rows = bytearray()
    for y in range(height):
        rows.append(0)  # no filter
        for x in range(width):
            share = (x + y) / (width + height)
            rows.extend(int(a + (b - a) * share) for a, b in zip(first, second, strict=True))

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(bytes(rows), 9))
        + chunk(b"IEND", b"")
    )


def _programme_pdf(exchange: Exchange, items: list[ProgrammeItem]) -> bytes:
    pdf = ReportPDF(exchange.title)
    pdf.add_page()
    pdf.heading(exchange.title, 14)
    pdf.paragraph(f"{exchange.start_date.isoformat()} – {exchange.end_date.isoformat()}")
    pdf.data_table(
        ["Date", "Time", "Activity"],
        [
            [item.day.isoformat(), f"{item.start_time:%H:%M}", item.activity]
            for item in sorted(items, key=lambda item: (item.day, item.start_time))
        ],
        [False, False, False],
        [pdf.epw * 0.2, pdf.epw * 0.1, pdf.epw * 0.7],
    )
    return bytes(pdf.output())


def _add(
    session: Session,
    exchange: Exchange,
    data: bytes,
    *,
    kind: DocumentKind,
    file_type: FileType,
    name: str,
    participant_id: int | None = None,
) -> None:
    stored_name, _path = storage.write(session, data)
    session.add(
        Document(
            exchange_id=exchange.id,
            participant_id=participant_id,
            kind=kind,
            original_name=name,
            stored_name=stored_name,
            file_type=file_type,
            size=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
            uploaded_by_id=exchange.coordinator_id,
        )
    )


def _minors_with_consent(session: Session, exchange: Exchange) -> list[int]:
    rows = session.execute(
        sa.select(Participant.id, Participant.date_of_birth)
        .join(Registration, Registration.participant_id == Participant.id)
        .where(
            Registration.exchange_id == exchange.id,
            Registration.status.in_(ACTIVE),
            Participant.anonymised_at.is_(None),
            Participant.consents.any(ConsentRecord.withdrawn_at.is_(None)),
        )
        .order_by(Participant.id)
    ).all()
    return [pid for pid, born in rows if age_on(born, exchange.start_date) < 18][:SCANS]


def generate(session: Session, seed: int = 1, *, today: date) -> dict:
    """Add documents to the exchanges nearest after the demo's day that have none yet. Writes
    in the session's transaction; the caller commits."""
    rng = random.Random(seed + 3000)  # noqa: S311  (demo data, deterministic on purpose)
    session.flush()
    exchanges = session.scalars(
        sa.select(Exchange)
        .where(
            Exchange.status.not_in((ExchangeStatus.DRAFT, ExchangeStatus.CANCELLED)),
            Exchange.end_date >= today - timedelta(days=30),
            Exchange.id.not_in(sa.select(Document.exchange_id)),
        )
        .order_by(Exchange.start_date, Exchange.id)
        .limit(EXCHANGES)
    ).all()
    counts = {"documents": 0}
    for index, exchange in enumerate(exchanges):
        items = list(
            session.scalars(
                sa.select(ProgrammeItem).where(ProgrammeItem.exchange_id == exchange.id)
            )
        )
        _add(
            session,
            exchange,
            _programme_pdf(exchange, items),
            kind=DocumentKind.PROGRAMME,
            file_type=FileType.PDF,
            name=f"programme-{exchange.start_date.isoformat()}.pdf",
        )
        counts["documents"] += 1
        if index % 2 == 0:
            _add(
                session,
                exchange,
                _png(96, 64, rng),
                kind=DocumentKind.PHOTO,
                file_type=FileType.PNG,
                name="group-photo.png",
            )
            counts["documents"] += 1
        for participant_id in _minors_with_consent(session, exchange):
            _add(
                session,
                exchange,
                _png(48, 64, rng),
                kind=DocumentKind.CONSENT,
                file_type=FileType.PNG,
                name=f"consent-scan-{participant_id}.png",
                participant_id=participant_id,
            )
            counts["documents"] += 1
    session.flush()
    return counts
