"""Reads for the hosting pages: the family list, the matching of an exchange, the family sheets."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from exchange.auth.models import Viewer
from exchange.exchanges.models import Exchange, ExchangeStatus
from exchange.extensions import db
from exchange.hosting import matching
from exchange.hosting.access import families_visible_to
from exchange.hosting.models import HostFamily, HostPlacement
from exchange.hosting.placements import REASONS, Problem, leaders_of, load_problem
from exchange.partners.models import Institution
from exchange.registrations.models import Participant, ParticipantRole


def families_query(viewer: Viewer, institution_id: int | None = None) -> sa.Select:
    query = (
        sa.select(HostFamily)
        .options(joinedload(HostFamily.institution))
        .where(families_visible_to(viewer))
        .order_by(HostFamily.family_name, HostFamily.id)
    )
    if institution_id is not None:
        query = query.where(HostFamily.institution_id == institution_id)
    return query


def pupils_of(institution_id: int) -> list[Participant]:
    """The pupils a family's host child may be chosen from."""
    return list(
        db.session.scalars(
            sa.select(Participant)
            .where(
                Participant.institution_id == institution_id,
                Participant.role == ParticipantRole.PUPIL,
                Participant.anonymised_at.is_(None),
            )
            .order_by(Participant.last_name, Participant.first_name)
        )
    )


def olsztyn_schools() -> list[Institution]:
    return list(
        db.session.scalars(
            sa.select(Institution)
            .where(Institution.partner_city_id.is_(None), Institution.active.is_(True))
            .order_by(Institution.name)
        )
    )


@dataclass
class GuestRow:
    guest: Participant
    placement: HostPlacement | None
    family: HostFamily | None
    #: an unplaced guest: (why, how many families it rules out)
    reasons: list[tuple[str, int]] = field(default_factory=list)
    #: a placed guest: the hard rules the pair breaks now (the family's data changed since)
    broken: list[str] = field(default_factory=list)


@dataclass
class FamilyRow:
    family: HostFamily
    #: beds free for this exchange (after its guests of overlapping exchanges)
    beds: int
    guests: int


@dataclass
class Matching:
    problem: Problem
    guests: list[GuestRow]
    families: list[FamilyRow]

    @property
    def unplaced(self) -> int:
        return sum(1 for row in self.guests if row.placement is None)


def matching_of(exchange: Exchange) -> Matching:
    problem = load_problem(exchange)
    placed = Counter(item.family_id for item in problem.placements.values())
    families = list(problem.solver_families.values())
    rows = []
    for guest_id, guest in problem.guests.items():
        placement = problem.placements.get(guest_id)
        family = problem.families.get(placement.family_id) if placement else None
        if placement is None or family is None:
            reasons = matching.reasons(problem.solver_guests[guest_id], families, problem.stay,
                                       placed)  # fmt: skip
            rows.append(
                GuestRow(
                    guest,
                    placement,
                    family,
                    reasons=[(str(REASONS[rule]), count) for rule, count in reasons.items()],
                )  # fmt: skip
            )
            continue
        broken = matching.broken_rules(
            problem.solver_guests[guest_id], problem.solver_families[family.id], problem.stay
        )
        rows.append(GuestRow(guest, placement, family, broken=[str(REASONS[r]) for r in broken]))
    family_rows = [
        FamilyRow(family, problem.solver_families[family.id].beds, placed[family.id])
        for family in problem.families.values()
    ]
    return Matching(problem, rows, family_rows)


# --- the family sheets ----------------------------------------------------------------------


@dataclass
class SheetLine:
    """One guest of one family, with what the family needs to know."""

    family: HostFamily
    guest: Participant
    exchange: Exchange
    leader: Participant | None


def sheet_lines(exchange: Exchange | None = None, family: HostFamily | None = None,
                since: date | None = None) -> list[SheetLine]:  # fmt: skip
    """The placements of one exchange, or of one family (in exchanges not ended ``since``)."""
    query = (
        sa.select(HostPlacement)
        .join(HostPlacement.exchange)
        .join(HostPlacement.family)
        .options(
            joinedload(HostPlacement.family).joinedload(HostFamily.institution),
            joinedload(HostPlacement.guest).joinedload(Participant.institution),
            joinedload(HostPlacement.exchange),
        )
        .where(Exchange.status != ExchangeStatus.CANCELLED)
        .order_by(Exchange.start_date, HostFamily.family_name, HostPlacement.id)
    )
    if exchange is not None:
        query = query.where(HostPlacement.exchange_id == exchange.id)
    if family is not None:
        query = query.where(HostPlacement.family_id == family.id)
    if since is not None:
        query = query.where(Exchange.end_date >= since)
    placements = list(db.session.scalars(query).unique())
    leaders = leaders_of(sorted({item.exchange_id for item in placements}))
    return [
        SheetLine(
            item.family,
            item.guest,
            item.exchange,
            leaders.get((item.exchange_id, item.guest.institution_id)),
        )
        for item in placements
    ]
