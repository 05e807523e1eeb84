"""A person is in an institution once: the same name (whatever its case, marks such as ą or ł,
and spaces) and the same date of birth are refused by the participant form, by editing and by
the import (by row, nothing saved; or skipped, when asked). Coordinators import too, into the
institution they choose; a school only into its own. The register checklist tells two people of
the same name apart by their dates of birth.
"""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
import sqlalchemy as sa

from exchange.extensions import db
from exchange.registrations.importer import COLUMNS
from exchange.registrations.models import ConsentRecord, Participant, name_key
from exchange.registrations.participants import ParticipantValues, find_duplicates
from tests import factories
from tests.helpers import as_seen, login_as, post_form
from tests.test_registration_views import _count, _pupil_rows, _xlsx

FIRST, LAST, BORN = (COLUMNS.index(name) for name in ("first_name", "last_name", "date_of_birth"))


def _upload(client, data: bytes, **fields):
    return post_form(
        client,
        "/participants/import",
        {"file": (io.BytesIO(data), "class.xlsx"), **fields},
        content_type="multipart/form-data",
    )


def _names(institution_id: int) -> list[str]:
    return list(
        db.session.scalars(
            sa.select(Participant.last_name)
            .where(Participant.institution_id == institution_id)
            .order_by(Participant.last_name)
        )
    )


def _row_errors(page: str) -> dict[int, str]:
    """The errors table: the message of each row number."""
    return {
        int(row): message
        for row, message in re.findall(
            r'<tr><th scope="row">(\d+)</th><td>[^<]*</td><td>([^<]*)</td></tr>', page
        )
    }


# --- the key ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("first", "last"),
    [
        ("Łukasz", "Żółć-Ćwiękała"),
        ("lukasz", "zolc-cwiekala"),
        ("  ŁUKASZ ", " ŻÓŁĆ-ĆWIĘKAŁA  "),
        ("Lukasz", "Zolc-Cwiekala"),
        ("łukasz", "żółć-ćwiękała"),
    ],
)
def test_case_polish_marks_and_spaces_do_not_change_the_key(first, last):
    assert name_key(first, last) == name_key("Łukasz", "Żółć-Ćwiękała")


def test_every_polish_letter_folds_and_inner_spaces_collapse():
    assert name_key("ąćęłńóśźż ĄĆĘŁŃÓŚŹŻ", "Anna   Maria") == name_key(
        "acelnoszz acelnoszz", "anna maria"
    )


@pytest.mark.parametrize(
    ("first", "last"),
    [("Łucja", "Żak"), ("Żak", "Łukasz"), ("Łukasz Żak", ""), ("Łuk", "aszŻak"), ("Łukasz", "Żal")],
)
def test_other_names_have_other_keys(first, last):
    assert name_key(first, last) != name_key("Łukasz", "Żak")


def test_the_key_follows_a_change_of_name(app_context):
    pupil = factories.participant(first_name="Ola", last_name="Kowalska")
    assert pupil.name_key == name_key("ola", "kowalska")
    pupil.last_name = "Nowak"
    db.session.commit()
    assert db.session.scalar(sa.select(Participant.name_key)) == name_key("Ola", "Nowak")


def test_find_duplicates_tells_the_ones_there_from_the_repeats(app_context):
    school = factories.institution()
    born = date(2011, 3, 14)
    factories.participant(school, first_name="Zoë", last_name="Łącka", date_of_birth=born)
    candidates = [
        ParticipantValues(first_name="zoe", last_name="lacka", date_of_birth=born),
        ParticipantValues(first_name="Ola", last_name="Nowak", date_of_birth=born),
        ParticipantValues(first_name="Zoe", last_name="Łącka", date_of_birth=date(2011, 3, 15)),
        ParticipantValues(first_name="OLA", last_name="NOWAK", date_of_birth=born),
    ]
    found = find_duplicates(candidates, institution_id=school.id)
    assert [(item.index, item.earlier) for item in found] == [(0, None), (3, 1)]
    assert find_duplicates(candidates, institution_id=factories.institution().id) == [
        find_duplicates(candidates, institution_id=school.id)[1]
    ]


