"""Recording audit events: explicitly (logins, exports) and automatically for every insert,
update and delete of the audited models (a session listener, so no view can forget it)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask import g, has_request_context, request
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, joinedload

from exchange import clock
from exchange.audit.models import AuditEvent, RefusedRequests
from exchange.extensions import db

log = logging.getLogger(__name__)

#: model class name → the object type written in the log
AUDITED = {
    "User": "user",
    "PartnerCity": "partner_city",
    "Institution": "institution",
    "Exchange": "exchange",
    "ProgrammeItem": "programme_item",
    "CalendarSubscription": "calendar_subscription",
    "Participant": "participant",
    "ConsentRecord": "consent",
    "Registration": "registration",
    "HostFamily": "host_family",
    "HostingPlan": "hosting_plan",
    "HostPlacement": "host_placement",
    "TravelLeg": "travel_leg",
    "LegTraveller": "leg_traveller",
    "IdentityDocument": "identity_document",
    "Room": "room",
    "RoomAssignment": "room_assignment",
    "TravellingGuardian": "travelling_guardian",
    "TripStaff": "trip_staff",
    "TripChaperone": "trip_chaperone",
    "InsurancePolicy": "insurance_policy",
    "InsuredPerson": "insured_person",
    "AccountLine": "account_line",
    "LetterSettings": "letter_settings",
    "InvitationLetter": "invitation_letter",
}
#: fields that change as a side effect and say nothing about what a person did
IGNORED_FIELDS = frozenset({"updated_at", "last_login_at", "password_hash"})


def _actor_id() -> int | None:
    """The logged-in user of this request, without loading it: this runs inside flushes."""
    if not has_request_context():
        return None
    user = getattr(g, "_login_user", None)  # where Flask-Login keeps the loaded user
    if user is None or not user.is_authenticated:
        return None
    return sa.inspect(user).identity[0] if sa.inspect(user).identity else None


def _ip_address() -> str:
    return (request.remote_addr or "")[:45] if has_request_context() else ""


def record(
    action: str,
    object_type: str = "",
    object_id: int | None = None,
    *,
    detail: str = "",
    actor_id: int | None = None,
    changes: list[str] | None = None,
) -> None:
    """Add an event to the session's transaction: it is saved with the rest, or not at all."""
    db.session.add(
        AuditEvent(
            occurred_at=clock.now(),
            actor_id=actor_id if actor_id is not None else _actor_id(),
            action=action,
            object_type=object_type,
            object_id=object_id,
            changes=changes or [],
            detail=detail[:300],
            ip_address=_ip_address(),
        )
    )


def record_now(action: str, *args, **kwargs) -> None:
    """Record and commit at once, for events whose request changes nothing else and may fail
    afterwards (a refused login)."""
    record(action, *args, **kwargs)
    db.session.commit()


def count_refusal(action: str, *, detail: str = "") -> None:
    """Count a refused request of this client address in this minute, and commit; ``detail``
    (the method and the path, one-time tokens redacted) is kept for the minute's last one.

    One statement (an insert that adds one to the minute's row when it exists), so a flood
    of refusals cannot grow any table faster than one row per address and minute.
    """
    now = clock.now()
    values = {
        "minute": now.replace(second=0, microsecond=0),
        "ip_address": _ip_address(),
        "action": action,
        "count": 1,
        "last_detail": detail[:300],
    }
    insert = (
        postgresql.insert(RefusedRequests)
        if db.session.get_bind().dialect.name == "postgresql"
        else sqlite.insert(RefusedRequests)
    )
    statement = insert.values(values)
    db.session.execute(
        statement.on_conflict_do_update(
            index_elements=["minute", "ip_address", "action"],
            set_={
                "count": RefusedRequests.count + 1,
                "last_detail": statement.excluded.last_detail,
            },
        )
    )
    db.session.commit()


def recent_refusals(limit: int = 20) -> list[RefusedRequests]:
    """The latest minutes with refused requests, newest first."""
    return list(
        db.session.scalars(
            sa.select(RefusedRequests)
            .order_by(RefusedRequests.minute.desc(), RefusedRequests.count.desc())
            .limit(limit)
        )
    )


