"""Exchanges: the workflow, the rules of the services, the queries and the demo data."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from exchange.demo import exchanges as demo
from exchange.errors import DomainError
from exchange.exchanges import access, queries, services
from exchange.exchanges.kinds import KIND_FIELDS
from exchange.exchanges.models import (
    TRANSITIONS,
    Direction,
    Exchange,
    ExchangeKind,
    ExchangeStatus,
    InvalidTransition,
    ProgrammeItem,
)
from exchange.extensions import db
from tests import factories as make

S = ExchangeStatus
NOW = datetime(2026, 5, 1, 12, tzinfo=UTC)

#: action → {status it may start from: status it leads to}
EXPECTED = {
    "plan": {S.DRAFT: S.PLANNED},
    "open_registration": {S.PLANNED: S.REGISTRATION_OPEN},
    "close_registration": {S.REGISTRATION_OPEN: S.REGISTRATION_CLOSED},
    "reopen_registration": {S.REGISTRATION_CLOSED: S.REGISTRATION_OPEN},
    "complete": {S.REGISTRATION_CLOSED: S.COMPLETED},
    "cancel": {status: S.CANCELLED for status in S if status not in (S.COMPLETED, S.CANCELLED)},
}


def _run(exchange: Exchange, action: str) -> None:
    if action == "cancel":
        exchange.cancel("The partner school closed for renovation.", NOW)
    else:
        getattr(exchange, action)()


# --- the workflow on the model --------------------------------------------------------------


def test_the_expected_table_is_the_models_table():
    assert {action: set(moves) for action, moves in EXPECTED.items()} == TRANSITIONS


@pytest.mark.parametrize(
    ("action", "start", "target"),
    [
        (action, start, target)
        for action, moves in EXPECTED.items()
        for start, target in moves.items()
    ],
)
def test_allowed_transition_moves_the_status(action, start, target):
    exchange = Exchange(status=start)
    _run(exchange, action)
    assert exchange.status is target


@pytest.mark.parametrize(
    ("action", "start"),
    [(action, start) for action, moves in EXPECTED.items() for start in S if start not in moves],
)
def test_refused_transition_raises_and_keeps_the_status(action, start):
    exchange = Exchange(status=start)
    with pytest.raises(InvalidTransition):
        _run(exchange, action)
    assert exchange.status is start


@pytest.mark.parametrize("reason", ["", "   "])
def test_cancel_without_a_reason_is_refused(reason):
    exchange = Exchange(status=S.PLANNED, cancel_reason="")
    with pytest.raises(DomainError) as error:
        exchange.cancel(reason, NOW)
    assert error.value.field == "reason"
    assert exchange.status is S.PLANNED


def test_cancel_keeps_the_reason_and_the_time():
    exchange = Exchange(status=S.REGISTRATION_OPEN)
    exchange.cancel("  Too few registrations. ", NOW)
    assert exchange.cancel_reason == "Too few registrations."
    assert exchange.cancelled_at == NOW


def test_completed_exchange_cannot_be_cancelled():
    with pytest.raises(InvalidTransition):
        Exchange(status=S.COMPLETED).cancel("Too late", NOW)


def test_closed_registration_can_be_reopened_and_closed_again():
    exchange = Exchange(status=S.REGISTRATION_CLOSED)
    exchange.reopen_registration()
    assert exchange.status is S.REGISTRATION_OPEN
    exchange.close_registration()
    assert exchange.status is S.REGISTRATION_CLOSED


def test_allowed_actions_list_what_the_status_allows():
    assert Exchange(status=S.DRAFT).allowed_actions() == ["plan", "cancel"]
    assert Exchange(status=S.REGISTRATION_CLOSED).allowed_actions() == [
        "reopen_registration",
        "complete",
        "cancel",
    ]
    assert Exchange(status=S.COMPLETED).allowed_actions() == []


# --- the transition service -----------------------------------------------------------------


def test_transition_service_saves_the_move(app_context, coordinator):
    exchange = make.exchange(status=S.DRAFT)
    services.transition(exchange, "plan", by=coordinator)
    db.session.commit()
    assert db.session.get(Exchange, exchange.id).status is S.PLANNED


def test_transition_service_cancels_with_reason(app_context, coordinator):
    exchange = make.exchange(status=S.PLANNED)
    services.transition(exchange, "cancel", by=coordinator, reason="Flooding", now=NOW)
    db.session.commit()
    stored = db.session.get(Exchange, exchange.id)
    assert (stored.status, stored.cancel_reason, stored.cancelled_at) == (
        S.CANCELLED,
        "Flooding",
        NOW,
    )


def test_transition_service_refuses_an_unknown_action(app_context, coordinator):
    exchange = make.exchange(status=S.DRAFT)
    with pytest.raises(ValueError, match="unknown"):
        services.transition(exchange, "delete", by=coordinator)


# --- create and update ----------------------------------------------------------------------


def _values(partner_list, kind=ExchangeKind.YOUTH, **overrides) -> services.ExchangeValues:
    start = date(2027, 5, 10)
    values = {
        "title": "Youth exchange",
        "kind": kind,
        "direction": Direction.INCOMING,
        "start_date": start,
        "end_date": start + timedelta(days=4),
        "partners": list(partner_list),
        "capacity": 20,
        "institution_quota": 5,
        "registration_opens": start - timedelta(days=60),
        "registration_closes": start - timedelta(days=10),
        "min_age": 14,
        "max_age": 18,
        "minors_per_adult": 8,
        "budget_planned": Decimal("1000.00"),
        "currency": "PLN",
        **make.KIND_VALUES[kind],
    }
    values.update(overrides)
    return services.ExchangeValues(**values)


def _count_exchanges() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Exchange))


def test_create_exchange_saves_a_draft_coordinated_by_its_author(app_context, coordinator):
    partner = make.some_partner()
    exchange = services.create_exchange(_values([partner]), by=coordinator)
    db.session.commit()
    assert exchange.status is S.DRAFT
    assert exchange.coordinator_id == coordinator.id
    assert [p.id for p in exchange.partners] == [partner.id]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"end_date": date(2027, 5, 9)}, "end_date"),
        ({"partners": []}, "partners"),
        ({"capacity": -1}, "capacity"),
        ({"institution_quota": 0}, "institution_quota"),
        ({"institution_quota": 30}, "institution_quota"),
        ({"min_age": -3}, "min_age"),
        ({"max_age": 12}, "max_age"),
        ({"minors_per_adult": 0}, "minors_per_adult"),
        ({"budget_planned": Decimal("-0.01")}, "budget_planned"),
        ({"budget_actual": Decimal("-5")}, "budget_actual"),
        ({"currency": "XYZ"}, "currency"),
        ({"registration_closes": date(2027, 3, 1)}, "registration_closes"),
        ({"registration_closes": date(2027, 5, 11)}, "registration_closes"),
        (
            {"registration_opens": date(2027, 5, 11), "registration_closes": None},
            "registration_opens",
        ),
        ({"title": "  "}, "title"),
    ],
)
def test_create_exchange_refuses_broken_rules_naming_the_field(
    app_context, coordinator, overrides, field
):
    with pytest.raises(DomainError) as error:
        services.create_exchange(_values([make.some_partner()], **overrides), by=coordinator)
    assert error.value.field == field
    assert _count_exchanges() == 0


@pytest.mark.parametrize(
    ("kind", "field"),
    [(kind, field) for kind, fields in KIND_FIELDS.items() for field in fields],
)
def test_each_kind_needs_its_details(app_context, coordinator, kind, field):
    values = _values([make.some_partner()], kind=kind, **{field: None})
    with pytest.raises(DomainError) as error:
        services.create_exchange(values, by=coordinator)
    assert error.value.field == field


def test_details_of_other_kinds_are_cleared(app_context, coordinator):
    values = _values(
        [make.some_partner()], kind=ExchangeKind.SPORTS, topic="Left over", school_level="primary"
    )
    exchange = services.create_exchange(values, by=coordinator)
    assert (exchange.discipline, exchange.event_name) == ("Volleyball", "Twin Towns Cup")
    assert exchange.topic == ""
    assert exchange.school_level is None


def test_institutions_must_be_on_the_right_side(app_context, coordinator):
    from tests import factories

    partner = make.some_partner()
    abroad = factories.institution(name="Oken-Gymnasium", partner_city=partner)
    at_home = factories.institution(name="Secondary School No. 2")
    with pytest.raises(DomainError) as error:
        services.create_exchange(_values([partner], olsztyn_institution=abroad), by=coordinator)
    assert error.value.field == "olsztyn_institution_id"
    with pytest.raises(DomainError) as error:
        services.create_exchange(_values([partner], partner_institution=at_home), by=coordinator)
    assert error.value.field == "partner_institution_id"
    exchange = services.create_exchange(
        _values([partner], olsztyn_institution=at_home, partner_institution=abroad),
        by=coordinator,
    )
    assert exchange.partner_institution is abroad


def test_dates_cannot_move_away_from_the_programme(app_context, coordinator):
    exchange = make.exchange(start=date(2027, 5, 10), days=5, status=ExchangeStatus.PLANNED)
    make.programme_item(exchange, day=date(2027, 5, 10))
    make.programme_item(exchange, day=date(2027, 5, 14))
    exchange = access.get_exchange(exchange.id)
    values = _values(exchange.partners, start_date=date(2027, 5, 11), end_date=date(2027, 5, 14))
    with pytest.raises(DomainError) as error:
        services.update_exchange(exchange, values, by=coordinator)
    assert error.value.field == "start_date"
    values = _values(exchange.partners, start_date=date(2027, 5, 10), end_date=date(2027, 5, 13))
    with pytest.raises(DomainError) as error:
        services.update_exchange(exchange, values, by=coordinator)
    assert error.value.field == "end_date"
    values = _values(exchange.partners, start_date=date(2027, 5, 9), end_date=date(2027, 5, 15))
    services.update_exchange(exchange, values, by=coordinator)
    db.session.commit()
    assert db.session.get(Exchange, exchange.id).start_date == date(2027, 5, 9)


# --- programme ------------------------------------------------------------------------------


def _item(**overrides) -> services.ProgrammeValues:
    values = {
        "day": date(2027, 5, 11),
        "start_time": time(10),
        "end_time": time(12),
        "activity": "Workshop",
        "place": "Aula",
    }
    values.update(overrides)
    return services.ProgrammeValues(**values)


def test_programme_item_is_added_inside_the_dates(app_context, coordinator):
    exchange = access.get_exchange(
        make.exchange(start=date(2027, 5, 10), days=3, status=ExchangeStatus.PLANNED).id
    )
    services.add_programme_item(exchange, _item(), by=coordinator)
    db.session.commit()
    items = db.session.scalars(sa.select(ProgrammeItem)).all()
    assert [(item.day, item.activity) for item in items] == [(date(2027, 5, 11), "Workshop")]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"day": date(2027, 5, 9)}, "day"),
        ({"day": date(2027, 5, 13)}, "day"),
        ({"start_time": time(12), "end_time": time(11, 59)}, "end_time"),
        ({"activity": " "}, "activity"),
    ],
)
def test_programme_item_rules(app_context, coordinator, overrides, field):
    exchange = access.get_exchange(
        make.exchange(start=date(2027, 5, 10), days=3, status=ExchangeStatus.PLANNED).id
    )
    with pytest.raises(DomainError) as error:
        services.add_programme_item(exchange, _item(**overrides), by=coordinator)
    assert error.value.field == field
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ProgrammeItem)) == 0


def test_programme_item_update_and_delete(app_context, coordinator):
    exchange = make.exchange(start=date(2027, 5, 10), days=3, status=ExchangeStatus.PLANNED)
    item = make.programme_item(exchange)
    exchange = access.get_exchange(exchange.id)
    item = access.get_programme_item_or_404(exchange, item.id)
    services.update_programme_item(exchange, item, _item(day=date(2027, 5, 12)), by=coordinator)
    db.session.commit()
    assert db.session.get(ProgrammeItem, item.id).day == date(2027, 5, 12)
    exchange = access.get_exchange(exchange.id)
    item = access.get_programme_item_or_404(exchange, item.id)
    services.delete_programme_item(exchange, item, by=coordinator)
    db.session.commit()
    assert db.session.get(ProgrammeItem, item.id) is None


# --- queries --------------------------------------------------------------------------------


def test_upcoming_public_events_are_public_planned_or_later_and_not_over(app_context):
    today = date(2026, 6, 1)
    partner = make.some_partner()

    def add(title, status, start, public=True):
        make.exchange([partner], title=title, status=status, start=start, is_public=public)

    add("planned", S.PLANNED, date(2026, 7, 1))
    add("open", S.REGISTRATION_OPEN, date(2026, 6, 20))
    add("running", S.REGISTRATION_CLOSED, date(2026, 5, 30))
    add("draft", S.DRAFT, date(2026, 7, 1))
    add("cancelled", S.CANCELLED, date(2026, 7, 1))
    add("internal", S.PLANNED, date(2026, 7, 1), public=False)
    add("over", S.REGISTRATION_CLOSED, date(2026, 5, 1))
    add("completed", S.COMPLETED, date(2026, 5, 1))
    titles = [e.title for e in queries.upcoming_public_events(today)]
    assert titles == ["running", "open", "planned"]


def test_month_calendar_puts_exchanges_on_their_days(app_context, admin):
    partner = make.some_partner()
    make.exchange(
        [partner],
        title="Over New Year",
        start=date(2026, 12, 30),
        days=4,
        status=ExchangeStatus.PLANNED,
    )
    make.exchange(
        [partner], title="In May", start=date(2027, 5, 10), days=2, status=ExchangeStatus.PLANNED
    )
    january = queries.month_calendar(2027, 1, admin)
    days = {cell.day: [e.title for e in cell.exchanges] for week in january.weeks for cell in week}
    assert days[date(2027, 1, 2)] == ["Over New Year"]
    assert days[date(2027, 1, 3)] == []
    assert days[date(2026, 12, 31)] == ["Over New Year"]  # shown in the first week, greyed
    assert january.weeks[0][0].day.weekday() == 0  # weeks start on Monday
    assert [e.title for e in january.exchanges] == ["Over New Year"]
    assert (january.previous, january.next) == ((2026, 12), (2027, 2))


def test_partner_statistics_count_per_year_and_direction(app_context, admin, partners):
    offenburg, halmstad = partners["offenburg"], partners["halmstad"]

    def add(start, direction, status=S.COMPLETED, partner_list=(offenburg,)):
        make.exchange(list(partner_list), start=start, direction=direction, status=status)

    add(date(2024, 3, 1), Direction.INCOMING)
    add(date(2024, 9, 1), Direction.OUTGOING)
    add(date(2024, 10, 1), Direction.OUTGOING, partner_list=(offenburg, halmstad))
    add(date(2025, 5, 1), Direction.INCOMING)
    add(date(2025, 6, 1), Direction.INCOMING, status=S.CANCELLED)
    add(date(2025, 7, 1), Direction.OUTGOING, status=S.DRAFT)
    add(date(1998, 5, 1), Direction.INCOMING)  # before the agreement (1999)
    add(date(2025, 8, 1), Direction.OUTGOING, partner_list=(halmstad,))
    rows = queries.partner_statistics(offenburg, admin)
    assert [(r.year, r.incoming, r.outgoing, r.total) for r in rows] == [
        (2024, 1, 2, 3),
        (2025, 1, 0, 1),
    ]
    titles = {e.start_date for e in queries.partner_exchanges(offenburg, admin)}
    assert date(1998, 5, 1) not in titles
    assert date(2025, 7, 1) in titles  # staff see drafts on the partner page


# --- demo data ------------------------------------------------------------------------------


def _snapshot() -> list[tuple]:
    return list(
        db.session.execute(
            sa.select(Exchange.title, Exchange.kind, Exchange.status, Exchange.start_date).order_by(
                Exchange.start_date, Exchange.title
            )
        )
    )


def _clear_demo() -> None:
    from exchange.exchanges.models import exchange_partner
    from exchange.partners.models import Institution

    db.session.execute(sa.delete(ProgrammeItem))
    db.session.execute(sa.delete(exchange_partner))
    db.session.execute(sa.delete(Exchange))
    db.session.execute(sa.delete(Institution))
    db.session.commit()


def test_demo_data_is_deterministic_and_covers_every_kind(app_context):
    today = date(2026, 11, 27)
    counts = demo.generate(db.session, seed=7, years=2, today=today)
    db.session.commit()
    first = _snapshot()
    assert counts["partners"] == 9
    assert counts["exchanges"] == len(first) > 0
    assert counts["programme_items"] > counts["exchanges"]
    assert {row.kind for row in first} == set(ExchangeKind)
    directions = set(db.session.scalars(sa.select(Exchange.direction).distinct()))
    assert directions == set(Direction)

    _clear_demo()
    again = demo.generate(db.session, seed=7, years=2, today=today)
    db.session.commit()
    assert _snapshot() == first
    assert {k: v for k, v in again.items() if k != "partners"} == {
        k: v for k, v in counts.items() if k != "partners"
    }
    assert again["partners"] == 0  # the partners were already there

    _clear_demo()
    demo.generate(db.session, seed=8, years=2, today=today)
    db.session.commit()
    assert _snapshot() != first


def test_demo_statuses_follow_the_dates_and_pass_the_rules(app_context):
    today = date(2026, 11, 27)
    demo.generate(db.session, seed=3, years=3, today=today)
    db.session.commit()
    ids = db.session.scalars(sa.select(Exchange.id)).all()
    for exchange_id in ids:
        exchange = access.get_exchange(exchange_id)
        if exchange.end_date < today:
            assert exchange.status in (S.COMPLETED, S.CANCELLED)
        elif exchange.start_date > today:
            assert exchange.status is not S.COMPLETED
        if exchange.status is S.CANCELLED:
            assert exchange.cancel_reason
        services.check_exchange(services.ExchangeValues.of(exchange).cleaned(), exchange)
        assert all(exchange.start_date <= i.day <= exchange.end_date for i in exchange.programme)
    assert db.session.scalar(
        sa.select(sa.func.count()).select_from(Exchange).where(Exchange.status == S.COMPLETED)
    )


def test_demo_data_command(app, app_context):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["demo-data", "--seed", "2", "--years", "1"])
    assert result.exit_code == 0, result.output
    assert "exchanges" in result.output
    assert _count_exchanges() > 0
    result = runner.invoke(args=["demo-data"])
    assert result.exit_code != 0
    assert "--append" in result.output


def test_demo_data_command_makes_the_data_for_the_day_given(app, app_context):
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=["demo-data", "--seed", "4", "--years", "1", "--today", "2028-02-29"]
    )
    assert result.exit_code == 0, result.output
    years = db.session.scalars(sa.select(Exchange.start_date)).all()
    # a year back and up to a year ahead of 29 February 2028, whatever the machine's date
    assert {day.year for day in years} <= {2028, 2029}
    assert min(years) < date(2028, 2, 29) < max(years)
    upcoming = db.session.scalars(
        sa.select(Exchange.status).where(Exchange.start_date > date(2028, 2, 29))
    ).all()
    assert upcoming
    assert S.COMPLETED not in upcoming
    result = runner.invoke(args=["demo-data", "--append", "--today", "29.02.2028"])
    assert result.exit_code != 0
    assert "--today" in result.output
