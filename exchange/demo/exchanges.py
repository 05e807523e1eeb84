"""Synthetic demo data: institutions on both sides and years of exchanges with every partner.

Everything comes from ``random.Random(seed)`` and the ``today`` given, so the same seed and day
give the same data. Statuses follow the dates: past exchanges are completed (a few cancelled),
running ones have registration closed, future ones are planned, open or closed for registration
as their registration window says, and some far-off ones are still drafts.

Two sizes. Without ``scale``: the quick, realistic demo of ``make demo`` (the named
institutions, every kind of exchange four times a year). With ``scale``: data for performance
work — at 1, about 2,000 institutions and 240 exchanges a year (6,000 in 25 years) with larger
groups; 0.1 gives a tenth. Rows go in with Core ``insert()`` executemany and ids handed out
here (no ORM object per row), so tens of thousands of rows take seconds; ``fix_sequences``
then moves PostgreSQL's id sequences past them.

``generate`` returns the counts of what it added and leaves the commit to the caller.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Session

from exchange.db import table_of
from exchange.demo.bulk import Progress, fix_sequences, full_rows, next_id
from exchange.demo.catalogue import (
    COUNCILLOR_TOPICS,
    ENSEMBLES,
    FAIRS,
    OLSZTYN_INSTITUTIONS,
    OLSZTYN_VENUES,
    PARTNER_INSTITUTIONS,
    PROFESSIONAL_TOPICS,
    PROGRAMME,
    SHORT_NAMES,
    SPORTS,
    TRADES,
    YOUTH_THEMES,
    school_levels,
)
from exchange.exchanges.models import (
    Direction,
    Exchange,
    ExchangeKind,
    ExchangeStatus,
    FundingSource,
    Profession,
    ProgrammeItem,
    exchange_partner,
)
from exchange.partners.models import (
    Institution,
    InstitutionKind,
    InstitutionLevel,
    PartnerCity,
    SchoolLevel,
)
from exchange.partners.services import seed_partners

SCALE_INSTITUTIONS = 2000
SCALE_EXCHANGES_PER_YEAR = 240
#: the quick demo: every kind this many times a year
DEFAULT_PER_KIND = 4
#: places at ``scale``: larger groups, so that 6,000 exchanges hold about 300,000 registrations
SCALE_CAPACITIES = {
    ExchangeKind.YOUTH: (40, 60, 80, 100),
    ExchangeKind.PROFESSIONAL: (10, 15, 20, 30),
    ExchangeKind.COUNCILLORS: (15, 20, 30),
    ExchangeKind.ARTISTIC: (30, 50, 80),
    ExchangeKind.SPORTS: (40, 60, 100, 150),
    ExchangeKind.TRADE_FAIR: (10, 20, 30),
}
#: the extra institutions at ``scale``: kind, share, and the name of one
EXTRA_INSTITUTIONS = (
    (InstitutionKind.SCHOOL, 0.45, "School"),
    (InstitutionKind.HEALTHCARE, 0.08, "Clinic"),
    (InstitutionKind.PUBLIC_AUTHORITY, 0.07, "District Office"),
    (InstitutionKind.CULTURE, 0.13, "Culture Centre"),
    (InstitutionKind.SPORTS_CLUB, 0.15, "Sports Club"),
    (InstitutionKind.BUSINESS, 0.12, "Craft Workshop"),
)


@dataclass(frozen=True)
class Place:
    """An institution as the generator needs it (no ORM object per row)."""

    id: int
    name: str


@dataclass
class _Context:
    rng: random.Random
    today: date
    partners: list[PartnerCity]
    olsztyn: dict[InstitutionKind, list[Place]]
    abroad: dict[int, dict[InstitutionKind, list[Place]]]
    scaled: bool = False


def _short_name(partner: PartnerCity) -> str:
    return SHORT_NAMES.get(partner.slug, partner.name)


def _institutions(
    session: Session, partners: list[PartnerCity], scale: float | None
) -> tuple[dict, dict, int]:
    """Get or create the demo institutions; matched by name, so a second run adds none.

    With ``scale``, numbered ones are added up to ``SCALE_INSTITUTIONS * scale`` in all.
    """
    existing = {
        (name, partner_city_id): Place(institution_id, name)
        for institution_id, name, partner_city_id in session.execute(
            sa.select(Institution.id, Institution.name, Institution.partner_city_id)
        )
    }
    table = table_of(Institution)
    new_rows: list[dict] = []
    level_rows: list[dict] = []
    ids = iter(range(next_id(session, table), 1 << 62))

    def get(
        name: str, kind: InstitutionKind, partner: PartnerCity | None, number: int = 0
    ) -> Place:
        key = (name, partner.id if partner else None)
        if key not in existing:
            existing[key] = Place(next(ids), name)
            new_rows.append(
                {"id": existing[key].id, "name": name, "kind": kind, "partner_city_id": key[1]}
            )
            if kind is InstitutionKind.SCHOOL:
                level_rows.extend(
                    {"institution_id": existing[key].id, "level": level}
                    for level in school_levels(name, number)
                )
        return existing[key]

    olsztyn: dict[InstitutionKind, list[Place]] = {}
    for name, kind in OLSZTYN_INSTITUTIONS:
        olsztyn.setdefault(kind, []).append(get(name, kind, None))
    abroad: dict[int, dict[InstitutionKind, list[Place]]] = {}
    for partner in partners:
        for pattern, kind in PARTNER_INSTITUTIONS:
            institution = get(pattern.format(city=_short_name(partner)), kind, partner)
            abroad.setdefault(partner.id, {}).setdefault(kind, []).append(institution)
    if scale:
        named = len(OLSZTYN_INSTITUTIONS) + len(PARTNER_INSTITUTIONS) * len(partners)
        extra = max(round(SCALE_INSTITUTIONS * scale) - named, 0)
        sides: list[PartnerCity | None] = [None, None, None, *partners]  # Olsztyn: a quarter
        for kind, share, label in EXTRA_INSTITUTIONS:
            for number in range(1, round(extra * share) + 1):
                side = sides[number % len(sides)]
                if side is None:
                    place = get(f"{label} No. {number} in Olsztyn", kind, None, number)
                    olsztyn[kind].append(place)
                else:
                    place = get(f"{_short_name(side)} {label} No. {number}", kind, side, number)
                    abroad[side.id][kind].append(place)
    if new_rows:
        now = datetime.combine(date(2000, 1, 1), time(), tzinfo=UTC)
        session.execute(sa.insert(table), full_rows(table, new_rows, now))
        fix_sequences(session, table)
    if level_rows:
        session.execute(sa.insert(table_of(InstitutionLevel)), level_rows)
    return olsztyn, abroad, len(new_rows)


def _status(
    start: date, end: date, opens: date | None, closes: date | None, ctx: _Context
) -> ExchangeStatus:
    rng, today = ctx.rng, ctx.today
    if end < today:
        return ExchangeStatus.CANCELLED if rng.random() < 0.08 else ExchangeStatus.COMPLETED
    if start <= today:
        return ExchangeStatus.REGISTRATION_CLOSED
    if rng.random() < 0.04:
        return ExchangeStatus.CANCELLED
    if start - today > timedelta(days=200) and rng.random() < 0.35:
        return ExchangeStatus.DRAFT
    if opens is not None and today < opens:
        return ExchangeStatus.PLANNED
    if closes is not None and today > closes:
        return ExchangeStatus.REGISTRATION_CLOSED
    return ExchangeStatus.REGISTRATION_OPEN


def _money(rng: random.Random, low: int, high: int) -> Decimal:
    return Decimal(rng.randrange(low, high, 50)).quantize(Decimal("0.01"))


def _exchange(kind: ExchangeKind, partners: list[PartnerCity], start: date, ctx: _Context) -> dict:
    """The column values of one exchange (partners and programme are added by the caller)."""
    rng = ctx.rng
    main = partners[0]
    city_name = _short_name(main)
    direction = rng.choice((Direction.INCOMING, Direction.OUTGOING))
    days = {
        ExchangeKind.YOUTH: (5, 10),
        ExchangeKind.PROFESSIONAL: (3, 10),
        ExchangeKind.COUNCILLORS: (2, 4),
        ExchangeKind.ARTISTIC: (3, 6),
        ExchangeKind.SPORTS: (2, 5),
        ExchangeKind.TRADE_FAIR: (3, 5),
    }[kind]
    end = start + timedelta(days=rng.randint(*days) - 1)
    values: dict = {
        "kind": kind,
        "direction": direction,
        "start_date": start,
        "end_date": end,
        "city": "Olsztyn" if direction is Direction.INCOMING else main.name,
        "currency": "PLN" if direction is Direction.INCOMING or rng.random() < 0.5 else "EUR",
        "is_public": rng.random() < 0.7,
        "funding_source": rng.choice(list(FundingSource)),
    }
    where = "in Olsztyn" if direction is Direction.INCOMING else f"in {city_name}"
    olsztyn_kind = InstitutionKind.SCHOOL
    partner_kind = InstitutionKind.SCHOOL

    if kind is ExchangeKind.YOUTH:
        level = rng.choice(list(SchoolLevel))
        low_age = {SchoolLevel.PRIMARY: 11, SchoolLevel.SECONDARY: 15, SchoolLevel.VOCATIONAL: 16}
        values |= {
            "title": f"{rng.choice(YOUTH_THEMES)}: youth exchange {where}",
            "school_level": level,
            "min_age": low_age[level],
            "max_age": low_age[level] + 4,
            "minors_per_adult": rng.choice((8, 10, 12)),
            "capacity": rng.choice((20, 24, 30, 36)),
            "institution_quota": rng.choice((6, 8, 10)),
            "funding_source": rng.choice((FundingSource.ERASMUS_PLUS, FundingSource.CITY_BUDGET)),
        }
        values["venue"] = (
            rng.choice(OLSZTYN_VENUES) if direction is Direction.INCOMING else "Partner school"
        )
    elif kind is ExchangeKind.PROFESSIONAL:
        profession = rng.choice(list(Profession))
        olsztyn_kind = {
            Profession.DOCTORS: InstitutionKind.HEALTHCARE,
            Profession.TEACHERS: InstitutionKind.SCHOOL,
            Profession.OTHER: InstitutionKind.PUBLIC_AUTHORITY,
        }[profession]
        partner_kind = olsztyn_kind
        values |= {
            "title": f"{rng.choice(PROFESSIONAL_TOPICS[profession])} {where}",
            "profession": profession,
            "capacity": rng.choice((4, 6, 8, 10)),
            "min_age": 18,
        }
    elif kind is ExchangeKind.COUNCILLORS:
        topic = rng.choice(COUNCILLOR_TOPICS)
        olsztyn_kind = partner_kind = InstitutionKind.PUBLIC_AUTHORITY
        values |= {
            "title": f"Councillor training: {topic.lower()}",
            "topic": topic,
            "capacity": rng.choice((8, 10, 12, 15)),
            "venue": "City Hall" if direction is Direction.INCOMING else f"{city_name} town hall",
            "funding_source": rng.choice((FundingSource.CERV, FundingSource.CITY_BUDGET)),
            "min_age": 18,
        }
    elif kind is ExchangeKind.ARTISTIC:
        ensemble, performances = rng.choice(ENSEMBLES)
        if direction is Direction.INCOMING:
            ensemble = f"{city_name} Youth Orchestra"
            performances = "Open-air concert at the castle; school concert"
            title = f"{ensemble} visits Olsztyn"
        else:
            title = f"{ensemble} in {city_name}"
        olsztyn_kind = partner_kind = InstitutionKind.CULTURE
        values |= {
            "title": title,
            "ensemble": ensemble,
            "performances": performances,
            "capacity": rng.choice((15, 20, 30, 40)),
        }
    elif kind is ExchangeKind.SPORTS:
        discipline, event = rng.choice(SPORTS)
        olsztyn_kind = partner_kind = InstitutionKind.SPORTS_CLUB
        values |= {
            "title": f"{discipline}: {event} {where}",
            "discipline": discipline,
            "event_name": f"{event} {start.year}",
            "capacity": rng.choice((12, 16, 20, 24)),
            "min_age": 12,
            "max_age": 19,
            "minors_per_adult": 8,
        }
    else:  # trade fair
        fair = FAIRS.get(main.slug, f"{city_name} Trade Fair")
        direction = Direction.OUTGOING  # Olsztyn's craftsmen go to the partner's fair
        values["direction"] = direction
        values["city"] = main.name
        olsztyn_kind = partner_kind = InstitutionKind.BUSINESS
        values |= {
            "title": f"Olsztyn craftsmen and producers at {fair}",
            "fair_name": fair,
            "stand": f"Hall {rng.randint(1, 6)}, stand {rng.choice('ABCD')}{rng.randint(1, 40)}",
            "exhibitor_trades": ", ".join(rng.sample(TRADES, 4)),
            "capacity": rng.choice((6, 8, 10, 12)),
            "venue": f"{fair} grounds",
            "min_age": 18,
        }

    if ctx.scaled:
        values["capacity"] = rng.choice(SCALE_CAPACITIES[kind])
        if values.get("institution_quota"):
            values["institution_quota"] = values["capacity"] // rng.choice((3, 4, 5))
    values["olsztyn_institution"] = rng.choice(ctx.olsztyn[olsztyn_kind])
    values["partner_institution"] = rng.choice(ctx.abroad[main.id][partner_kind])
    if kind is ExchangeKind.PROFESSIONAL:
        host = values[
            "olsztyn_institution" if direction is Direction.INCOMING else "partner_institution"
        ]
        values["host_institution"] = host.name
    values["budget_planned"] = _money(rng, 4000, 60000)
    if values["capacity"] and values.get("institution_quota"):
        values["institution_quota"] = min(values["institution_quota"], values["capacity"])
    if kind is not ExchangeKind.TRADE_FAIR and values.get("venue") is None:
        values["venue"] = (
            rng.choice(OLSZTYN_VENUES)
            if direction is Direction.INCOMING
            else values["partner_institution"].name
        )
    values["registration_opens"] = start - timedelta(days=rng.choice((75, 90, 120)))
    values["registration_closes"] = start - timedelta(days=rng.choice((14, 21, 30)))
    values["description"] = (
        f"{kind.value.replace('_', ' ').capitalize()} with {', '.join(p.name for p in partners)}."
    )
    status = _status(start, end, values["registration_opens"], values["registration_closes"], ctx)
    values["status"] = status
    if status is ExchangeStatus.COMPLETED:
        spent = Decimal(rng.uniform(0.8, 1.05)) * values["budget_planned"]
        values["budget_actual"] = spent.quantize(Decimal("0.01"))
    if status is ExchangeStatus.CANCELLED:
        values["cancel_reason"] = rng.choice(
            (
                "Too few registrations.",
                "The host institution could not receive the group on these dates.",
                "Travel restrictions.",
                "Postponed to next year at the partner's request.",
            )
        )
        cancelled_on = min(start - timedelta(days=10), ctx.today)
        values["cancelled_at"] = datetime.combine(cancelled_on, time(10), tzinfo=UTC)
    if status is ExchangeStatus.DRAFT:
        values["is_public"] = False
    return values


def _programme(exchange_id: int, values: dict, rng: random.Random) -> list[dict]:
    rows = []
    start = values["start_date"]
    days = (values["end_date"] - start).days + 1
    for offset in range(days):
        day = start + timedelta(days=offset)
        if offset == 0:
            entries = [PROGRAMME[0]]
        elif offset == days - 1:
            entries = [PROGRAMME[5], PROGRAMME[8]]
        else:
            entries = rng.sample(PROGRAMME[1:8], 2)
        hour = 9
        for activity, place in entries:
            length = rng.choice((1, 2, 3))
            rows.append(
                {
                    "exchange_id": exchange_id,
                    "day": day,
                    "start_time": time(hour),
                    "end_time": time(hour + length),
                    "activity": activity,
                    "place": place or values["venue"],
                }
            )
            hour += length + rng.choice((1, 2))
    return rows


def generate(
    session: Session,
    seed: int = 1,
    years: int = 5,
    *,
    today: date,
    scale: float | None = None,
    progress: Progress | None = None,
) -> dict:
    """Add demo institutions and ``years`` years of exchanges (up to a year ahead of ``today``).

    Seeds the partner cities first when they are missing. ``scale`` (see the module) makes it
    the large data set; ``progress`` is called with the number of years done. Returns the
    counts of what was added. Writes in the session's transaction; the caller commits.
    """
    rng = random.Random(seed)  # noqa: S311  (demo data, deterministic on purpose)
    added_partners = len(seed_partners())
    session.flush()
    partners = list(session.scalars(sa.select(PartnerCity).order_by(PartnerCity.slug)))
    olsztyn, abroad, added_institutions = _institutions(session, partners, scale)
    ctx = _Context(rng, today, partners, olsztyn, abroad, scaled=bool(scale))

    kinds = list(ExchangeKind)
    per_year = SCALE_EXCHANGES_PER_YEAR * scale if scale else len(kinds) * DEFAULT_PER_KIND
    table = table_of(Exchange)
    exchange_id = next_id(session, table)
    rows: list[dict] = []
    links: list[dict] = []
    programme: list[dict] = []
    first_year = today.year - years + 1
    for year in range(first_year, today.year + 2):
        signed = [partner for partner in partners if partner.year_signed <= year]
        count = int(per_year) + (rng.random() < per_year % 1 if per_year % 1 else 0)
        # every kind as often as the others, in a random order, spread over the partners
        year_kinds = (kinds * (count // len(kinds) + 1))[:count]
        rng.shuffle(year_kinds)
        for index, kind in enumerate(year_kinds if signed else ()):
            main = signed[index % len(signed)]
            others = [p for p in signed if p is not main]
            extra = (
                rng.sample(others, min(len(others), rng.randint(1, 2)))
                if rng.random() < 0.15
                else []
            )
            month = rng.randint(1, 12)
            if kind is ExchangeKind.YOUTH:
                month = rng.choice((3, 4, 5, 6, 9, 10))
            start = date(year, month, rng.randint(1, 28))
            if start > today + timedelta(days=400):
                continue
            values = _exchange(kind, [main, *extra], start, ctx)
            values["id"] = exchange_id
            values["olsztyn_institution_id"] = values.pop("olsztyn_institution").id
            values["partner_institution_id"] = values.pop("partner_institution").id
            rows.append(values)
            links.extend(
                {"exchange_id": exchange_id, "partner_city_id": partner.id}
                for partner in (main, *extra)
            )
            programme.extend(_programme(exchange_id, values, rng))
            exchange_id += 1
        if progress:
            progress(1)

    if rows:
        now = datetime.combine(today, time(8), tzinfo=UTC)
        session.execute(sa.insert(table), full_rows(table, rows, now))
        session.execute(sa.insert(exchange_partner), links)
        session.execute(sa.insert(table_of(ProgrammeItem)), programme)
        fix_sequences(session, table)

    by_kind = {kind.value: 0 for kind in kinds}
    for values in rows:
        by_kind[values["kind"].value] += 1
    return {
        "partners": added_partners,
        "institutions": added_institutions,
        "exchanges": len(rows),
        "programme_items": len(programme),
        **{f"kind_{kind}": count for kind, count in by_kind.items()},
    }
