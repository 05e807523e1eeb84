"""Children's data: retention (anonymise after N months), access requests and erasure.

Anonymising keeps exactly what the activity reports count — year of birth, gender, country,
institution, role and the registrations — so every report is the same before and after. The date
of birth is moved to the first day of the birth year on which the person still was a minor (or an
adult) on the first day of each of their exchanges: the reports' age groups stay the same, and
the real day of birth is gone.
"""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from exchange import clock
from exchange.audit import services as audit
from exchange.auth.models import User
from exchange.exchanges.models import Exchange
from exchange.extensions import db
from exchange.registrations.models import (
    ADULT_AGE,
    ConsentRecord,
    Participant,
    Registration,
)
from exchange.registrations.signals import person_exported, personal_data_erased

ANONYMOUS_FIRST_NAME = "Anonymised"


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def anonymous_birth_date(born: date, exchange_starts: list[date]) -> date:
    """The earliest day of the birth year that keeps "minor or adult on the first day" of every
    exchange the same as for the real date of birth."""
    earliest = date(born.year, 1, 1)
    for start in exchange_starts:
        eighteenth_birthday_cutoff = _add_years(start, -ADULT_AGE)
        # a minor on that day was born after the cutoff: the new date must be after it too
        if born > eighteenth_birthday_cutoff:
            earliest = max(earliest, eighteenth_birthday_cutoff + timedelta(days=1))
    return earliest


def _anonymise(participant: Participant, exchange_starts: list[date]) -> None:
    participant.first_name = ANONYMOUS_FIRST_NAME
    participant.last_name = f"#{participant.id}"
    participant.date_of_birth = anonymous_birth_date(participant.date_of_birth, exchange_starts)
    participant.email = ""
    participant.phone = ""
    participant.emergency_contact_name = ""
    participant.emergency_contact_phone = ""
    participant.parent_phone = ""
    participant.school_class = ""
    participant.dietary_notes = ""
    participant.medical_notes = ""
    participant.diets = ""
    participant.allergic_to_animals = False
    participant.languages = ""
    participant.citizenship = ""
    participant.place_of_birth = ""
    participant.residence_document_kind = None
    participant.residence_document_number = ""
    participant.residence_document_expires_on = None
    participant.anonymised_at = clock.now()
    for consent in participant.consents:
        consent.guardian_name = ""


def _exchange_starts(participant_ids: list[int]) -> dict[int, list[date]]:
    starts: dict[int, list[date]] = {pid: [] for pid in participant_ids}
    rows = db.session.execute(
        sa.select(Registration.participant_id, Exchange.start_date)
        .join(Registration.exchange)
        .where(Registration.participant_id.in_(participant_ids))
    )
    for participant_id, start in rows:
        starts[participant_id].append(start)
    return starts


def due_for_anonymisation(months: int, today: date | None = None) -> sa.Select:
    """Participants not yet anonymised whose last exchange ended more than ``months`` months
    ago (or who never registered and were added that long ago)."""
    today = today or clock.today()
    cutoff = add_months(today, -months)
    last_end = (
        sa.select(sa.func.max(Exchange.end_date))
        .join(Registration, Registration.exchange_id == Exchange.id)
        .where(Registration.participant_id == Participant.id)
        .scalar_subquery()
    )
    return sa.select(Participant).where(
        Participant.anonymised_at.is_(None),
        sa.or_(
            last_end < cutoff,
            sa.and_(last_end.is_(None), Participant.created_at < clock.start_of_day(cutoff)),
        ),
    )


