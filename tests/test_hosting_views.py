"""Matching an incoming youth exchange on its page: suggest, place by hand, pin, rerun, export."""

from __future__ import annotations

import io

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from exchange.audit.models import AuditEvent
from exchange.exchanges.models import Direction, ExchangeKind
from exchange.extensions import db
from exchange.hosting.models import AcceptedGuests, HostingPlan, HostPlacement
from exchange.registrations.models import Gender, Registration, RegistrationStatus
from tests import factories
from tests.helpers import login_as, post_form


def register(exchange, participant):
    db.session.add(
        Registration(
            exchange_id=exchange.id,
            participant_id=participant.id,
            institution_id=participant.institution_id,
            status=RegistrationStatus.CONFIRMED,
        )
    )
    db.session.commit()


@pytest.fixture
def world(client):
    partner = factories.partner(name="Offenburg")
    guest_school = factories.institution(name="Oken-Gymnasium", partner_city=partner)
    exchange = factories.exchange(
        [partner], direction=Direction.INCOMING, kind=ExchangeKind.YOUTH, title="Offenburg visit"
    )
    anna = factories.participant(guest_school, first_name="Anna", last_name="Becker",
                                 gender=Gender.FEMALE, languages="de,en")  # fmt: skip
    jonas = factories.participant(guest_school, first_name="Jonas", last_name="Weber",
                                  gender=Gender.MALE, allergic_to_animals=True)  # fmt: skip
    leader = factories.participant(guest_school, minor=False, last_name="Leiterin",
                                   phone="+49 781 123")  # fmt: skip
    for person in (anna, jonas, leader):
        register(exchange, person)
    school = factories.institution(name="SP 1 Olsztyn")
    girls_only = factories.host_family(school, family_name="Nowakowie",
                                       accepts=AcceptedGuests.GIRLS, languages="pl,de")  # fmt: skip
    with_pets = factories.host_family(school, family_name="Kotowie", has_pets=True)
    login_as(client, factories.user(role="coordinator"))
    return {
        "exchange": exchange.id, "anna": anna.id, "jonas": jonas.id,
        "girls_only": girls_only.id, "with_pets": with_pets.id,
    }  # fmt: skip


def placements(exchange_id):
    db.session.expire_all()
    return {
        item.guest_id: (item.family_id, item.pinned)
        for item in db.session.scalars(
            sa.select(HostPlacement).where(HostPlacement.exchange_id == exchange_id)
        )
    }


def test_a_suggestion_places_who_it_can_and_says_why_not_the_others(client, world):
    url = f"/exchanges/{world['exchange']}/hosting"

    assert post_form(client, f"{url}/suggest").status_code == 302

    assert placements(world["exchange"]) == {world["anna"]: (world["girls_only"], False)}
    page = client.get(url).get_data(as_text=True)
    assert "Nowakowie" in page
    assert "Not placed" in page
    assert "The family does not accept the guest&#39;s gender: 1 family" in page
    assert "Pets in the household (the guest is allergic to animals): 1 family" in page
    assert "Leiterin" not in page  # the leader is no guest
    suggested = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "suggest"))
    assert suggested.detail == "1 placed, 1 unplaced"


def test_a_hand_placement_is_pinned_and_kept_by_a_new_suggestion(client, world):
    url = f"/exchanges/{world['exchange']}/hosting"
    anna, jonas = world["anna"], world["jonas"]

    placed = post_form(client, f"{url}/place", {"guest_id": anna, "family_id": world["with_pets"]})
    assert placed.status_code == 302
    post_form(client, f"{url}/suggest")

    assert placements(world["exchange"]) == {anna: (world["with_pets"], True)}

    post_form(client, f"{url}/pin", {"guest_id": anna})  # unpin
    post_form(client, f"{url}/suggest")
    assert placements(world["exchange"]) == {anna: (world["girls_only"], False)}

    post_form(client, f"{url}/pin", {"guest_id": anna, "pinned": "y"})
    assert placements(world["exchange"]) == {anna: (world["girls_only"], True)}
    assert jonas not in placements(world["exchange"])


