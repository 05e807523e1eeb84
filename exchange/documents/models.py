"""Attachments of an exchange and signed consent forms of its participants.

The file itself lives on disk under a random name (``storage``); the row keeps what the pages
show: the original name (made safe), its size, checksum, the type found in its content, who
uploaded it and when.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from exchange import clock
from exchange.auth.models import User
from exchange.enums import LabelledEnum
from exchange.exchanges.models import Exchange
from exchange.extensions import Model
from exchange.registrations.models import Participant


class DocumentKind(LabelledEnum):
    PROGRAMME = "programme"
    AGREEMENT = "agreement"
    PHOTO = "photo"
    OTHER = "other"
    #: a parent's signed consent form for one participant of the exchange
    CONSENT = "consent"

    @classmethod
    def _labels(cls) -> dict:
        return {
            cls.PROGRAMME: _l("Programme for parents"),
            cls.AGREEMENT: _l("Agreement"),
            cls.PHOTO: _l("Photo"),
            cls.OTHER: _l("Other"),
            cls.CONSENT: _l("Signed consent form"),
        }


#: the kinds a coordinator attaches to an exchange (a consent form belongs to a person)
EXCHANGE_KINDS = (
    DocumentKind.PROGRAMME,
    DocumentKind.AGREEMENT,
    DocumentKind.PHOTO,
    DocumentKind.OTHER,
)


class FileType(LabelledEnum):
    """What a file is, as its content says (``sniffing``), never its name."""

    PDF = "pdf"
    PNG = "png"
    JPEG = "jpeg"
    DOCX = "docx"
    XLSX = "xlsx"
    ODT = "odt"

    @classmethod
    def _labels(cls) -> dict:
        return {
            cls.PDF: "PDF",
            cls.PNG: "PNG",
            cls.JPEG: "JPEG",
            cls.DOCX: "DOCX (Word)",
            cls.XLSX: "XLSX (Excel)",
            cls.ODT: "ODT (OpenDocument)",
        }

    @property
    def mimetype(self) -> str:
        return MIMETYPES[self]

    @property
    def extension(self) -> str:
        return "jpg" if self is FileType.JPEG else self.value


MIMETYPES = {
    FileType.PDF: "application/pdf",
    FileType.PNG: "image/png",
    FileType.JPEG: "image/jpeg",
    FileType.DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    FileType.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    FileType.ODT: "application/vnd.oasis.opendocument.text",
}


class Document(Model):
    """One uploaded file: an exchange's attachment, or a participant's signed consent form
    (``participant_id`` set exactly when the kind is ``consent``)."""

    __tablename__ = "document"
    __table_args__ = (
        sa.CheckConstraint(
            "(kind = 'consent') = (participant_id IS NOT NULL)", name="consent_names_a_person"
        ),
        sa.CheckConstraint("size >= 0", name="size_not_negative"),
        sa.UniqueConstraint("stored_name"),
        sa.Index("ix_document_exchange_uploaded", "exchange_id", "uploaded_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    exchange_id: Mapped[int] = mapped_column(sa.ForeignKey("exchange.id", ondelete="CASCADE"))
    participant_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("participant.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[DocumentKind]
    #: the name the uploader's file had, made safe to show and to offer as a download name
    original_name: Mapped[str] = mapped_column(sa.String(255))
    #: the random name of the file in DOCUMENTS_DIR (never the user's)
    stored_name: Mapped[str] = mapped_column(sa.String(64))
    file_type: Mapped[FileType]
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(sa.String(64))
    uploaded_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL")
    )
    uploaded_at: Mapped[datetime] = mapped_column(default=clock.now)

    exchange: Mapped[Exchange] = relationship()
    participant: Mapped[Participant | None] = relationship()
    uploaded_by: Mapped[User | None] = relationship()

    @property
    def is_personal(self) -> bool:
        return self.participant_id is not None

    def __repr__(self) -> str:
        return f"<Document {self.id}>"
