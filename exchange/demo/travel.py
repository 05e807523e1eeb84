"""Synthetic travel for the demo database: legs, travellers, identity documents and rooms.

Every exchange that is not cancelled and has people with a place gets an outward and a return
leg (a plane to Richmond, a train to Rovaniemi or Kaliningrad, a coach elsewhere) with all of
them on board, and rooms that keep the rooming rules: minors of one gender together, four to a
room; group leaders two to a room; other adults two to a room. The people of cross-border
exchanges get an identity document; one in twenty-five expires too soon, so the travel pages
have warnings to show. Rows are written with Core ``insert()`` executemany.
"""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import date, time, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from exchange import clock
from exchange.db import table_of
from exchange.demo.bulk import Progress, fix_sequences, full_rows, next_id
from exchange.exchanges.models import Exchange, ExchangeStatus, exchange_partner
from exchange.partners.models import PartnerCity
from exchange.registrations.models import (
    HOLDING_PLACE,
    Participant,
    Registration,
    age_on,
)
from exchange.travel.documents import HOME_COUNTRY
from exchange.travel.models import (
    DocumentKind,
    IdentityDocument,
    LegDirection,
    LegTraveller,
    Room,
    RoomAssignment,
    RoomKind,
    TravelLeg,
    TravelMode,
)
from exchange.travel.rooms import LEADER_ROLES

#: how each partner country is reached, and by whom
MODES = {
    "US": (TravelMode.PLANE, "LOT"),
    "FI": (TravelMode.TRAIN, "PKP Intercity / VR"),
    "RU": (TravelMode.TRAIN, "PKP Intercity"),
}
COACH = (TravelMode.BUS, "PKS Olsztyn")
BATCH = 200


def _trips(session: Session) -> list[sa.Row]:
    already = sa.select(TravelLeg.exchange_id).distinct()
    return list(
        session.execute(
            sa.select(Exchange.id, Exchange.start_date, Exchange.end_date, Exchange.city)
            .where(
                Exchange.status.not_in((ExchangeStatus.DRAFT, ExchangeStatus.CANCELLED)),
                Exchange.id.not_in(already),  # a second run (--append) leaves them alone
            )
            .order_by(Exchange.id)
        )
    )


def _first_partner_countries(session: Session) -> dict[int, str]:
    """Exchange id → the country of its first partner city."""
    found: dict[int, str] = {}
    rows = session.execute(
        sa.select(exchange_partner.c.exchange_id, PartnerCity.country)
        .join(PartnerCity, PartnerCity.id == exchange_partner.c.partner_city_id)
        .order_by(exchange_partner.c.exchange_id, PartnerCity.id)
    )
    for exchange_id, country in rows:
        found.setdefault(exchange_id, country)
    return found


def _travellers_by_exchange(session: Session, exchange_ids: list[int]) -> dict[int, list[sa.Row]]:
    found: dict[int, list[sa.Row]] = defaultdict(list)
    rows = session.execute(
        sa.select(
            Registration.exchange_id,
            Registration.id,
            Registration.institution_id,
            Participant.id.label("participant_id"),
            Participant.date_of_birth,
            Participant.gender,
            Participant.role,
        )
        .join(Participant, Participant.id == Registration.participant_id)
        .where(
            Registration.exchange_id.in_(exchange_ids),
            Registration.status.in_(HOLDING_PLACE),
        )
        .order_by(Registration.exchange_id, Registration.id)
    )
    for row in rows:
        found[row.exchange_id].append(row)
    return found


def _room_groups(people: list[sa.Row], start: date) -> list[tuple[str, int, list[sa.Row]]]:
    """The people in groups that may share rooms, each with its room size."""
    groups: dict[tuple, list[sa.Row]] = defaultdict(list)
    for person in people:
        if age_on(person.date_of_birth, start) < 18:
            key: tuple = (person.institution_id, "minor", person.gender)
        elif person.role in LEADER_ROLES:
            key = (person.institution_id, "leader", "")
        else:
            key = (person.institution_id, "adult", "")
        groups[key].append(person)
    return [
        (key[1], 4 if key[1] == "minor" else 2, members)
        for key, members in sorted(groups.items(), key=lambda item: str(item[0]))
    ]