def test_a_hand_placement_that_breaks_a_rule_is_refused(client, world):
    url = f"/exchanges/{world['exchange']}/hosting"

    response = post_form(
        client, f"{url}/place", {"guest_id": world["jonas"], "family_id": world["with_pets"]}
    )

    assert response.status_code == 422
    assert "allergic to animals" in response.get_data(as_text=True)
    assert placements(world["exchange"]) == {}


def test_a_family_full_in_an_overlapping_exchange_has_no_bed(client, world):
    from exchange.exchanges.models import Exchange

    first = db.session.get(Exchange, world["exchange"])
    other = factories.exchange(direction=Direction.INCOMING, start=first.start_date, days=3)
    visitor = factories.participant(factories.institution(partner_city=first.partners[0]),
                                    gender=Gender.FEMALE)  # fmt: skip
    register(other, visitor)
    db.session.add(
        HostPlacement(exchange_id=other.id, guest_id=visitor.id, family_id=world["girls_only"])
    )
    db.session.commit()

    post_form(client, f"/exchanges/{world['exchange']}/hosting/suggest")

    # the family's only bed is taken that week: Anna goes to the other family
    assert placements(world["exchange"]) == {world["anna"]: (world["with_pets"], False)}


def test_a_reciprocal_exchange_needs_a_registered_host_child(client, world):
    from exchange.exchanges.models import Exchange

    exchange = db.session.get(Exchange, world["exchange"])
    school = factories.institution()
    child = factories.participant(school, gender=Gender.FEMALE)
    register(exchange, child)
    with_child = factories.host_family(
        school,
        family_name="Dzieccy",
        host_child_id=child.id,
        host_child_age=15,
        host_child_gender=Gender.FEMALE,
    )
    url = f"/exchanges/{world['exchange']}/hosting"

    saved = post_form(client, f"{url}/rules", {"reciprocal": "y", "spread_schools": "y"})
    post_form(client, f"{url}/suggest")

    assert saved.status_code == 302
    assert db.session.get(HostingPlan, world["exchange"]).reciprocal
    assert placements(world["exchange"]) == {world["anna"]: (with_child.id, False)}
    assert "No host child registered" in client.get(url).get_data(as_text=True)


def test_the_family_list_downloads_as_xlsx_and_pdf_and_is_audited(client, world):
    url = f"/exchanges/{world['exchange']}/hosting"
    post_form(client, f"{url}/suggest")

    xlsx = client.get(f"{url}/families.xlsx")
    pdf = client.get(f"{url}/families.pdf")
    sheet = client.get(f"/host-families/{world['girls_only']}/guests.pdf")

    assert xlsx.status_code == pdf.status_code == sheet.status_code == 200
    assert pdf.data.startswith(b"%PDF")
    assert sheet.data.startswith(b"%PDF")
    rows = list(load_workbook(io.BytesIO(xlsx.data)).active.iter_rows(values_only=True))
    assert rows[1][0] == "Nowakowie"
    assert "Anna Becker" in rows[1]
    assert "Leiterin" in " ".join(map(str, rows[1]))
    assert any("+49 781 123" in str(cell) for cell in rows[1])  # defused: "'+49…"
    exports = db.session.scalars(
        sa.select(AuditEvent.detail).where(AuditEvent.action == "export")
    ).all()
    assert sorted(exports) == ["guests.pdf", "host families.pdf", "host families.xlsx"]


def test_an_outgoing_exchange_has_no_matching(client):
    login_as(client, factories.user(role="coordinator"))
    exchange = factories.exchange(direction=Direction.OUTGOING)

    page = client.get(f"/exchanges/{exchange.id}/hosting").get_data(as_text=True)
    refused = post_form(client, f"/exchanges/{exchange.id}/hosting/suggest")

    assert "incoming youth exchanges only" in page
    assert refused.status_code == 302
    assert db.session.scalar(sa.select(sa.func.count()).select_from(HostPlacement)) == 0
