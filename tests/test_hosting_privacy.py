"""Host families' data: the access export, erasure on request, retention, and the erasure of a
participant taking their family's address along, with the activity report unchanged."""

from __future__ import annotations

import json
from datetime import timedelta

import sqlalchemy as sa

from exchange import clock
from exchange.audit.models import AuditEvent
from exchange.exchanges.models import Direction
from exchange.extensions import db
from exchange.hosting.models import ANONYMOUS_FAMILY_NAME, HostFamily, HostPlacement
from exchange.registrations import services
from tests import factories
from tests.helpers import login_as, post_form, report_figures


def _placed(exchange, family, guest):
    db.session.add(HostPlacement(exchange_id=exchange.id, guest_id=guest.id, family_id=family.id))
    db.session.commit()


def test_retention_erases_host_children_and_their_family_addresses_keeping_the_report(
    app, app_context, coordinator
):
    today = clock.today()
    school = factories.institution()
    partner_school = factories.institution(partner_city=factories.partner())
    old = factories.exchange(
        start=today - timedelta(days=800), direction=Direction.INCOMING, capacity=10
    )
    old_child = factories.participant(school, last_name="Oldchild")
    guest = factories.participant(partner_school, last_name="Oldguest")
    other_guest = factories.participant(partner_school, last_name="Otherguest")
    for pupil in (old_child, guest, other_guest):
        services.register_participant(old, pupil, by=coordinator, today=old.start_date)
    # erased with its host child
    hosting = factories.host_family(school, family_name="Oldhosts", host_child_id=old_child.id)
    # erased because its last guest left over 24 months ago
    retired = factories.host_family(school, family_name="Retiredhosts")
    recent = factories.host_family(school, family_name="Recenthosts")
    _placed(old, hosting, guest)
    _placed(old, retired, other_guest)
    before = report_figures()

    result = app.test_cli_runner().invoke(args=["anonymise"])

    assert result.exit_code == 0, result.output
    assert "Anonymised 3 participants" in result.output
    assert "Anonymised 1 host families" in result.output
    db.session.expire_all()
    for family_id in (hosting.id, retired.id):
        erased = db.session.get(HostFamily, family_id)
        assert erased.family_name == ANONYMOUS_FAMILY_NAME
        assert erased.address == erased.phone == erased.email == ""
        assert erased.host_child_id is None
        assert erased.anonymised_at is not None
    assert db.session.get(HostFamily, recent.id).address != ""
    # the past placements name nobody; they stay
    assert db.session.scalar(sa.select(sa.func.count()).select_from(HostPlacement)) == 2
    assert report_figures() == before


def test_erasing_a_host_child_erases_the_family_address(client, coordinator):
    school = factories.institution()
    child = factories.participant(school, last_name="Hostchild")
    family = factories.host_family(school, address="ul. Secret 1", host_child_id=child.id)
    other = factories.host_family(school, address="ul. Kept 2")
    before = report_figures()
    login_as(client, coordinator)

    assert post_form(client, f"/participants/{child.id}/erase").status_code == 302

    db.session.expire_all()
    assert db.session.get(HostFamily, family.id).address == ""
    assert db.session.get(HostFamily, other.id).address == "ul. Kept 2"
    assert report_figures() == before


def test_erasing_a_family_on_request_removes_its_data_and_upcoming_guests(client, coordinator):
    school = factories.institution()
    family = factories.host_family(school, family_name="Leaving", address="ul. Gone 3")
    upcoming = factories.exchange(direction=Direction.INCOMING)
    guest = factories.participant(factories.institution(partner_city=factories.partner()))
    _placed(upcoming, family, guest)
    family_id = family.id
    login_as(client, coordinator)

    assert post_form(client, f"/host-families/{family_id}/erase").status_code == 302

    db.session.expire_all()
    erased = db.session.get(HostFamily, family_id)
    assert erased.family_name == ANONYMOUS_FAMILY_NAME
    assert erased.address == ""
    assert db.session.scalar(sa.select(sa.func.count()).select_from(HostPlacement)) == 0
    assert db.session.scalar(
        sa.select(AuditEvent).where(AuditEvent.action == "erase", AuditEvent.object_id == family_id)
    )
    # an erased family is matched no more
    post_form(client, f"/exchanges/{upcoming.id}/hosting/suggest")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(HostPlacement)) == 0


def test_a_school_exports_its_familys_data_and_the_export_is_audited(client):
    school = factories.institution()
    family = factories.host_family(school, family_name="Exported", address="ul. Data 4")
    login_as(client, factories.user(role="school", institution=school))

    response = client.get(f"/host-families/{family.id}/export.json")

    assert response.status_code == 200
    data = json.loads(response.data)
    assert data["host_family"]["family_name"] == "Exported"
    assert data["host_family"]["address"] == "ul. Data 4"
    assert data["guests"] == []
    assert db.session.scalar(
        sa.select(AuditEvent).where(
            AuditEvent.action == "export", AuditEvent.object_type == "host_family"
        )
    )


def test_a_participants_access_export_includes_their_hosting(client, coordinator):
    school = factories.institution()
    child = factories.participant(school)
    factories.host_family(school, family_name="Childhome", host_child_id=child.id)
    exchange = factories.exchange(direction=Direction.INCOMING, title="Guest week")
    guest = factories.participant(factories.institution(partner_city=factories.partner()))
    host = factories.host_family(school, family_name="Guesthome")
    _placed(exchange, host, guest)
    login_as(client, coordinator)

    child_data = json.loads(client.get(f"/participants/{child.id}/export.json").data)
    guest_data = json.loads(client.get(f"/participants/{guest.id}/export.json").data)

    assert child_data["host_child_of"][0]["family_name"] == "Childhome"
    assert guest_data["stayed_with"] == [
        {
            "exchange": "Guest week",
            "family": "Guesthome",
            "arrival": exchange.start_date.isoformat(),
            "departure": exchange.end_date.isoformat(),
        }
    ]
