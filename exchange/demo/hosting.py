"""Synthetic host families and their guests for the demo database (never real people).

Every incoming youth exchange with guests (pupils of partner schools with a place) gets families
from its Olsztyn school and one or two other Olsztyn schools, with a few more beds than guests,
available around its dates; then the matching solver places the guests, as a coordinator's
*Suggest* would. Some families keep pets, take only girls or boys, cook few diets or leave early,
so a guest now and then cannot be placed and the page says why.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from exchange.db import table_of
from exchange.demo.bulk import fix_sequences, full_rows, next_id
from exchange.exchanges.models import Direction, Exchange, ExchangeKind, ExchangeStatus
from exchange.hosting import matching
from exchange.hosting.models import AcceptedGuests, HostFamily, HostingPlan, HostPlacement
from exchange.hosting.placements import guests_of, load_problem
from exchange.partners.models import Institution, InstitutionKind
from exchange.registrations.models import ConsentMethod, Diet, Gender

SURNAMES = (
    "Nowakowie", "Kowalscy", "Wiśniewscy", "Wójcikowie", "Kamińscy", "Lewandowscy", "Zielińscy",
    "Szymańscy", "Dąbrowscy", "Kozłowscy", "Jankowscy", "Mazurowie", "Krawczykowie", "Piotrowscy",
)  # fmt: skip
STREETS = ("Kopernika", "Mickiewicza", "Warszawska", "Pieniężnego", "Dworcowa", "Kołobrzeska")
#: (diet, share of families who cook it)
COOKS = (
    (Diet.VEGETARIAN, 0.6), (Diet.VEGAN, 0.15), (Diet.GLUTEN_FREE, 0.25),
    (Diet.LACTOSE_FREE, 0.25), (Diet.NUT_FREE, 0.35), (Diet.HALAL, 0.1), (Diet.KOSHER, 0.03),
)  # fmt: skip
#: the scale data matches the exchanges that ended in this many days (24 months) or later
RETENTION_DAYS = 730
OTHER_LANGUAGES = (("en", 0.7), ("de", 0.3), ("fr", 0.1), ("uk", 0.1), ("ru", 0.1))


def _incoming_youth_exchanges(session: Session, since: date | None) -> list[Exchange]:
    """Incoming youth exchanges, not cancelled, without a matching yet (ending ``since``)."""
    already = sa.select(HostingPlan.exchange_id)
    query = (
        sa.select(Exchange)
        .where(
            Exchange.kind == ExchangeKind.YOUTH,
            Exchange.direction == Direction.INCOMING,
            Exchange.status.not_in((ExchangeStatus.CANCELLED, ExchangeStatus.DRAFT)),
            Exchange.id.not_in(already),
        )
        .order_by(Exchange.start_date, Exchange.id)
    )
    if since is not None:
        query = query.where(Exchange.end_date >= since)
    return list(session.scalars(query))


def _family(rng: random.Random, family_id: int, school_id: int, exchange: Exchange,
            today: date) -> dict:  # fmt: skip
    starts = exchange.start_date - timedelta(days=rng.randint(0, 30))
    ends = exchange.end_date + timedelta(days=rng.randint(0, 30))
    if rng.random() < 0.06:  # leaves before the guests do
        ends = exchange.end_date - timedelta(days=1)
    consented = min(exchange.start_date - timedelta(days=rng.randint(30, 120)), today)
    created = datetime.combine(consented, time(9), tzinfo=UTC)
    child_age = rng.randint(12, 17) if rng.random() < 0.8 else None
    languages = {"pl"} | {code for code, share in OTHER_LANGUAGES if rng.random() < share}
    return {
        "id": family_id,
        "institution_id": school_id,
        "family_name": rng.choice(SURNAMES),
        "address": f"ul. {rng.choice(STREETS)} {rng.randint(1, 120)}, 10-{rng.randint(1, 999):03d} "
        "Olsztyn",
        "contact_name": "",
        "phone": f"+48 89 {rng.randint(100, 999)} {rng.randint(10, 99)} {rng.randint(10, 99)}",
        "email": f"rodzina{family_id}@example.org",
        "guest_beds": rng.choices((1, 2, 3), weights=(60, 35, 5))[0],
        "languages": ",".join(sorted(languages)),
        "has_pets": rng.random() < 0.3,
        "smoking": rng.random() < 0.1,
        "diets": ",".join(diet for diet, share in COOKS if rng.random() < share),
        "accepts": rng.choices(list(AcceptedGuests), weights=(20, 20, 60))[0],
        "host_child_age": child_age,
        "host_child_gender": rng.choice((Gender.FEMALE, Gender.MALE)) if child_age else None,
        "host_child_class": f"{child_age - 6}{rng.choice('abc')}" if child_age else "",
        "available_from": starts,
        "available_until": ends,
        "consent_given_on": consented,
        "consent_method": rng.choice(list(ConsentMethod)),
        "created_at": created,
        "updated_at": created,
    }


def generate(session: Session, seed: int = 1, *, today: date, scale: float | None = None) -> dict:
    """Add host families for the incoming youth exchanges that have guests, and place the
    guests with the solver. Writes in the session's transaction; the caller commits.

    The quick demo matches every such exchange; the scale data (``scale``) only those that
    ended in the retention period (``RETENTION_DAYS``) or are to come: the families of older
    ones would have been erased by then, and matching hundreds of them would double the time
    the benchmarks take to build their data.
    """
    rng = random.Random(seed + 2000)  # noqa: S311  (demo data, deterministic on purpose)
    session.flush()
    schools = list(
        session.scalars(
            sa.select(Institution.id)
            .where(
                Institution.partner_city_id.is_(None), Institution.kind == InstitutionKind.SCHOOL
            )
            .order_by(Institution.id)
        )
    )
    counts = {"host_families": 0, "placements": 0}
    if not schools:
        return counts
    next_family = next_id(session, table_of(HostFamily))
    since = today - timedelta(days=RETENTION_DAYS) if scale else None
    for exchange in _incoming_youth_exchanges(session, since):
        guests = guests_of(exchange)
        if not guests:
            continue
        hosts = {exchange.olsztyn_institution_id or rng.choice(schools)}
        hosts |= set(rng.sample(schools, min(len(schools), rng.randint(1, 2))))
        families, beds = [], 0
        while beds < len(guests) * 1.3 + 1:
            family = _family(rng, next_family, rng.choice(sorted(hosts)), exchange, today)
            families.append(family)
            beds += family["guest_beds"]
            next_family += 1
        table = table_of(HostFamily)
        session.execute(sa.insert(table), full_rows(table, families, None))
        counts["host_families"] += len(families)
        problem = load_problem(exchange)
        result = matching.suggest(
            list(problem.solver_guests.values()),
            list(problem.solver_families.values()),
            problem.stay,
        )
        placed_at = datetime.combine(
            min(exchange.start_date - timedelta(days=14), today), time(10), tzinfo=UTC
        )
        rows = [
            {"exchange_id": exchange.id, "guest_id": guest_id, "family_id": family_id,
             "pinned": False, "placed_by_id": None, "placed_at": placed_at}
            for guest_id, family_id in sorted(result.placements.items())
        ]  # fmt: skip
        if rows:
            session.execute(sa.insert(table_of(HostPlacement)), rows)
        plan = {"exchange_id": exchange.id, "reciprocal": False, "spread_schools": True,
                "suggested_at": placed_at}  # fmt: skip
        session.execute(sa.insert(table_of(HostingPlan)), [plan])
        counts["placements"] += len(rows)
    session.flush()
    fix_sequences(session, table_of(HostFamily))
    return counts
