"""Every problem of a submitted form at once: a summary at the top linking to each field, and
each message beside its field; lists paged with numbers."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from exchange.errors import Refusals
from exchange.exchanges import services
from exchange.exchanges.models import Direction, Exchange, ExchangeKind, ExchangeStatus
from exchange.extensions import db
from tests import factories
from tests.helpers import login_as, post_form


def _summary(page: str) -> str:
    match = re.search(r'<div class="form-errors error-summary".*?</div>', page, re.S)
    assert match, "the page has an error summary"
    return match.group(0)


def test_the_summary_lists_every_problem_with_a_link_to_its_field(client, coordinator):
    login_as(client, coordinator)
    response = post_form(
        client,
        "/institutions/new",
        {"name": "", "kind": "castle", "contact_email": "not-an-address", "address": "Kept"},
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    summary = _summary(page)
    links = re.findall(r'<a href="#([a-z_]+)">', summary)
    assert set(links) == {"name", "kind", "contact_email"}
    for field in links:
        # the same field's message stands beside it too
        assert f'id="{field}-error"' in page
    assert 'value="Kept"' in page
    assert page.index("error-summary") < page.index('id="name"')


def test_a_valid_form_has_no_summary(client, coordinator):
    login_as(client, coordinator)
    page = client.get("/institutions/new").get_data(as_text=True)
    assert "error-summary" not in page


def test_lists_are_paged_with_numbers_previous_and_next(app, client, coordinator):
    per_page = app.config["ITEMS_PER_PAGE"]
    for number in range(per_page * 4 + 1):
        factories.institution(name=f"School {number:03d}")
    login_as(client, coordinator)
    page = client.get("/institutions/?page=3").get_data(as_text=True)
    nav = page[page.index('<nav class="pagination"') :]
    nav = nav[: nav.index("</nav>")]
    assert 'rel="prev"' in nav
    assert 'rel="next"' in nav
    numbers = re.findall(r"page=(\d+)\"[^>]*>(\d+)</a>", nav)
    assert [int(label) for _, label in numbers] == [1, 2, 3, 4, 5]
    assert re.search(r'page=3"[^>]*aria-current="page"', nav)
    first = client.get("/institutions/").get_data(as_text=True)
    assert 'rel="prev"' not in first


# --- the rules of a service, all at once ----------------------------------------------------


def _errors_beside_fields(page: str) -> dict[str, str]:
    return dict(re.findall(r'<p class="error" id="([a-z_]+)-error">(.*?)</p>', page, re.S))


def test_one_submit_shows_every_rule_the_exchange_breaks(client, coordinator):
    """The four mistakes a new user made, one submit each before: now all four at once, next
    to their fields and in the summary, and nothing is saved."""
    partner = factories.partner()
    login_as(client, coordinator)
    data = factories.form_data([partner])
    start = date.fromisoformat(data["start_date"])
    data.update(
        end_date=(start - timedelta(days=1)).isoformat(),
        capacity="-3",
        institution_quota="",
        min_age="16",
        max_age="12",
        budget_planned="-100",
    )
    response = post_form(client, "/exchanges/new", data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    expected = {
        "end_date": "The last day cannot be before the first day.",
        "capacity": "The number of places cannot be negative.",
        "max_age": "The maximum age cannot be below the minimum age.",
        "budget_planned": "A budget cannot be negative.",
    }
    assert _errors_beside_fields(page) == expected
    summary = _summary(page)
    assert re.findall(r'<a href="#([a-z_]+)">', summary) == list(expected)
    for message in expected.values():
        assert message in summary
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Exchange)) == 0


def test_a_shape_error_and_the_rules_are_reported_together(client, coordinator):
    """A field the form refuses (a title left empty, a date that is no date) does not hide
    what the rules say about the others; each field gets one message."""
    partner = factories.partner()
    login_as(client, coordinator)
    data = factories.form_data([partner], title="", capacity="-1", registration_opens="31.02")
    response = post_form(client, "/exchanges/new", data)
    assert response.status_code == 422
    errors = _errors_beside_fields(response.get_data(as_text=True))
    assert set(errors) == {"title", "capacity", "registration_opens"}
    assert errors["capacity"] == "The number of places cannot be negative."


def test_the_programme_form_shows_every_problem_at_once(client, coordinator):
    exchange = factories.exchange(status=ExchangeStatus.PLANNED)
    login_as(client, coordinator)
    response = post_form(
        client,
        f"/exchanges/{exchange.id}/programme",
        {
            "day": (exchange.end_date + timedelta(days=3)).isoformat(),
            "start_time": "12:00",
            "end_time": "10:00",
            "activity": "",
        },
    )
    assert response.status_code == 422
    assert set(_errors_beside_fields(response.get_data(as_text=True))) == {
        "day",
        "end_time",
        "activity",
    }


def test_the_service_raises_every_refusal_together(app_context):
    values = services.ExchangeValues(
        title="Trip",
        kind=ExchangeKind.SPORTS,
        direction=Direction.OUTGOING,
        start_date=date(2026, 9, 10),
        end_date=date(2026, 9, 1),
        partners=[factories.partner()],
        capacity=-1,
        min_age=14,
        max_age=10,
        budget_planned=Decimal("-5"),
    )
    with pytest.raises(Refusals) as error:
        services.create_exchange(values, by=factories.user(role="coordinator"))
    assert [part.field for part in error.value.parts] == [
        "end_date",
        "capacity",
        "max_age",
        "budget_planned",
        "discipline",
        "event_name",
    ]
    assert error.value.field == "end_date"  # who shows one message shows the first
