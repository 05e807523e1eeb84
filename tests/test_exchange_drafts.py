"""Copying an exchange as a new draft, and deleting a draft: the services and the pages."""

from __future__ import annotations

import re
from datetime import date, time, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from exchange.audit.models import AuditEvent
from exchange.exchanges import access, drafts
from exchange.exchanges.models import Exchange, ExchangeKind, ExchangeStatus, ProgrammeItem
from exchange.extensions import db
from exchange.registrations.models import Registration, RegistrationStatus
from tests import factories as make
from tests.helpers import login_as, post_form

S = ExchangeStatus


def _count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def _loaded(exchange_id: int) -> Exchange:
    """The exchange as its pages load it (partners, programme, institutions, coordinator)."""
    db.session.expire_all()
    exchange = access.get_exchange(exchange_id)
    assert exchange is not None
    return exchange


def _audit(action: str, object_type: str = "exchange") -> list[AuditEvent]:
    return list(
        db.session.scalars(
            sa.select(AuditEvent).where(
                AuditEvent.action == action, AuditEvent.object_type == object_type
            )
        )
    )


@pytest.fixture
def last_years_exchange(app_context, partners):
    """A completed exchange of last year, with two partners, a registration window, a
    programme on two days and a registered pupil."""
    school = make.institution()
    exchange = make.exchange(
        [partners["offenburg"], partners["lutsk"]],
        title="Choir to Offenburg",
        kind=ExchangeKind.ARTISTIC,
        start=date(2025, 6, 10),
        days=5,
        status=S.COMPLETED,
        capacity=30,
        institution_quota=8,
        registration_opens=date(2025, 4, 1),
        registration_closes=date(2025, 5, 20),
        min_age=12,
        max_age=19,
        budget_planned=Decimal("15000.00"),
        budget_actual=Decimal("14250.40"),
        olsztyn_institution=school,
        is_public=True,
    )
    make.programme_item(exchange, day=date(2025, 6, 10), start_time=time(9), activity="Welcome")
    make.programme_item(
        exchange, day=date(2025, 6, 13), start_time=time(18), end_time=None, activity="Concert"
    )
    pupil = make.participant(school)
    db.session.add(
        Registration(
            exchange_id=exchange.id,
            participant_id=pupil.id,
            institution_id=school.id,
            status=RegistrationStatus.ATTENDED,
        )
    )
    db.session.commit()
    return exchange


# --- copying: the service -------------------------------------------------------------------


def test_a_copy_is_a_draft_with_everything_moved_by_the_same_days(last_years_exchange, coordinator):
    original = _loaded(last_years_exchange.id)
    copy = drafts.copy_exchange(original, date(2026, 6, 16), by=coordinator)
    db.session.commit()
    copy = _loaded(copy.id)
    offset = timedelta(days=371)
    assert copy.id != original.id
    assert copy.status is S.DRAFT
    assert (copy.start_date, copy.end_date) == (date(2026, 6, 16), date(2026, 6, 20))
    assert copy.registration_opens == original.registration_opens + offset
    assert copy.registration_closes == original.registration_closes + offset
    assert [(item.day, item.start_time, item.activity) for item in copy.programme] == [
        (date(2026, 6, 16), time(9), "Welcome"),
        (date(2026, 6, 19), time(18), "Concert"),
    ]
    assert {p.slug for p in copy.partners} == {"offenburg", "lutsk"}
    for name in ("title", "kind", "direction", "capacity", "institution_quota", "min_age",
                 "max_age", "budget_planned", "currency", "ensemble", "performances",
                 "olsztyn_institution_id", "is_public", "venue", "city"):  # fmt: skip
        assert getattr(copy, name) == getattr(original, name), name
    assert copy.budget_actual is None  # last time's cost is not this time's
    assert _count(Registration) == 1  # the original's only
    # the original is as it was
    assert original.status is S.COMPLETED
    assert len(original.programme) == 2


def test_a_copy_without_a_registration_window_has_none(app_context, coordinator):
    exchange = make.exchange(start=date(2026, 8, 1), registration_opens=None)
    copy = drafts.copy_exchange(_loaded(exchange.id), date(2027, 8, 1), by=coordinator)
    assert (copy.registration_opens, copy.registration_closes) == (None, None)


def test_a_copy_is_audited(last_years_exchange, coordinator):
    copy = drafts.copy_exchange(_loaded(last_years_exchange.id), date(2026, 7, 1), by=coordinator)
    db.session.commit()
    [copied] = _audit("copy")
    assert copied.object_id == copy.id
    assert copied.detail == f"copy of exchange {last_years_exchange.id}"
    assert copy.id in [event.object_id for event in _audit("create")]
    copied_items = set(
        db.session.scalars(sa.select(ProgrammeItem.id).filter_by(exchange_id=copy.id))
    )
    assert copied_items <= {event.object_id for event in _audit("create", "programme_item")}
    assert len(copied_items) == 2


