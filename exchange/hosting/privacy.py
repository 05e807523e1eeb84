"""The host families' data: access requests, erasure on request, retention, and what follows
when a participant's data is erased (their family's, as its host child, goes too).

Nothing here is counted by the activity report, so erasing it leaves every report the same.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import sqlalchemy as sa

from exchange import clock
from exchange.audit import services as audit
from exchange.auth.models import User
from exchange.exchanges.models import Exchange
from exchange.extensions import db
from exchange.hosting.models import ANONYMOUS_FAMILY_NAME, HostFamily, HostPlacement
from exchange.registrations.models import Participant
from exchange.registrations.privacy import add_months


def _strip_family(family: HostFamily, today: date) -> None:
    """Remove what names or locates the family; keep what it offered (beds, pets…), and its
    past placements (they name no one of the family). Placements in exchanges not over yet
    are removed: an erased family hosts nobody."""
    family.family_name = ANONYMOUS_FAMILY_NAME
    family.address = ""
    family.contact_name = ""
    family.phone = ""
    family.email = ""
    family.languages = ""
    family.notes = ""
    family.host_child_id = None
    family.host_child_age = None
    family.host_child_gender = None
    family.host_child_class = ""
    family.anonymised_at = clock.now()
    ongoing = sa.select(Exchange.id).where(Exchange.end_date >= today)
    db.session.execute(
        sa.delete(HostPlacement).where(
            HostPlacement.family_id == family.id, HostPlacement.exchange_id.in_(ongoing)
        )
    )


def _anonymise_all(families: Iterable[HostFamily], detail: str, by: User | None = None) -> int:
    today = clock.today()
    count = 0
    for family in families:
        _strip_family(family, today)
        count += 1
    db.session.flush()
    if count:
        audit.record("anonymise", "host_family", detail=detail, actor_id=by.id if by else None)
    return count


def erase_family(family: HostFamily, *, by: User) -> None:
    """Erase a family's personal data on request (the family withdrew its consent)."""
    _strip_family(family, clock.today())
    db.session.flush()
    audit.record("erase", "host_family", family.id, actor_id=by.id)


def erase_families_of(participant_ids: list[int]) -> int:
    """The families whose host child's data was just erased: the child's family address goes
    with it."""
    families = db.session.scalars(
        sa.select(HostFamily).where(
            HostFamily.host_child_id.in_(participant_ids), HostFamily.anonymised_at.is_(None)
        )
    ).all()
    return _anonymise_all(families, f"{len(families)} families of erased host children")


def anonymise_expired_families(months: int, *, today: date | None = None) -> int:
    """Families not erased whose last guest left more than ``months`` months ago, or who never
    hosted and were registered (and available) that long ago."""
    today = today or clock.today()
    cutoff = add_months(today, -months)
    last_end = (
        sa.select(sa.func.max(Exchange.end_date))
        .join(HostPlacement, HostPlacement.exchange_id == Exchange.id)
        .where(HostPlacement.family_id == HostFamily.id)
        .scalar_subquery()
    )
    families = db.session.scalars(
        sa.select(HostFamily).where(
            HostFamily.anonymised_at.is_(None),
            sa.or_(
                last_end < cutoff,
                sa.and_(
                    last_end.is_(None),
                    HostFamily.created_at < clock.start_of_day(cutoff),
                    sa.or_(
                        HostFamily.available_until.is_(None),
                        HostFamily.available_until < cutoff,
                    ),
                ),
            ),
        )
    ).all()
    return _anonymise_all(families, f"{len(families)} families, {months} months")


def _family_data(family: HostFamily) -> dict:
    return {
        "id": family.id,
        "family_name": family.family_name,
        "school": family.institution.name,
        "address": family.address,
        "contact_name": family.contact_name,
        "phone": family.phone,
        "email": family.email,
        "guest_beds": family.guest_beds,
        "languages": family.languages,
        "has_pets": family.has_pets,
        "smoking": family.smoking,
        "diets": family.diets,
        "accepts": family.accepts.value,
        "host_child_age": family.host_child_age,
        "host_child_gender": family.host_child_gender.value if family.host_child_gender else None,
        "host_child_class": family.host_child_class,
        "available_from": family.available_from.isoformat() if family.available_from else None,
        "available_until": family.available_until.isoformat() if family.available_until else None,
        "consent_given_on": family.consent_given_on.isoformat(),
        "consent_method": family.consent_method.value,
        "notes": family.notes,
        "created_at": family.created_at.isoformat(),
        "anonymised_at": family.anonymised_at.isoformat() if family.anonymised_at else None,
    }


def _placements(condition: sa.ColumnElement[bool]) -> list[HostPlacement]:
    return list(
        db.session.scalars(
            sa.select(HostPlacement)
            .options(
                sa.orm.joinedload(HostPlacement.exchange),
                sa.orm.joinedload(HostPlacement.family),
                sa.orm.joinedload(HostPlacement.guest),
            )
            .where(condition)
            .order_by(HostPlacement.placed_at, HostPlacement.id)
        )
    )


def export_family(family: HostFamily, *, by: User) -> dict:
    """Everything held about a family, for its access request: the family, its guests (by
    exchange, without the guests' own data) and the audit log about it."""
    audit.record("export", "host_family", family.id, actor_id=by.id, detail="access request")
    return {
        "host_family": _family_data(family),
        "guests": [
            {
                "exchange": item.exchange.title,
                "arrival": item.exchange.start_date.isoformat(),
                "departure": item.exchange.end_date.isoformat(),
            }
            for item in _placements(HostPlacement.family_id == family.id)
        ],
        "audit_log": [
            {
                "occurred_at": event.occurred_at.isoformat(),
                "action": event.action,
                "changed_fields": event.changes,
            }
            for event in audit.events_about("host_family", family.id)
        ],
    }


def person_sections(participant: Participant) -> dict:
    """What hosting holds about a participant, for their access export: the families they
    were host child of, and the families they stayed with."""
    families = db.session.scalars(
        sa.select(HostFamily)
        .options(sa.orm.joinedload(HostFamily.institution))
        .where(HostFamily.host_child_id == participant.id)
    ).all()
    return {
        "host_child_of": [_family_data(family) for family in families],
        "stayed_with": [
            {
                "exchange": item.exchange.title,
                "family": item.family.family_name,
                "arrival": item.exchange.start_date.isoformat(),
                "departure": item.exchange.end_date.isoformat(),
            }
            for item in _placements(HostPlacement.guest_id == participant.id)
        ],
    }
