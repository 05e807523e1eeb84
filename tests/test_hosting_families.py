"""Host families: a school registers its own, with the family's consent, and sees no other's."""

from __future__ import annotations

import sqlalchemy as sa

from exchange import clock
from exchange.audit.models import AuditEvent
from exchange.extensions import db
from exchange.hosting.models import AcceptedGuests, HostFamily
from exchange.registrations.models import Gender
from tests import factories
from tests.helpers import login_as, post_form


def family_form(**overrides) -> dict:
    data = {
        "family_name": "Wiśniewscy",
        "address": "ul. Mickiewicza 5, 10-508 Olsztyn",
        "phone": "+48 601 000 111",
        "guest_beds": "2",
        "accepts": "either",
        "languages": "pl, DE",
        "diets": ["vegetarian", "gluten_free"],
        "has_pets": "y",
        "consent": "y",
        "consent_given_on": clock.today().isoformat(),
        "consent_method": "paper",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def test_a_school_adds_a_family_of_its_own_community(client):
    school = factories.user(role="school")
    login_as(client, school)

    response = post_form(client, "/host-families/new", family_form())

    assert response.status_code == 302
    family = db.session.scalar(sa.select(HostFamily))
    assert family.institution_id == school.institution_id
    assert family.guest_beds == 2
    assert family.languages == "de,pl"
    assert family.diets == "vegetarian,gluten_free"
    assert family.has_pets
    assert not family.smoking
    assert family.accepts is AcceptedGuests.EITHER
    assert family.created_by_id == school.id
    page = client.get(f"/host-families/{family.id}").get_data(as_text=True)
    assert "Wiśniewscy" in page
    assert "Mickiewicza" in page
    events = db.session.scalars(
        sa.select(AuditEvent.action).where(AuditEvent.object_type == "host_family")
    ).all()
    assert events == ["create"]


def test_a_family_is_not_registered_without_its_consent(client):
    login_as(client, factories.user(role="school"))

    response = post_form(client, "/host-families/new", family_form(consent=None))

    assert response.status_code == 422
    assert "consent" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(HostFamily)) == 0


def test_a_school_cannot_reach_another_schools_family(client):
    own_school, other_school = factories.institution(), factories.institution()
    own = factories.host_family(own_school, family_name="Ownfamily")
    other = factories.host_family(other_school, family_name="Otherfamily")
    login_as(client, factories.user(role="school", institution=own_school))

    listing = client.get("/host-families/").get_data(as_text=True)
    assert "Ownfamily" in listing
    assert "Otherfamily" not in listing
    for url in (f"/host-families/{other.id}", f"/host-families/{other.id}/edit",
                f"/host-families/{other.id}/export.json"):  # fmt: skip
        assert client.get(url).status_code == 404
    assert post_form(client, f"/host-families/{other.id}/edit", family_form()).status_code == 404
    assert post_form(client, f"/host-families/{other.id}/delete").status_code == 404
    assert db.session.get(HostFamily, other.id).family_name == "Otherfamily"
    assert client.get(f"/host-families/{own.id}").status_code == 200
    denied = db.session.scalars(
        sa.select(AuditEvent.object_id).where(AuditEvent.action == "access_denied")
    ).all()
    assert other.id in denied


def test_staff_see_every_family_and_register_one_for_an_olsztyn_school(client):
    school = factories.institution(name="SP 7 Olsztyn")
    factories.host_family(factories.institution(), family_name="Firstfamily")
    partner_school = factories.institution(partner_city=factories.partner())
    login_as(client, factories.user(role="coordinator"))

    assert "Firstfamily" in client.get("/host-families/").get_data(as_text=True)
    refused = post_form(
        client, "/host-families/new", family_form(institution_id=str(partner_school.id))
    )
    done = post_form(client, "/host-families/new", family_form(institution_id=str(school.id)))

    assert refused.status_code == 422  # a partner city's school is not a choice
    assert done.status_code == 302
    assert (
        db.session.scalar(
            sa.select(HostFamily.institution_id).where(HostFamily.family_name == "Wiśniewscy")
        )
        == school.id
    )


def test_the_host_child_is_a_pupil_of_the_school_whose_age_and_gender_are_taken(client):
    school = factories.institution()
    representative = factories.user(role="school", institution=school)
    pupil = factories.participant(school, gender=Gender.MALE)
    stranger = factories.participant(factories.institution())
    login_as(client, representative)

    refused = post_form(client, "/host-families/new", family_form(host_child_id=str(stranger.id)))
    done = post_form(client, "/host-families/new", family_form(host_child_id=str(pupil.id)))

    assert refused.status_code == 422
    assert done.status_code == 302
    family = db.session.scalar(sa.select(HostFamily))
    assert family.host_child_id == pupil.id
    assert family.host_child_age == pupil.age_on(clock.today())
    assert family.host_child_gender is Gender.MALE


def test_a_school_edits_and_removes_its_family(client):
    school = factories.institution()
    family_id = factories.host_family(school, family_name="Kowalscy").id
    login_as(client, factories.user(role="school", institution=school))

    form = client.get(f"/host-families/{family_id}/edit").get_data(as_text=True)
    assert "Kowalscy" in form
    saved = post_form(
        client, f"/host-families/{family_id}/edit", family_form(family_name="Kowalscy-Nowak")
    )
    assert saved.status_code == 302
    assert db.session.get(HostFamily, family_id).family_name == "Kowalscy-Nowak"

    assert post_form(client, f"/host-families/{family_id}/delete").status_code == 302
    assert db.session.get(HostFamily, family_id) is None


def test_availability_must_be_in_order(client):
    login_as(client, factories.user(role="school"))

    response = post_form(
        client,
        "/host-families/new",
        family_form(available_from="2027-05-10", available_until="2027-05-01"),
    )

    assert response.status_code == 422
    assert db.session.scalar(sa.select(sa.func.count()).select_from(HostFamily)) == 0
