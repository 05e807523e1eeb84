"""Reads for the documents' pages."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from exchange.auth.models import Viewer
from exchange.documents.access import attachments_visible_to
from exchange.documents.models import Document
from exchange.exchanges.models import Exchange
from exchange.extensions import db
from exchange.registrations.models import Participant


def exchange_documents(exchange: Exchange, viewer: Viewer) -> list[Document]:
    """The exchange's documents the viewer may see (of an exchange they may read), newest
    first: the exchange's own, and the consent forms of the people they see."""
    return list(
        db.session.scalars(
            sa.select(Document)
            .options(joinedload(Document.uploaded_by), joinedload(Document.participant))
            .where(Document.exchange_id == exchange.id, attachments_visible_to(viewer))
            .order_by(
                Document.participant_id.is_not(None), Document.uploaded_at.desc(), Document.id
            )
        )
    )


def consent_forms_of(participant: Participant) -> list[Document]:
    """The signed consent forms of a person already loaded through ``get_participant_or_404``
    (which has checked that the viewer may see them), newest first."""
    return list(
        db.session.scalars(
            sa.select(Document)
            .options(joinedload(Document.exchange), joinedload(Document.uploaded_by))
            .where(Document.participant_id == participant.id)
            .order_by(Document.uploaded_at.desc(), Document.id)
        )
    )


def consent_forms_for(participant: Participant, exchange_id: int) -> list[Document]:
    return [item for item in consent_forms_of(participant) if item.exchange_id == exchange_id]
