"""The grant pack of an exchange: the lists an EU grant report asks for (personal data: city
hall only), and the exchanges of a period to make packs of.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from exchange.exchanges.models import Exchange
from exchange.extensions import db
from exchange.partners.models import Institution
from exchange.registrations.models import Participant, Registration
from exchange.reports.facts import COUNTING, counted_exchanges, execute
from exchange.reports.types import ReportFilter


def exchanges_in_period(report_filter: ReportFilter) -> list[sa.Row]:
    """``(id, title, start_date, end_date)`` of the counted exchanges, for the grant-pack links."""
    return execute(
        counted_exchanges(report_filter)
        .add_columns(Exchange.id, Exchange.title, Exchange.start_date, Exchange.end_date)
        .order_by(Exchange.start_date, Exchange.id)
    )


@dataclass
class TownList:
    town: str
    country: str
    is_local: bool
    registrations: list[Registration]


@dataclass
class GrantPack:
    exchange: Exchange
    towns: list[TownList]
    countries: list[tuple[str, int]]

    @property
    def total(self) -> int:
        return sum(len(town.registrations) for town in self.towns)


def grant_pack(exchange: Exchange) -> GrantPack:
    """The lists a grant report asks for: participants per invited town (Olsztyn first, then
    each partner town), the number of participants per country, and the programme."""
    registrations = db.session.scalars(
        sa.select(Registration)
        .join(Registration.participant)
        .options(
            joinedload(Registration.participant),
            joinedload(Registration.institution).joinedload(Institution.partner_city),
        )
        .where(Registration.exchange_id == exchange.id, Registration.status.in_(COUNTING))
        .order_by(Participant.last_name, Participant.first_name, Registration.id)
    ).all()
    towns: dict[int | None, TownList] = {}
    for registration in registrations:
        city = registration.institution.partner_city
        key = city.id if city else None
        if key not in towns:
            towns[key] = TownList(
                city.local_name if city else "Olsztyn",
                city.country if city else "PL",
                city is None,
                [],
            )
        towns[key].registrations.append(registration)
    ordered = sorted(towns.values(), key=lambda town: (not town.is_local, town.town))
    counts: dict[str, int] = defaultdict(int)
    for registration in registrations:
        counts[registration.participant.country] += 1
    countries = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return GrantPack(exchange, ordered, countries)
