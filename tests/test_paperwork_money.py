"""Insurance and the trip's accounts of a sending school (issue 18, items 6 and 7)."""

from __future__ import annotations

import io
import shutil
from decimal import Decimal

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from exchange.audit.models import AuditEvent
from exchange.exchanges.models import Direction
from exchange.extensions import db
from exchange.paperwork import accounts as account_services
from exchange.paperwork.models import (
    AccountCategory,
    AccountLine,
    InsurancePolicy,
    InsuredPerson,
)
from exchange.registrations.models import Participant, Registration, RegistrationStatus
from exchange.registrations.queries import roster
from tests import factories
from tests.helpers import login_as, pdf_text, post_form


@pytest.fixture
def trip(app_context):
    """A trip abroad with two Olsztyn schools: three pupils of the first (one withdrawn), two of
    the second."""
    exchange = factories.exchange(direction=Direction.OUTGOING, city="Offenburg")
    first = factories.institution(name="Szkoła Podstawowa nr 1")
    second = factories.institution(name="Liceum Ogólnokształcące nr 2")
    people = {
        "first": [
            factories.participant(first, last_name=name)
            for name in ("Abacka", "Babacka", "Cabacka")
        ],
        "second": [factories.participant(second, last_name=name) for name in ("Zetowska", "Ypsil")],
    }
    for person in [*people["first"], *people["second"]]:
        factories.registration(exchange, person)
    factories.registration(
        exchange, factories.participant(first, last_name="Withdrawn"), RegistrationStatus.WITHDRAWN
    )
    return exchange, first, second


def _school(institution):
    return factories.user(role="school", institution=institution)


# --- insurance ------------------------------------------------------------------------------


def _warnings(client, exchange) -> tuple[int, int]:
    """How many schools the insurance page warns of a missing (KL, NNW) policy."""
    html = client.get(f"/exchanges/{exchange.id}/insurance").get_data(as_text=True)
    return html.count('data-kind="kl"'), html.count('data-kind="nnw"')


def test_a_trip_abroad_warns_until_the_school_has_kl_and_nnw_policies(client, trip, coordinator):
    exchange, first, _second = trip
    login_as(client, coordinator)
    assert _warnings(client, exchange) == (2, 2)
    factories.insurance_policy(exchange, first, covers_kl=False, covers_nnw=True)
    assert _warnings(client, exchange) == (2, 1)
    factories.insurance_policy(exchange, first, covers_kl=True, covers_nnw=False)
    assert _warnings(client, exchange) == (1, 1)


def test_an_incoming_exchange_needs_no_insurance_warning(client, trip, coordinator):
    exchange, _first, _second = trip
    exchange.direction = Direction.INCOMING
    db.session.commit()
    login_as(client, coordinator)
    assert _warnings(client, exchange) == (0, 0)


def test_the_schools_dashboard_warns_of_a_trip_abroad_without_kl(client, trip):
    exchange, first, _second = trip
    login_as(client, _school(first))
    html = client.get("/dashboard").get_data(as_text=True)
    assert "insurance-warning" in html
    assert exchange.title in html
    factories.insurance_policy(exchange, first)  # NNW and KL
    html = client.get("/dashboard").get_data(as_text=True)
    assert "insurance-warning" not in html


def test_a_school_adds_a_policy_for_its_own_people_and_not_for_another_school(client, trip):
    exchange, first, second = trip
    login_as(client, _school(first))
    url = f"/exchanges/{exchange.id}/insurance/{first.id}/new"
    data = {
        "insurer": "PZU SA",
        "policy_number": "KL-2026/17",
        "covers_kl": "y",
        "covers_nnw": "y",
        "valid_from": exchange.start_date.isoformat(),
        "valid_to": exchange.end_date.isoformat(),
        "insured_sum": "50000.00",
        "covers_everyone": "y",
    }
    assert post_form(client, url, data).status_code == 302
    policy = db.session.scalar(sa.select(InsurancePolicy))
    assert (policy.institution_id, policy.covers_kl, policy.insured_sum) == (
        first.id,
        True,
        Decimal("50000.00"),
    )
    assert db.session.scalar(
        sa.select(AuditEvent).where(
            AuditEvent.object_type == "insurance_policy", AuditEvent.action == "create"
        )
    )
    other = f"/exchanges/{exchange.id}/insurance/{second.id}/new"
    assert post_form(client, other, data).status_code == 404
    assert (
        client.get(f"/exchanges/{exchange.id}/insurance")
        .get_data(as_text=True)
        .count('<h2 id="school-')
        == 1
    )