# --- the import ------------------------------------------------------------------------------


def test_importing_the_same_file_twice_adds_nobody_the_second_time_and_says_why(
    client, school_user
):
    data = _xlsx(_pupil_rows(6))
    login_as(client, school_user)
    assert _upload(client, data).status_code == 302
    assert _count(Participant) == 6

    response = _upload(client, data)
    assert response.status_code == 422
    page = as_seen(response.get_data(as_text=True))
    errors = _row_errors(response.get_data(as_text=True))
    assert sorted(errors) == [2, 3, 4, 5, 6, 7]
    assert "Uczeń0 Nowak00, born" in errors[2]
    assert "is already a participant of this institution." in errors[2]
    assert "Skip the people who are participants already" in page
    assert _count(Participant) == 6
    assert _count(ConsentRecord) == 6


def test_skipping_the_ones_already_there_imports_only_the_new_ones(client, school_user):
    rows = _pupil_rows(5)
    login_as(client, school_user)
    assert _upload(client, _xlsx(rows[:3])).status_code == 302

    response = _upload(client, _xlsx(rows), skip_existing="y")
    assert response.status_code == 302
    assert _names(school_user.institution_id) == [f"Nowak{n:02d}" for n in range(5)]
    assert _count(ConsentRecord) == 5
    page = as_seen(client.get(response.headers["Location"]).get_data(as_text=True))
    assert "2 participants are imported." in page
    assert "3 rows are skipped: their people are participants already." in page


def test_a_person_typed_with_other_case_and_marks_is_a_duplicate(client, school_user):
    rows = _pupil_rows(2)
    born = rows[0][BORN]
    factories.participant(
        school_user.institution,
        first_name="Łucja",
        last_name="Żółkiewska",
        date_of_birth=date.fromisoformat(born),
    )
    rows[1][FIRST], rows[1][LAST] = " LUCJA ", "zolkiewska"
    rows[1][BORN] = born
    login_as(client, school_user)
    response = _upload(client, _xlsx(rows))
    assert response.status_code == 422
    errors = _row_errors(response.get_data(as_text=True))
    assert list(errors) == [3]
    assert "LUCJA zolkiewska" in errors[3]
    assert _count(Participant) == 1


def test_the_same_name_born_on_another_day_is_someone_else(client, school_user):
    rows = _pupil_rows(1)
    factories.participant(
        school_user.institution,
        first_name=rows[0][FIRST],
        last_name=rows[0][LAST],
        date_of_birth=date.fromisoformat(rows[0][BORN]).replace(day=28),
    )
    login_as(client, school_user)
    assert _upload(client, _xlsx(rows)).status_code == 302
    assert _count(Participant) == 2


def test_the_same_person_in_another_institution_is_someone_else(client, school_user):
    rows = _pupil_rows(1)
    factories.participant(
        factories.institution(),
        first_name=rows[0][FIRST],
        last_name=rows[0][LAST],
        date_of_birth=date.fromisoformat(rows[0][BORN]),
    )
    login_as(client, school_user)
    assert _upload(client, _xlsx(rows)).status_code == 302
    assert _names(school_user.institution_id) == ["Nowak00"]


@pytest.mark.parametrize("skip", [{}, {"skip_existing": "y"}])
def test_a_person_twice_in_one_file_is_refused_by_row(client, school_user, skip):
    rows = _pupil_rows(3)
    rows.append(list(rows[0]))
    rows[3][FIRST] = rows[3][FIRST].upper()
    login_as(client, school_user)
    response = _upload(client, _xlsx(rows), **skip)
    assert response.status_code == 422
    errors = _row_errors(response.get_data(as_text=True))
    assert errors == {5: "The same person as row 2: the same name and date of birth."}
    assert _count(Participant) == 0


