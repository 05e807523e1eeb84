"""Matching the guests of an incoming youth exchange with host families: what the solver is
given (from the database), what it suggests (saved as placements), and the coordinator's hand
changes and pins.

Guests are the pupils of partner institutions with a place in the exchange; the families are
every family of an Olsztyn school that is not erased, with the beds its guests of overlapping
exchanges leave free.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload

from exchange import clock
from exchange.audit import services as audit
from exchange.auth.models import User
from exchange.exchanges.models import Direction, Exchange, ExchangeKind, ExchangeStatus
from exchange.extensions import db
from exchange.hosting import matching
from exchange.hosting.models import HostFamily, HostingPlan, HostPlacement
from exchange.hosting.services import HostingError
from exchange.partners.models import Institution
from exchange.registrations.models import (
    HOLDING_PLACE,
    Participant,
    ParticipantRole,
    Registration,
)

#: what each reason says on the page (with the number of families it rules out)
REASONS = {
    matching.Rule.NO_FAMILIES: _l("No host family is registered"),
    matching.Rule.NO_BED: _l("The families that fit have no bed left"),
    matching.Rule.GENDER: _l("The family does not accept the guest's gender"),
    matching.Rule.PETS: _l("Pets in the household (the guest is allergic to animals)"),
    matching.Rule.DIET: _l("The family cannot cook the guest's diet"),
    matching.Rule.AVAILABILITY: _l("The family is not available for the whole stay"),
    matching.Rule.HOST_CHILD: _l("No host child registered for this reciprocal exchange"),
}


def is_hosting_exchange(exchange: Exchange) -> bool:
    """Host families are matched for incoming youth exchanges that are not cancelled."""
    return (
        exchange.kind is ExchangeKind.YOUTH
        and exchange.direction is Direction.INCOMING
        and exchange.status is not ExchangeStatus.CANCELLED
    )


def plan_of(exchange: Exchange) -> HostingPlan:
    """The exchange's matching rules: saved ones, or the defaults (not added to the session)."""
    plan = db.session.get(HostingPlan, exchange.id)
    return plan or HostingPlan(exchange_id=exchange.id, reciprocal=False, spread_schools=True)


def save_plan(exchange: Exchange, *, reciprocal: bool, spread_schools: bool, by: User) -> None:
    _check_exchange(exchange)
    plan = db.session.get(HostingPlan, exchange.id)
    if plan is None:
        plan = HostingPlan(exchange_id=exchange.id)
        db.session.add(plan)
    plan.reciprocal, plan.spread_schools = reciprocal, spread_schools
    db.session.flush()


# --- what the solver is given ---------------------------------------------------------------


def _holding_place(exchange: Exchange) -> sa.Select:
    return sa.select(Registration).where(
        Registration.exchange_id == exchange.id, Registration.status.in_(HOLDING_PLACE)
    )


def guests_of(exchange: Exchange) -> list[Participant]:
    """The pupils of partner institutions with a place in the exchange."""
    query = (
        sa.select(Participant)
        .join(Registration, Registration.participant_id == Participant.id)
        .join(Participant.institution)
        .options(joinedload(Participant.institution))
        .where(
            Registration.exchange_id == exchange.id,
            Registration.status.in_(HOLDING_PLACE),
            Institution.partner_city_id.is_not(None),
            Participant.role == ParticipantRole.PUPIL,
        )
        .order_by(Institution.name, Participant.last_name, Participant.first_name)
    )
    return list(db.session.scalars(query))


def leaders_of(exchange_ids: list[int]) -> dict[tuple[int, int], Participant]:
    """The first adult (teacher or staff) of each institution with a place in each exchange,
    by (exchange id, institution id): the guests' leader, whose phone is the emergency contact
    of a host family."""
    query = (
        sa.select(Registration.exchange_id, Participant)
        .join(Registration, Registration.participant_id == Participant.id)
        .where(
            Registration.exchange_id.in_(exchange_ids),
            Registration.status.in_(HOLDING_PLACE),
            Participant.role.in_((ParticipantRole.TEACHER, ParticipantRole.STAFF)),
        )
        .order_by(Participant.last_name, Participant.id)
    )
    leaders: dict[tuple[int, int], Participant] = {}
    for exchange_id, person in db.session.execute(query):
        leaders.setdefault((exchange_id, person.institution_id), person)
    return leaders


def families_for(exchange: Exchange) -> list[HostFamily]:
    """The families not erased who are available for at least part of the stay (those
    available for none of it are no candidates, nor a reason worth showing)."""
    query = (
        sa.select(HostFamily)
        .options(joinedload(HostFamily.institution))
        .where(
            HostFamily.anonymised_at.is_(None),
            sa.or_(
                HostFamily.available_from.is_(None),
                HostFamily.available_from <= exchange.end_date,
            ),
            sa.or_(
                HostFamily.available_until.is_(None),
                HostFamily.available_until >= exchange.start_date,
            ),
        )
        .order_by(HostFamily.family_name, HostFamily.id)
    )
    return list(db.session.scalars(query))


def _beds_taken_elsewhere(exchange: Exchange) -> Counter:
    """Guests each family has in other exchanges overlapping this one (not cancelled)."""
    rows = db.session.execute(
        sa.select(HostPlacement.family_id, sa.func.count())
        .join(Exchange, Exchange.id == HostPlacement.exchange_id)
        .where(
            HostPlacement.exchange_id != exchange.id,
            Exchange.status != ExchangeStatus.CANCELLED,
            Exchange.start_date <= exchange.end_date,
            Exchange.end_date >= exchange.start_date,
        )
        .group_by(HostPlacement.family_id)
    )
    return Counter({family_id: count for family_id, count in rows})


