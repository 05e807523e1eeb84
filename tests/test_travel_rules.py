"""The pure rules of travel: which trips leave Schengen, when a document warns, and the rooming
rules, each on its own (plain data, no database)."""

from __future__ import annotations

from datetime import date

import pytest

from exchange.travel.documents import (
    DocumentWarning,
    document_warnings,
    is_cross_border,
    is_outside_schengen,
    months_after,
)
from exchange.travel.rooming import (
    RoomingRule,
    RoomPlan,
    Sleeper,
    room_problems,
    rooming_problems,
)

TODAY = date(2026, 5, 14)
RETURN = date(2026, 7, 10)

# --- Schengen -------------------------------------------------------------------------------


@pytest.mark.parametrize("country", ["FI", "FR", "DE", "SE", "IT", "PL"])
def test_the_partners_in_the_schengen_area(country):
    assert not is_outside_schengen([country])


@pytest.mark.parametrize("country", ["RU", "UA", "US", "GB", "IE"])
def test_the_partners_outside_the_schengen_area(country):
    assert is_outside_schengen([country])


def test_one_partner_outside_makes_the_trip_outside():
    assert is_outside_schengen(["DE", "UA"])


def test_a_trip_with_a_foreign_partner_crosses_a_border():
    assert is_cross_border(["DE"])
    assert not is_cross_border(["PL"])
    assert not is_cross_border([])


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2026, 7, 10), 3, date(2026, 10, 10)),
        (date(2026, 11, 30), 3, date(2027, 2, 28)),
        (date(2027, 11, 30), 3, date(2028, 2, 29)),  # a leap year
        (date(2027, 11, 29), 3, date(2028, 2, 29)),
        (date(2028, 2, 29), 3, date(2028, 5, 29)),
        (date(2026, 10, 31), 3, date(2027, 1, 31)),
        (date(2026, 12, 31), 2, date(2027, 2, 28)),
    ],
)
def test_months_after_keeps_the_day_or_takes_the_months_last(day, months, expected):
    assert months_after(day, months) == expected


# --- document warnings ----------------------------------------------------------------------


def warnings(expires_on, *, outside=False, return_date=RETURN, today=TODAY):
    return document_warnings(
        expires_on, return_date=return_date, outside_schengen=outside, today=today
    )


def test_no_document_warns():
    assert warnings(None) == [DocumentWarning.MISSING]


def test_an_expired_document_warns():
    assert warnings(date(2026, 5, 13)) == [DocumentWarning.EXPIRED]
    # still valid today (for a trip back today)
    assert warnings(TODAY, return_date=TODAY) == []


def test_a_document_expiring_on_the_return_day_is_enough_in_schengen():
    assert warnings(RETURN) == []
    assert warnings(date(2026, 7, 9)) == [DocumentWarning.EXPIRES_BEFORE_RETURN]


def test_outside_schengen_a_document_must_last_three_months_after_the_return():
    assert warnings(RETURN, outside=True) == [DocumentWarning.EXPIRES_TOO_SOON_AFTER_RETURN]
    assert warnings(date(2026, 10, 9), outside=True) == [
        DocumentWarning.EXPIRES_TOO_SOON_AFTER_RETURN
    ]
    assert warnings(date(2026, 10, 10), outside=True) == []
    assert warnings(date(2026, 7, 9), outside=True) == [DocumentWarning.EXPIRES_BEFORE_RETURN]


@pytest.mark.parametrize(
    ("return_date", "last_short", "first_enough"),
    [
        # back on 30 November 2027: three months later is 29 February 2028
        (date(2027, 11, 30), date(2028, 2, 28), date(2028, 2, 29)),
        # back on 30 November 2026: 28 February 2027 (no 29th that year)
        (date(2026, 11, 30), date(2027, 2, 27), date(2027, 2, 28)),
        # back on 29 February 2028: 29 May
        (date(2028, 2, 29), date(2028, 5, 28), date(2028, 5, 29)),
    ],
)
def test_three_months_around_29_february(return_date, last_short, first_enough):
    short = warnings(last_short, outside=True, return_date=return_date)
    assert short == [DocumentWarning.EXPIRES_TOO_SOON_AFTER_RETURN]
    assert warnings(first_enough, outside=True, return_date=return_date) == []