def add_months(day: date, months: int) -> date:
    month_index = day.year * 12 + day.month - 1 + months
    year, month = divmod(month_index, 12)
    month += 1
    for last_day in (day.day, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last_day))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def anonymise_expired(months: int, *, today: date | None = None, batch: int = 500) -> int:
    """Anonymise every participant due under the retention rule; returns how many."""
    query = due_for_anonymisation(months, today).options(selectinload(Participant.consents))
    participants = list(db.session.scalars(query))
    for start in range(0, len(participants), batch):
        chunk = participants[start : start + batch]
        starts = _exchange_starts([item.id for item in chunk])
        for participant in chunk:
            _anonymise(participant, starts[participant.id])
        db.session.flush()
        personal_data_erased.send([item.id for item in chunk])
    if participants:
        audit.record(
            "anonymise", "participant", detail=f"{len(participants)} participants, {months} months"
        )
    return len(participants)


def erase(participant: Participant, *, by: User) -> None:
    """Erase one person's personal data on request, keeping what the reports count."""
    starts = _exchange_starts([participant.id])[participant.id]
    _anonymise(participant, starts)
    db.session.flush()
    personal_data_erased.send([participant.id])
    audit.record("erase", "participant", participant.id, actor_id=by.id)


def export_person(participant: Participant, *, by: User) -> dict:
    """Everything held about one person, for an access request (every table that refers to
    them: the participant, consents, registrations with their exchanges, the audit log)."""
    registrations = db.session.scalars(
        sa.select(Registration)
        .options(sa.orm.joinedload(Registration.exchange))
        .where(Registration.participant_id == participant.id)
        .order_by(Registration.registered_at)
    ).all()
    consents = db.session.scalars(
        sa.select(ConsentRecord)
        .where(ConsentRecord.participant_id == participant.id)
        .order_by(ConsentRecord.recorded_at)
    ).all()
    events = audit.events_about("participant", participant.id)
    audit.record("export", "participant", participant.id, actor_id=by.id, detail="access request")
    sections: dict = {}
    for _receiver, section in person_exported.send(participant):
        sections.update(section or {})
    return {
        **sections,
        "participant": {
            "id": participant.id,
            "first_name": participant.first_name,
            "last_name": participant.last_name,
            "date_of_birth": participant.date_of_birth.isoformat(),
            "gender": participant.gender.value,
            "country_of_residence": participant.country,
            "institution": participant.institution.name,
            "role": participant.role.value,
            "email": participant.email,
            "phone": participant.phone,
            "emergency_contact_name": participant.emergency_contact_name,
            "emergency_contact_phone": participant.emergency_contact_phone,
            "parent_phone": participant.parent_phone,
            "school_class": participant.school_class,
            "dietary_notes": participant.dietary_notes,
            "medical_notes": participant.medical_notes,
            "diets": participant.diets,
            "allergic_to_animals": participant.allergic_to_animals,
            "languages": participant.languages,
            "citizenship": participant.citizenship,
            "place_of_birth": participant.place_of_birth,
            "residence_document": {
                "kind": participant.residence_document_kind.value
                if participant.residence_document_kind
                else None,
                "number": participant.residence_document_number,
                "expires_on": participant.residence_document_expires_on.isoformat()
                if participant.residence_document_expires_on
                else None,
            },
            "created_at": participant.created_at.isoformat(),
            "anonymised_at": participant.anonymised_at.isoformat()
            if participant.anonymised_at
            else None,
        },
        "consents": [
            {
                "guardian_name": consent.guardian_name,
                "given_on": consent.given_on.isoformat(),
                "method": consent.method.value,
                "text_version": consent.text_version,
                "recorded_at": consent.recorded_at.isoformat(),
                "withdrawn_at": consent.withdrawn_at.isoformat() if consent.withdrawn_at else None,
            }
            for consent in consents
        ],
        "registrations": [
            {
                "exchange": registration.exchange.title,
                "exchange_start": registration.exchange.start_date.isoformat(),
                "exchange_end": registration.exchange.end_date.isoformat(),
                "status": registration.status.value,
                "registered_at": registration.registered_at.isoformat(),
            }
            for registration in registrations
        ],
        "audit_log": [
            {
                "occurred_at": event.occurred_at.isoformat(),
                "action": event.action,
                "changed_fields": event.changes,
            }
            for event in events
        ],
    }
