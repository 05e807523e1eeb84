"""The rooming rules, as a pure function of plain data (no database, no request).

- A room holds no more people than it has beds.
- A minor shares a room with no adult who is not their parent or guardian travelling along.
- Minors share a room only with minors of the same gender (as recorded: "not stated" is a
  gender of its own here, so nobody is put with a child whose gender is unknown).
- A group's leaders (its teachers, chaperones and staff) sleep in rooms of their own: with
  other leaders, and with their own children, never with anybody else.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import combinations

from flask_babel import lazy_gettext as _l

from exchange.enums import LabelledEnum


@dataclass(frozen=True)
class Sleeper:
    """A person to give a bed: ``id`` is the participant's."""

    id: int
    name: str
    minor: bool
    gender: str
    leader: bool = False
    #: ids of the adults on the exchange who are this minor's parents or guardians
    guardians: frozenset[int] = field(default_factory=frozenset)


@dataclass(frozen=True)
class RoomPlan:
    """A room and who is to sleep in it."""

    id: int
    name: str
    beds: int
    sleepers: Sequence[Sleeper] = ()


class RoomingRule(LabelledEnum):
    TOO_MANY = "too_many"
    MINOR_WITH_ADULT = "minor_with_adult"
    MINORS_OF_ANOTHER_GENDER = "minors_of_another_gender"
    LEADER_NOT_ALONE = "leader_not_alone"

    @classmethod
    def _labels(cls) -> dict:
        return {
            cls.TOO_MANY: _l("%(room)s: not enough beds (%(beds)d) for %(names)s."),
            cls.MINOR_WITH_ADULT: _l(
                "%(room)s: a minor may share a room with no adult but their parent or "
                "guardian (%(names)s)."
            ),
            cls.MINORS_OF_ANOTHER_GENDER: _l(
                "%(room)s: minors of another gender may not share a room (%(names)s)."
            ),
            cls.LEADER_NOT_ALONE: _l(
                "%(room)s: group leaders have rooms of their own (%(names)s)."
            ),
        }


@dataclass(frozen=True)
class RoomingProblem:
    rule: RoomingRule
    room: RoomPlan
    #: the people the problem is about
    names: tuple[str, ...]

    @property
    def message(self) -> str:
        return str(self.rule.label) % {
            "room": self.room.name,
            "beds": self.room.beds,
            "names": ", ".join(self.names),
        }


def _pair_problem(one: Sleeper, other: Sleeper) -> RoomingRule | None:
    """What forbids these two people to share a room, if anything."""
    for first, second in ((one, other), (other, one)):
        if first.minor and not second.minor and second.id not in first.guardians:
            return RoomingRule.MINOR_WITH_ADULT
    if one.minor and other.minor and one.gender != other.gender:
        return RoomingRule.MINORS_OF_ANOTHER_GENDER
    for first, second in ((one, other), (other, one)):
        own_child = second.minor and first.id in second.guardians
        if first.leader and not second.leader and not own_child:
            return RoomingRule.LEADER_NOT_ALONE
    return None


def room_problems(room: RoomPlan) -> list[RoomingProblem]:
    """Every rule ``room`` breaks, once per rule (naming everybody concerned)."""
    found: dict[RoomingRule, list[str]] = {}
    if len(room.sleepers) > room.beds:
        found[RoomingRule.TOO_MANY] = [sleeper.name for sleeper in room.sleepers]
    for one, other in combinations(room.sleepers, 2):
        rule = _pair_problem(one, other)
        if rule is not None:
            names = found.setdefault(rule, [])
            names.extend(name for name in (one.name, other.name) if name not in names)
    return [RoomingProblem(rule, room, tuple(names)) for rule, names in found.items()]


def rooming_problems(rooms: Sequence[RoomPlan]) -> list[RoomingProblem]:
    """Every rule broken by a rooming list, room by room."""
    return [problem for room in rooms for problem in room_problems(room)]
