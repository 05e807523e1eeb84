"""Synthetic invitation letters for the demo database: the guests who need a visa (from
Kaliningrad, Lutsk and Richmond) of the latest incoming exchanges with such guests get a letter
each (two exchanges per city), issued six weeks before the exchange (or today, when that is
later), numbered per year after the letters already there."""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from exchange.exchanges.models import Direction, Exchange, ExchangeStatus, exchange_partner
from exchange.partners.models import Institution, PartnerCity
from exchange.registrations.models import HOLDING_PLACE, Participant, Registration
from exchange.travel.letters import LETTERHEAD_FIELDS, format_reference, letter_settings
from exchange.travel.models import InvitationLetter, LetterGuest, LetterLanguage

#: the partners whose guests need a visa to come to Poland
VISA_PARTNERS = ("kaliningrad", "lutsk", "richmond")
PER_PARTNER = 2
GUESTS_PER_LETTER = 6
COSTS = {
    LetterLanguage.ENGLISH: (
        "The City of Olsztyn covers accommodation and board; travel is paid by the guests."
    ),
    LetterLanguage.POLISH: (
        "Miasto Olsztyn pokrywa koszty zakwaterowania i wyżywienia; podróż opłacają goście."
    ),
}


def _visa_exchanges(session: Session, slug: str) -> list[Exchange]:
    """The latest incoming exchanges with ``slug``'s guests holding a place and no letter."""
    has_guests = (
        sa.select(Registration.id)
        .join(Participant, Participant.id == Registration.participant_id)
        .join(Institution, Institution.id == Participant.institution_id)
        .join(PartnerCity, PartnerCity.id == Institution.partner_city_id)
        .where(
            Registration.exchange_id == Exchange.id,
            Registration.status.in_(HOLDING_PLACE),
            PartnerCity.slug == slug,
        )
        .exists()
    )
    return list(
        session.scalars(
            sa.select(Exchange)
            .join(exchange_partner, exchange_partner.c.exchange_id == Exchange.id)
            .join(PartnerCity, PartnerCity.id == exchange_partner.c.partner_city_id)
            .where(
                PartnerCity.slug == slug,
                Exchange.direction == Direction.INCOMING,
                Exchange.status != ExchangeStatus.CANCELLED,
                has_guests,
                ~sa.select(InvitationLetter.id)
                .where(InvitationLetter.exchange_id == Exchange.id)
                .exists(),
            )
            .order_by(Exchange.start_date.desc(), Exchange.id)
            .limit(PER_PARTNER)
        )
    )


def _guests(session: Session, exchange: Exchange, slug: str) -> list[int]:
    return list(
        session.scalars(
            sa.select(Participant.id)
            .join(Registration, Registration.participant_id == Participant.id)
            .join(Institution, Institution.id == Participant.institution_id)
            .join(PartnerCity, PartnerCity.id == Institution.partner_city_id)
            .where(
                Registration.exchange_id == exchange.id,
                Registration.status.in_(HOLDING_PLACE),
                PartnerCity.slug == slug,
            )
            .order_by(Participant.last_name, Participant.id)
            .limit(GUESTS_PER_LETTER)
        )
    )


def generate(session: Session, *, today: date) -> dict:
    """Add the letters; writes in the session's transaction, the caller commits."""
    settings = letter_settings()
    letterhead = {name: getattr(settings, name) for name in LETTERHEAD_FIELDS}
    last: dict[int, int] = dict(
        session.execute(
            sa.select(InvitationLetter.year, sa.func.max(InvitationLetter.sequence)).group_by(
                InvitationLetter.year
            )
        ).all()
    )
    planned = []
    for slug in VISA_PARTNERS:
        for exchange in _visa_exchanges(session, slug):
            issued_on = min(today, exchange.start_date - timedelta(days=42))
            planned.append((issued_on, exchange, slug))
    planned.sort(key=lambda item: (item[0], item[1].id))
    for number, (issued_on, exchange, slug) in enumerate(planned):
        sequence = last.get(issued_on.year, 0) + 1
        last[issued_on.year] = sequence
        language = LetterLanguage.ENGLISH if number % 2 == 0 else LetterLanguage.POLISH
        session.add(
            InvitationLetter(
                exchange_id=exchange.id,
                year=issued_on.year,
                sequence=sequence,
                reference=format_reference(settings.reference_pattern, sequence, issued_on.year),
                issued_on=issued_on,
                language=language,
                purpose=exchange.title,
                costs=COSTS[language],
                letterhead=letterhead,
                guests=[
                    LetterGuest(participant_id=item) for item in _guests(session, exchange, slug)
                ],
            )
        )
    session.flush()
    return {"letters": len(planned)}
