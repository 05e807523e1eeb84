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
from tests.helpers import login_as


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
    """Page by page, each match once; on SQLite those whose last name begins with the query
    first (each group read in its index's order), then those whose first name does."""
    factories.participant(people["school"], first_name="Kowalina", last_name="Anna")
    pages = [_page_names(coordinator, "anna", number, 2) for number in (1, 2, 3)]
    assert [len(page) for page in pages] == [2, 1, 0]
    names = [name for page in pages for name in page]
    assert sorted(names) == ["Anna Kowalczyk", "Anna Kowalska", "Kowalina Anna"]
    if backend == "sqlite":
        assert names[0] == "Kowalina Anna"  # last name "Anna" first


def test_the_search_counts_up_to_a_cap(client, coordinator, people, monkeypatch):
    monkeypatch.setattr(queries, "SEARCH_COUNT_CAP", 2)
    found = queries.search_page(coordinator, "kowal", 1, 25)
    assert (found.total, found.more, len(found.items)) == (2, True, 3)
    assert (queries.search_page(coordinator, "anna", 1, 25).more) is False
    login_as(client, coordinator)
    page = client.get("/participants/?q=kowal").get_data(as_text=True)
    assert "More than 2 participants" in page
