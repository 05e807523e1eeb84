"""Children's data in the documents: what an access export lists, what erasure removes.

A signed consent form names a child and their parent: anonymising or erasing the person
deletes its row, and its file once the erasure is committed (``storage``). The activity report
counts no documents, so it does not change.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from exchange.audit import services as audit
from exchange.documents.models import Document
from exchange.extensions import db
from exchange.registrations.models import Participant


def documents_data(participant: Participant) -> dict[str, Any]:
    """The person's documents for their access export: names and dates, never the content."""
    documents = db.session.scalars(
        sa.select(Document)
        .options(joinedload(Document.exchange))
        .where(Document.participant_id == participant.id)
        .order_by(Document.uploaded_at, Document.id)
    ).all()
    return {
        "documents": [
            {
                "exchange": document.exchange.title,
                "kind": document.kind.value,
                "file_name": document.original_name,
                "file_type": document.file_type.value,
                "size": document.size,
                "sha256": document.sha256,
                "uploaded_at": document.uploaded_at.isoformat(),
            }
            for document in documents
        ]
    }


def erase_documents_of(participant_ids: list[int]) -> None:
    """Delete these people's documents: the rows now, the files after the commit."""
    if not participant_ids:
        return
    for document in db.session.scalars(
        sa.select(Document).where(Document.participant_id.in_(participant_ids))
    ):
        audit.record("delete", "document", document.id, detail="erasure")
        db.session.delete(document)
    db.session.flush()