def test_a_policy_without_a_kind_or_ending_before_it_starts_is_refused_next_to_its_fields(
    client, trip, coordinator
):
    exchange, first, _second = trip
    login_as(client, coordinator)
    response = post_form(
        client,
        f"/exchanges/{exchange.id}/insurance/{first.id}/new",
        {
            "insurer": "PZU SA",
            "policy_number": "X1",
            "valid_from": exchange.end_date.isoformat(),
            "valid_to": exchange.start_date.isoformat(),
            "insured_sum": "-5",
        },
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="covers_nnw-error"' in html
    assert 'id="valid_to-error"' in html
    assert 'id="insured_sum-error"' in html
    assert db.session.scalar(sa.select(sa.func.count()).select_from(InsurancePolicy)) == 0


def test_the_insured_list_names_the_schools_people_with_a_place(client, trip, coordinator):
    exchange, first, _second = trip
    policy = factories.insurance_policy(exchange, first, policy_number="=HYPERLINK(1)")
    login_as(client, coordinator)
    response = client.get(f"/insurance/{policy.id}/insured.xlsx")
    assert response.status_code == 200
    sheets = load_workbook(io.BytesIO(response.data)).worksheets
    rows = list(sheets[0].iter_rows(min_row=2, values_only=True))
    assert [row[1] for row in rows] == ["Abacka", "Babacka", "Cabacka"]
    assert all(row[3] is not None and hasattr(row[3], "year") for row in rows)
    about = dict(sheets[1].iter_rows(min_row=2, values_only=True))
    assert about["Policy number"] == "'=HYPERLINK(1)"
    assert (
        db.session.scalar(
            sa.select(AuditEvent).where(
                AuditEvent.action == "export", AuditEvent.object_type == "insurance_policy"
            )
        ).detail
        == "insured.xlsx"
    )


# --- the trip's accounts --------------------------------------------------------------------


def _lines(exchange, school):
    factories.account_line(exchange, school, AccountCategory.PARENTS, "450.50", 3)
    factories.account_line(exchange, school, AccountCategory.GRANT, "1000.00")
    factories.account_line(exchange, school, AccountCategory.TRANSPORT, "1200.00")
    factories.account_line(exchange, school, AccountCategory.ACCOMMODATION, "900.01")


def test_balance_and_cost_per_participant_are_exact_decimals(trip):
    exchange, first, second = trip
    _lines(exchange, first)
    factories.account_line(exchange, second, AccountCategory.TRANSPORT, "99999.00")
    accounts = account_services.accounts_for(exchange, first)
    # income 3 × 450.50 + 1000 = 2351.50; costs 1200 + 900.01 = 2100.01
    assert accounts.total_income == Decimal("2351.50")
    assert accounts.total_costs == Decimal("2100.01")
    assert accounts.balance == Decimal("251.49")
    # the roster counts three people of the school with a place (the withdrawn one is not)
    counted = next(g for g in roster(exchange).institutions if g.institution.id == first.id)
    assert accounts.participants == counted.confirmed == 3
    assert accounts.cost_per_participant == Decimal("700.00")  # 2100.01 / 3, to the grosz
    assert all(isinstance(line.amount, Decimal) for line in accounts.income + accounts.costs)


def test_a_line_is_added_with_the_amount_per_pupil_times_the_paying_pupils(client, trip):
    exchange, first, _second = trip
    login_as(client, _school(first))
    url = f"/exchanges/{exchange.id}/accounts/{first.id}"
    data = {"category": "parents", "description": "", "unit_amount": "120.10", "quantity": "3"}
    assert post_form(client, url, data).status_code == 302
    line = db.session.scalar(sa.select(AccountLine))
    assert (line.unit_amount, line.quantity, line.amount) == (
        Decimal("120.10"),
        3,
        Decimal("360.30"),
    )
    assert (
        db.session.scalar(
            sa.select(AuditEvent).where(AuditEvent.object_type == "account_line")
        ).action
        == "create"
    )


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"category": "transport", "unit_amount": "-10"}, "unit_amount"),
        ({"category": "transport", "unit_amount": "99999999.00"}, "unit_amount"),
        ({"category": "parents", "unit_amount": "100", "quantity": "0"}, "quantity"),
        ({"category": "transport", "unit_amount": "100", "quantity": "4"}, "quantity"),
        ({"category": "transport", "unit_amount": "abc"}, "unit_amount"),
    ],
)
def test_a_wrong_line_is_refused_next_to_its_field(client, trip, coordinator, data, field):
    exchange, first, _second = trip
    login_as(client, coordinator)
    response = post_form(client, f"/exchanges/{exchange.id}/accounts/{first.id}", data)
    assert response.status_code == 422
    assert f'id="{field}-error"' in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AccountLine)) == 0


