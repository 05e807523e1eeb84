"""Factories: objects with sensible defaults, committed, for tests."""

from __future__ import annotations

import itertools

from exchange.auth.models import User
from exchange.auth.passwords import hash_password
from exchange.core.permissions import Role
from exchange.extensions import db
from exchange.partners.models import Institution, InstitutionKind, PartnerCity

PASSWORD = "correct horse battery staple"  # noqa: S105
_numbers = itertools.count(1)


def institution(**values) -> Institution:
    number = next(_numbers)
    values.setdefault("name", f"School no. {number}")
    values.setdefault("kind", InstitutionKind.SCHOOL)
    item = Institution(**values)
    db.session.add(item)
    db.session.commit()
    return item


def user(role: str | Role = Role.COORDINATOR, password: str | None = PASSWORD, **values) -> User:
    number = next(_numbers)
    role = Role(role)
    values.setdefault("email", f"user{number}@example.org")
    values.setdefault("full_name", f"User {number}")
    if role is Role.SCHOOL and "institution" not in values:
        values["institution"] = institution()
    item = User(role=role, password_hash=hash_password(password) if password else None, **values)
    db.session.add(item)
    db.session.commit()
    return item


def partner(**values) -> PartnerCity:
    number = next(_numbers)
    values.setdefault("name", f"Partner {number}")
    values.setdefault("slug", f"partner-{number}")
    values.setdefault("country", "DE")
    values.setdefault("year_signed", 2000)
    item = PartnerCity(**values)
    db.session.add(item)
    db.session.commit()
    return item


def exchange(partners=(), **values):
    """An exchange open for registration, starting in 60 days, unless told otherwise."""
    from datetime import timedelta

    from exchange import clock
    from exchange.exchanges.models import Direction, Exchange, ExchangeKind, ExchangeStatus

    number = next(_numbers)
    start = values.pop("start_date", clock.today() + timedelta(days=60))
    values.setdefault("title", f"Youth exchange {number}")
    values.setdefault("kind", ExchangeKind.YOUTH)
    values.setdefault("direction", Direction.OUTGOING)
    values.setdefault("status", ExchangeStatus.REGISTRATION_OPEN)
    values.setdefault("end_date", start + timedelta(days=6))
    item = Exchange(start_date=start, **values)
    item.partners = list(partners) or [partner()]
    db.session.add(item)
    db.session.commit()
    return item


def participant(institution=None, *, minor: bool = True, consent: bool = True, **values):
    """A pupil of 15 with a guardian's consent (or an adult teacher with ``minor=False``)."""
    from datetime import date

    from exchange import clock
    from exchange.registrations.models import (
        ConsentMethod,
        ConsentRecord,
        Participant,
        ParticipantRole,
    )

    number = next(_numbers)
    today = clock.today()
    values.setdefault("first_name", f"Ola{number}")
    values.setdefault("last_name", f"Kowalska{number}")
    values.setdefault("date_of_birth", date(today.year - 15 if minor else today.year - 40, 1, 15))
    values.setdefault("role", ParticipantRole.PUPIL if minor else ParticipantRole.TEACHER)
    values.setdefault("country", "PL")
    if minor:
        values.setdefault("emergency_contact_name", "Anna Kowalska")
        values.setdefault("emergency_contact_phone", "+48 600 100 200")
    else:
        values.setdefault("email", f"teacher{number}@example.org")
    item = Participant(institution=institution or globals()["institution"](), **values)
    if minor and consent:
        item.consents.append(
            ConsentRecord(
                guardian_name="Anna Kowalska",
                given_on=today,
                method=ConsentMethod.PAPER,
                text_version="2026-01",
            )
        )
    db.session.add(item)
    db.session.commit()
    return item