def test_a_document_expiring_on_29_february_before_a_return_in_march_warns():
    assert warnings(date(2028, 2, 29), return_date=date(2028, 3, 1)) == [
        DocumentWarning.EXPIRES_BEFORE_RETURN
    ]
    assert warnings(date(2028, 2, 29), return_date=date(2028, 2, 29)) == []


# --- rooming rules --------------------------------------------------------------------------


def girl(id_: int, **values) -> Sleeper:
    return Sleeper(id=id_, name=f"Girl {id_}", minor=True, gender="female", **values)


def boy(id_: int, **values) -> Sleeper:
    return Sleeper(id=id_, name=f"Boy {id_}", minor=True, gender="male", **values)


def adult(id_: int, gender: str = "female", **values) -> Sleeper:
    return Sleeper(id=id_, name=f"Adult {id_}", minor=False, gender=gender, **values)


def leader(id_: int, gender: str = "female") -> Sleeper:
    return Sleeper(id=id_, name=f"Leader {id_}", minor=False, gender=gender, leader=True)


def rules(*sleepers: Sleeper, beds: int = 10) -> list[RoomingRule]:
    return [problem.rule for problem in room_problems(RoomPlan(1, "Room 1", beds, sleepers))]


def test_minors_of_one_gender_may_share():
    assert rules(girl(1), girl(2), girl(3)) == []
    assert rules(boy(1), boy(2)) == []


def test_minors_of_another_gender_may_not_share():
    assert rules(girl(1), boy(2)) == [RoomingRule.MINORS_OF_ANOTHER_GENDER]


def test_a_minor_whose_gender_is_not_stated_shares_with_nobody_of_a_stated_one():
    unknown = Sleeper(id=3, name="Kid 3", minor=True, gender="not_stated")
    assert rules(girl(1), unknown) == [RoomingRule.MINORS_OF_ANOTHER_GENDER]


def test_a_minor_may_not_share_with_an_adult_who_is_not_their_guardian():
    assert rules(girl(1), adult(2)) == [RoomingRule.MINOR_WITH_ADULT]


def test_a_minor_may_share_with_their_own_guardian():
    assert rules(girl(1, guardians=frozenset({2})), adult(2)) == []


def test_a_guardian_is_not_every_minors_guardian():
    found = rules(girl(1, guardians=frozenset({2})), girl(3), adult(2))
    assert found == [RoomingRule.MINOR_WITH_ADULT]


def test_leaders_have_rooms_of_their_own():
    assert rules(leader(1), leader(2)) == []
    assert rules(leader(1), adult(2)) == [RoomingRule.LEADER_NOT_ALONE]
    assert RoomingRule.MINOR_WITH_ADULT in rules(leader(1), girl(2))


def test_a_leader_may_sleep_with_their_own_child():
    assert rules(leader(1), girl(2, guardians=frozenset({1}))) == []


def test_a_room_holds_no_more_people_than_beds():
    assert rules(girl(1), girl(2), beds=2) == []
    assert rules(girl(1), girl(2), girl(3), beds=2) == [RoomingRule.TOO_MANY]


def test_adults_may_share_whatever_their_gender():
    assert rules(adult(1, "female"), adult(2, "male")) == []


def test_each_broken_rule_is_named_once_with_everybody_concerned():
    problems = room_problems(RoomPlan(7, "Hostel, 12", 2, [girl(1), boy(2), adult(3)]))
    by_rule = {problem.rule: problem for problem in problems}
    assert set(by_rule) == {
        RoomingRule.TOO_MANY,
        RoomingRule.MINOR_WITH_ADULT,
        RoomingRule.MINORS_OF_ANOTHER_GENDER,
    }
    assert by_rule[RoomingRule.MINOR_WITH_ADULT].names == ("Girl 1", "Adult 3", "Boy 2")
    assert "Hostel, 12" in by_rule[RoomingRule.TOO_MANY].message


def test_a_rooming_list_is_checked_room_by_room():
    good = RoomPlan(1, "A", 2, [girl(1), girl(2)])
    bad = RoomPlan(2, "B", 2, [boy(3), girl(4)])
    assert [(p.room.id, p.rule) for p in rooming_problems([good, bad])] == [
        (2, RoomingRule.MINORS_OF_ANOTHER_GENDER)
    ]
