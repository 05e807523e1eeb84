"""The matching solver on plain data: every hard rule, the soft preferences, pins, reasons."""

from __future__ import annotations

from datetime import date

import pytest

from exchange.hosting.matching import Family, Guest, Rule, Stay, broken_rules, suggest

STAY = Stay(start=date(2027, 5, 10), end=date(2027, 5, 16))


def guest(id_: int = 1, **values) -> Guest:
    values.setdefault("gender", "female")
    values.setdefault("age", 15)
    values.setdefault("school_id", 100)
    values.setdefault("languages", frozenset({"de", "en"}))
    return Guest(id=id_, **values)


def family(id_: int = 10, **values) -> Family:
    values.setdefault("school_id", 1)
    values.setdefault("beds", 1)
    values.setdefault("languages", frozenset({"pl", "en"}))
    values.setdefault("child_age", 15)
    values.setdefault("child_gender", "female")
    return Family(id=id_, **values)


@pytest.mark.parametrize(
    ("guest_values", "family_values", "stay", "rule"),
    [
        ({"gender": "male"}, {"accepts": "girls"}, STAY, Rule.GENDER),
        ({"gender": "female"}, {"accepts": "boys"}, STAY, Rule.GENDER),
        ({"gender": "not_stated"}, {"accepts": "girls"}, STAY, Rule.GENDER),
        ({"allergic_to_animals": True}, {"has_pets": True}, STAY, Rule.PETS),
        ({"diets": frozenset({"vegan"})}, {"diets": frozenset({"vegetarian"})}, STAY, Rule.DIET),
        ({}, {"available_from": date(2027, 5, 11)}, STAY, Rule.AVAILABILITY),
        ({}, {"available_until": date(2027, 5, 15)}, STAY, Rule.AVAILABILITY),
        ({}, {"child_registered": False}, Stay(STAY.start, STAY.end, True), Rule.HOST_CHILD),
    ],
)
def test_each_hard_rule_keeps_the_guest_from_the_family(guest_values, family_values, stay, rule):
    one, host = guest(**guest_values), family(**family_values)

    assert rule in broken_rules(one, host, stay)
    result = suggest([one], [host], stay)
    assert result.placements == {}
    assert result.unplaced == {one.id: {rule: 1}}


@pytest.mark.parametrize(
    ("guest_values", "family_values", "stay"),
    [
        ({"gender": "male"}, {"accepts": "either"}, STAY),
        ({"gender": "male"}, {"accepts": "boys"}, STAY),
        ({"allergic_to_animals": True}, {"has_pets": False}, STAY),
        ({"allergic_to_animals": False}, {"has_pets": True}, STAY),
        ({"diets": frozenset({"vegan"})}, {"diets": frozenset({"vegan", "halal"})}, STAY),
        ({}, {"available_from": STAY.start, "available_until": STAY.end}, STAY),
        ({}, {"child_registered": True}, Stay(STAY.start, STAY.end, True)),
    ],
)
def test_a_pair_within_the_rules_is_made(guest_values, family_values, stay):
    one, host = guest(**guest_values), family(**family_values)

    assert broken_rules(one, host, stay) == []
    assert suggest([one], [host], stay).placements == {one.id: host.id}


def test_no_family_takes_more_guests_than_it_has_beds():
    guests = [guest(number) for number in range(1, 6)]
    families = [family(10, beds=2), family(11, beds=1)]

    result = suggest(guests, families, STAY)

    assert sorted(result.placements.values()) == [10, 10, 11]
    assert len(result.unplaced) == 2
    for reasons in result.unplaced.values():
        assert reasons == {Rule.NO_BED: 2}


def test_the_solver_places_everyone_a_greedy_choice_would_not():
    """The first guest fits both families, the second only the first: a greedy loop taking the
    cheapest family for the first guest strands the second."""
    flexible = guest(1, languages=frozenset({"pl"}))
    allergic = guest(2, allergic_to_animals=True, languages=frozenset({"xx"}))
    pets_pl = family(10, has_pets=True, languages=frozenset({"pl"}))
    no_pets = family(11, languages=frozenset({"en"}))

    result = suggest([flexible, allergic], [no_pets, pets_pl], STAY)

    assert result.placements == {1: 10, 2: 11}
    assert result.unplaced == {}


def test_a_shared_language_is_preferred():
    one = guest(languages=frozenset({"de"}))
    english = family(10, languages=frozenset({"en"}))
    german = family(11, languages=frozenset({"de", "pl"}))

    assert suggest([one], [english, german], STAY).placements == {one.id: 11}


def test_a_host_child_close_in_age_and_of_the_same_gender_is_preferred():
    one = guest(age=15, gender="male")
    younger_girl = family(10, child_age=11, child_gender="female")
    boy_of_16 = family(11, child_age=16, child_gender="male")
    no_child = family(12, child_age=None, child_gender=None)

    assert suggest([one], [younger_girl, boy_of_16, no_child], STAY).placements == {1: 11}


def test_guests_are_spread_over_the_host_schools_when_the_coordinator_chooses_it():
    guests = [guest(number) for number in range(1, 5)]
    families = [family(10 + number, school_id=1) for number in range(4)] + [
        family(20 + number, school_id=2, child_age=14) for number in range(4)
    ]

    spread = suggest(guests, families, STAY)
    together = suggest(guests, families, Stay(STAY.start, STAY.end, spread_schools=False))

    schools = {family.id: family.school_id for family in families}
    assert sorted(schools[f] for f in spread.placements.values()) == [1, 1, 2, 2]
    # without spreading, the closer host children (all at school 1) win
    assert sorted(schools[f] for f in together.placements.values()) == [1, 1, 1, 1]


def test_a_pinned_pair_is_kept_by_a_new_suggestion():
    one, other = guest(1, languages=frozenset({"de"})), guest(2, languages=frozenset({"de"}))
    german = family(10, languages=frozenset({"de"}))
    english = family(11, languages=frozenset({"en"}))

    result = suggest([one, other], [german, english], STAY, pins={2: 10})

    assert result.placements == {2: 10, 1: 11}


def test_a_guest_nobody_can_take_is_shown_with_every_reason():
    one = guest(gender="male", allergic_to_animals=True)
    families = [
        family(10, accepts="girls"),
        family(11, has_pets=True),
        family(12, has_pets=True, accepts="girls"),
    ]

    result = suggest([one], families, STAY)

    assert result.unplaced == {one.id: {Rule.GENDER: 2, Rule.PETS: 2}}


def test_without_families_the_reason_says_so():
    assert suggest([guest()], [], STAY).unplaced == {1: {Rule.NO_FAMILIES: 0}}
