"""The demo data: Ukrainian pupils of an Olsztyn school on an outgoing trip to Offenburg or
Gelsenkirchen are on that school's EU list of travellers."""

from __future__ import annotations

import sqlalchemy as sa

from exchange.extensions import db
from exchange.registrations.models import HOLDING_PLACE, Participant, Registration
from tests import factories
from tests.helpers import login_as, pdf_text


def test_the_demo_has_ukrainian_pupils_on_an_eu_list(app, client, tmp_path):
    result = app.test_cli_runner().invoke(args=["demo-data", "--seed", "1"])
    assert result.exit_code == 0, result.output
    rows = db.session.execute(
        sa.select(Registration.exchange_id, Participant)
        .join(Registration.participant)
        .where(
            Participant.citizenship == "UA",
            Participant.residence_document_number != "",
            Participant.institution.has(partner_city_id=None),
            Registration.status.in_(HOLDING_PLACE),
        )
    ).all()
    assert rows
    login_as(client, factories.user(role="coordinator"))
    listed = False
    for exchange_id, pupil in rows:
        url = f"/exchanges/{exchange_id}/eu-list/{pupil.institution_id}.pdf"
        response = client.get(url)
        if response.status_code == 200:
            listed = listed or pupil.last_name in pdf_text(response.data, tmp_path)
    assert listed
