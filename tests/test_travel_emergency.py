"""The group leader's emergency sheet: every traveller of a group with what a teacher needs
when something happens, and the destination's emergency numbers; a school gets its own group
only; each sheet is logged. The partner cities' emergency numbers."""

from __future__ import annotations

import sqlalchemy as sa

from exchange.audit.models import AuditEvent
from exchange.exchanges.models import Direction
from exchange.extensions import db
from exchange.hosting.models import HostPlacement
from tests import factories
from tests.helpers import login_as, pdf_text, post_form


def _text(client, url: str, tmp_path) -> str:
    response = client.get(url)
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    return " ".join(pdf_text(response.data, tmp_path).split())


def _trip(school_user):
    """An outgoing trip to Offenburg: two pupils of the school user's school (one with a
    travelling parent, a passport, health notes and a room), one pupil of another school."""
    partner = factories.partner(
        name="Offenburg", country="DE", emergency_numbers="112 (ambulance, fire) · Police 110"
    )
    exchange = factories.exchange([partner], status="registration_closed", city="Offenburg")
    own = school_user.institution
    pupil = factories.participant(
        own,
        first_name="Zosia",
        last_name="Wiśniewska",
        emergency_contact_name="Marta Wiśniewska",
        emergency_contact_phone="+48 601 111 222",
        medical_notes="Asthma, inhaler",
        dietary_notes="No pork",
        diets="vegetarian",
        allergic_to_animals=True,
    )
    second = factories.participant(
        own, first_name="Kuba", last_name="Zieliński", parent_phone="+48 603 555 666"
    )
    parent = factories.participant(
        own, minor=False, first_name="Piotr", last_name="Wiśniewski", phone="+48 602 333 444"
    )
    stranger = factories.participant(first_name="Olek", last_name="Obcyszkolny")
    registrations = {
        person.last_name: factories.registration(exchange, person)
        for person in (pupil, second, parent, stranger)
    }
    factories.travelling_guardian(exchange, pupil, parent)
    factories.identity_document(pupil, number="EA7777123")
    factories.room(
        exchange, occupants=[registrations["Wiśniewska"]], accommodation="Hotel Sonne", name="12"
    )
    return exchange, stranger


def test_a_school_gets_its_own_group_with_what_a_leader_needs(client, school_user, tmp_path):
    exchange, stranger = _trip(school_user)
    login_as(client, school_user)
    text = _text(client, f"/exchanges/{exchange.id}/emergency-sheet.pdf", tmp_path)
    for expected in (
        "Confidential — personal data",
        "Wiśniewska, Zosia",
        "Zieliński, Kuba",
        "Marta Wiśniewska",
        "+48 601 111 222",
        "+48 602 333 444",  # the travelling parent's phone
        "+48 603 555 666",  # the parent's phone the school keeps
        "Asthma, inhaler",
        "Allergic to animals",
        "Vegetarian, No pork",
        "EA7777123",
        "Hotel Sonne, 12",
        "Offenburg: 112 (ambulance, fire) · Police 110",
        "Created 5/14/26",
        "1/1",
    ):
        assert expected in text
    assert "Obcyszkolny" not in text
    # another school's group is not found, whichever way it is asked for
    other = f"/exchanges/{exchange.id}/emergency-sheet.pdf?group={stranger.institution_id}"
    assert client.get(other).status_code == 404


def test_city_hall_gets_every_group_or_one(client, coordinator, school_user, tmp_path):
    exchange, stranger = _trip(school_user)
    login_as(client, coordinator)
    every = _text(client, f"/exchanges/{exchange.id}/emergency-sheet.pdf", tmp_path)
    assert "Wiśniewska, Zosia" in every
    assert "Obcyszkolny, Olek" in every
    one = _text(
        client,
        f"/exchanges/{exchange.id}/emergency-sheet.pdf?group={stranger.institution_id}",
        tmp_path,
    )
    assert "Obcyszkolny, Olek" in one
    assert "Wiśniewska" not in one
    page = client.get(f"/exchanges/{exchange.id}/travel").get_data(as_text=True)
    assert f"emergency-sheet.pdf?group={stranger.institution_id}" in page


