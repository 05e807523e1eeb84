"""The demo data: the outgoing youth exchanges' sending schools have policies and accounts, and
one trip abroad lacks KL, so the warning shows."""

from __future__ import annotations

import sqlalchemy as sa

from exchange.extensions import db
from exchange.paperwork.models import AccountCategory, AccountLine, InsurancePolicy
from exchange.registrations.models import HOLDING_PLACE, Registration
from tests import factories
from tests.helpers import login_as


def test_the_demo_insures_and_accounts_every_sending_school_but_leaves_one_trip_without_kl(
    app, client
):
    result = app.test_cli_runner().invoke(args=["demo-data", "--seed", "1", "--scale", "0.05"])
    assert result.exit_code == 0, result.output
    policies = db.session.scalars(sa.select(InsurancePolicy)).all()
    assert policies
    without_kl = [policy for policy in policies if not policy.covers_kl]
    assert len(without_kl) == 1
    for policy in policies:
        parents = db.session.scalar(
            sa.select(AccountLine).where(
                AccountLine.exchange_id == policy.exchange_id,
                AccountLine.institution_id == policy.institution_id,
                AccountLine.category == AccountCategory.PARENTS,
            )
        )
        places = db.session.scalar(
            sa.select(sa.func.count()).where(
                Registration.exchange_id == policy.exchange_id,
                Registration.institution_id == policy.institution_id,
                Registration.status.in_(HOLDING_PLACE),
            )
        )
        assert parents.quantity == places
        assert parents.amount == parents.unit_amount * places
    login_as(client, factories.user(role="coordinator"))
    html = client.get(f"/exchanges/{without_kl[0].exchange_id}/insurance").get_data(as_text=True)
    assert html.count('data-kind="kl"') == 1
    assert 'data-kind="nnw"' not in html