def generate(
    session: Session, seed: int = 1, *, today: date, progress: Progress | None = None
) -> dict:
    """Add legs, travellers, documents and rooms to the demo exchanges that have none yet.
    Writes in the session's transaction; the caller commits."""
    rng = random.Random(seed + 2000)  # noqa: S311  (demo data, deterministic on purpose)
    session.flush()
    counts = {"legs": 0, "identity_documents": 0, "rooms": 0}
    countries = _first_partner_countries(session)
    documented = set(session.scalars(sa.select(IdentityDocument.participant_id)))
    exchanges = _trips(session)
    leg_id = next_id(session, table_of(TravelLeg))
    room_id = next_id(session, table_of(Room))
    for begin in range(0, len(exchanges), BATCH):
        batch = exchanges[begin : begin + BATCH]
        people = _travellers_by_exchange(session, [exchange.id for exchange in batch])
        legs, travellers, documents, rooms, beds = [], [], [], [], []
        for exchange in batch:
            members = people.get(exchange.id, [])
            if not members:
                continue
            country = countries.get(exchange.id, HOME_COUNTRY)
            mode, carrier = MODES.get(country, COACH)
            city = exchange.city or "Olsztyn"
            for direction, day, origin, target in (
                (LegDirection.OUTBOUND, exchange.start_date, "Olsztyn", city),
                (LegDirection.RETURN, exchange.end_date, city, "Olsztyn"),
            ):
                legs.append(
                    {
                        "id": leg_id, "exchange_id": exchange.id, "direction": direction,
                        "mode": mode, "carrier": carrier, "number": f"{rng.randint(10, 999)}",
                        "departure_place": origin, "departure_date": day,
                        "departure_time": time(6), "arrival_place": target,
                        "arrival_date": day, "arrival_time": time(21),
                    }
                )  # fmt: skip
                travellers += [{"leg_id": leg_id, "registration_id": m.id} for m in members]
                leg_id += 1
            for kind, size, group in _room_groups(members, exchange.start_date):
                for first in range(0, len(group), size):
                    rooms.append(
                        {
                            "id": room_id, "exchange_id": exchange.id,
                            "kind": RoomKind.HOSTEL if kind == "minor" else RoomKind.HOTEL,
                            "accommodation": "Youth hostel" if kind == "minor" else "Hotel",
                            "name": str(room_id), "beds": size,
                        }
                    )  # fmt: skip
                    beds += [
                        {"room_id": room_id, "registration_id": member.id}
                        for member in group[first : first + size]
                    ]
                    room_id += 1
            if country == HOME_COUNTRY:
                continue
            for member in members:
                if member.participant_id in documented:
                    continue
                documented.add(member.participant_id)
                too_soon = rng.random() < 0.04
                expires = exchange.end_date + timedelta(
                    days=rng.randint(1, 60) if too_soon else rng.randint(400, 3600)
                )
                documents.append(
                    {
                        "participant_id": member.participant_id,
                        "kind": rng.choice((DocumentKind.PASSPORT, DocumentKind.ID_CARD)),
                        "number": f"E{chr(65 + rng.randint(0, 25))}{rng.randint(0, 9_999_999):07d}",
                        "issuing_country": HOME_COUNTRY,
                        "expires_on": expires,
                    }
                )
        _write_travel(session, legs, travellers, documents, rooms, beds, today)
        counts["legs"] += len(legs)
        counts["identity_documents"] += len(documents)
        counts["rooms"] += len(rooms)
        if progress:
            progress(len(batch))
    fix_sequences(session, table_of(TravelLeg), table_of(Room))
    return counts


def _write_travel(session, legs, travellers, documents, rooms, beds, today: date) -> None:
    now = clock.start_of_day(today)
    for model, rows in (
        (TravelLeg, legs),
        (LegTraveller, travellers),
        (IdentityDocument, documents),
        (Room, rooms),
        (RoomAssignment, beds),
    ):
        if rows:
            table = table_of(model)
            session.execute(sa.insert(table), full_rows(table, rows, now))


def count_trips(session: Session) -> int:
    """How many exchanges ``generate`` will look at (for the length of a progress bar)."""
    return len(_trips(session))
