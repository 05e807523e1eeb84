"""Which guest stays with which host family: an optimal assignment over plain data.

Pure functions over dataclasses, without the database, so every rule can be tested alone.
The assignment is solved by ``scipy.optimize.linear_sum_assignment`` over a cost matrix with a
row per guest and a column per free bed. A pair that breaks a hard rule costs ``FORBIDDEN``,
more than all the soft costs together, so the optimum places as many guests as the rules allow
and, among those placements, prefers the soft preferences; pairs at ``FORBIDDEN`` are dropped,
and their guests are reported unplaced with the reasons each family was ruled out.

Hard rules (``broken_rules``): a free bed; the family accepts the guest's gender; a guest allergic
to animals never with pets; the family can cook every diet the guest needs; the family is
available for the whole stay; for a reciprocal exchange, a host child registered for it.

Soft preferences (``preference_cost``): a shared language; a host child close in age and of
the same gender; a non-smoking household; and, when the coordinator chooses it, the guests spread
over the host schools. Spreading is written into the columns: the n-th bed of a host school
costs n steps more, so the first beds of every school fill before the second ones. (Only a
column's own cost can be expressed in an assignment problem, so the spread is over all guests
together; with the usual one or two partner schools per exchange, each of them is spread too.)
"""

from __future__ import annotations

import enum
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

import numpy as np
from scipy.optimize import linear_sum_assignment

#: the cost of a pair that breaks a hard rule: more than any sum of soft costs
FORBIDDEN = 1_000_000.0
#: soft costs
NO_SHARED_LANGUAGE = 10.0
NO_HOST_CHILD = 6.0
AGE_STEP = 2.0
MAX_AGE_STEPS = 5
OTHER_GENDER_CHILD = 4.0
SMOKING = 3.0
SPREAD_STEP = 3.0
#: a tie-breaker: a family's first bed before its second
BED_STEP = 0.01


class Rule(enum.StrEnum):
    """Why a guest cannot stay with a family (the hard rules), or why nobody took them."""

    NO_FAMILIES = "no_families"
    NO_BED = "no_bed"
    GENDER = "gender"
    PETS = "pets"
    DIET = "diet"
    AVAILABILITY = "availability"
    HOST_CHILD = "host_child"


@dataclass(frozen=True)
class Guest:
    id: int
    #: a ``Gender`` value: "female", "male", "other", "not_stated"
    gender: str
    #: on the first day of the stay
    age: int
    #: the partner institution the guest comes with
    school_id: int
    allergic_to_animals: bool = False
    diets: frozenset[str] = frozenset()
    languages: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Family:
    id: int
    #: the Olsztyn school of the family
    school_id: int
    #: beds free for this stay (the family's beds less its guests of overlapping exchanges)
    beds: int
    #: an ``AcceptedGuests`` value: "girls", "boys", "either"
    accepts: str = "either"
    has_pets: bool = False
    smoking: bool = False
    diets: frozenset[str] = frozenset()
    languages: frozenset[str] = frozenset()
    available_from: date | None = None
    available_until: date | None = None
    child_age: int | None = None
    child_gender: str | None = None
    #: the host child is a pupil registered for this exchange
    child_registered: bool = False


@dataclass(frozen=True)
class Stay:
    start: date
    end: date
    reciprocal: bool = False
    spread_schools: bool = True


@dataclass
class Result:
    #: guest id → family id, pinned pairs included
    placements: dict[int, int] = field(default_factory=dict)
    #: guest id → for each reason, how many families it ruled out (``NO_BED``: how many that
    #: fit were full; ``NO_FAMILIES``: there were none)
    unplaced: dict[int, dict[Rule, int]] = field(default_factory=dict)


_GENDER_ACCEPTED = {"girls": {"female"}, "boys": {"male"}}


def broken_rules(guest: Guest, family: Family, stay: Stay) -> list[Rule]:
    """The hard rules the pair breaks (beds aside): an empty list means the pair may be made."""
    broken = []
    accepted = _GENDER_ACCEPTED.get(family.accepts)
    if accepted is not None and guest.gender not in accepted:
        broken.append(Rule.GENDER)
    if guest.allergic_to_animals and family.has_pets:
        broken.append(Rule.PETS)
    if not guest.diets <= family.diets:
        broken.append(Rule.DIET)
    starts_late = family.available_from is not None and family.available_from > stay.start
    ends_early = family.available_until is not None and family.available_until < stay.end
    if starts_late or ends_early:
        broken.append(Rule.AVAILABILITY)
    if stay.reciprocal and not family.child_registered:
        broken.append(Rule.HOST_CHILD)
    return broken


