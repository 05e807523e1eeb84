"""The search of the participants list by name: without case or marks ("zolc" finds "Żółć"),
from an indexed, folded copy of the name, and only among the people the viewer may see."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from exchange.extensions import db
from exchange.registrations import queries
from exchange.registrations.models import Participant
from exchange.registrations.queries import participants_query
from tests import factories
from tests.helpers import login_as, sent_statements


@pytest.fixture
def people(app_context):
    school, other = factories.institution(), factories.institution()
    made = {
        name: factories.participant(school, first_name=name.split()[0], last_name=name.split()[1])
        for name in ("Anna Kowalska", "Jan Kowalski", "Zofia Żółć", "Łucja Łódź", "Ewa 50%_Nowak")
    }
    made["other school"] = factories.participant(other, first_name="Anna", last_name="Kowalczyk")
    return {"school": school, "other": other, **made}


def _found(viewer, q: str) -> set[str]:
    return {person.full_name for person in db.session.scalars(participants_query(viewer, q=q))}


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("kowalska", {"Anna Kowalska"}),
        ("KOWALSKA", {"Anna Kowalska"}),
        ("Kowal", {"Anna Kowalska", "Jan Kowalski", "Anna Kowalczyk"}),
        ("zolc", {"Zofia Żółć"}),
        ("ŻÓŁĆ", {"Zofia Żółć"}),
        ("lodz", {"Łucja Łódź"}),
        ("łucja", {"Łucja Łódź"}),
        ("anna", {"Anna Kowalska", "Anna Kowalczyk"}),
        ("anna kowalska", {"Anna Kowalska"}),
        ("Kowalska  Anna", {"Anna Kowalska"}),
        ("50%", {"Ewa 50%_Nowak"}),
        ("5_%", set()),
        ("nobody", set()),
    ],
)
def test_the_search_ignores_case_and_marks(coordinator, people, q, expected):
    assert _found(coordinator, q) == expected


def test_postgresql_finds_any_part_of_the_name_in_any_order(backend, coordinator, people):
    if backend == "postgresql":
        assert _found(coordinator, "owalsk") == {"Anna Kowalska", "Jan Kowalski"}
        assert _found(coordinator, "kowalska ann") == {"Anna Kowalska"}
        assert _found(coordinator, "nna kowal") == {"Anna Kowalska", "Anna Kowalczyk"}
    else:
        # SQLite: the beginning of the name, last name first or first name first
        assert _found(coordinator, "owalsk") == set()
        assert _found(coordinator, "kowalska ann") == {"Anna Kowalska"}


def test_a_renamed_participant_is_found_by_the_new_name(coordinator, people):
    people["Anna Kowalska"].last_name = "Wiśniewska"
    db.session.commit()
    assert _found(coordinator, "wisniewska") == {"Anna Wiśniewska"}
    assert _found(coordinator, "kowalska") == set()


def test_a_school_searches_only_its_own_people(client, people):
    representative = factories.user(role="school", institution=people["school"])
    assert _found(representative, "anna") == {"Anna Kowalska"}
    login_as(client, representative)
    page = client.get("/participants/?q=ANNA").get_data(as_text=True)
    assert "Kowalska" in page
    assert "Kowalczyk" not in page
    assert "Kowalski" not in page


def test_the_search_uses_the_index(backend, coordinator, people):
    """The plan of the search reads the folded names' index, not the whole table."""
    query = participants_query(coordinator, q="kowal").with_only_columns(Participant.id)
    sql = query.compile(db.engine, compile_kwargs={"literal_binds": True})
    if backend == "postgresql":
        with db.engine.connect() as connection:
            connection.exec_driver_sql("SET enable_seqscan = off")
            plan = connection.exec_driver_sql(f"EXPLAIN {sql}").scalars().all()
        assert any("ix_participant_search_last_first" in line for line in plan), plan
    else:
        plan = [row[-1] for row in db.session.execute(sa.text(f"EXPLAIN QUERY PLAN {sql}"))]
        assert any("ix_participant_search_last_first" in line for line in plan), plan
        assert any("ix_participant_search_first_last" in line for line in plan), plan