def test_another_schools_accounts_and_lines_are_not_found(client, trip):
    exchange, first, second = trip
    line = factories.account_line(exchange, second)
    login_as(client, _school(first))
    assert client.get(f"/exchanges/{exchange.id}/accounts/{second.id}").status_code == 404
    assert client.get(f"/exchanges/{exchange.id}/accounts/{second.id}.pdf").status_code == 404
    assert client.get(f"/account-lines/{line.id}/edit").status_code == 404
    assert post_form(client, f"/account-lines/{line.id}/delete").status_code == 404
    assert db.session.get(AccountLine, line.id) is not None


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="pdftotext (poppler-utils) is missing")
def test_the_accounts_pdf_carries_the_schools_figures_and_none_of_the_other(
    client, trip, coordinator, tmp_path
):
    exchange, first, second = trip
    _lines(exchange, first)
    factories.account_line(exchange, second, AccountCategory.BOARD, "7777.77", description="Obiady")
    login_as(client, coordinator)
    response = client.get(f"/exchanges/{exchange.id}/accounts/{first.id}.pdf")
    assert response.status_code == 200
    text = pdf_text(response.data, tmp_path)
    assert first.name in text
    assert second.name not in text
    for figure in ("PLN 2,351.50", "PLN 2,100.01", "PLN 251.49", "PLN 700.00"):
        assert figure in text
    assert "7,777.77" not in text
    assert "Obiady" not in text
    client.set_cookie("lang", "pl")
    text = pdf_text(client.get(f"/exchanges/{exchange.id}/accounts/{first.id}.pdf").data, tmp_path)
    assert "2351,50" in text.replace("\xa0", "").replace(" ", "")
    assert (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == "export", AuditEvent.detail == f"accounts-{first.id}.pdf")
        )
        == 2
    )


def test_the_accounts_workbook_holds_numbers(client, trip, coordinator):
    exchange, first, _second = trip
    _lines(exchange, first)
    login_as(client, coordinator)
    response = client.get(f"/exchanges/{exchange.id}/accounts/{first.id}.xlsx")
    summary, lines = load_workbook(io.BytesIO(response.data)).worksheets
    figures = [row[1] for row in summary.iter_rows(min_row=2, values_only=True)]
    assert figures == [2351.5, 2100.01, 251.49, 3, 700]
    amounts = [row[5] for row in lines.iter_rows(min_row=2, values_only=True)]
    assert amounts == [1351.5, 1000, 1200, 900.01]
    assert all(isinstance(value, int | float) for value in amounts)


def test_a_policy_may_name_some_of_the_schools_people_and_the_list_follows(
    client, trip, coordinator
):
    exchange, first, second = trip
    policy = factories.insurance_policy(exchange, first)
    chosen = db.session.scalars(
        sa.select(Registration.id)
        .join(Registration.participant)
        .where(Registration.institution_id == first.id, Participant.last_name != "Withdrawn")
        .order_by(Participant.last_name)
    ).all()
    login_as(client, coordinator)
    data = {
        "insurer": "PZU SA",
        "policy_number": "NNW-1",
        "covers_nnw": "y",
        "valid_from": exchange.start_date.isoformat(),
        "valid_to": exchange.end_date.isoformat(),
        "insured_ids": [chosen[0], chosen[2]],
    }
    assert post_form(client, f"/insurance/{policy.id}/edit", data).status_code == 302
    response = client.get(f"/insurance/{policy.id}/insured.xlsx")
    rows = load_workbook(io.BytesIO(response.data)).worksheets[0].iter_rows(min_row=2)
    assert [row[1].value for row in rows] == ["Abacka", "Cabacka"]
    other_pupil = db.session.scalar(
        sa.select(Registration.id).where(Registration.institution_id == second.id)
    )
    data["insured_ids"] = [other_pupil]
    response = post_form(client, f"/insurance/{policy.id}/edit", data)
    assert response.status_code == 422
    assert 'id="insured_ids-error"' in response.get_data(as_text=True)
    assert post_form(client, f"/insurance/{policy.id}/delete").status_code == 302
    assert db.session.scalar(sa.select(sa.func.count()).select_from(InsuredPerson)) == 0


def test_the_accounts_page_shows_the_schools_totals(client, trip):
    exchange, first, second = trip
    _lines(exchange, first)
    factories.account_line(exchange, second, AccountCategory.BOARD, "7777.77")
    login_as(client, _school(first))
    html = client.get(f"/exchanges/{exchange.id}/accounts/{first.id}").get_data(as_text=True)
    assert 'id="balance">PLN\xa0251.49<' in html
    assert 'id="cost-per-participant">PLN\xa0700.00<' in html
    assert "7,777.77" not in html
