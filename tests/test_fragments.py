"""The exchanges list is kept until the data changes (exchange/core/fragments.py): a second
reading costs one statement, and no change — through a form, a service, a bulk statement, on
another server — ever leaves an older list on screen."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
import time_machine
from flask import current_app

from exchange import clock, create_app
from exchange.audit.models import AuditEvent
from exchange.core.fragments import current_generation
from exchange.core.models import DataGeneration
from exchange.exchanges.models import Exchange, ExchangeStatus
from exchange.extensions import db
from tests import factories
from tests.helpers import login_as, make_config, post_form, sent_statements


def _list(client, query: str = "") -> str:
    response = client.get(f"/exchanges/{query}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_a_second_reading_is_kept_and_costs_one_statement(client, coordinator):
    factories.exchange(title="Choir to Offenburg")
    login_as(client, coordinator)
    with sent_statements() as first:
        page = _list(client)
    with sent_statements() as second:
        again = _list(client)
    assert "Choir to Offenburg" in page
    assert again == page
    # the session and the user, then the generation: nothing of the list itself
    list_statements = [s for s in second if "exchange" in s.lower()]
    assert list_statements == [], list_statements
    assert len(second) < len(first)
    assert any("data_generation" in s for s in second)


def test_a_change_through_the_form_is_on_the_next_list(client, coordinator):
    exchange = factories.exchange(title="Choir to Offenburg")
    login_as(client, coordinator)
    assert "Choir to Offenburg" in _list(client)
    form = client.get(f"/exchanges/{exchange.id}/edit")
    assert form.status_code == 200
    data = factories.form_data(exchange.partners, title="Orchestra to Offenburg")
    data.update(
        start_date=exchange.start_date.isoformat(),
        end_date=exchange.end_date.isoformat(),
        registration_closes=(exchange.start_date - timedelta(days=1)).isoformat(),
    )
    response = post_form(client, f"/exchanges/{exchange.id}/edit", data)
    assert response.status_code == 302, response.get_data(as_text=True)
    page = _list(client)
    assert "Orchestra to Offenburg" in page
    assert "Choir to Offenburg" not in page


def test_a_bulk_statement_moves_the_generation_on(client, coordinator):
    exchange = factories.exchange(title="Choir to Offenburg")
    login_as(client, coordinator)
    assert "Choir to Offenburg" in _list(client)
    db.session.execute(
        sa.update(Exchange).where(Exchange.id == exchange.id).values(title="Band to Lutsk")
    )
    db.session.commit()
    assert "Band to Lutsk" in _list(client)


def test_a_registration_changes_the_places_shown(client, coordinator):
    exchange = factories.exchange(capacity=10)
    login_as(client, coordinator)
    assert "10 left" in _list(client)
    factories.registration(exchange, factories.participant())
    assert "9 left" in _list(client)


def test_what_no_page_shows_keeps_the_fragments(app_context, coordinator):
    factories.exchange()
    before = current_generation()
    assert before is not None
    db.session.add(AuditEvent(action="test.nothing_shown"))
    db.session.commit()
    assert current_generation() == before
    factories.exchange()
    assert current_generation() == before + 1


def test_a_rolled_back_change_does_not_move_it(app_context):
    factories.exchange()
    before = current_generation()
    factories.exchange(commit=False)
    db.session.rollback()
    db.session.commit()
    assert current_generation() == before


def test_each_viewer_has_their_own_list(client, coordinator, school_user):
    factories.exchange(title="Draft for the council", status=ExchangeStatus.DRAFT)
    school = current_app.test_client()
    login_as(client, coordinator)
    login_as(school, school_user)
    assert "Draft for the council" in _list(client)
    assert "Draft for the council" not in _list(school)


def test_the_language_and_the_query_are_part_of_the_key(client, coordinator):
    factories.exchange(title="Choir to Offenburg")
    factories.exchange(title="Band to Lutsk")
    login_as(client, coordinator)
    assert "Band to Lutsk" in _list(client)
    filtered = _list(client, "?q=Choir")
    assert "Choir to Offenburg" in filtered
    assert "Band to Lutsk" not in filtered
    client.set_cookie("lang", "pl")
    assert "<h1>Wymiany</h1>" in _list(client)
    client.set_cookie("lang", "en")
    assert "<h1>Exchanges</h1>" in _list(client)


def test_the_next_day_is_rendered_afresh(client, coordinator):
    """Ten minutes before midnight and five after, with no change to the data in between."""
    late = clock.end_of_day(clock.today()) - timedelta(minutes=10)
    with time_machine.travel(late, tick=True):
        closes = clock.today() + timedelta(days=3)
        factories.exchange(registration_opens=clock.today(), registration_closes=closes)
        login_as(client, coordinator)
        assert "closes in 3 days" in _list(client)
    with time_machine.travel(late + timedelta(minutes=15), tick=True):
        assert "closes in 2 days" in _list(client)


def test_an_emptied_table_starts_at_a_number_no_fragment_has(client, coordinator):
    """The generation's row is made again at a random number: a list kept before the data
    was emptied (a restore, a test's clean-up) cannot come back."""
    factories.exchange(title="Choir to Offenburg")
    login_as(client, coordinator)
    assert "Choir to Offenburg" in _list(client)
    old = current_generation()
    db.session.commit()  # end this session's reading before another connection writes
    with db.engine.begin() as connection:  # a restore of the database, say
        connection.execute(sa.delete(DataGeneration))
    factories.exchange(title="Band to Lutsk")  # the first change makes the row again
    new = current_generation()
    assert new is not None
    assert new not in (old, old + 1)
    assert "Band to Lutsk" in _list(client)


def test_no_fragment_is_kept_before_the_first_change(client, coordinator):
    login_as(client, coordinator)
    db.session.commit()  # end this session's reading before another connection writes
    with db.engine.begin() as connection:  # as if the row had never been made
        connection.execute(sa.delete(DataGeneration))
    assert current_generation() is None
    assert "0 exchanges" in _list(client)
    with sent_statements() as second:
        _list(client)
    assert any("FROM exchange" in s for s in second)


def test_a_change_on_another_server_is_seen_at_once(client, coordinator, app, tmp_path):
    """Two apps on one database, as two servers behind a load balancer: each keeps its own
    fragments, and the generation they share tells both of a change."""
    exchange_id = factories.exchange(title="Choir to Offenburg").id
    login_as(client, coordinator)
    assert "Choir to Offenburg" in _list(client)
    other = create_app(make_config(app.config["SQLALCHEMY_DATABASE_URI"], tmp_path))
    with other.app_context():
        db.session.execute(
            sa.update(Exchange).where(Exchange.id == exchange_id).values(title="Band to Lutsk")
        )
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    assert "Band to Lutsk" in _list(client)


def test_the_cache_can_be_turned_off(client, coordinator, monkeypatch):
    factories.exchange(title="Choir to Offenburg")
    login_as(client, coordinator)
    monkeypatch.setattr(current_app.extensions["fragments"], "size", 0)
    _list(client)
    with sent_statements() as second:
        _list(client)
    assert any("FROM exchange" in s for s in second)


def test_the_reports_institutions_are_kept_until_one_is_added(client, coordinator):
    """The report's filter lists every institution (two thousand at 25 years): read once,
    read again after a change; a new one can be chosen at once, an unknown one cannot."""
    factories.institution(name="Szkoła Podstawowa nr 1")
    login_as(client, coordinator)
    period = "date_from=2026-01-01&date_to=2026-12-31"
    assert "Szkoła Podstawowa nr 1" in client.get(f"/reports/?{period}").get_data(as_text=True)
    added = factories.institution(name="Zespół Szkół Elektronicznych")
    page = client.get(f"/reports/?{period}&institution={added.id}")
    assert page.status_code == 200
    assert f'<option selected value="{added.id}">Zespół Szkół Elektronicznych' in page.get_data(
        as_text=True
    )
    unknown = client.get(f"/reports/?{period}&institution={added.id + 1000}")
    assert "Not a valid choice." in unknown.get_data(as_text=True)


def test_a_value_set_to_what_it_was_changes_nothing(app_context):
    exchange = factories.exchange(title="Choir to Offenburg")
    before = current_generation()
    exchange.title = exchange.title  # loaded, then set to the same: no UPDATE is sent
    db.session.commit()
    assert current_generation() == before
    exchange.title = "Band to Lutsk"
    db.session.commit()
    assert current_generation() == before + 1
