"""Schools and coordinators using registrations through the pages."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from openpyxl import Workbook, load_workbook

from exchange import clock
from exchange.auth.models import Invitation
from exchange.extensions import db
from exchange.registrations.importer import COLUMNS
from exchange.registrations.models import Participant, Registration, RegistrationStatus
from tests import factories
from tests.helpers import login_as, post_form


def _pupil_rows(count: int, **overrides) -> list[list[object]]:
    today = clock.today()
    rows = []
    for number in range(count):
        values = {
            "first_name": f"Uczeń{number}",
            "last_name": f"Nowak{number:02d}",
            "date_of_birth": f"{today.year - 15}-03-{(number % 28) + 1:02d}",
            "gender": "female" if number % 2 else "male",
            "country": "PL",
            "role": "pupil",
            "emergency_contact_name": "Rodzic",
            "emergency_contact_phone": "+48 600 000 000",
            "medical_notes": "asthma" if number == 0 else "",
            "guardian_name": "Rodzic",
            "consent_given_on": today.isoformat(),
            "consent_method": "paper",
            "consent_text_version": "2026-01",
        }
        values.update(overrides)
        rows.append([values.get(column, "") for column in COLUMNS])
    return rows


def _xlsx(rows: list[list[object]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(COLUMNS))
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _upload(client, data: bytes, filename: str = "class-3b.xlsx"):
    return post_form(
        client,
        "/participants/import",
        {"file": (io.BytesIO(data), filename)},
        content_type="multipart/form-data",
    )


def _count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


# --- invitation -----------------------------------------------------------------------------


def test_invited_representative_sets_a_password_imports_registers_and_sees_the_waiting_list(
    client, app, coordinator
):
    """The journey of the issue: invited, 30 pupils imported, 25 places, 5 waiting, promotion."""
    school = factories.institution(name="SP 5 Olsztyn")
    exchange = factories.exchange(capacity=25, title="Rovaniemi winter camp")

    login_as(client, coordinator)
    response = post_form(
        client,
        "/school-accounts/new",
        {"full_name": "Ewa Szkolna", "email": "ewa@sp5.example.org", "institution_id": school.id},
    )
    assert response.status_code == 200
    link = re.search(r'value="(http://[^"]+/invitation/[^"]+)"', response.get_data(as_text=True))
    assert link, "the page shows the invitation link"
    path = link.group(1).removeprefix("http://localhost")
    post_form(client, "/logout")

    school_client = app.test_client()
    assert school_client.get(path).status_code == 200
    response = post_form(
        school_client, path, {"password": "a strong password 42", "confirm": "a strong password 42"}
    )
    assert response.status_code == 302
    assert school_client.get(path).status_code == 404  # used once

    response = _upload(school_client, _xlsx(_pupil_rows(30)))
    assert response.status_code == 302, response.get_data(as_text=True)
    pupils = db.session.scalars(sa.select(Participant).order_by(Participant.last_name)).all()
    assert len(pupils) == 30
    assert {p.institution_id for p in pupils} == {school.id}

    response = post_form(
        school_client,
        f"/exchanges/{exchange.id}/register",
        {"participants": [str(p.id) for p in pupils]},
    )
    assert response.status_code == 302
    pages = school_client.get("/registrations/").get_data(as_text=True)
    pages += school_client.get("/registrations/?page=2").get_data(as_text=True)
    assert pages.count('class="badge status-waitlisted">On the waiting list') == 5
    assert pages.count('class="badge status-confirmed">Confirmed') == 25
    statuses = [
        db.session.scalar(sa.select(Registration.status).where(Registration.participant_id == p.id))
        for p in pupils
    ]
    assert statuses.count(RegistrationStatus.CONFIRMED) == 25
    assert statuses.count(RegistrationStatus.WAITLISTED) == 5

    first_waiting = db.session.scalar(
        sa.select(Registration)
        .where(Registration.status == RegistrationStatus.WAITLISTED)
        .order_by(Registration.registered_at, Registration.id)
    )
    a_confirmed = db.session.scalar(
        sa.select(Registration).where(Registration.status == RegistrationStatus.CONFIRMED)
    )
    response = post_form(school_client, f"/registrations/{a_confirmed.id}/withdraw")
    assert response.status_code == 302
    assert db.session.get(Registration, first_waiting.id).status is RegistrationStatus.CONFIRMED
    assert db.session.get(Registration, a_confirmed.id).status is RegistrationStatus.WITHDRAWN


def test_expired_invitation_does_not_work(client, coordinator):
    school = factories.institution()
    user = factories.user(role="school", institution=school, password=None)
    from exchange.auth import services

    token = services.invite(user, by=coordinator)
    db.session.execute(sa.update(Invitation).values(expires_at=clock.now() - timedelta(seconds=1)))
    db.session.commit()
    assert client.get(f"/invitation/{token}").status_code == 404
    assert client.get("/invitation/not-a-token").status_code == 404


def test_a_new_invitation_replaces_the_old_one(client, coordinator):
    user = factories.user(role="school", password=None)
    from exchange.auth import services

    old = services.invite(user, by=coordinator)
    new = services.invite(user, by=coordinator)
    db.session.commit()
    assert client.get(f"/invitation/{old}").status_code == 404
    assert client.get(f"/invitation/{new}").status_code == 200


def test_schools_cannot_invite(client, school_user):
    login_as(client, school_user)
    assert client.get("/school-accounts/new").status_code == 403


# --- a school sees only its own people ------------------------------------------------------


@pytest.fixture
def other_school_objects(app_context, coordinator):
    from exchange.registrations import services

    other = factories.institution(name="Other school")
    pupil = factories.participant(other)
    exchange = factories.exchange()
    registration = services.register_participant(exchange, pupil, by=coordinator)
    db.session.commit()
    return {"participant": pupil, "registration": registration, "consent": pupil.consents[0]}


def test_school_gets_404_for_another_schools_objects(client, school_user, other_school_objects):
    pupil = other_school_objects["participant"]
    registration = other_school_objects["registration"]
    consent = other_school_objects["consent"]
    login_as(client, school_user)
    assert client.get(f"/participants/{pupil.id}").status_code == 404
    assert client.get(f"/participants/{pupil.id}/edit").status_code == 404
    assert (
        post_form(client, f"/participants/{pupil.id}/edit", {"first_name": "X"}).status_code == 404
    )
    assert post_form(client, f"/participants/{pupil.id}/delete").status_code == 404
    assert post_form(client, f"/participants/{pupil.id}/consents", {}).status_code == 404
    assert post_form(client, f"/consents/{consent.id}/withdraw").status_code == 404
    assert post_form(client, f"/registrations/{registration.id}/withdraw").status_code == 404
    page = client.get("/participants/").get_data(as_text=True)
    assert pupil.last_name not in page
    assert pupil.last_name not in client.get("/registrations/").get_data(as_text=True)
    assert db.session.get(Registration, registration.id).status is RegistrationStatus.CONFIRMED


def test_school_cannot_see_rosters_or_mark_attendance(client, school_user, other_school_objects):
    registration = other_school_objects["registration"]
    login_as(client, school_user)
    assert client.get(f"/exchanges/{registration.exchange_id}/roster").status_code == 403
    assert client.get(f"/exchanges/{registration.exchange_id}/roster.csv").status_code == 403
    response = post_form(client, f"/registrations/{registration.id}/attendance", {"attended": "1"})
    assert response.status_code == 403


def test_school_cannot_register_another_schools_participant(
    client, school_user, other_school_objects
):
    exchange = factories.exchange()
    pupil = other_school_objects["participant"]
    login_as(client, school_user)
    response = post_form(
        client, f"/exchanges/{exchange.id}/register", {"participants": [str(pupil.id)]}
    )
    assert response.status_code == 422
    assert _count(Registration) == 1


# --- participants ---------------------------------------------------------------------------


def test_school_adds_a_participant_with_field_errors_kept(client, school_user):
    login_as(client, school_user)
    today = clock.today()
    data = {
        "first_name": "Ola",
        "last_name": "Nowak",
        "date_of_birth": f"{today.year - 14}-05-01",
        "gender": "female",
        "country": "PL",
        "role": "pupil",
    }
    response = post_form(client, "/participants/new", data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="emergency_contact_name-error"' in page
    assert 'value="Nowak"' in page
    assert _count(Participant) == 0
    data |= {"emergency_contact_name": "Anna Nowak", "emergency_contact_phone": "600 100 200"}
    response = post_form(client, "/participants/new", data)
    assert response.status_code == 302
    participant = db.session.scalar(sa.select(Participant))
    assert participant.institution_id == school_user.institution_id


def test_bad_date_is_a_field_error(client, school_user):
    login_as(client, school_user)
    response = post_form(client, "/participants/new", {"first_name": "A", "date_of_birth": "31.02"})
    assert response.status_code == 422
    assert 'id="date_of_birth-error"' in response.get_data(as_text=True)


def test_registered_participant_cannot_be_removed(client, school_user, coordinator):
    from exchange.registrations import services

    pupil = factories.participant(school_user.institution)
    services.register_participant(factories.exchange(), pupil, by=coordinator)
    db.session.commit()
    login_as(client, school_user)
    post_form(client, f"/participants/{pupil.id}/delete")
    assert db.session.get(Participant, pupil.id) is not None


def test_unregistered_participant_is_removed(client, school_user):
    pupil_id = factories.participant(school_user.institution).id
    login_as(client, school_user)
    assert post_form(client, f"/participants/{pupil_id}/delete").status_code == 302
    assert db.session.get(Participant, pupil_id) is None


def test_consent_is_recorded_with_who_recorded_it(client, school_user):
    pupil = factories.participant(school_user.institution, consent=False)
    login_as(client, school_user)
    response = post_form(
        client,
        f"/participants/{pupil.id}/consents",
        {
            "guardian_name": "Jan Nowak",
            "given_on": clock.today().isoformat(),
            "method": "electronic",
            "text_version": "2026-02",
        },
    )
    assert response.status_code == 302
    consent = db.session.get(Participant, pupil.id).consents[0]
    assert (consent.guardian_name, consent.text_version) == ("Jan Nowak", "2026-02")
    assert consent.recorded_by_id == school_user.id


# --- import ---------------------------------------------------------------------------------


def test_import_with_errors_lists_them_by_row_and_column_and_saves_nothing(client, school_user):
    rows = _pupil_rows(3)
    rows[1][COLUMNS.index("date_of_birth")] = "not a date"
    rows[2][COLUMNS.index("country")] = "XX"
    login_as(client, school_user)
    response = _upload(client, _xlsx(rows))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert re.search(r"<th scope=\"row\">3</th><td>date_of_birth</td>", page)
    assert re.search(r"<th scope=\"row\">4</th><td>country</td>", page)
    assert _count(Participant) == 0


def test_import_reads_csv_with_semicolons(client, school_user):
    lines = [";".join(COLUMNS)] + [";".join(str(v) for v in row) for row in _pupil_rows(2)]
    login_as(client, school_user)
    response = _upload(client, "\n".join(lines).encode(), "class.csv")
    assert response.status_code == 302
    assert _count(Participant) == 2


@pytest.mark.parametrize(
    ("filename", "data", "message"),
    [
        ("class.pdf", b"%PDF-1.4", "Upload an .xlsx or .csv file"),
        ("class.xlsx", b"this is not a zip", "not a readable XLSX file"),
        ("class.csv", b"", "The file is empty."),
        ("class.csv", b"name,surname\nA,B\n", "lacks the columns"),
    ],
)
def test_wrong_files_get_a_clear_message(client, school_user, filename, data, message):
    login_as(client, school_user)
    response = _upload(client, data, filename)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)


def test_too_many_rows_are_refused(client, school_user):
    login_as(client, school_user)
    header = ",".join(COLUMNS)
    row = ",".join(str(v) for v in _pupil_rows(1)[0])
    response = _upload(client, "\n".join([header] + [row] * 2001).encode(), "big.csv")
    assert response.status_code == 422
    assert "at most 2000" in response.get_data(as_text=True)
    assert _count(Participant) == 0


def test_a_too_large_upload_answers_413(client, school_user):
    login_as(client, school_user)
    response = client.post(
        "/participants/import",
        data=b"x" * (6 * 1024 * 1024),
        content_type="multipart/form-data; boundary=boundary",
    )
    assert response.status_code == 413
    assert "The file is too large" in response.get_data(as_text=True)


def test_templates_download(client, school_user):
    login_as(client, school_user)
    response = client.get("/participants/import/template.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    assert [cell.value for cell in sheet[1]] == list(COLUMNS)
    assert (
        client.get("/participants/import/template.csv")
        .get_data(as_text=True)
        .startswith("\ufefffirst_name,last_name")
    )


# --- roster ---------------------------------------------------------------------------------


def test_roster_groups_by_institution_with_warnings_and_exports(client, coordinator):
    from exchange.registrations import services

    school = factories.institution(name="SP 1")
    exchange = factories.exchange(capacity=3, minors_per_adult=2)
    for _ in range(3):
        services.register_participant(exchange, factories.participant(school), by=coordinator)
    unconsented = factories.participant(school)
    services.register_participant(exchange, unconsented, by=coordinator)  # waitlisted
    db.session.commit()

    login_as(client, coordinator)
    page = client.get(f"/exchanges/{exchange.id}/roster").get_data(as_text=True)
    assert "SP 1" in page
    assert "3 confirmed, 1 waiting, 3 minors, 0 adults" in page
    assert "Needs 2 more accompanying adult(s)" in page

    csv_text = client.get(f"/exchanges/{exchange.id}/roster.csv").get_data(as_text=True)
    assert csv_text.count("\n") == 5
    assert "Medical notes" not in csv_text
    with_notes = client.get(f"/exchanges/{exchange.id}/roster.csv?include_notes=y")
    assert "Medical notes" in with_notes.get_data(as_text=True)

    response = client.get(f"/exchanges/{exchange.id}/roster.xlsx")
    sheet = load_workbook(io.BytesIO(response.data)).active
    assert sheet.max_row == 5
    assert sheet.freeze_panes == "A2"
    assert isinstance(sheet["E2"].value, int)  # age is a number


def test_coordinator_marks_attendance_after_the_start(client, coordinator):
    from exchange.registrations import services

    exchange = factories.exchange(start=clock.today())
    registration = services.register_participant(exchange, factories.participant(), by=coordinator)
    db.session.commit()
    login_as(client, coordinator)
    post_form(client, f"/registrations/{registration.id}/attendance", {"attended": "0"})
    assert db.session.get(Registration, registration.id).status is RegistrationStatus.NO_SHOW


# --- the exchange changes under the registrations -------------------------------------------


def test_more_places_move_the_waiting_list_up(client, coordinator):
    from exchange.exchanges.models import ExchangeKind
    from exchange.registrations import services
    from tests import factories as make

    partner = factories.partner()
    start = clock.today() + timedelta(days=90)
    exchange = factories.exchange(
        partners=[partner],
        capacity=1,
        start=start,
        end_date=start + timedelta(days=6),
        school_level="secondary",
    )
    first, second, third = (factories.participant() for _ in range(3))
    for pupil in (first, second, third):
        services.register_participant(exchange, pupil, by=coordinator)
    db.session.commit()

    login_as(client, coordinator)
    data = make.form_data(
        [partner],
        kind=ExchangeKind.YOUTH,
        title=exchange.title,
        capacity="2",
        institution_quota="",
        min_age="",
        max_age="",
        registration_opens="",
        registration_closes="",
    )
    response = post_form(client, f"/exchanges/{exchange.id}/edit", data)
    assert response.status_code == 302, response.get_data(as_text=True)
    statuses = dict(
        db.session.execute(sa.select(Registration.participant_id, Registration.status)).all()
    )
    assert statuses == {
        first.id: RegistrationStatus.CONFIRMED,
        second.id: RegistrationStatus.CONFIRMED,
        third.id: RegistrationStatus.WAITLISTED,
    }


def test_cancelling_the_exchange_cancels_places_and_waiting_list(client, coordinator):
    from exchange.registrations import services

    exchange = factories.exchange(capacity=1)
    holder, waiting = factories.participant(), factories.participant()
    for pupil in (holder, waiting):
        services.register_participant(exchange, pupil, by=coordinator)
    db.session.commit()
    login_as(client, coordinator)
    response = post_form(
        client, f"/exchanges/{exchange.id}/status/cancel", {"reason": "Floods in the region"}
    )
    assert response.status_code == 302
    statuses = set(db.session.scalars(sa.select(Registration.status)))
    assert statuses == {RegistrationStatus.CANCELLED}


def test_registering_a_class_is_all_or_nothing(client, school_user):
    exchange = factories.exchange()
    ready = factories.participant(school_user.institution)
    no_consent = factories.participant(school_user.institution, consent=False)
    login_as(client, school_user)
    response = post_form(
        client,
        f"/exchanges/{exchange.id}/register",
        {"participants": [str(ready.id), str(no_consent.id)]},
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Nobody was registered:" in page
    assert "record a parent&#39;s or guardian&#39;s consent first" in page
    assert _count(Registration) == 0


# --- what host families need of a guest ------------------------------------------------------


def test_a_participants_diets_allergy_and_languages_are_saved_and_shown_again(client, school_user):
    pupil = factories.participant(school_user.institution)
    login_as(client, school_user)
    form = {
        "first_name": pupil.first_name,
        "last_name": pupil.last_name,
        "date_of_birth": pupil.date_of_birth.isoformat(),
        "gender": "female",
        "country": "PL",
        "role": "pupil",
        "emergency_contact_name": "Anna Kowalska",
        "emergency_contact_phone": "+48 600 100 200",
        "diets": ["vegan", "nut_free"],
        "allergic_to_animals": "y",
        "languages": "EN; pl",
    }

    response = post_form(client, f"/participants/{pupil.id}/edit", form)

    assert response.status_code == 302
    db.session.expire_all()
    saved = db.session.get(Participant, pupil.id)
    assert (saved.diets, saved.allergic_to_animals, saved.languages) == (
        "vegan,nut_free",
        True,
        "en,pl",
    )
    page = client.get(f"/participants/{pupil.id}/edit").get_data(as_text=True)
    assert re.search(
        r'<input checked id="diets-\d" name="diets" type="checkbox" value="vegan">', page
    )
    refused = post_form(client, f"/participants/{pupil.id}/edit", {**form, "languages": "German"})
    assert refused.status_code == 422


def test_import_reads_diets_allergy_and_languages(client, school_user):
    rows = _pupil_rows(1, diets="vegetarian, halal", allergic_to_animals="tak", languages="de,en")
    login_as(client, school_user)

    assert _upload(client, _xlsx(rows)).status_code == 302

    imported = db.session.scalar(sa.select(Participant))
    assert imported.diets == "vegetarian,halal"
    assert imported.allergic_to_animals is True
    assert imported.languages == "de,en"