@dataclass
class Problem:
    """The exchange as the solver sees it, with the objects behind each id."""

    exchange: Exchange
    stay: matching.Stay
    guests: dict[int, Participant]
    families: dict[int, HostFamily]
    solver_guests: dict[int, matching.Guest]
    solver_families: dict[int, matching.Family]
    placements: dict[int, HostPlacement] = field(default_factory=dict)


def load_problem(exchange: Exchange) -> Problem:
    plan = plan_of(exchange)
    stay = matching.Stay(
        exchange.start_date, exchange.end_date, plan.reciprocal, plan.spread_schools
    )
    guests = {person.id: person for person in guests_of(exchange)}
    families = {family.id: family for family in families_for(exchange)}
    taken = _beds_taken_elsewhere(exchange)
    registered = set(db.session.scalars(_holding_place(exchange).with_only_columns(
        Registration.participant_id
    )))  # fmt: skip
    placements = {
        item.guest_id: item
        for item in db.session.scalars(
            sa.select(HostPlacement).where(HostPlacement.exchange_id == exchange.id)
        )
    }
    return Problem(
        exchange=exchange,
        stay=stay,
        guests=guests,
        families=families,
        solver_guests={
            person.id: matching.Guest(
                id=person.id,
                gender=person.gender.value,
                age=person.age_on(exchange.start_date),
                school_id=person.institution_id,
                allergic_to_animals=person.allergic_to_animals,
                diets=frozenset(person.diet_set),
                languages=person.language_set,
            )
            for person in guests.values()
        },
        solver_families={
            family.id: matching.Family(
                id=family.id,
                school_id=family.institution_id,
                beds=family.guest_beds - taken[family.id],
                accepts=family.accepts.value,
                has_pets=family.has_pets,
                smoking=family.smoking,
                diets=frozenset(family.diet_set),
                languages=family.language_set,
                available_from=family.available_from,
                available_until=family.available_until,
                child_age=family.host_child_age,
                child_gender=family.host_child_gender.value if family.host_child_gender else None,
                child_registered=family.host_child_id in registered,
            )
            for family in families.values()
        },
        placements=placements,
    )


# --- suggesting and changing by hand --------------------------------------------------------


def _check_exchange(exchange: Exchange) -> None:
    if not is_hosting_exchange(exchange):
        raise HostingError(_l("Host families are matched for incoming youth exchanges only."))


def make_suggestion(exchange: Exchange, *, by: User) -> matching.Result:
    """Replace the placements that are not pinned by the solver's suggestion."""
    _check_exchange(exchange)
    problem = load_problem(exchange)
    pins = {
        guest_id: item.family_id
        for guest_id, item in problem.placements.items()
        if item.pinned and guest_id in problem.guests and item.family_id in problem.families
    }
    result = matching.suggest(
        list(problem.solver_guests.values()),
        list(problem.solver_families.values()),
        problem.stay,
        pins,
    )
    for guest_id, item in problem.placements.items():
        if guest_id not in pins:
            db.session.delete(item)
    db.session.flush()
    for guest_id, family_id in result.placements.items():
        if guest_id not in pins:
            db.session.add(
                HostPlacement(
                    exchange_id=exchange.id,
                    guest_id=guest_id,
                    family_id=family_id,
                    placed_by_id=by.id,
                )
            )
    save_plan(
        exchange,
        reciprocal=problem.stay.reciprocal,
        spread_schools=problem.stay.spread_schools,
        by=by,
    )
    db.session.get_one(HostingPlan, exchange.id).suggested_at = clock.now()
    db.session.flush()
    audit.record(
        "suggest",
        "exchange",
        exchange.id,
        actor_id=by.id,
        detail=f"{len(result.placements)} placed, {len(result.unplaced)} unplaced",
    )
    return result


def place(exchange: Exchange, guest_id: int, family_id: int | None, *, by: User) -> None:
    """Put a guest with a family by hand (the pair is pinned), or take them from their family
    (``family_id`` None). A pair that breaks a hard rule, or a full family, is refused."""
    _check_exchange(exchange)
    problem = load_problem(exchange)
    if guest_id not in problem.guests:
        raise HostingError(_l("Choose a guest of this exchange."), field="guest_id")
    current = problem.placements.get(guest_id)
    if family_id is None:
        if current is not None:
            db.session.delete(current)
            db.session.flush()
        return
    if family_id not in problem.families:
        raise HostingError(_l("Choose a family from the list."), field="family_id")
    broken = matching.broken_rules(
        problem.solver_guests[guest_id], problem.solver_families[family_id], problem.stay
    )
    if broken:
        raise HostingError(REASONS[broken[0]], field="family_id")
    others = sum(
        1
        for item in problem.placements.values()
        if item.family_id == family_id and item.guest_id != guest_id
    )
    if others >= problem.solver_families[family_id].beds:
        raise HostingError(_l("This family has no bed left."), field="family_id")
    if current is None:
        current = HostPlacement(exchange_id=exchange.id, guest_id=guest_id)
        db.session.add(current)
    current.family_id, current.pinned, current.placed_by_id = family_id, True, by.id
    current.placed_at = clock.now()
    db.session.flush()


def set_pinned(exchange: Exchange, guest_id: int, pinned: bool, *, by: User) -> HostPlacement:
    placement = db.session.scalar(
        sa.select(HostPlacement).where(
            HostPlacement.exchange_id == exchange.id, HostPlacement.guest_id == guest_id
        )
    )
    if placement is None:
        raise HostingError(_l("This guest has no family yet."), field="guest_id")
    placement.pinned = pinned
    db.session.flush()
    return placement