def test_row_errors_and_duplicates_are_listed_together_in_row_order(client, school_user):
    rows = _pupil_rows(4)
    factories.participant(
        school_user.institution,
        first_name=rows[3][FIRST],
        last_name=rows[3][LAST],
        date_of_birth=date.fromisoformat(rows[3][BORN]),
    )
    rows[1][COLUMNS.index("country")] = "XX"
    login_as(client, school_user)
    response = _upload(client, _xlsx(rows))
    assert response.status_code == 422
    assert list(_row_errors(response.get_data(as_text=True))) == [3, 5]
    assert _count(Participant) == 1


# --- the form --------------------------------------------------------------------------------


def _form(born: date, **values) -> dict:
    return {
        "first_name": "Ola",
        "last_name": "Kowalska",
        "date_of_birth": born.isoformat(),
        "gender": "female",
        "country": "PL",
        "role": "pupil",
        "emergency_contact_name": "Anna Kowalska",
        "emergency_contact_phone": "600 100 200",
        **values,
    }


def test_the_form_refuses_a_duplicate_next_to_the_name_and_keeps_what_was_typed(
    client, school_user
):
    born = date(2012, 5, 1)
    factories.participant(
        school_user.institution, first_name="Óla", last_name="Kowalska", date_of_birth=born
    )
    login_as(client, school_user)
    response = post_form(
        client,
        "/participants/new",
        _form(born, first_name="ola ", last_name="KOWALSKA", dietary_notes="no nuts"),
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    error = re.search(r'<p class="error" id="first_name-error">([^<]*)</p>', page)
    assert error
    assert "ola KOWALSKA, born" in error.group(1)
    assert "is already a participant of this institution." in error.group(1)
    assert 'value="KOWALSKA"' in page
    assert "no nuts</textarea>" in page
    assert _count(Participant) == 1

    response = post_form(client, "/participants/new", _form(born.replace(day=2)))
    assert response.status_code == 302
    assert _count(Participant) == 2


def test_a_coordinator_adding_to_another_institution_is_not_refused(client, coordinator):
    born = date(2012, 5, 1)
    first = factories.participant(first_name="Ola", last_name="Kowalska", date_of_birth=born)
    other = factories.institution()
    login_as(client, coordinator)
    response = post_form(client, "/participants/new", _form(born, institution_id=other.id))
    assert response.status_code == 302
    response = post_form(
        client, "/participants/new", _form(born, institution_id=first.institution_id)
    )
    assert response.status_code == 422
    assert 'id="first_name-error"' in response.get_data(as_text=True)
    assert _count(Participant) == 2


def test_editing_a_participant_into_a_duplicate_of_another_is_refused(client, school_user):
    born = date(2012, 5, 1)
    factories.participant(
        school_user.institution, first_name="Ola", last_name="Kowalska", date_of_birth=born
    )
    other = factories.participant(
        school_user.institution, first_name="Ola", last_name="Nowak", date_of_birth=born
    )
    login_as(client, school_user)
    url = f"/participants/{other.id}/edit"
    # saving a person as they are is not a duplicate of themselves
    assert post_form(client, url, _form(born, last_name="Nowak")).status_code == 302
    response = post_form(client, url, _form(born, last_name="kowalską"))
    assert response.status_code == 422
    assert 'id="first_name-error"' in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Participant, other.id).last_name == "Nowak"


def test_moving_a_participant_to_an_institution_that_has_them_is_refused(client, coordinator):
    born = date(2012, 5, 1)
    there = factories.participant(first_name="Ola", last_name="Kowalska", date_of_birth=born)
    moving = factories.participant(first_name="Ola", last_name="Kowalska", date_of_birth=born)
    login_as(client, coordinator)
    response = post_form(
        client,
        f"/participants/{moving.id}/edit",
        _form(born, institution_id=there.institution_id),
    )
    assert response.status_code == 422
    db.session.expire_all()
    assert db.session.get(Participant, moving.id).institution_id != there.institution_id


# --- coordinators import ---------------------------------------------------------------------


