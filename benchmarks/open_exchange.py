"""An exchange open for registration and school accounts to register for it: what the race of
concurrent registrations (``run.prepare_race``) and the mixed load test (``load.prepare``) add
to the benchmark database.

The two use different titles, dates, capacities and names, so that both can run on one database
without an e-mail address taken twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

import sqlalchemy as sa

if TYPE_CHECKING:
    from exchange.exchanges.models import Exchange
    from exchange.registrations.models import Participant


@dataclass(frozen=True)
class SchoolNames:
    """``str.format`` templates for the made-up schools, their accounts and their teachers:
    ``{number}`` is the school's (from 0), ``{person}`` the teacher's within it (from 0)."""

    school: str
    account_email: str
    account_name: str
    teacher_first_name: str
    teacher_last_name: str
    teacher_email: str


def open_exchange_with_schools(
    db,
    *,
    title: str,
    capacity: int,
    starts_in: int,
    ends_in: int,
    closes_in: int,
    is_public: bool,
    schools: int,
    teachers: int,
    names: SchoolNames,
    password: str,
) -> tuple[Exchange, list[tuple[str, list[Participant]]]]:
    """An incoming exchange with the first partner city, open for registration (since five days
    ago, until ``closes_in`` days from today), and ``schools`` schools, each with a school account
    and ``teachers`` adult participants of its own. The dates are days from today.

    Returns the exchange and, per school, the account's e-mail and its teachers. Runs in the
    caller's app context and does not commit: the caller does.
    """
    from exchange import clock
    from exchange.auth import services as auth
    from exchange.core.permissions import Role
    from exchange.exchanges.models import Direction, Exchange, ExchangeKind, ExchangeStatus
    from exchange.partners.models import Institution, InstitutionKind, PartnerCity
    from exchange.registrations.models import Participant, ParticipantRole

    today = clock.today()
    partner = db.session.scalar(sa.select(PartnerCity).order_by(PartnerCity.id).limit(1))
    exchange = Exchange(
        title=title,
        kind=ExchangeKind.COUNCILLORS,
        topic="Load testing",
        direction=Direction.INCOMING,
        status=ExchangeStatus.REGISTRATION_OPEN,
        start_date=today + timedelta(days=starts_in),
        end_date=today + timedelta(days=ends_in),
        registration_opens=today - timedelta(days=5),
        registration_closes=today + timedelta(days=closes_in),
        capacity=capacity,
        is_public=is_public,
        partners=[partner],
    )
    db.session.add(exchange)
    accounts = []
    for number in range(schools):
        institution = Institution(
            name=names.school.format(number=number), kind=InstitutionKind.SCHOOL
        )
        people = []
        for person in range(teachers):
            participant = Participant(
                first_name=names.teacher_first_name.format(number=number, person=person),
                last_name=names.teacher_last_name.format(number=number, person=person),
                date_of_birth=date(1980, 1, 1 + person),
                institution=institution,
                role=ParticipantRole.TEACHER,
                email=names.teacher_email.format(number=number, person=person),
            )
            db.session.add(participant)
            people.append(participant)
        email = names.account_email.format(number=number)
        auth.create_user(
            email=email, full_name=names.account_name.format(number=number), role=Role.SCHOOL,
            password=password, institution=institution,
        )  # fmt: skip
        accounts.append((email, people))
    return exchange, accounts
