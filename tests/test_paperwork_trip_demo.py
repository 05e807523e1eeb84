"""The demo's trip of two Olsztyn schools: each school's trip card, participant list, notice and
consent forms carry its own pupils and none of the other school's, its accounts its own name
and figures; the school that has not produced its notice is reminded on its dashboard."""

from __future__ import annotations

import sqlalchemy as sa

from exchange.demo.paperwork import PUPILS, TITLE
from exchange.exchanges.access import get_exchange
from exchange.exchanges.models import Exchange
from exchange.extensions import db
from exchange.paperwork.trip_card import sending_schools, trip_card
from tests import factories
from tests.helpers import login_as, pdf_text, post_form


def test_the_demo_trip_gives_each_school_its_own_papers(app, client, tmp_path):
    result = app.test_cli_runner().invoke(args=["demo-data", "--seed", "1"])
    assert result.exit_code == 0, result.output
    exchange_id = db.session.scalar(sa.select(Exchange.id).where(Exchange.title == TITLE))
    exchange = get_exchange(exchange_id)
    schools = [school for school, _count in sending_schools(exchange)]
    assert len(schools) == 2
    pupils = {}
    for school in schools:
        card = trip_card(exchange, school)
        assert card.leader is not None
        assert card.chaperones
        assert card.legs  # the travel demo gave the trip its legs
        pupils[school.id] = {person.last_name for person in card.pupils}
    assert all(len(names) == len(PUPILS[0]) for names in pupils.values())
    users = {school.id: factories.user(role="school", institution=school) for school in schools}
    reminded = []
    for school in schools:
        login_as(client, users[school.id])
        other = next(names for key, names in pupils.items() if key != school.id)
        base = f"/exchanges/{exchange_id}"
        dashboard = client.get("/dashboard").get_data(as_text=True)
        reminded.append("its notice to the superintendent has not been produced" in dashboard)
        for url in (
            f"{base}/trip-card/{school.id}.pdf",
            f"{base}/participant-list/{school.id}.pdf",
            f"{base}/superintendent-notice/{school.id}.pdf",
            f"{base}/consent-forms/{school.id}.pdf",
        ):
            response = client.get(url)
            assert response.status_code == 200, url
            text = pdf_text(response.data, tmp_path)
            assert all(name in text for name in pupils[school.id]), url
            assert not any(name in text for name in other), url
        accounts = client.get(f"{base}/accounts/{school.id}.pdf")
        assert accounts.status_code == 200
        text = " ".join(pdf_text(accounts.data, tmp_path).split())
        other_school = next(item for item in schools if item.id != school.id)
        assert school.name in text
        assert other_school.name not in text
        assert "Parents' contributions" in text or "Wpłaty rodziców" in text
        post_form(client, "/logout")
    assert reminded == [False, True] or reminded == [True, False]
