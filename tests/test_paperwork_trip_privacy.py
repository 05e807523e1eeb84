"""A parent's phone (and a pupil's class) is children's data: it is in the access export, gone
after anonymisation and erasure, never in reports or roster exports, and it comes in through
the participant form and, as an optional column, the import."""

from __future__ import annotations

import io
import json
from datetime import timedelta

import sqlalchemy as sa

from exchange import clock
from exchange.extensions import db
from exchange.registrations import services
from exchange.registrations.models import Participant
from tests import factories
from tests.helpers import login_as, post_form

PHONE = "+48 601 202 303"


def test_the_access_export_has_the_parent_phone_and_class(client, school_user):
    pupil = factories.participant(school_user.institution, parent_phone=PHONE, school_class="2b")
    login_as(client, school_user)
    data = json.loads(client.get(f"/participants/{pupil.id}/export.json").data)
    assert data["participant"]["parent_phone"] == PHONE
    assert data["participant"]["school_class"] == "2b"


def test_anonymisation_removes_the_parent_phone(app, app_context, coordinator):
    old = factories.exchange(start=clock.today() - timedelta(days=800))
    pupil = factories.participant(parent_phone=PHONE, school_class="2b")
    services.register_participant(old, pupil, by=coordinator, today=old.start_date)
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["anonymise"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    gone = db.session.get(Participant, pupil.id)
    assert gone.parent_phone == ""
    assert gone.school_class == ""


def test_erasure_removes_the_parent_phone(client, coordinator):
    pupil = factories.participant(parent_phone=PHONE)
    login_as(client, coordinator)
    assert post_form(client, f"/participants/{pupil.id}/erase").status_code == 302
    db.session.expire_all()
    assert db.session.get(Participant, pupil.id).parent_phone == ""


def test_the_parent_phone_is_shown_where_the_emergency_contact_is_and_not_in_the_roster(
    client, coordinator
):
    exchange = factories.exchange()
    pupil = factories.participant(parent_phone=PHONE)
    factories.registration(exchange, pupil)
    login_as(client, coordinator)
    assert PHONE in client.get(f"/participants/{pupil.id}").get_data(as_text=True)
    for url in (
        f"/exchanges/{exchange.id}/roster",
        f"/exchanges/{exchange.id}/roster.csv?include_notes=y",
        "/reports/export/summary.csv",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert PHONE not in response.get_data(as_text=True), url


def test_the_participant_form_saves_the_parent_phone_and_class(client, school_user):
    pupil = factories.participant(school_user.institution)
    login_as(client, school_user)
    response = post_form(
        client,
        f"/participants/{pupil.id}/edit",
        {
            "first_name": pupil.first_name,
            "last_name": pupil.last_name,
            "date_of_birth": pupil.date_of_birth.isoformat(),
            "gender": "female",
            "country": "PL",
            "role": "pupil",
            "emergency_contact_name": "Anna Kowalska",
            "emergency_contact_phone": "+48 600 100 200",
            "parent_phone": PHONE,
            "school_class": "3c",
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    saved = db.session.get(Participant, pupil.id)
    assert (saved.parent_phone, saved.school_class) == (PHONE, "3c")


def _import_csv(client, header: list[str], row: list[str]):
    text = ",".join(header) + "\n" + ",".join(row) + "\n"
    return post_form(
        client,
        "/participants/import",
        {"file": (io.BytesIO(text.encode()), "pupils.csv")},
        content_type="multipart/form-data",
    )


def test_the_import_takes_class_and_parent_phone_as_optional_columns(client, school_user):
    login_as(client, school_user)
    base = ["first_name", "last_name", "date_of_birth", "emergency_contact_name",
            "emergency_contact_phone"]  # fmt: skip
    born = (clock.today() - timedelta(days=15 * 365)).isoformat()
    with_columns = _import_csv(
        client,
        [*base, "school_class", "parent_phone"],
        ["Ola", "Nowak", born, "Anna Nowak", "600100200", "1a", "601202303"],
    )
    assert with_columns.status_code == 302
    without = _import_csv(client, base, ["Jan", "Nowak", born, "Anna Nowak", "600100200"])
    assert without.status_code == 302
    people = {person.first_name: person for person in db.session.scalars(sa.select(Participant))}
    assert (people["Ola"].school_class, people["Ola"].parent_phone) == ("1a", "601202303")
    assert (people["Jan"].school_class, people["Jan"].parent_phone) == ("", "")
