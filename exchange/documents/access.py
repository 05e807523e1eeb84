"""Who may read, upload and remove which documents: the only place this rule is written.

An exchange's documents (programme, agreements, photos…) are read by whoever may read the
exchange (``exchanges.access``) and managed by city hall. A participant's signed consent form
is read only by city hall and the person's own school (to anyone else it does not exist: 404),
and uploaded and removed by them too.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort
from sqlalchemy.orm import joinedload

from exchange.audit import services as audit
from exchange.auth.models import Viewer, is_staff
from exchange.documents.models import Document
from exchange.exchanges import access as exchange_access
from exchange.extensions import db
from exchange.registrations.access import can_see_participant, participants_visible_to
from exchange.registrations.models import Participant


def attachments_visible_to(viewer: Viewer) -> sa.ColumnElement[bool]:
    """Among the documents of an exchange the viewer may read: those they may see (every
    exchange document; consent forms of the people they see)."""
    return sa.or_(
        Document.participant_id.is_(None),
        Document.participant.has(participants_visible_to(viewer)),
    )


def can_manage(document: Document, viewer: Viewer) -> bool:
    """Remove it: city hall any; a school its own people's consent forms."""
    return is_staff(viewer) or (document.is_personal and viewer.is_authenticated)


def get_document_or_404(document_id: int, viewer: Viewer) -> Document:
    """A document the viewer may read: of an exchange they may read, and if it is a consent
    form, of a person they may see. Another school's consent form is not found (and the
    attempt goes into the audit log)."""
    document = db.session.scalar(
        sa.select(Document)
        .options(
            joinedload(Document.exchange),
            joinedload(Document.participant).joinedload(Participant.institution),
            joinedload(Document.uploaded_by),
        )
        .where(Document.id == document_id)
    )
    if document is None or not exchange_access.can_read(document.exchange, viewer):
        abort(404)
    if document.participant is not None and not can_see_participant(viewer, document.participant):
        audit.record_now("access_denied", "document", document.id)
        abort(404)
    return document
