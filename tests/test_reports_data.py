"""A small, hand-counted data set for the report tests (no tests of its own).

Period: 2025. Counted exchanges: E1, E2 (starts in 2024), E3 (ends in 2026). Left out: E4
(cancelled), E5 (draft), E6 (2024), E7 (2026). Registrations that are withdrawn, waitlisted,
cancelled or no-show are there to be ignored. The expected figures are in the tests.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time
from decimal import Decimal

from exchange.exchanges.models import (
    Direction,
    ExchangeKind,
    ExchangeStatus,
    FundingSource,
    ProgrammeItem,
)
from exchange.extensions import db
from exchange.partners.models import InstitutionKind
from exchange.registrations.models import Gender, ParticipantRole, Registration
from exchange.registrations.models import RegistrationStatus as S
from tests import factories


@dataclass
class Data:
    alpha: object
    beta: object
    school1: object
    school2: object
    clinic: object
    e1: object
    e2: object
    e3: object
    e4: object
    school_user: object = None


def _person(institution, born, gender, role, country="PL", **values):
    return factories.participant(
        institution,
        minor=False,
        date_of_birth=born,
        gender=gender,
        role=role,
        country=country,
        **values,
    )


def _register(exchange, participant, status):
    db.session.add(
        Registration(
            exchange_id=exchange.id,
            participant_id=participant.id,
            institution_id=participant.institution_id,
            status=status,
        )
    )


def build(suffix: str = "") -> Data:
    """The data set; ``suffix`` lets the tests build it several times in one database."""
    alpha = factories.partner(name=f"Alpha{suffix}", country="DE")
    beta = factories.partner(name=f"Beta{suffix}", country="LT")
    school1 = factories.institution(name=f"SP 1 Olsztyn{suffix}")
    school2 = factories.institution(name=f"SP 2 Olsztyn{suffix}")
    clinic = factories.institution(
        name=f"Klinikum Alpha{suffix}", kind=InstitutionKind.HEALTHCARE, partner_city=alpha
    )
    completed = ExchangeStatus.COMPLETED
    e1 = factories.exchange(
        [alpha],
        title=f"Żeglarze{suffix}",
        kind=ExchangeKind.YOUTH,
        direction=Direction.OUTGOING,
        status=completed,
        start=date(2025, 3, 10),
        end_date=date(2025, 3, 16),
        budget_planned=Decimal("1000.00"),
        budget_actual=Decimal("1200.50"),
        currency="PLN",
        funding_source=FundingSource.CITY_BUDGET,
    )
    e2 = factories.exchange(
        [alpha, beta],
        kind=ExchangeKind.PROFESSIONAL,
        direction=Direction.INCOMING,
        status=completed,
        start=date(2024, 12, 28),
        end_date=date(2025, 1, 3),
        budget_planned=Decimal("5000.00"),
        budget_actual=Decimal("4000.00"),
        currency="EUR",
        funding_source=FundingSource.ERASMUS_PLUS,
    )
    e3 = factories.exchange(
        [beta],
        kind=ExchangeKind.YOUTH,
        direction=Direction.INCOMING,
        status=ExchangeStatus.REGISTRATION_CLOSED,
        start=date(2025, 12, 30),
        end_date=date(2026, 1, 2),
        budget_planned=Decimal("200.00"),
        currency="PLN",
    )
    e4 = factories.exchange(
        [alpha], status=ExchangeStatus.CANCELLED, start=date(2025, 6, 1),
        end_date=date(2025, 6, 5), budget_planned=Decimal("999.00"),
    )  # fmt: skip
    e5 = factories.exchange(
        [alpha], status=ExchangeStatus.DRAFT, start=date(2025, 7, 1),
        end_date=date(2025, 7, 3),
    )  # fmt: skip
    e6 = factories.exchange(
        [beta], kind=ExchangeKind.SPORTS, status=completed, start=date(2024, 5, 1),
        end_date=date(2024, 5, 3),
    )  # fmt: skip
    e7 = factories.exchange(
        [alpha], kind=ExchangeKind.ARTISTIC, direction=Direction.INCOMING,
        status=ExchangeStatus.PLANNED, start=date(2026, 1, 5), end_date=date(2026, 1, 6),
    )  # fmt: skip
    female, male = Gender.FEMALE, Gender.MALE
    pupil, teacher, doctor = ParticipantRole.PUPIL, ParticipantRole.TEACHER, ParticipantRole.DOCTOR
    # 18 exactly on E1's first day, and 18 one day after it
    p1 = _person(school1, date(2007, 3, 10), female, pupil, first_name="Łucja")
    p2 = _person(school1, date(2007, 3, 11), male, pupil)
    p3 = _person(school2, date(1980, 1, 1), female, teacher)
    p4 = _person(school2, date(2010, 5, 5), male, pupil)
    p5 = _person(school1, date(2010, 6, 6), female, pupil)
    p6 = _person(clinic, date(1975, 2, 2), male, doctor, country="DE")
    p7 = _person(clinic, date(1990, 1, 1), female, doctor, country="DE")
    p8 = _person(school1, date(2010, 1, 1), Gender.OTHER, pupil, country="UA")
    p9 = _person(school1, date(2010, 2, 2), female, pupil)
    for exchange, participant, status in [
        (e1, p1, S.CONFIRMED),
        (e1, p2, S.ATTENDED),
        (e1, p3, S.CONFIRMED),
        (e1, p4, S.WITHDRAWN),
        (e1, p5, S.WAITLISTED),
        (e2, p6, S.ATTENDED),
        (e2, p7, S.NO_SHOW),
        (e2, p3, S.CONFIRMED),
        (e3, p8, S.CONFIRMED),
        (e3, p9, S.CANCELLED),
        (e4, p1, S.CONFIRMED),
        (e5, p5, S.CONFIRMED),
        (e6, p2, S.CONFIRMED),
        (e7, p3, S.CONFIRMED),
    ]:
        _register(exchange, participant, status)
    e1.programme.append(
        ProgrammeItem(
            day=date(2025, 3, 10),
            start_time=time(9, 30),
            activity="Powitanie w ratuszu",
            place="Ratusz, Alpha",
        )
    )
    db.session.commit()
    return Data(alpha, beta, school1, school2, clinic, e1, e2, e3, e4)
