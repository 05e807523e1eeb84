"""Who sees which participants, consents and registrations: the only place this rule is written.

City hall (admins and coordinators) sees everyone; a school representative only the people of
their own institution, and their registrations. Every loader applies the rule; an object that
exists but belongs to another school answers 404, and the attempt goes into the audit log
(someone changed a number in the URL).
"""

from __future__ import annotations

from typing import NoReturn

import sqlalchemy as sa
from flask import abort
from sqlalchemy.orm import joinedload, selectinload

from exchange.audit import services as audit
from exchange.auth.models import User, Viewer, is_staff
from exchange.extensions import db
from exchange.registrations.models import ConsentRecord, Participant, Registration


def participants_visible_to(viewer: Viewer) -> sa.ColumnElement[bool]:
    """Staff see every participant; a school representative only their institution's; a
    visitor nobody."""
    if is_staff(viewer):
        return sa.true()
    if isinstance(viewer, User) and viewer.is_authenticated:
        return Participant.institution_id == viewer.institution_id
    return sa.false()


def can_see_participant(viewer: Viewer, participant: Participant) -> bool:
    """``participants_visible_to`` for one participant already loaded."""
    if is_staff(viewer):
        return True
    return (
        isinstance(viewer, User)
        and viewer.is_authenticated
        and participant.institution_id == viewer.institution_id
    )


def registrations_visible_to(viewer: Viewer) -> sa.ColumnElement[bool]:
    """A school representative sees the registrations of the participants they see: by the
    participant's institution now, not ``Registration.institution_id`` (the one at registering,
    kept for quotas), so a pupil moved to another school takes their registrations along."""
    if is_staff(viewer):
        return sa.true()
    return Registration.participant.has(participants_visible_to(viewer))


def _not_found(model, object_type: str, object_id: int) -> NoReturn:
    """404 — and when the object exists, an audit event: someone changed a number in the URL."""
    if db.session.get(model, object_id) is not None:
        audit.record_now("access_denied", object_type, object_id)
    abort(404)


def get_participant_or_404(participant_id: int, viewer: Viewer) -> Participant:
    participant = db.session.scalar(
        sa.select(Participant)
        .options(
            joinedload(Participant.institution),
            selectinload(Participant.consents).joinedload(ConsentRecord.recorded_by),
        )
        .where(Participant.id == participant_id, participants_visible_to(viewer))
    )
    if participant is None:
        _not_found(Participant, "participant", participant_id)
    return participant


def get_registration_or_404(registration_id: int, viewer: Viewer) -> Registration:
    registration = db.session.scalar(
        sa.select(Registration)
        .options(
            joinedload(Registration.participant),
            joinedload(Registration.exchange),
            joinedload(Registration.institution),
        )
        .where(Registration.id == registration_id, registrations_visible_to(viewer))
    )
    if registration is None:
        _not_found(Registration, "registration", registration_id)
    return registration


def get_consent_or_404(consent_id: int, viewer: Viewer) -> ConsentRecord:
    consent = db.session.scalar(
        sa.select(ConsentRecord)
        .join(ConsentRecord.participant)
        .options(joinedload(ConsentRecord.participant))
        .where(ConsentRecord.id == consent_id, participants_visible_to(viewer))
    )
    if consent is None:
        _not_found(ConsentRecord, "consent", consent_id)
    return consent
