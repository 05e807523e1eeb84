"""What a user can type never breaks the app: control characters, numbers past a column's range,
NaN, dates in year 1 or 9999 and ids past 2³¹ are refused with a 400 page or a field error, and
the calendar feeds survive any date a row can hold."""

from __future__ import annotations

import re
from datetime import date

import pytest
from werkzeug.datastructures import MultiDict

from exchange.exchanges.forms import ExchangeForm
from exchange.registrations.forms import ParticipantForm
from tests import factories
from tests import factories as make
from tests.helpers import login_as, post_form

REFUSED_CHARACTERS = "The request contains control characters, which are not allowed."


def _error(page: str, field: str) -> str | None:
    match = re.search(rf'id="{field}-error"[^>]*>(.*?)</', page, re.S)
    return match.group(1).strip() if match else None


# --- control characters ---------------------------------------------------------------------


def test_nul_in_the_login_form_is_a_400_page(client):
    response = post_form(client, "/login", {"email": "a\x00@x.pl", "password": "whatever"})
    assert response.status_code == 400
    assert REFUSED_CHARACTERS in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "url",
    [
        "/partners/ab%00cd",
        "/partners/ab%07cd/calendar.ics",
        "/partners/?q=%00",
        "/events?x=%1b[31m",
        "/login?next=/%00",
    ],
)
def test_control_characters_in_a_public_url_are_a_400_page(client, url):
    response = client.get(url)
    assert response.status_code == 400
    assert REFUSED_CHARACTERS in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "url",
    [
        "/exchanges/?q=a%00b",
        "/participants/?q=%00",
        "/institutions/?q=x%00",
        "/audit/?action=%00",
        "/reports/?date_from=2026-01-01%00",
        "/exchanges/calendar?year=2026%00",
    ],
)
def test_control_characters_in_a_search_are_a_400_page(client, admin, url):
    login_as(client, admin)
    response = client.get(url)
    assert response.status_code == 400
    assert REFUSED_CHARACTERS in response.get_data(as_text=True)


def test_a_next_with_a_line_break_is_refused_before_the_login(client, coordinator):
    """(It used to be ignored, the log-in going to the dashboard; now the request stops.)"""
    response = post_form(
        client,
        "/login?next=/%0a/evil.example",
        {"email": coordinator.email, "password": factories.PASSWORD},
    )
    assert response.status_code == 400
    assert "Location" not in response.headers


def test_nul_in_a_form_field_is_a_400_page_and_nothing_is_saved(client, coordinator):
    login_as(client, coordinator)
    response = post_form(
        client, "/institutions/new", {"name": "Szkoła Zerowa\x00", "kind": "school"}
    )
    assert response.status_code == 400
    assert "Szkoła Zerowa" not in client.get("/institutions/").get_data(as_text=True)


def test_a_line_break_in_a_one_line_field_is_a_field_error(client, coordinator):
    login_as(client, coordinator)
    response = post_form(client, "/institutions/new", {"name": "School\nNo 5", "kind": "school"})
    assert response.status_code == 422
    assert _error(response.get_data(as_text=True), "name") == (
        "Control characters (such as line breaks) are not allowed here."
    )


def test_line_breaks_and_tabs_are_kept_in_a_text_area(client, coordinator):
    exchange = make.exchange(status=make.ExchangeStatus.REGISTRATION_OPEN)
    login_as(client, coordinator)
    reason = "Too few\r\nregistrations:\tsee the list."
    response = post_form(client, f"/exchanges/{exchange.id}/status/cancel", {"reason": reason})
    assert response.status_code == 302
    assert "see the list." in client.get(f"/exchanges/{exchange.id}").get_data(as_text=True)


@pytest.mark.parametrize(
    ("value", "refused"),
    [
        ("Anna\x00", True),
        ("Anna\x1b[2J", True),
        ("Anna\u0085", True),  # a C1 control: NEXT LINE
        ("Anna\n", True),
        ("Anna\tMaria", True),
        ("Anna-Maria Ó'Brien 李", False),
    ],
)
def test_every_form_refuses_control_characters_even_from_a_json_body(app, value, refused):
    """The forms check their own values too, so a JSON body (which skips the check of the
    request's form) or a form added later is covered."""
    with app.test_request_context("/participants/new", method="POST", json={}):
        form = ParticipantForm(
            MultiDict({"first_name": value, "medical_notes": "line 1\r\nline 2\ttab"}),
            meta={"csrf": False},
        )
        form.validate()
    assert bool(form.first_name.errors) is refused
    assert not form.medical_notes.errors


