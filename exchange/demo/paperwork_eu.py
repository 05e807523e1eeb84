"""Synthetic citizenship and residence documents for the demo database (never real people).

Every demo participant is a citizen of the country they live in, but a few pupils of an Olsztyn
school on an outgoing exchange to Offenburg or Gelsenkirchen are Ukrainian, with a temporary
protection certificate or a residence card: they are on that school's EU list of travellers.
One Ukrainian pupil on a trip to Lutsk makes the roster warn that the list does not apply.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from exchange.exchanges.models import Direction, Exchange, ExchangeStatus, exchange_partner
from exchange.partners.models import Institution, PartnerCity
from exchange.registrations.models import (
    HOLDING_PLACE,
    Participant,
    ParticipantRole,
    Registration,
    ResidenceDocumentKind,
    name_key,
)

#: EU partner cities whose trips get Ukrainian pupils, and the trip outside the EU
EU_TRIP_SLUGS = ("offenburg", "gelsenkirchen")
NON_EU_TRIP_SLUGS = ("lutsk",)
PLACES_OF_BIRTH = ("Kharkiv", "Kyiv", "Lviv", "Odesa", "Mariupol", "Dnipro")
FIRST_NAMES = ("Olena", "Dmytro", "Sofiia", "Andrii", "Yuliia", "Maksym")
LAST_NAMES = ("Shevchenko", "Bondarenko", "Melnyk", "Tkachenko", "Kravchenko", "Oliinyk")
#: Ukrainian pupils on the chosen EU trip
UKRAINIAN_PUPILS = 3


def _pupils_of_a_school(session: Session, slugs: tuple[str, ...], today: date) -> list[int]:
    """The pupils of the Olsztyn school with most pupils holding a place on the outgoing
    exchange to one of ``slugs`` nearest to ``today``; none when there is no such exchange."""
    rows = session.execute(
        sa.select(Exchange.id, Exchange.start_date, Participant.institution_id, Participant.id)
        .join(exchange_partner, exchange_partner.c.exchange_id == Exchange.id)
        .join(PartnerCity, PartnerCity.id == exchange_partner.c.partner_city_id)
        .join(Registration, Registration.exchange_id == Exchange.id)
        .join(Participant, Participant.id == Registration.participant_id)
        .join(Institution, Institution.id == Participant.institution_id)
        .where(
            PartnerCity.slug.in_(slugs),
            Exchange.direction == Direction.OUTGOING,
            Exchange.status != ExchangeStatus.CANCELLED,
            Registration.status.in_(HOLDING_PLACE),
            Participant.role == ParticipantRole.PUPIL,
            Participant.anonymised_at.is_(None),
            Institution.partner_city_id.is_(None),
        )
        .order_by(Exchange.id, Participant.id)
    ).all()
    if not rows:
        return []
    nearest = min({(abs((row.start_date - today).days), row.id) for row in rows})[1]
    by_school: dict[int, list[int]] = {}
    for row in rows:
        if row.id == nearest:
            by_school.setdefault(row.institution_id, []).append(row[3])
    return max(by_school.values(), key=len)


def _make_ukrainian(session: Session, rng: random.Random, pupil_ids: list[int], today: date):
    for number, pupil_id in enumerate(pupil_ids):
        kind = (
            ResidenceDocumentKind.TEMPORARY_PROTECTION
            if number % 2 == 0
            else ResidenceDocumentKind.RESIDENCE_CARD
        )
        prefix = "UKR" if kind is ResidenceDocumentKind.TEMPORARY_PROTECTION else "RP"
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        session.execute(
            sa.update(Participant)
            .where(Participant.id == pupil_id)
            .values(
                first_name=first,
                last_name=last,
                name_key=name_key(first, last),
                citizenship="UA",
                place_of_birth=rng.choice(PLACES_OF_BIRTH),
                residence_document_kind=kind,
                residence_document_number=f"{prefix}{rng.randrange(10**6, 10**7)}",
                residence_document_expires_on=today + timedelta(days=rng.randrange(300, 900)),
            )
        )


def generate(session: Session, seed: int = 1, *, today: date) -> dict:
    rng = random.Random(seed + 3000)  # noqa: S311  (demo data, deterministic on purpose)
    session.execute(
        sa.update(Participant)
        .where(Participant.citizenship == "", Participant.anonymised_at.is_(None))
        .values(citizenship=Participant.country)
    )
    on_eu_trip = _pupils_of_a_school(session, EU_TRIP_SLUGS, today)[:UKRAINIAN_PUPILS]
    on_non_eu_trip = _pupils_of_a_school(session, NON_EU_TRIP_SLUGS, today)[:1]
    chosen = on_eu_trip + [pid for pid in on_non_eu_trip if pid not in on_eu_trip]
    _make_ukrainian(session, rng, chosen, today)
    session.flush()
    return {"ukrainian_pupils": len(chosen)}