# --- automatic events for inserts, updates and deletes --------------------------------------

_PENDING = "audit_pending"


def _changed_fields(instance: object) -> list[str]:
    state = sa.inspect(instance)
    fields = []
    for attribute in state.mapper.column_attrs:
        if attribute.key in IGNORED_FIELDS:
            continue
        if state.attrs[attribute.key].history.has_changes():
            fields.append(attribute.key)
    return sorted(fields)


@sa.event.listens_for(Session, "before_flush")
def _collect(session: Session, flush_context, instances) -> None:
    pending = session.info.setdefault(_PENDING, [])
    for action, objects in (
        ("create", session.new),
        ("update", session.dirty),
        ("delete", session.deleted),
    ):
        for instance in objects:
            object_type = AUDITED.get(type(instance).__name__)
            if object_type is None:
                continue
            # an update names its changed fields; a create or delete is the whole record
            changes = _changed_fields(instance) if action == "update" else []
            if action == "update" and not changes:
                continue
            pending.append((action, object_type, instance, changes))


def _primary_key(instance: object) -> int | None:
    # after the INSERT the id is set on the object, though it is not "persistent" yet
    state = sa.inspect(instance)
    columns = state.mapper.primary_key
    if len(columns) != 1:
        return None
    return state.dict.get(state.mapper.get_property_by_column(columns[0]).key)


@sa.event.listens_for(Session, "after_flush")
def _write(session: Session, flush_context) -> None:
    pending = session.info.pop(_PENDING, None)
    if not pending:
        return
    actor_id = _actor_id()
    ip_address = _ip_address()
    now = clock.now()
    rows = [
        {
            "occurred_at": now,
            "actor_id": actor_id,
            "action": action,
            "object_type": object_type,
            "object_id": _primary_key(instance),
            "changes": changes,
            "detail": "",
            "ip_address": ip_address,
        }
        for action, object_type, instance, changes in pending
    ]
    # a Core insert on the flush's own connection: part of the same transaction, no new flush
    session.connection().execute(sa.insert(AuditEvent), rows)


# --- browsing -------------------------------------------------------------------------------


@dataclass
class AuditFilter:
    action: str = ""
    object_type: str = ""
    object_id: int | None = None
    actor_id: int | None = None
    date_from: date | None = None
    date_to: date | None = None


def events_query(filters: AuditFilter) -> sa.Select:
    query = (
        sa.select(AuditEvent)
        .options(joinedload(AuditEvent.actor))
        .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
    )
    if filters.action:
        query = query.where(AuditEvent.action == filters.action)
    if filters.object_type:
        query = query.where(AuditEvent.object_type == filters.object_type)
    if filters.object_id is not None:
        query = query.where(AuditEvent.object_id == filters.object_id)
    if filters.actor_id is not None:
        query = query.where(AuditEvent.actor_id == filters.actor_id)
    if filters.date_from:
        start = clock.start_of_day(filters.date_from)
        query = query.where(AuditEvent.occurred_at >= start)
    if filters.date_to:
        end = clock.end_of_day(filters.date_to)
        query = query.where(AuditEvent.occurred_at <= end)
    return query


def actions() -> list[str]:
    return list(
        db.session.scalars(sa.select(AuditEvent.action).distinct().order_by(AuditEvent.action))
    )


def events_about(object_type: str, object_id: int) -> list[AuditEvent]:
    return list(
        db.session.scalars(
            sa.select(AuditEvent)
            .where(AuditEvent.object_type == object_type, AuditEvent.object_id == object_id)
            .order_by(AuditEvent.occurred_at)
        )
    )


def events_of_person(user_id: int) -> list[AuditEvent]:
    """The events a user caused, and those about their account, oldest first."""
    return list(
        db.session.scalars(
            sa.select(AuditEvent)
            .where(
                sa.or_(
                    AuditEvent.actor_id == user_id,
                    sa.and_(AuditEvent.object_type == "user", AuditEvent.object_id == user_id),
                )
            )
            .order_by(AuditEvent.occurred_at, AuditEvent.id)
        )
    )