# --- ids and page numbers -------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/participants/2147483648",
        "/participants/0",
        "/exchanges/9223372036854775808",
        "/exchanges/99999999999999999999999999999999999999/edit",
        "/exchanges/1/programme/4294967296/edit",
        "/users/2147483648/edit",
        "/institutions/18446744073709551616/edit",
        "/exchanges/" + "9" * 5000,
    ],
)
def test_ids_past_the_column_range_are_not_found(client, admin, url):
    login_as(client, admin)
    assert client.get(url).status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        "/exchanges/?page=9223372036854775808",
        "/exchanges/?page=2147483648",
        "/exchanges/?page=-3",
        "/institutions/?page=99999999999999999999",
        "/participants/?page=9223372036854775808",
        "/registrations/?page=9223372036854775808",
        "/audit/?page=9223372036854775808",
        "/partners/{slug}?page=9223372036854775808",
        "/exchanges/{exchange_id}/register?page=9223372036854775808",
    ],
)
def test_page_numbers_past_the_range_are_answered(client, admin, url):
    partner = factories.partner()
    exchange = make.exchange([partner], status=make.ExchangeStatus.REGISTRATION_OPEN)
    login_as(client, admin)
    response = client.get(url.format(slug=partner.slug, exchange_id=exchange.id))
    assert response.status_code in (200, 404)


# --- numbers and dates in forms -------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("capacity", "2147483648"),
        ("capacity", "-99999999999999999999"),
        ("institution_quota", "9223372036854775808"),
        ("min_age", "2147483648"),
        ("max_age", "100000"),
        ("minors_per_adult", "4294967296"),
        ("budget_planned", "NaN"),
        ("budget_planned", "sNaN"),
        ("budget_planned", "Infinity"),
        ("budget_actual", "-Infinity"),
        ("budget_planned", "1e400"),
        ("budget_planned", "10000000000"),
        ("budget_actual", "0.001"),
        ("start_date", "0001-01-01"),
        ("end_date", "9999-12-30"),
        ("start_date", "1899-12-31"),
        ("registration_opens", "0001-01-01"),
        ("registration_closes", "9999-12-31"),
    ],
)
def test_exchange_form_refuses_values_its_columns_cannot_hold(
    client, coordinator, partners, field, value
):
    login_as(client, coordinator)
    data = {**make.form_data([partners["offenburg"]]), field: value}
    response = post_form(client, "/exchanges/new", data)
    assert response.status_code == 422
    assert _error(response.get_data(as_text=True), field)


def test_exchange_form_accepts_the_largest_values_its_columns_hold(client, coordinator, partners):
    login_as(client, coordinator)
    data = {
        **make.form_data([partners["offenburg"]]),
        "capacity": "2147483647",
        "institution_quota": "2147483647",
        "budget_planned": "9999999999.99",
    }
    assert post_form(client, "/exchanges/new", data).status_code == 302


@pytest.mark.parametrize(
    ("field", "value"),
    [("date_of_birth", "0001-01-01"), ("date_of_birth", "9999-12-31")],
)
def test_participant_form_refuses_dates_out_of_range(client, school_user, field, value):
    login_as(client, school_user)
    data = {
        "first_name": "Anna",
        "last_name": "Nowak",
        "date_of_birth": value,
        "gender": "female",
        "country": "PL",
        "role": "pupil",
    }
    response = post_form(client, "/participants/new", data)
    assert response.status_code == 422
    assert _error(response.get_data(as_text=True), field) == ("Enter a date between 1900 and 2200.")


@pytest.mark.parametrize("value", ["0001-01-01", "9999-12-31"])
def test_consent_date_out_of_range_is_a_field_error(client, school_user, value):
    pupil = factories.participant(school_user.institution, consent=False)
    login_as(client, school_user)
    data = {"guardian_name": "Ewa Nowak", "given_on": value, "method": "paper", "text_version": "1"}
    response = post_form(client, f"/participants/{pupil.id}/consents", data)
    assert response.status_code in (200, 422)
    assert "Enter a date between 1900 and 2200." in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "query",
    [
        "object_id=9223372036854775808",
        "actor_id=-1",
        "date_from=0001-01-01",
        "date_to=9999-12-31",
    ],
)
def test_audit_filters_out_of_range_are_field_errors(client, admin, query):
    login_as(client, admin)
    response = client.get(f"/audit/?{query}")
    assert response.status_code == 200
    field = query.split("=")[0]
    assert _error(response.get_data(as_text=True), field), response.get_data(as_text=True)