def _page_names(viewer, q: str, page: int, per_page: int) -> list[str]:
    return [person.full_name for person in queries.search_page(viewer, q, page, per_page).items]


def test_the_search_pages_through_every_match_once(backend, coordinator, people):
    """Page by page, each match once: those whose last name begins with the query first (each
    group read in its index's order), then those whose first name does, then (PostgreSQL)
    those with it anywhere in the name."""
    factories.participant(people["school"], first_name="Kowalina", last_name="Anna")
    factories.participant(people["school"], first_name="Joanna", last_name="Lis")
    pages = [_page_names(coordinator, "anna", number, 2) for number in (1, 2, 3)]
    names = [name for page in pages for name in page]
    if backend == "postgresql":
        assert [len(page) for page in pages] == [2, 2, 0]
        assert names == ["Kowalina Anna", "Anna Kowalczyk", "Anna Kowalska", "Joanna Lis"]
    else:
        assert [len(page) for page in pages] == [2, 1, 0]
        assert names == ["Kowalina Anna", "Anna Kowalczyk", "Anna Kowalska"]


def test_the_first_page_is_read_from_the_b_trees(backend, coordinator, people):
    """Each group of matches but the trigram one is a range of a B-tree, in its order: a page
    of a common name reads a page of rows, not every match."""
    tiers = queries._search_tiers(coordinator, "kowal")[:2]
    for tier, index in zip(
        tiers,
        ("ix_participant_search_last_first", "ix_participant_search_first_last"),
        strict=True,
    ):
        sql = tier.limit(25).compile(db.engine, compile_kwargs={"literal_binds": True})
        if backend == "postgresql":
            with db.engine.connect() as connection:
                connection.exec_driver_sql("SET enable_seqscan = off")
                connection.exec_driver_sql("SET enable_bitmapscan = off")
                plan = connection.exec_driver_sql(f"EXPLAIN {sql}").scalars().all()
            assert any(f"Index Scan using {index}" in line for line in plan), plan
            assert not any("Sort" in line for line in plan), plan
        else:
            plan = [row[-1] for row in db.session.execute(sa.text(f"EXPLAIN QUERY PLAN {sql}"))]
            assert any(index in line for line in plan), plan
            assert not any("TEMP B-TREE" in line for line in plan), plan


def test_the_folded_names_compare_character_by_character(backend, coordinator, people):
    """A range of names that begin with the words typed is right whatever the database's
    language: on PostgreSQL the folded names have the "C" collation."""
    if backend == "postgresql":
        collations = set(
            db.session.execute(
                sa.text(
                    "SELECT collation_name FROM information_schema.columns WHERE table_name ="
                    " 'participant' AND column_name IN ('search_last_first', 'search_first_last')"
                )
            ).scalars()
        )
        assert collations == {"C"}
    assert _found(coordinator, "kowalczyk anna") == {"Anna Kowalczyk"}


def test_the_search_counts_up_to_a_cap(client, coordinator, people, monkeypatch):
    monkeypatch.setattr(queries, "SEARCH_COUNT_CAP", 2)
    found = queries.search_page(coordinator, "kowal", 1, 25)
    assert (found.total, found.more, len(found.items)) == (2, True, 3)
    assert (queries.search_page(coordinator, "anna", 1, 25).more) is False
    login_as(client, coordinator)
    page = client.get("/participants/?q=kowal").get_data(as_text=True)
    assert "More than 2 participants" in page


def test_a_common_last_name_is_counted_from_its_b_tree_alone(coordinator, people, monkeypatch):
    """Three people's last name begins with "kowal": over a cap of two, the count stops in
    the first group and never asks the trigram index (PostgreSQL) or the first names."""
    monkeypatch.setattr(queries, "SEARCH_COUNT_CAP", 2)
    with sent_statements() as sent:
        found = queries.search_page(coordinator, "kowal", 1, 25)
    assert found.more
    counts = [statement for statement in sent if "count(" in statement.lower()]
    assert len(counts) == 1, counts
    assert "LIKE" not in counts[0].upper()