def test_each_sheet_is_logged_without_personal_data(client, coordinator, school_user, tmp_path):
    exchange, stranger = _trip(school_user)
    login_as(client, coordinator)
    client.get(f"/exchanges/{exchange.id}/emergency-sheet.pdf?group={stranger.institution_id}")
    (event,) = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "export"))
    assert (event.actor_id, event.object_type, event.object_id) == (
        coordinator.id,
        "exchange",
        exchange.id,
    )
    assert event.detail == f"emergency-sheet group={stranger.institution_id}"


def test_guests_in_olsztyn_get_polands_numbers_and_their_host_family(client, coordinator, tmp_path):
    partner = factories.partner(name="Lutsk", country="UA", emergency_numbers="112 · Police 102")
    school = factories.institution(name="Lyceum 1 Lutsk", partner_city=partner)
    exchange = factories.exchange([partner], direction=Direction.INCOMING, city="Olsztyn")
    guest = factories.participant(school, first_name="Oksana", last_name="Melnyk")
    factories.registration(exchange, guest)
    family = factories.host_family(
        family_name="Nowakowie", address="ul. Kętrzyńskiego 5, Olsztyn", phone="+48 605 000 111"
    )
    db.session.add(HostPlacement(exchange_id=exchange.id, guest_id=guest.id, family_id=family.id))
    db.session.commit()
    login_as(client, coordinator)
    text = _text(client, f"/exchanges/{exchange.id}/emergency-sheet.pdf", tmp_path)
    assert "Melnyk, Oksana" in text
    for expected in ("Family Nowakowie", "ul. Kętrzyńskiego 5, Olsztyn", "+48 605 000 111"):
        assert expected in text
    assert "112 · 999 ambulance" in text
    assert "997 police" in text
    assert "Urząd Miasta Olsztyna, +48 89 527 31 11" in text
    assert "Police 102" not in text  # not the partner's numbers: the guests are in Poland


def test_the_sheet_prints_in_polish(client, school_user, tmp_path):
    exchange, _stranger = _trip(school_user)
    login_as(client, school_user)
    post_form(client, "/language", {"language": "pl"})
    text = _text(client, f"/exchanges/{exchange.id}/emergency-sheet.pdf", tmp_path)
    assert "Poufne — dane osobowe" in text
    assert "Numery alarmowe" in text


# --- the partner cities' numbers ------------------------------------------------------------


def test_the_seed_gives_every_partner_its_emergency_numbers(partners):
    assert partners["richmond"].emergency_numbers == "911"
    assert partners["chateauroux"].emergency_numbers.startswith("112")
    assert "15" in partners["chateauroux"].emergency_numbers
    assert "103" in partners["kaliningrad"].emergency_numbers
    assert all(partner.emergency_numbers for partner in partners.values())


def test_an_admin_edits_a_partners_emergency_numbers(client, admin, partners):
    halmstad = partners["halmstad"]
    login_as(client, admin)
    form = client.get(f"/partners/{halmstad.slug}/edit").get_data(as_text=True)
    assert 'name="emergency_numbers"' in form
    data = {
        "name": halmstad.name,
        "country": "SE",
        "kind": halmstad.kind.value,
        "year_signed": halmstad.year_signed,
        "status": "active",
        "emergency_numbers": "112 · Police 114 14",
    }
    assert post_form(client, f"/partners/{halmstad.slug}/edit", data).status_code == 302
    db.session.refresh(halmstad)
    assert halmstad.emergency_numbers == "112 · Police 114 14"
    assert "112 · Police 114 14" in client.get(f"/partners/{halmstad.slug}").get_data(as_text=True)