def test_a_copy_goes_through_the_rules_of_a_new_exchange(app_context, partners):
    """Its coordinator has become a school's representative since: the copy is refused."""
    former = make.user(role="coordinator")
    exchange = make.exchange([partners["lutsk"]], coordinator=former)
    school = make.institution()
    former.role, former.institution_id = "school", school.id
    db.session.commit()
    with pytest.raises(drafts.ExchangeError) as error:
        drafts.copy_exchange(_loaded(exchange.id), date(2027, 1, 4), by=make.user())
    assert error.value.field == "coordinator_id"


def test_a_year_later_keeps_the_day_or_takes_the_28th():
    assert drafts.a_year_later(date(2025, 6, 10)) == date(2026, 6, 10)
    assert drafts.a_year_later(date(2028, 2, 29)) == date(2029, 2, 28)


# --- copying: the page ----------------------------------------------------------------------


def test_the_coordinator_copies_last_years_exchange_from_its_page(
    client, coordinator, last_years_exchange
):
    login_as(client, coordinator)
    detail = client.get(f"/exchanges/{last_years_exchange.id}").get_data(as_text=True)
    assert f'href="/exchanges/{last_years_exchange.id}/copy"' in detail
    assert f"/exchanges/{last_years_exchange.id}/delete" not in detail  # not a draft
    form = client.get(f"/exchanges/{last_years_exchange.id}/copy").get_data(as_text=True)
    assert 'value="2026-06-10"' in form  # a year later, to start from
    response = post_form(
        client, f"/exchanges/{last_years_exchange.id}/copy", {"first_day": "2026-06-16"}
    )
    assert response.status_code == 302
    copy = db.session.scalars(sa.select(Exchange).where(Exchange.status == S.DRAFT)).one()
    assert response.headers["Location"] == f"/exchanges/{copy.id}/edit"
    assert copy.start_date == date(2026, 6, 16)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "The copy is saved as a draft: check its details." in page


@pytest.mark.parametrize("first_day", ["", "16.06.2026", "1800-01-01"])
def test_a_copy_needs_a_first_day(client, coordinator, last_years_exchange, first_day):
    login_as(client, coordinator)
    response = post_form(
        client, f"/exchanges/{last_years_exchange.id}/copy", {"first_day": first_day}
    )
    assert response.status_code == 422
    assert re.search(r'<p class="error" id="first_day-error">', response.get_data(as_text=True))
    assert _count(Exchange) == 1


# --- deleting -------------------------------------------------------------------------------


def test_a_draft_is_deleted_with_its_programme_and_audited(app_context, coordinator):
    draft = make.exchange(status=S.DRAFT)
    make.programme_item(draft)
    drafts.delete_draft(_loaded(draft.id), by=coordinator)
    db.session.commit()
    assert _count(Exchange) == 0
    assert _count(ProgrammeItem) == 0
    assert [event.object_id for event in _audit("delete")] == [draft.id]
    assert len(_audit("delete", "programme_item")) == 1


@pytest.mark.parametrize("status", [s for s in S if s is not S.DRAFT])
def test_only_a_draft_can_be_deleted(app_context, coordinator, status):
    exchange = make.exchange(status=status)
    with pytest.raises(drafts.NotADraft):
        drafts.delete_draft(_loaded(exchange.id), by=coordinator)
    assert _count(Exchange) == 1


def test_the_coordinator_deletes_a_draft_after_confirming(client, coordinator):
    draft = make.exchange(status=S.DRAFT, title="A draft too many")
    make.programme_item(draft)
    login_as(client, coordinator)
    detail = client.get(f"/exchanges/{draft.id}").get_data(as_text=True)
    assert f'href="/exchanges/{draft.id}/delete"' in detail
    confirm = client.get(f"/exchanges/{draft.id}/delete")
    assert confirm.status_code == 200
    page = confirm.get_data(as_text=True)
    assert "This cannot be undone." in page
    assert 'name="csrf_token"' in page
    assert _count(Exchange) == 1  # asking is not deleting
    response = post_form(client, f"/exchanges/{draft.id}/delete")
    assert response.status_code == 302
    assert response.headers["Location"] == "/exchanges/"
    assert _count(Exchange) == 0
    assert "A draft too many is deleted." in client.get("/exchanges/").get_data(as_text=True)


def test_deleting_needs_the_csrf_token(client, coordinator):
    draft = make.exchange(status=S.DRAFT)
    login_as(client, coordinator)
    assert client.post(f"/exchanges/{draft.id}/delete").status_code == 400
    assert _count(Exchange) == 1


def test_an_exchange_that_is_not_a_draft_is_not_deleted(client, coordinator, last_years_exchange):
    login_as(client, coordinator)
    page = client.get(f"/exchanges/{last_years_exchange.id}/delete").get_data(as_text=True)
    assert "Only a draft can be deleted" in page
    assert "Delete the draft</button>" not in page
    response = post_form(client, f"/exchanges/{last_years_exchange.id}/delete")
    assert response.status_code == 409
    assert "Only a draft can be deleted" in response.get_data(as_text=True)
    assert _count(Exchange) == 1
    assert _count(Registration) == 1