@pytest.mark.parametrize("role", ["coordinator", "admin"])
def test_staff_import_into_the_institution_they_choose(client, role):
    staff = factories.user(role=role)
    group = factories.institution(name="Medical chamber of Olsztyn")
    factories.institution(name="Another institution")
    login_as(client, staff)
    page = client.get("/participants/import").get_data(as_text=True)
    assert re.search(r'<select [^>]*name="institution_id"', page)
    assert "Medical chamber of Olsztyn</option>" in page

    response = _upload(client, _xlsx(_pupil_rows(3)), institution_id=group.id)
    assert response.status_code == 302, response.get_data(as_text=True)
    assert _names(group.id) == ["Nowak00", "Nowak01", "Nowak02"]
    assert set(db.session.scalars(sa.select(Participant.created_by_id))) == {staff.id}

    response = _upload(client, _xlsx(_pupil_rows(3)), institution_id=group.id)
    assert response.status_code == 422
    assert sorted(_row_errors(response.get_data(as_text=True))) == [2, 3, 4]
    assert _count(Participant) == 3


def test_staff_must_choose_an_institution_to_import_into(client, coordinator):
    factories.institution()
    login_as(client, coordinator)
    response = _upload(client, _xlsx(_pupil_rows(1)))
    assert response.status_code == 422
    assert 'id="institution_id-error"' in response.get_data(as_text=True)
    assert _count(Participant) == 0


def test_staff_cannot_import_into_an_inactive_institution(client, coordinator):
    closed = factories.institution(active=False)
    login_as(client, coordinator)
    response = _upload(client, _xlsx(_pupil_rows(1)), institution_id=closed.id)
    assert response.status_code == 422
    assert 'id="institution_id-error"' in response.get_data(as_text=True)
    assert _count(Participant) == 0


def test_staff_imports_share_the_rate_limit(client, coordinator):
    group = factories.institution()
    login_as(client, coordinator)
    for _ in range(5):
        assert _upload(client, b"", institution_id=group.id).status_code == 422
    response = _upload(client, _xlsx(_pupil_rows(1)), institution_id=group.id)
    assert response.status_code == 429
    assert _count(Participant) == 0


def test_a_school_sees_no_institution_choice(client, school_user):
    login_as(client, school_user)
    page = client.get("/participants/import").get_data(as_text=True)
    assert 'name="institution_id"' not in page
    assert 'name="skip_existing"' in page


def test_a_school_cannot_import_into_another_institution(client, school_user):
    other = factories.institution()
    login_as(client, school_user)
    response = _upload(client, _xlsx(_pupil_rows(2)), institution_id=other.id)
    assert response.status_code == 404
    assert _count(Participant) == 0
    # its own institution's id is what the school imports into anyway
    response = _upload(client, _xlsx(_pupil_rows(2)), institution_id=school_user.institution_id)
    assert response.status_code == 302
    assert len(_names(school_user.institution_id)) == 2


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_coordinators_download_the_template(client, coordinator, fmt):
    login_as(client, coordinator)
    response = client.get(f"/participants/import/template.{fmt}")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].endswith(f"participants-template.{fmt}")


def test_the_participants_page_offers_the_import_to_coordinators(client, coordinator):
    login_as(client, coordinator)
    page = client.get("/participants/").get_data(as_text=True)
    assert 'href="/participants/import"' in page


# --- the register checklist ------------------------------------------------------------------


def test_the_register_checklist_tells_people_of_the_same_name_apart(client, school_user):
    exchange = factories.exchange()
    for born in (date(2011, 3, 14), date(2012, 11, 2)):
        factories.participant(
            school_user.institution, first_name="Ola", last_name="Kowalska", date_of_birth=born
        )
    login_as(client, school_user)
    page = as_seen(client.get(f"/exchanges/{exchange.id}/register").get_data(as_text=True))
    assert "Kowalska Ola, born Mar 14, 2011" in page
    assert "Kowalska Ola, born Nov 2, 2012" in page
