"""Who sees which travellers, documents and rooms: the only place this rule is written.

City hall (admins and coordinators) manages legs and rooms and sees every traveller; a school
representative sees the legs of the exchanges they may read, but on them only their own
institution's people, and reads and edits the identity documents of their own people only.
A document number is shown in full to city hall and the person's own school, masked to anyone
else, and never leaves the app in a report.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort
from sqlalchemy.orm import joinedload

from exchange.auth.models import User, Viewer, is_staff
from exchange.extensions import db
from exchange.registrations.access import participants_visible_to, registrations_visible_to
from exchange.registrations.models import Participant
from exchange.travel.models import IdentityDocument, InvitationLetter, Room, TravelLeg


def travellers_visible_to(viewer: Viewer) -> sa.ColumnElement[bool]:
    """The registrations (travellers, occupants) ``viewer`` may see on a leg or in a room."""
    return registrations_visible_to(viewer)


def documents_visible_to(viewer: Viewer) -> sa.ColumnElement[bool]:
    return IdentityDocument.participant.has(participants_visible_to(viewer))


def can_read_number(viewer: Viewer, participant: Participant) -> bool:
    """City hall and the person's own school read a document number; anyone else sees it
    masked."""
    if is_staff(viewer):
        return True
    return (
        isinstance(viewer, User)
        and viewer.is_authenticated
        and viewer.institution_id == participant.institution_id
    )


def shown_number(document: IdentityDocument, viewer: Viewer) -> str:
    """The number as ``viewer`` may see it."""
    if can_read_number(viewer, document.participant):
        return document.number
    return document.masked_number


def get_leg_or_404(leg_id: int) -> TravelLeg:
    """A leg, for city hall (the views that load it are staff only)."""
    leg = db.session.scalar(
        sa.select(TravelLeg).options(joinedload(TravelLeg.exchange)).where(TravelLeg.id == leg_id)
    )
    if leg is None:
        abort(404)
    return leg


def get_room_or_404(room_id: int) -> Room:
    """A room, for city hall (the views that load it are staff only)."""
    room = db.session.scalar(
        sa.select(Room).options(joinedload(Room.exchange)).where(Room.id == room_id)
    )
    if room is None:
        abort(404)
    return room


def get_document(participant: Participant) -> IdentityDocument | None:
    """The document of a participant already loaded through ``get_participant_or_404`` (which
    has checked that the viewer may see the person)."""
    return db.session.scalar(
        sa.select(IdentityDocument)
        .options(joinedload(IdentityDocument.participant))
        .where(IdentityDocument.participant_id == participant.id)
    )


def get_letter_or_404(letter_id: int) -> InvitationLetter:
    """An invitation letter, for city hall (the views that load it are staff only)."""
    letter = db.session.scalar(
        sa.select(InvitationLetter)
        .options(joinedload(InvitationLetter.exchange))
        .where(InvitationLetter.id == letter_id)
    )
    if letter is None:
        abort(404)
    return letter


def emergency_group(viewer: Viewer, requested: int | None) -> int | None:
    """The institution whose travellers an emergency sheet lists: for city hall the one asked
    for (None: every group); for a school its own, and another school's group is not found."""
    if is_staff(viewer):
        return requested
    own = viewer.institution_id if isinstance(viewer, User) else None
    if own is None or (requested is not None and requested != own):
        abort(404)
    return own
