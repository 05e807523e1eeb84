"""Synthetic participants and registrations for the demo database (never real people)."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from exchange.db import CITY_TIMEZONE
from exchange.exchanges.models import Exchange, ExchangeKind, ExchangeStatus
from exchange.partners.models import Institution, InstitutionKind
from exchange.registrations.models import (
    ConsentMethod,
    ConsentRecord,
    Gender,
    Participant,
    ParticipantRole,
    Registration,
    RegistrationStatus,
)

FIRST_NAMES = {
    Gender.FEMALE: ("Anna", "Zofia", "Maja", "Julia", "Lena", "Aino", "Emma", "Sofia", "Olha"),
    Gender.MALE: ("Jan", "Antoni", "Kacper", "Szymon", "Leon", "Eero", "Lukas", "Noah", "Taras"),
}
LAST_NAMES = (
    "Nowak", "Kowalski", "Wiśniewski", "Wójcik", "Kamiński", "Lewandowski", "Zieliński",
    "Szymański", "Dąbrowski", "Kozłowski", "Virtanen", "Martin", "Müller", "Johnson", "Kovalenko",
)  # fmt: skip
ROLE_FOR_KIND = {
    ExchangeKind.PROFESSIONAL: ParticipantRole.DOCTOR,
    ExchangeKind.COUNCILLORS: ParticipantRole.COUNCILLOR,
    ExchangeKind.ARTISTIC: ParticipantRole.ARTIST,
    ExchangeKind.SPORTS: ParticipantRole.ATHLETE,
    ExchangeKind.TRADE_FAIR: ParticipantRole.EXHIBITOR,
}


def _person(rng: random.Random, institution: Institution, role: ParticipantRole, today: date):
    gender = rng.choice((Gender.FEMALE, Gender.MALE, Gender.FEMALE, Gender.MALE, Gender.OTHER))
    names = FIRST_NAMES.get(gender) or FIRST_NAMES[Gender.FEMALE]
    minor = role is ParticipantRole.PUPIL
    age = rng.randint(12, 17) if minor else rng.randint(24, 62)
    born = today - timedelta(days=age * 365 + rng.randint(0, 360))
    country = institution.partner_city.country if institution.partner_city else "PL"
    first = rng.choice(names)
    last = rng.choice(LAST_NAMES)
    person = Participant(
        first_name=first,
        last_name=last,
        date_of_birth=born,
        gender=gender,
        country=country,
        institution=institution,
        role=role,
        email="" if minor else f"{first}.{last}@example.org".lower(),
        emergency_contact_name=f"{rng.choice(FIRST_NAMES[Gender.FEMALE])} {last}" if minor else "",
        emergency_contact_phone=f"+48 600 {rng.randint(100, 999)} {rng.randint(100, 999)}"
        if minor
        else "",
        dietary_notes=rng.choice(("", "", "", "vegetarian", "no nuts")),
    )
    if minor:
        person.consents.append(
            ConsentRecord(
                guardian_name=person.emergency_contact_name,
                given_on=today - timedelta(days=rng.randint(1, 300)),
                method=rng.choice(list(ConsentMethod)),
                text_version="2026-01",
            )
        )
    return person


def generate(session: Session, seed: int = 1, today: date | None = None) -> dict:
    """Add participants to the demo institutions and register them for the demo exchanges.

    Past exchanges get attended / no-show registrations, open ones confirmed and waiting ones.
    Flushes; the caller commits.
    """
    today = today or date.today()
    rng = random.Random(seed + 1000)  # noqa: S311  (demo data, deterministic on purpose)
    institutions = list(
        session.scalars(
            sa.select(Institution)
            .options(sa.orm.joinedload(Institution.partner_city))
            .order_by(Institution.id)
        )
    )
    people: dict[int, list[Participant]] = {}
    for institution in institutions:
        if institution.kind is InstitutionKind.SCHOOL:
            roles = [ParticipantRole.PUPIL] * 24 + [ParticipantRole.TEACHER] * 3
        else:
            roles = [ParticipantRole.STAFF] * 6
        people[institution.id] = [_person(rng, institution, role, today) for role in roles]
        session.add_all(people[institution.id])
    session.flush()

    exchanges = session.scalars(
        sa.select(Exchange)
        .where(Exchange.status.not_in((ExchangeStatus.DRAFT, ExchangeStatus.PLANNED)))
        .order_by(Exchange.id)
    ).all()
    rows = []
    for exchange in exchanges:
        candidates = [
            person
            for institution_id in (exchange.olsztyn_institution_id, exchange.partner_institution_id)
            if institution_id in people
            for person in people[institution_id]
        ]
        if not candidates:
            continue
        role = ROLE_FOR_KIND.get(exchange.kind)
        chosen = rng.sample(candidates, min(len(candidates), rng.randint(8, 30)))
        places = exchange.capacity if exchange.capacity is not None else len(chosen)
        registered_at = datetime.combine(
            exchange.start_date - timedelta(days=40), time(9), tzinfo=CITY_TIMEZONE
        )
        for position, person in enumerate(chosen):
            if role is not None and person.role is ParticipantRole.PUPIL:
                continue
            has_place = position < places
            if exchange.status is ExchangeStatus.COMPLETED:
                status = (
                    (
                        RegistrationStatus.ATTENDED
                        if rng.random() < 0.93
                        else RegistrationStatus.NO_SHOW
                    )
                    if has_place
                    else RegistrationStatus.WITHDRAWN
                )
            elif exchange.status is ExchangeStatus.CANCELLED:
                status = RegistrationStatus.CANCELLED
            else:
                status = (
                    RegistrationStatus.CONFIRMED if has_place else RegistrationStatus.WAITLISTED
                )
            moment = registered_at + timedelta(minutes=position)
            rows.append(
                {
                    "exchange_id": exchange.id,
                    "participant_id": person.id,
                    "institution_id": person.institution_id,
                    "status": status,
                    "registered_at": moment,
                    "status_changed_at": moment,
                }
            )
    if rows:
        session.execute(sa.insert(Registration), rows)
    session.flush()
    return {
        "participants": sum(len(group) for group in people.values()),
        "registrations": len(rows),
    }
