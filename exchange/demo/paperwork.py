"""A demo trip for the school paperwork: an outgoing youth exchange to Offenburg (or the first
partner city abroad) with pupils and teachers of TWO Olsztyn secondary schools, its programme,
and each school's trip leader and chaperone chosen. It starts ten days after the demo's day, so
the school that has not produced its notice to the education superintendent is reminded on its
dashboard (the first school has produced it, the second not). The travel demo, run after this,
gives it its legs."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from exchange.exchanges.models import (
    Direction,
    Exchange,
    ExchangeKind,
    ExchangeStatus,
    ProgrammeItem,
)
from exchange.paperwork.models import TripChaperone, TripStaff
from exchange.partners.models import Institution, InstitutionKind, PartnerCity, SchoolLevel
from exchange.registrations.models import (
    ConsentMethod,
    ConsentRecord,
    Gender,
    Participant,
    ParticipantRole,
    Registration,
    RegistrationStatus,
)

TITLE = "Youth exchange Offenburg: two Olsztyn schools"
#: days from the demo's day to the first day of the trip
STARTS_IN = 10
PUPILS = (
    (("Zofia", "Wiśniewska", Gender.FEMALE), ("Kacper", "Zieliński", Gender.MALE),
     ("Maja", "Kamińska", Gender.FEMALE), ("Jakub", "Lewandowski", Gender.MALE),
     ("Oksana", "Kovalenko", Gender.FEMALE)),
    (("Julia", "Dąbrowska", Gender.FEMALE), ("Antoni", "Wójcik", Gender.MALE),
     ("Hanna", "Kozłowska", Gender.FEMALE), ("Filip", "Jankowski", Gender.MALE),
     ("Lena", "Sikorska", Gender.FEMALE)),
)  # fmt: skip
TEACHERS = (
    (("Katarzyna", "Nowicka"), ("Piotr", "Krawczyk")),
    (("Agnieszka", "Pawlak"), ("Tomasz", "Michalski")),
)
CLASSES = ("2a", "3b")
PROGRAMME = (
    (0, time(19), "Welcome evening with the host families", "Offenburg"),
    (1, time(9), "Project workshop on renewable energy", "Oken-Gymnasium"),
    (2, time(10), "Visit to the town hall and the old town", "Rathaus Offenburg"),
    (3, time(9), "Day trip to Strasbourg and the European Parliament", "Strasbourg"),
    (4, time(10), "Presentation of the project results", "Oken-Gymnasium"),
)


def _schools(session: Session) -> list[Institution]:
    return list(
        session.scalars(
            sa.select(Institution)
            .where(
                Institution.partner_city_id.is_(None),
                Institution.kind == InstitutionKind.SCHOOL,
                Institution.name.like("%Secondary School%"),
            )
            .order_by(Institution.name)
            .limit(2)
        )
    )


def _partner(session: Session) -> PartnerCity | None:
    return session.scalar(
        sa.select(PartnerCity)
        .where(PartnerCity.country != "PL")
        .order_by((PartnerCity.name != "Offenburg"), PartnerCity.name)
        .limit(1)
    )


def _person(school, first, last, born, role, gender, today, number) -> Participant:
    pupil = role is ParticipantRole.PUPIL
    person = Participant(
        first_name=first, last_name=last, date_of_birth=born, gender=gender, country="PL",
        institution=school, role=role,
        email="" if pupil else f"teacher.demo{number}@example.org",
        emergency_contact_name=f"{last} (parent)" if pupil else "",
        emergency_contact_phone=f"+48 600 300 {number:03d}" if pupil else "",
        parent_phone=f"+48 601 300 {number:03d}" if pupil else "",
        school_class=CLASSES[number % 2] if pupil else "",
    )  # fmt: skip
    if pupil:
        person.consents.append(
            ConsentRecord(guardian_name=f"{last} (parent)", given_on=today - timedelta(days=40),
                          method=ConsentMethod.PAPER, text_version="2026-01")
        )  # fmt: skip
    return person


def generate(session: Session, seed: int = 1, *, today: date) -> dict:
    """Add the trip, unless there are not two Olsztyn secondary schools and a partner abroad
    (or the trip is there already). Writes in the session's transaction; the caller commits."""
    rng = random.Random(seed + 3000)  # noqa: S311  (demo data, deterministic on purpose)
    schools, partner = _schools(session), _partner(session)
    if (
        len(schools) < 2
        or partner is None
        or session.scalar(sa.select(Exchange.id).where(Exchange.title == TITLE))
    ):
        return {"paperwork_trips": 0}
    start = today + timedelta(days=STARTS_IN)
    exchange = Exchange(
        title=TITLE, kind=ExchangeKind.YOUTH, direction=Direction.OUTGOING,
        status=ExchangeStatus.REGISTRATION_CLOSED, start_date=start,
        end_date=start + timedelta(days=5), city=partner.name, venue="Oken-Gymnasium",
        description="A joint project of two Olsztyn schools and their partner school on "
        "renewable energy in the twin towns.",
        olsztyn_institution_id=schools[0].id, school_level=SchoolLevel.SECONDARY, capacity=30,
        registration_opens=today - timedelta(days=60),
        registration_closes=today - timedelta(days=20), currency="PLN",
    )  # fmt: skip
    exchange.partners = [partner]
    exchange.programme = [
        ProgrammeItem(day=start + timedelta(days=day), start_time=at, activity=what, place=where)
        for day, at, what, where in PROGRAMME
    ]
    session.add(exchange)
    number = 0
    for index, school in enumerate(schools):
        people = []
        for first, last, gender in PUPILS[index]:
            number += 1
            born = date(start.year - 16, rng.randint(1, 12), rng.randint(1, 28))
            people.append(_person(school, first, last, born, ParticipantRole.PUPIL, gender,
                                  today, number))  # fmt: skip
        teachers = []
        for first, last in TEACHERS[index]:
            number += 1
            born = date(start.year - rng.randint(30, 55), rng.randint(1, 12), rng.randint(1, 28))
            teachers.append(_person(school, first, last, born, ParticipantRole.TEACHER,
                                    Gender.NOT_STATED, today, number))  # fmt: skip
        session.add_all([*people, *teachers])
        session.flush()
        registered = datetime.combine(today - timedelta(days=50), time(9), tzinfo=UTC)
        session.add_all(
            Registration(exchange_id=exchange.id, participant_id=person.id,
                         institution_id=school.id, status=RegistrationStatus.CONFIRMED,
                         registered_at=registered, status_changed_at=registered)
            for person in [*people, *teachers]
        )  # fmt: skip
        staff = TripStaff(exchange_id=exchange.id, institution_id=school.id,
                          leader_id=teachers[0].id)  # fmt: skip
        staff.chaperones = [TripChaperone(participant_id=teachers[1].id)]
        if index == 0:  # the first school has produced its notice; the second is reminded
            staff.notice_produced_at = registered + timedelta(days=30)
        session.add(staff)
    session.flush()
    return {"paperwork_trips": 1}
