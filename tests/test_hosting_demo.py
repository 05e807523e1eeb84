"""The demo data: every incoming youth exchange with guests has a matching that breaks no hard
rule, each pair checked here against every rule on its own, and a guest who could not be
placed is shown with the reason."""

from __future__ import annotations

import re
from collections import Counter

import sqlalchemy as sa

from exchange.exchanges.models import Direction, Exchange, ExchangeKind, ExchangeStatus
from exchange.extensions import db
from exchange.hosting.models import AcceptedGuests, HostFamily, HostingPlan, HostPlacement
from exchange.hosting.placements import guests_of
from exchange.registrations.models import HOLDING_PLACE, Gender, Registration
from tests import factories
from tests.helpers import login_as


def broken(exchange, plan, guest, family, registered, beds_used) -> list[str]:
    """Every hard rule, written again from the models (not through the solver)."""
    problems = []
    if family.anonymised_at is not None:
        problems.append("erased family")
    if family.accepts is AcceptedGuests.GIRLS and guest.gender is not Gender.FEMALE:
        problems.append("gender")
    if family.accepts is AcceptedGuests.BOYS and guest.gender is not Gender.MALE:
        problems.append("gender")
    if guest.allergic_to_animals and family.has_pets:
        problems.append("pets")
    if not set(guest.diets.split(",") if guest.diets else ()) <= set(family.diets.split(",")):
        problems.append("diet")
    if family.available_from and family.available_from > exchange.start_date:
        problems.append("arrives before the family is available")
    if family.available_until and family.available_until < exchange.end_date:
        problems.append("leaves after the family's availability")
    if plan.reciprocal and family.host_child_id not in registered:
        problems.append("no registered host child")
    if beds_used > family.guest_beds:
        problems.append("more guests than beds")
    return problems


def test_every_demo_matching_keeps_every_hard_rule_and_explains_the_unplaced(app, client):
    result = app.test_cli_runner().invoke(args=["demo-data", "--seed", "1"])
    assert result.exit_code == 0, result.output
    login_as(client, factories.user(role="coordinator"))
    exchanges = db.session.scalars(
        sa.select(Exchange).where(
            Exchange.kind == ExchangeKind.YOUTH,
            Exchange.direction == Direction.INCOMING,
            Exchange.status.not_in((ExchangeStatus.CANCELLED, ExchangeStatus.DRAFT)),
        )
    ).all()
    matched = unplaced_seen = pairs = 0
    for exchange in exchanges:
        guests = {guest.id: guest for guest in guests_of(exchange)}
        if not guests:
            continue
        plan = db.session.get(HostingPlan, exchange.id)
        assert plan is not None, f"{exchange.title} has no matching"
        placements = db.session.scalars(
            sa.select(HostPlacement).where(HostPlacement.exchange_id == exchange.id)
        ).all()
        registered = set(
            db.session.scalars(
                sa.select(Registration.participant_id).where(
                    Registration.exchange_id == exchange.id,
                    Registration.status.in_(HOLDING_PLACE),
                )
            )
        )
        overlapping = db.session.execute(
            sa.select(HostPlacement.family_id)
            .join(Exchange, Exchange.id == HostPlacement.exchange_id)
            .where(
                Exchange.status != ExchangeStatus.CANCELLED,
                Exchange.start_date <= exchange.end_date,
                Exchange.end_date >= exchange.start_date,
            )
        ).scalars()
        beds_used = Counter(overlapping)
        matched += 1
        for placement in placements:
            assert placement.guest_id in guests, "only guests of the exchange are placed"
            family = db.session.get(HostFamily, placement.family_id)
            guest = guests[placement.guest_id]
            problems = broken(exchange, plan, guest, family, registered, beds_used[family.id])
            assert not problems, f"{exchange.title}: {guest.full_name} → {problems}"
            pairs += 1
        unplaced = set(guests) - {placement.guest_id for placement in placements}
        if unplaced:
            page = client.get(f"/exchanges/{exchange.id}/hosting").get_data(as_text=True)
            for guest_id in unplaced:
                row = page.split(f'id="guest-{guest_id}"', 1)[1].split("</tr>", 1)[0]
                assert "Not placed" in row
                assert re.search(r'<ul class="reasons">\s*<li>', row), row
                unplaced_seen += 1
    assert matched >= 5
    assert pairs >= 20
    assert unplaced_seen >= 1, "the demo shows a guest who could not be placed"
