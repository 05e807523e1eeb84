"""Exchange pages: who may do what, the form, the workflow buttons, programme, list, calendar."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from exchange import clock
from exchange.exchanges.kinds import KIND_FIELDS
from exchange.exchanges.models import (
    Direction,
    Exchange,
    ExchangeKind,
    ExchangeStatus,
    ProgrammeItem,
)
from exchange.extensions import db
from exchange.registrations.models import Registration, RegistrationStatus
from tests import factories as make
from tests.helpers import login_as, post_form, sent_statements

S = ExchangeStatus


def _count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def _error(page: str, field: str) -> str:
    """The text of the error shown next to ``field``, or '' when there is none."""
    match = re.search(rf'<p class="error" id="{field}-error">(.*?)</p>', page, re.DOTALL)
    return match.group(1).strip() if match else ""


def _stored(exchange_id: int) -> Exchange:
    return db.session.get(Exchange, exchange_id, populate_existing=True)


# --- access ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/exchanges/",
        "/exchanges/new",
        "/exchanges/1",
        "/exchanges/1/edit",
        "/exchanges/calendar",
        "/exchanges/calendar?year=2026&month=5",
        "/calendar.ics",
        "/exchanges/1/calendar.ics",
        "/exchanges/1/programme/1/edit",
    ],
)
def test_pages_need_login(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_anonymous_visitors_read_the_upcoming_events(client, partners):
    make.exchange(
        [partners["rovaniemi"]],
        title="Arctic choir visit",
        is_public=True,
        status=ExchangeStatus.PLANNED,
    )
    make.exchange(
        [partners["rovaniemi"]],
        title="Internal meeting",
        is_public=False,
        status=ExchangeStatus.PLANNED,
    )
    make.exchange([partners["rovaniemi"]], title="Not yet agreed", is_public=True, status=S.DRAFT)
    response = client.get("/events")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Arctic choir visit" in page
    assert "Internal meeting" not in page
    assert "Not yet agreed" not in page
    assert 'href="/exchanges/' not in page  # the detail pages need a login


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", "/exchanges/new"),
        ("post", "/exchanges/new"),
        ("get", "/exchanges/{id}/edit"),
        ("post", "/exchanges/{id}/edit"),
        ("post", "/exchanges/{id}/status/open_registration"),
        ("post", "/exchanges/{id}/status/cancel"),
        ("post", "/exchanges/{id}/programme"),
        ("get", "/exchanges/{id}/programme/{item}/edit"),
        ("post", "/exchanges/{id}/programme/{item}/delete"),
    ],
)
def test_school_representatives_cannot_change_exchanges(client, school_user, method, url):
    exchange = make.exchange(status=S.PLANNED)
    item = make.programme_item(exchange)
    login_as(client, school_user)
    url = url.format(id=exchange.id, item=item.id)
    if method == "get":
        response = client.get(url)
    else:
        response = post_form(client, url, {"reason": "No", "activity": "x"})
    assert response.status_code == 403
    assert _stored(exchange.id).status is S.PLANNED
    assert _count(ProgrammeItem) == 1


def test_school_representatives_get_404_for_drafts(client, school_user):
    draft = make.exchange(status=S.DRAFT, title="Secret draft")
    planned = make.exchange(status=S.PLANNED, title="Agreed exchange")
    login_as(client, school_user)
    assert client.get(f"/exchanges/{draft.id}").status_code == 404
    assert client.get(f"/exchanges/{draft.id}/calendar.ics").status_code == 404
    assert client.get(f"/exchanges/{planned.id}").status_code == 200
    listing = client.get("/exchanges/").get_data(as_text=True)
    assert "Agreed exchange" in listing
    assert "Secret draft" not in listing
    assert "Secret draft" not in client.get("/exchanges/calendar").get_data(as_text=True)


def test_school_representatives_see_no_buttons_and_no_budget(client, school_user):
    exchange = make.exchange(status=S.PLANNED, budget_planned=12345)
    login_as(client, school_user)
    page = client.get(f"/exchanges/{exchange.id}").get_data(as_text=True)
    assert "/status/" not in page
    assert "/edit" not in page
    assert "12,345" not in page


def test_unknown_exchange_is_404(client, coordinator):
    login_as(client, coordinator)
    assert client.get("/exchanges/999").status_code == 404
    assert client.get("/exchanges/999/edit").status_code == 404
    assert post_form(client, "/exchanges/999/status/plan").status_code == 404


# --- create and edit ------------------------------------------------------------------------


def test_coordinator_creates_an_exchange_through_the_form(client, coordinator, partners):
    login_as(client, coordinator)
    form = client.get("/exchanges/new").get_data(as_text=True)
    assert "<legend>" in form
    assert 'type="checkbox"' in form
    for kind in ExchangeKind:
        assert f"<legend>{kind.label}</legend>" in form
    data = make.form_data([partners["offenburg"], partners["gelsenkirchen"]])
    response = post_form(client, "/exchanges/new", data)
    assert response.status_code == 302, response.get_data(as_text=True)
    exchange = db.session.scalars(
        sa.select(Exchange).options(sa.orm.selectinload(Exchange.partners))
    ).one()
    assert response.headers["Location"] == f"/exchanges/{exchange.id}"
    assert exchange.status is S.DRAFT
    assert exchange.coordinator_id == coordinator.id
    assert {p.slug for p in exchange.partners} == {"offenburg", "gelsenkirchen"}
    assert str(exchange.budget_planned) == "24000.00"
    assert exchange.is_public is True
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Offenburg" in page
    assert "Gelsenkirchen" in page
    assert "24,000.00" in page  # the budget, formatted as money for staff


@pytest.mark.parametrize(
    ("kind", "field"),
    [(kind, field) for kind, fields in KIND_FIELDS.items() for field in fields],
)
def test_each_kind_needs_its_details_in_the_form(client, coordinator, partners, kind, field):
    login_as(client, coordinator)
    data = make.form_data([partners["offenburg"]], kind=kind, **{field: ""})
    response = post_form(client, "/exchanges/new", data)
    assert response.status_code == 422
    assert _error(response.get_data(as_text=True), field)
    assert _count(Exchange) == 0


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"end_date": timedelta(days=80)}, "end_date"),
        ({"partners": []}, "partners"),
        ({"capacity": "-5"}, "capacity"),
        ({"budget_planned": "-100"}, "budget_planned"),
        ({"budget_actual": "-0.5"}, "budget_actual"),
        ({"max_age": "10"}, "max_age"),
        ({"institution_quota": "50"}, "institution_quota"),
        ({"registration_closes": timedelta(days=95)}, "registration_closes"),
        ({"start_date": "not a date"}, "start_date"),
        ({"capacity": "many"}, "capacity"),
        ({"kind": "picnic"}, "kind"),
        ({"partners": ["99999"]}, "partners"),
    ],
)
def test_form_refuses_wrong_values_next_to_the_field(
    client, coordinator, partners, overrides, field
):
    # days are given as "today + n", resolved at the test's (pinned) time, not at collection
    overrides = {
        name: (clock.today() + value).isoformat() if isinstance(value, timedelta) else value
        for name, value in overrides.items()
    }
    login_as(client, coordinator)
    data = {**make.form_data([partners["offenburg"]]), **overrides}
    response = post_form(client, "/exchanges/new", data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert _error(page, field), page
    assert _count(Exchange) == 0


def test_edit_saves_and_clears_the_details_of_the_former_kind(client, coordinator, partners):
    exchange = make.exchange(
        [partners["lutsk"]], kind=ExchangeKind.YOUTH, status=ExchangeStatus.PLANNED
    )
    login_as(client, coordinator)
    page = client.get(f"/exchanges/{exchange.id}/edit").get_data(as_text=True)
    assert re.search(
        rf'value="{partners["lutsk"].id}"[^>]*checked|checked[^>]*value="{partners["lutsk"].id}"',
        page,
    )
    data = make.form_data(
        [partners["lutsk"]],
        kind=ExchangeKind.SPORTS,
        title="Volleyball cup in Lutsk",
        school_level="secondary",
    )
    response = post_form(client, f"/exchanges/{exchange.id}/edit", data)
    assert response.status_code == 302
    stored = _stored(exchange.id)
    assert stored.title == "Volleyball cup in Lutsk"
    assert stored.kind is ExchangeKind.SPORTS
    assert stored.school_level is None
    assert stored.status is S.PLANNED  # editing does not change the status


def test_dates_cannot_be_moved_away_from_the_programme(client, coordinator, partners):
    exchange = make.exchange(
        [partners["lutsk"]], start=clock.today() + timedelta(days=90), status=ExchangeStatus.PLANNED
    )
    make.programme_item(exchange, day=exchange.start_date)
    login_as(client, coordinator)
    data = make.form_data(
        [partners["lutsk"]],
        start_date=(exchange.start_date + timedelta(days=1)).isoformat(),
    )
    response = post_form(client, f"/exchanges/{exchange.id}/edit", data)
    assert response.status_code == 422
    assert "programme" in _error(response.get_data(as_text=True), "start_date")
    assert _stored(exchange.id).start_date == exchange.start_date


# --- workflow buttons -----------------------------------------------------------------------


def _buttons(page: str) -> set[str]:
    return set(re.findall(r'action="/exchanges/\d+/status/(\w+)"', page))


def test_the_whole_workflow_through_the_buttons(client, coordinator):
    exchange = make.exchange(status=S.DRAFT)
    url = f"/exchanges/{exchange.id}"
    login_as(client, coordinator)
    steps = [
        ("plan", S.PLANNED, {"open_registration", "cancel"}),
        ("open_registration", S.REGISTRATION_OPEN, {"close_registration", "cancel"}),
        (
            "close_registration",
            S.REGISTRATION_CLOSED,
            {"reopen_registration", "complete", "cancel"},
        ),
        ("reopen_registration", S.REGISTRATION_OPEN, {"close_registration", "cancel"}),
        (
            "close_registration",
            S.REGISTRATION_CLOSED,
            {"reopen_registration", "complete", "cancel"},
        ),
        ("complete", S.COMPLETED, set()),
    ]
    assert _buttons(client.get(url).get_data(as_text=True)) == {"plan", "cancel"}
    for action, status, buttons in steps:
        response = post_form(client, f"{url}/status/{action}")
        assert response.status_code == 302, (action, response.status_code)
        assert _stored(exchange.id).status is status
        assert _buttons(client.get(url).get_data(as_text=True)) == buttons


@pytest.mark.parametrize(
    ("status", "action"),
    [
        (S.DRAFT, "open_registration"),
        (S.DRAFT, "complete"),
        (S.PLANNED, "plan"),
        (S.PLANNED, "close_registration"),
        (S.REGISTRATION_OPEN, "complete"),
        (S.REGISTRATION_OPEN, "reopen_registration"),
        (S.COMPLETED, "cancel"),
        (S.CANCELLED, "cancel"),
        (S.CANCELLED, "plan"),
    ],
)
def test_refused_transitions_through_post_change_nothing(client, coordinator, status, action):
    exchange = make.exchange(status=status)
    login_as(client, coordinator)
    response = post_form(
        client, f"/exchanges/{exchange.id}/status/{action}", {"reason": "Storm warning"}
    )
    assert response.status_code == 409
    assert "This cannot be done" in response.get_data(as_text=True)
    assert _stored(exchange.id).status is status


def test_cancel_needs_a_reason(client, coordinator):
    exchange = make.exchange(status=S.REGISTRATION_OPEN)
    login_as(client, coordinator)
    response = post_form(client, f"/exchanges/{exchange.id}/status/cancel", {"reason": "  "})
    assert response.status_code == 422
    assert _error(response.get_data(as_text=True), "reason")
    assert _stored(exchange.id).status is S.REGISTRATION_OPEN


def test_cancel_with_a_reason_shows_it(client, coordinator):
    exchange = make.exchange(status=S.PLANNED)
    login_as(client, coordinator)
    response = post_form(
        client, f"/exchanges/{exchange.id}/status/cancel", {"reason": "The hall is flooded."}
    )
    assert response.status_code == 302
    stored = _stored(exchange.id)
    assert (stored.status, stored.cancel_reason) == (S.CANCELLED, "The hall is flooded.")
    assert stored.cancelled_at is not None
    assert "The hall is flooded." in client.get(f"/exchanges/{exchange.id}").get_data(as_text=True)


def test_unknown_action_is_404(client, coordinator):
    exchange = make.exchange(status=S.PLANNED)
    login_as(client, coordinator)
    assert post_form(client, f"/exchanges/{exchange.id}/status/delete").status_code == 404


def test_transition_needs_a_csrf_token(client, coordinator):
    exchange = make.exchange(status=S.DRAFT)
    login_as(client, coordinator)
    assert client.post(f"/exchanges/{exchange.id}/status/plan").status_code == 400
    assert _stored(exchange.id).status is S.DRAFT


# --- programme ------------------------------------------------------------------------------


def _item_data(day: date, **overrides) -> dict:
    return {
        "day": day.isoformat(),
        "start_time": "09:30",
        "end_time": "11:00",
        "activity": "Welcome at the town hall",
        "place": "Town hall",
        **overrides,
    }


def test_programme_item_add_edit_delete(client, coordinator):
    exchange = make.exchange(start=date(2027, 5, 10), days=3, status=ExchangeStatus.PLANNED)
    login_as(client, coordinator)
    response = post_form(
        client, f"/exchanges/{exchange.id}/programme", _item_data(date(2027, 5, 11))
    )
    assert response.status_code == 302
    item = db.session.scalars(sa.select(ProgrammeItem)).one()
    page = client.get(f"/exchanges/{exchange.id}").get_data(as_text=True)
    assert "Welcome at the town hall" in page
    assert "<caption>" in page
    assert 'scope="col"' in page

    url = f"/exchanges/{exchange.id}/programme/{item.id}/edit"
    assert client.get(url).status_code == 200
    response = post_form(client, url, _item_data(date(2027, 5, 12), activity="Lake excursion"))
    assert response.status_code == 302
    stored = db.session.get(ProgrammeItem, item.id, populate_existing=True)
    assert (stored.day, stored.activity) == (date(2027, 5, 12), "Lake excursion")

    response = post_form(client, f"/exchanges/{exchange.id}/programme/{item.id}/delete")
    assert response.status_code == 302
    assert _count(ProgrammeItem) == 0


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"day": "2027-05-09"}, "day"),
        ({"day": "2027-05-13"}, "day"),
        ({"start_time": "14:00", "end_time": "13:00"}, "end_time"),
        ({"activity": ""}, "activity"),
    ],
)
def test_programme_item_outside_the_exchange_is_refused(client, coordinator, overrides, field):
    exchange = make.exchange(start=date(2027, 5, 10), days=3, status=ExchangeStatus.PLANNED)
    login_as(client, coordinator)
    response = post_form(
        client,
        f"/exchanges/{exchange.id}/programme",
        {**_item_data(date(2027, 5, 11)), **overrides},
    )
    assert response.status_code == 422
    assert _error(response.get_data(as_text=True), field)
    assert _count(ProgrammeItem) == 0


def test_programme_item_of_another_exchange_is_not_found(client, coordinator):
    first, second = (
        make.exchange(status=ExchangeStatus.PLANNED),
        make.exchange(status=ExchangeStatus.PLANNED),
    )
    item = make.programme_item(first)
    login_as(client, coordinator)
    assert client.get(f"/exchanges/{second.id}/programme/{item.id}/edit").status_code == 404
    response = post_form(client, f"/exchanges/{second.id}/programme/{item.id}/delete")
    assert response.status_code == 404
    assert _count(ProgrammeItem) == 1


# --- the list -------------------------------------------------------------------------------


def _listed(client, query: str = "") -> list[str]:
    page = client.get(f"/exchanges/?{query}").get_data(as_text=True)
    body = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return re.findall(r'<a href="/exchanges/\d+">([^<]+)</a>', body)


@pytest.fixture
def listed_exchanges(app_context, partners):
    def add(title, start, **values):
        return make.exchange(start=start, title=title, **values)

    add("Choir to Rovaniemi", date(2025, 3, 1), partners=[partners["rovaniemi"]],
        kind=ExchangeKind.ARTISTIC, status=S.COMPLETED)  # fmt: skip
    add("Doctors from Offenburg", date(2026, 4, 1), partners=[partners["offenburg"]],
        kind=ExchangeKind.PROFESSIONAL, direction=Direction.INCOMING)  # fmt: skip
    add("100% volleyball", date(2026, 6, 1), partners=[partners["lutsk"], partners["offenburg"]],
        kind=ExchangeKind.SPORTS, status=S.REGISTRATION_OPEN)  # fmt: skip
    add("Over New Year", date(2026, 12, 30), partners=[partners["halmstad"]])
    return partners


#: every exchange of ``listed_exchanges``: the upcoming ones soonest first, then the past ones
#: newest first (it is 14 May 2026)
EVERY = ["100% volleyball", "Over New Year", "Doctors from Offenburg", "Choir to Rovaniemi"]


@pytest.mark.parametrize(
    ("query", "titles"),
    [
        ("", EVERY),
        ("year=2026", ["100% volleyball", "Over New Year", "Doctors from Offenburg"]),
        ("year=2027", ["Over New Year"]),
        ("kind=sports", ["100% volleyball"]),
        ("direction=incoming", ["Doctors from Offenburg"]),
        ("status=completed", ["Choir to Rovaniemi"]),
        ("q=VOLLEY", ["100% volleyball"]),
        ("q=%25", ["100% volleyball"]),  # % is a character, not a wildcard
        ("q=_", []),
        ("kind=sports&direction=incoming", []),
        ("kind=nonsense", EVERY),
        ("year=abc&page=x", EVERY),
    ],
)
def test_list_filters(client, coordinator, listed_exchanges, query, titles):
    login_as(client, coordinator)
    assert _listed(client, f"show=all&{query}") == titles


@pytest.mark.parametrize(
    ("query", "titles"),
    [
        # the default: what is not over yet, soonest first
        ("", ["100% volleyball", "Over New Year"]),
        ("show=upcoming", ["100% volleyball", "Over New Year"]),
        ("show=nonsense", ["100% volleyball", "Over New Year"]),
        # open but over (Doctors…) is left out
        ("show=open", ["100% volleyball", "Over New Year"]),
        ("show=past", ["Doctors from Offenburg", "Choir to Rovaniemi"]),
        ("show=all", EVERY),
        # the quick filter and the other filters together
        ("show=past&kind=artistic", ["Choir to Rovaniemi"]),
        ("kind=artistic", []),
    ],
)
def test_list_starts_with_what_is_coming(client, coordinator, listed_exchanges, query, titles):
    login_as(client, coordinator)
    assert _listed(client, query) == titles


def test_quick_filters_keep_the_other_filters_and_mark_the_current_one(
    client, coordinator, listed_exchanges
):
    login_as(client, coordinator)
    page = client.get("/exchanges/?show=past&kind=artistic&page=2").get_data(as_text=True)
    nav = page[page.index('<nav class="quick-filters"') :]
    nav = nav[: nav.index("</nav>")]
    links = re.findall(r'<a href="([^"]+)"( aria-current="true")?>([^<]+)</a>', nav)
    assert [label for _, _, label in links] == [
        "Upcoming",
        "Registration open",
        "Mine",
        "Past",
        "All",
    ]
    assert [label for _, current, label in links if current] == ["Past"]
    for href, _, _ in links:
        assert "kind=artistic" in href
        assert "page=" not in href  # another filter starts on its first page
    # the filter form keeps the quick filter too
    assert '<input id="show" name="show" type="hidden" value="past">' in page
    # and an empty list offers the same filters over every exchange
    empty = client.get("/exchanges/?kind=artistic").get_data(as_text=True)
    assert "/exchanges/?kind=artistic&amp;show=all" in empty


def test_mine_is_the_coordinators_own_and_the_schools_registered_ones(client, partners):
    coordinator = make.user(role="coordinator")
    school = make.institution()
    representative = make.user(role="school", institution=school)
    own = make.exchange(title="Coordinated by me", coordinator=coordinator)
    make.exchange(title="Someone else's")
    hosted = make.exchange(title="Hosted by the school", olsztyn_institution=school)
    registered = make.exchange(title="Pupils registered", start=date(2026, 9, 1))
    withdrawn = make.exchange(title="Pupil withdrew")
    for exchange, status in ((registered, "confirmed"), (withdrawn, "withdrawn")):
        pupil = make.participant(school)
        db.session.add(
            Registration(
                exchange_id=exchange.id,
                participant_id=pupil.id,
                institution_id=school.id,
                status=RegistrationStatus(status),
            )
        )
    db.session.commit()
    assert own.coordinator_id == coordinator.id
    assert hosted.olsztyn_institution_id == school.id
    login_as(client, coordinator)
    assert _listed(client, "show=mine") == ["Coordinated by me"]
    other = client.application.test_client()
    login_as(other, representative)
    assert sorted(_listed(other, "show=mine")) == ["Hosted by the school", "Pupils registered"]


def test_list_filters_by_partner(client, coordinator, listed_exchanges):
    login_as(client, coordinator)
    offenburg = listed_exchanges["offenburg"].id
    assert _listed(client, f"show=all&partner={offenburg}") == [
        "100% volleyball",
        "Doctors from Offenburg",
    ]


def test_list_is_paginated(client, coordinator, app):
    partner = make.some_partner()
    per_page = app.config["ITEMS_PER_PAGE"]
    start = date(2027, 1, 1)
    for number in range(per_page + 3):
        make.exchange(
            [partner], title=f"Exchange no. {number:03d}", start=start + timedelta(days=number),
            commit=False,
         status=ExchangeStatus.PLANNED)  # fmt: skip
    db.session.commit()
    login_as(client, coordinator)
    first = _listed(client)
    second = _listed(client, "page=2")
    assert len(first) == per_page
    assert second == [f"Exchange no. {n:03d}" for n in range(per_page, per_page + 3)]
    assert 'rel="next"' in client.get("/exchanges/").get_data(as_text=True)


def test_list_queries_do_not_grow_with_the_number_of_exchanges(client, coordinator, partners):
    login_as(client, coordinator)
    chosen = [partners["offenburg"], partners["lutsk"]]

    def add(count):
        for _ in range(count):
            make.exchange(chosen, commit=False, status=ExchangeStatus.PLANNED)
        db.session.commit()

    add(2)
    with sent_statements() as few:
        assert client.get("/exchanges/").status_code == 200
    add(20)
    with sent_statements() as many:
        assert client.get("/exchanges/").status_code == 200
    assert len(many) == len(few), many


# --- month calendar -------------------------------------------------------------------------


def test_month_calendar_shows_exchanges_on_their_days(client, coordinator):
    exchange = make.exchange(
        title="Choir in Halmstad", start=date(2026, 5, 30), days=4, status=ExchangeStatus.PLANNED
    )
    login_as(client, coordinator)
    page = client.get("/exchanges/calendar?year=2026&month=5").get_data(as_text=True)
    assert "<caption>" in page
    # named on its first day (30 May) and in the list; 31 May only carries a bar
    assert page.count(f'href="/exchanges/{exchange.id}"') == 2
    assert page.count('class="event-continues" title="Choir in Halmstad"') == 1
    assert "year=2026&amp;month=4" in page
    assert "year=2026&amp;month=6" in page
    june = client.get("/exchanges/calendar?year=2026&month=6").get_data(as_text=True)
    assert "Choir in Halmstad" in june
    july = client.get("/exchanges/calendar?year=2026&month=7").get_data(as_text=True)
    assert "Choir in Halmstad" not in july


def test_a_long_exchange_is_named_once_a_week_and_once_in_the_list(client, coordinator):
    # Wednesday 6 May to Tuesday 19 May 2026: three weeks of the grid
    exchange = make.exchange(title="Two weeks in Rovaniemi", start=date(2026, 5, 6), days=14)
    login_as(client, coordinator)
    page = client.get("/exchanges/calendar?year=2026&month=5").get_data(as_text=True)
    link = f'href="/exchanges/{exchange.id}"'
    # 6 May, Monday 11 May, Monday 18 May, and the list
    assert page.count(link) == 4
    assert page.count('class="event-continues"') == 14 - 3
    agenda = page[page.index('class="agenda-list"') :]
    assert agenda[: agenda.index("</section>")].count(link) == 1


@pytest.mark.parametrize(
    ("query", "view"),
    [("", "auto"), ("view=agenda", "agenda"), ("view=month", "month"), ("view=<b>", "auto")],
)
def test_the_calendar_offers_a_list_and_a_month_grid(client, coordinator, query, view):
    login_as(client, coordinator)
    page = client.get(f"/exchanges/calendar?year=2026&month=5&{query}").get_data(as_text=True)
    assert f'class="calendar calendar-{view}"' in page
    assert 'class="agenda"' in page
    assert 'class="table-wrap month-grid"' in page
    if view != "auto":
        assert f'view={view}" aria-current="page"' in page


@pytest.mark.parametrize(
    "query", ["year=2026&month=13", "year=2026&month=0", "year=99999&month=1", "year=-1&month=1"]
)
def test_month_out_of_range_is_404(client, coordinator, query):
    login_as(client, coordinator)
    assert client.get(f"/exchanges/calendar?{query}").status_code == 404


@pytest.mark.parametrize("query", ["", "year=abc", "month=may", "year=&month="])
def test_month_calendar_falls_back_to_this_month(client, coordinator, query):
    login_as(client, coordinator)
    response = client.get(f"/exchanges/calendar?{query}")
    assert response.status_code == 200


# --- the partner page -----------------------------------------------------------------------


@pytest.fixture
def partner_exchanges(app_context, partners):
    offenburg = partners["offenburg"]

    def add(title, start, **values):
        make.exchange([offenburg], title=title, start=start, **values)

    add("Public past visit", date(2024, 5, 1), status=S.COMPLETED, is_public=True,
        direction=Direction.INCOMING)  # fmt: skip
    add("Internal study visit", date(2025, 5, 1), status=S.COMPLETED, is_public=False)
    add("Draft for next year", date(2027, 5, 1), status=S.DRAFT, is_public=True)
    add("Before the agreement", date(1995, 5, 1), status=S.COMPLETED, is_public=True)
    return offenburg


def test_partner_page_for_visitors_lists_public_exchanges(client, partner_exchanges):
    page = client.get("/partners/offenburg").get_data(as_text=True)
    assert "Public past visit" in page
    assert "Internal study visit" not in page
    assert "Draft for next year" not in page
    assert "Before the agreement" not in page
    assert "Exchanges since 1999" in page
    assert '<th scope="row">2024</th>' in page
    assert "/partners/offenburg/calendar.ics" in page


def test_partner_page_for_schools_lists_all_but_drafts(client, school_user, partner_exchanges):
    login_as(client, school_user)
    page = client.get("/partners/offenburg").get_data(as_text=True)
    assert "Public past visit" in page
    assert "Internal study visit" in page
    assert "Draft for next year" not in page
    assert '<th scope="row">2025</th>' in page


def test_partner_page_for_staff_lists_everything(client, coordinator, partner_exchanges):
    login_as(client, coordinator)
    page = client.get("/partners/offenburg").get_data(as_text=True)
    for title in ("Public past visit", "Internal study visit", "Draft for next year"):
        assert title in page
    assert "Before the agreement" not in page


# --- navigation -----------------------------------------------------------------------------


def test_navigation_links(client, school_user):
    page = client.get("/").get_data(as_text=True)
    assert 'href="/events"' in page
    assert 'href="/exchanges/"' not in page
    login_as(client, school_user)
    page = client.get("/dashboard").get_data(as_text=True)
    assert 'href="/exchanges/"' in page
    assert 'href="/exchanges/calendar"' in page