def preference_cost(guest: Guest, family: Family) -> float:
    """How far the pair is from the preferred one (0 is best)."""
    cost = 0.0
    if not guest.languages & family.languages:
        cost += NO_SHARED_LANGUAGE
    if family.child_age is None:
        cost += NO_HOST_CHILD
    else:
        cost += AGE_STEP * min(abs(guest.age - family.child_age), MAX_AGE_STEPS)
        if family.child_gender != guest.gender:
            cost += OTHER_GENDER_CHILD
    if family.smoking:
        cost += SMOKING
    return cost


@dataclass(frozen=True)
class _Bed:
    family: Family
    #: the family's n-th free bed (from 0)
    number: int
    #: beds of the same host school before this one, pinned guests included
    school_rank: int


def _beds(families: Sequence[Family], free: Mapping[int, int], taken: Counter) -> list[_Bed]:
    """A column per free bed; in each school, every family's first bed ranks before any
    family's second bed."""
    by_school: dict[int, list[tuple[int, int, Family]]] = defaultdict(list)
    for family in families:
        for number in range(max(free[family.id], 0)):
            by_school[family.school_id].append((number, family.id, family))
    beds = []
    for school_id, items in sorted(by_school.items()):
        for rank, (number, _id, family) in enumerate(sorted(items, key=lambda i: i[:2])):
            beds.append(_Bed(family, number, taken[school_id] + rank))
    return beds


def suggest(
    guests: Sequence[Guest],
    families: Sequence[Family],
    stay: Stay,
    pins: Mapping[int, int] | None = None,
) -> Result:
    """The best placement of every guest, keeping the pinned pairs (guest id → family id)."""
    family_by_id = {family.id: family for family in families}
    guest_ids = {guest.id for guest in guests}
    free = {family.id: family.beds for family in families}
    result = Result()
    taken: Counter = Counter()
    for guest_id, family_id in sorted((pins or {}).items()):
        if guest_id in guest_ids and family_id in family_by_id:
            result.placements[guest_id] = family_id
            free[family_id] -= 1
            taken[family_by_id[family_id].school_id] += 1
    open_guests = [guest for guest in guests if guest.id not in result.placements]
    beds = _beds(families, free, taken)
    if open_guests and beds:
        cost = np.full((len(open_guests), len(beds)), FORBIDDEN)
        for row, guest in enumerate(open_guests):
            pair_costs: dict[int, float] = {}
            for column, bed in enumerate(beds):
                family = bed.family
                if family.id not in pair_costs:
                    allowed = not broken_rules(guest, family, stay)
                    pair_costs[family.id] = preference_cost(guest, family) if allowed else -1
                if pair_costs[family.id] < 0:
                    continue
                spread = SPREAD_STEP * bed.school_rank if stay.spread_schools else 0.0
                cost[row, column] = pair_costs[family.id] + spread + BED_STEP * bed.number
        rows, columns = linear_sum_assignment(cost)
        for row, column in zip(rows, columns, strict=True):
            if cost[row, column] < FORBIDDEN:
                result.placements[open_guests[row].id] = beds[column].family.id
    left = Counter(result.placements.values())
    for guest in guests:
        if guest.id not in result.placements:
            result.unplaced[guest.id] = reasons(guest, families, stay, left)
    return result


def reasons(
    guest: Guest, families: Sequence[Family], stay: Stay, placed: Mapping[int, int]
) -> dict[Rule, int]:
    """Why the guest has no family: for each rule, how many families it rules out; families
    that fit but are full (``placed``: guests per family) count as ``NO_BED``."""
    if not families:
        return {Rule.NO_FAMILIES: 0}
    counts: Counter = Counter()
    for family in families:
        broken = broken_rules(guest, family, stay)
        if broken:
            counts.update(broken)
        elif placed.get(family.id, 0) >= family.beds:
            counts[Rule.NO_BED] += 1
    return {rule: counts[rule] for rule in Rule if counts[rule]}