@pytest.mark.parametrize("year", ["0001", "9999"])
def test_programme_item_on_a_far_day_is_a_field_error(client, coordinator, year):
    exchange = make.exchange()
    login_as(client, coordinator)
    data = {"day": f"{year}-06-01", "start_time": "09:00", "activity": "Visit"}
    response = post_form(client, f"/exchanges/{exchange.id}/programme", data)
    assert response.status_code == 422


def test_every_integer_and_decimal_field_is_bounded(app):
    """A new number field without bounds would take 2⁶³ to the database: each one has them."""
    with app.test_request_context():
        form = ExchangeForm(meta={"csrf": False})
        too_big = {name: str(2**63) for name in form._fields}
        form = ExchangeForm(MultiDict(too_big), meta={"csrf": False})
        form.validate()
        numeric = [
            name
            for name, field in form._fields.items()
            if field.type in ("IntegerField", "DecimalField")
        ]
        assert numeric
        assert all(form._fields[name].errors for name in numeric)


# --- the feeds with far dates ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "days", "in_window"),
    [(date(9999, 12, 30), 1, True), (date(9999, 12, 25), 7, True), (date(1, 1, 1), 2, False)],
)
def test_feeds_survive_an_exchange_at_the_end_of_time(client, school_user, start, days, in_window):
    """The form refuses such dates now, but a row stored before (or by another path) must not
    take the feeds down for everybody. (One of the year 1 ended long before the last twelve
    months that the feeds hold: only its own feed has it.)"""
    partner = factories.partner()
    exchange = make.exchange(
        [partner],
        start=start,
        days=days,
        status=make.ExchangeStatus.REGISTRATION_OPEN,
        is_public=True,
    )
    normal = make.exchange([partner], status=make.ExchangeStatus.PLANNED, is_public=True)
    anonymous = client.application.test_client()
    for url in ("/events.ics", f"/partners/{partner.slug}/calendar.ics"):
        response = anonymous.get(url)
        assert response.status_code == 200, url
        assert f"exchange-{normal.id}@" in response.get_data(as_text=True)
    login_as(client, school_user)
    for url, expected in (
        ("/calendar.ics", in_window),
        (f"/exchanges/{exchange.id}/calendar.ics", True),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert (f"exchange-{exchange.id}@" in response.get_data(as_text=True)) is expected, url
    assert client.get(f"/exchanges/{exchange.id}").status_code == 200
    assert client.get("/exchanges/").status_code == 200


def test_every_form_of_the_app_checks_its_bounds(app):
    """A form added later inherits the checks only through ``Form``: a plain ``FlaskForm``
    would let control characters and huge numbers through to the database."""
    import importlib
    import pkgutil

    from flask_wtf import FlaskForm

    import exchange
    from exchange.forms_util import Form

    for module in pkgutil.walk_packages(exchange.__path__, "exchange."):
        importlib.import_module(module.name)
    found, pending = [], list(FlaskForm.__subclasses__())
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        if cls.__module__.startswith("exchange.") and cls is not Form:
            found.append(cls)
    assert len(found) >= 15
    plain = [cls.__qualname__ for cls in found if not issubclass(cls, Form)]
    assert not plain, f"forms that do not derive from exchange.forms_util.Form: {plain}"


@pytest.mark.parametrize(
    "query",
    ["partner=%20", "status=%20", "year=%20", "kind=%20&direction=%20"],
)
def test_a_blank_choice_in_a_filter_is_ignored(client, coordinator, query):
    """``Optional()`` takes a blank for no value and would clear the select's error, leaving
    the blank to the view (``int(" ")``); a blank is no choice."""
    login_as(client, coordinator)
    assert client.get(f"/exchanges/?{query}").status_code == 200


@pytest.mark.parametrize("query", ["kind=%20", "city=%20"])
def test_a_blank_choice_in_the_institution_filter_is_ignored(client, coordinator, query):
    login_as(client, coordinator)
    assert client.get(f"/institutions/?{query}").status_code == 200


@pytest.mark.parametrize("query", ["partner=%20", "kind=%20", "institution=%20"])
def test_a_blank_choice_in_the_report_filter_is_refused(client, coordinator, query):
    """The report answers a wrong filter with 400 and the error next to the field."""
    login_as(client, coordinator)
    response = client.get(f"/reports/?{query}")
    assert response.status_code == 400
    assert _error(response.get_data(as_text=True), query.split("=")[0]) == "Not a valid choice."
