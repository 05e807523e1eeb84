"""Every page runs a fixed number of SQL statements, at most ``BUDGET`` (or its own in ``BUDGETS``),
however much data there is.

Each GET page of the URL map is rendered with real objects (the largest exchange, one of its
participants, its partner…) as an admin, a coordinator, a school representative and, where the
page is public, an anonymous visitor — once on a small data set of the demo generator and once
on one ten times larger. Every statement sent to the database is counted (a
``before_cursor_execute`` listener); the count must be the same for both sizes (no query per
row) and within the budget. A new page must be added to ``_urls`` below, or the test fails.

The data generator's rules (capacity, waiting lists, consents, ages) are checked here too, on
the larger data set, since the budgets and the benchmarks stand on it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import sqlalchemy as sa
import time_machine

from exchange import clock
from exchange.auth.models import User
from exchange.demo import exchanges as demo
from exchange.demo import hosting as hosting_demo
from exchange.demo import letters as letters_demo
from exchange.demo import registrations as registrations_demo
from exchange.demo import travel as travel_demo
from exchange.exchanges import subscriptions
from exchange.exchanges.models import (
    Direction,
    Exchange,
    ExchangeStatus,
    ProgrammeItem,
    exchange_partner,
)
from exchange.extensions import db
from exchange.hosting.models import HostPlacement
from exchange.partners.models import Institution, PartnerCity
from exchange.registrations.models import (
    ADULT_AGE,
    HOLDING_PLACE,
    ConsentRecord,
    Participant,
    Registration,
    RegistrationStatus,
    age_on,
)
from exchange.travel.models import InvitationLetter, TravelLeg
from tests import factories
from tests.helpers import login_as, reset_limits

BUDGET = 15
#: pages allowed more, still a fixed number: a person's access export reads every feature that
#: holds their data (registrations, consents, audit, notifications, host families, travel…),
#: a statement or two per feature through the ``person_exported`` signal; the school's consent
#: forms read, besides the pupils and the trip, the leader it chose and its parents' contribution
BUDGETS = {"registrations.export_person": 20, "paperwork.consent_forms_file": 17}
#: the two data sets: the second has about ten times the exchanges and registrations
YEARS = 3
SMALL, LARGE = 0.04, 0.4
#: never measured: files served as they are
NOT_PAGES = {"static"}


@dataclass
class Objects:
    exchange_id: int
    item_id: int
    leg_id: int
    participant_id: int
    institution_id: int
    slug: str
    year: int
    month: int
    #: a registration on a waiting list (for the page that moves it up by hand)
    waiting_id: int
    #: a public exchange that is not a draft: its public page
    public_exchange_id: int
    school_user_id: int = 0
    #: the school representative's personal calendar link
    calendar_token: str = ""
    #: the exchange with the most guests placed with families, and a family of the school
    hosting_exchange_id: int = 0
    family_id: int = 0
    #: the signed consent form of the participant, and their registration on the exchange
    document_id: int = 0
    registration_id: int = 0
    #: an outgoing trip to an EU partner city, with a pupil of the school, and their place
    eu_exchange_id: int = 0
    eu_registration_id: int = 0
    #: the outgoing exchange with the most people of one Olsztyn school, and that school
    trip_exchange_id: int = 0
    trip_institution_id: int = 0
    #: an insurance policy and a line of the trip accounts of the school on the exchange
    policy_id: int = 0
    line_id: int = 0
    #: an invitation letter (and its exchange) of the demo data
    letter_id: int = 0
    letter_exchange_id: int = 0


def _build(scale: float) -> Objects:
    """The demo data at ``scale``, and the objects the pages are shown with."""
    today = clock.today()
    demo.generate(db.session, seed=11, years=YEARS, today=today, scale=scale)
    registrations_demo.generate(db.session, seed=11, today=today, scale=scale)
    hosting_demo.generate(db.session, seed=11, today=today, scale=scale)
    travel_demo.generate(db.session, seed=11, today=today)
    letters_demo.generate(db.session, today=today)
    db.session.commit()
    exchange_id, _count = db.session.execute(
        sa.select(Registration.exchange_id, sa.func.count())
        .group_by(Registration.exchange_id)
        .order_by(sa.func.count().desc(), Registration.exchange_id)
        .limit(1)
    ).one()
    exchange = db.session.get(Exchange, exchange_id)
    institution_id, participant_id = db.session.execute(
        sa.select(Registration.institution_id, Registration.participant_id)
        .where(Registration.exchange_id == exchange_id)
        .order_by(Registration.id)
        .limit(1)
    ).one()
    slug = db.session.scalar(
        sa.select(PartnerCity.slug)
        .join(exchange_partner, exchange_partner.c.partner_city_id == PartnerCity.id)
        .where(exchange_partner.c.exchange_id == exchange_id)
        .limit(1)
    )
    item_id = db.session.scalar(
        sa.select(sa.func.min(ProgrammeItem.id)).where(ProgrammeItem.exchange_id == exchange_id)
    )
    waiting_id = db.session.scalar(
        sa.select(Registration.id)
        .where(Registration.status == RegistrationStatus.WAITLISTED)
        .order_by(Registration.id)
        .limit(1)
    )
    assert waiting_id is not None, "the demo data has a waiting list"
    public_exchange_id = db.session.scalar(
        sa.select(sa.func.min(Exchange.id)).where(
            Exchange.is_public.is_(True), Exchange.status != ExchangeStatus.DRAFT
        )
    )
    hosting_exchange_id = db.session.scalar(
        sa.select(HostPlacement.exchange_id)
        .group_by(HostPlacement.exchange_id)
        .order_by(sa.func.count().desc(), HostPlacement.exchange_id)
        .limit(1)
    )
    assert hosting_exchange_id is not None, "the demo data matches guests with families"
    school = db.session.get(Institution, institution_id)
    family = factories.host_family(school)
    eu_trip = factories.exchange([factories.partner(country="DE")])
    eu_registration = factories.registration(eu_trip, factories.participant(school))
    leg_id = db.session.scalar(
        sa.select(sa.func.min(TravelLeg.id)).where(TravelLeg.exchange_id == exchange_id)
    )
    participant = db.session.get(Participant, participant_id)
    factories.document(exchange)
    consent_form = factories.document(exchange, participant, name="consent.pdf")
    registration_id = db.session.scalar(
        sa.select(Registration.id).where(
            Registration.exchange_id == exchange_id, Registration.participant_id == participant_id
        )
    )
    trip_exchange_id, trip_institution_id, _count = db.session.execute(
        sa.select(Registration.exchange_id, Registration.institution_id, sa.func.count())
        .join(Exchange, Exchange.id == Registration.exchange_id)
        .join(Institution, Institution.id == Registration.institution_id)
        .where(Exchange.direction == Direction.OUTGOING, Institution.partner_city_id.is_(None))
        .group_by(Registration.exchange_id, Registration.institution_id)
        .order_by(sa.func.count().desc(), Registration.exchange_id, Registration.institution_id)
        .limit(1)
    ).one()
    school = db.session.get(Institution, institution_id)
    policy = factories.insurance_policy(exchange, school)
    line = factories.account_line(exchange, school)
    letter_id, letter_exchange_id = db.session.execute(
        sa.select(InvitationLetter.id, InvitationLetter.exchange_id)
        .order_by(InvitationLetter.id)
        .limit(1)
    ).one()
    return Objects(
        exchange_id,
        item_id,
        leg_id,
        participant_id,
        institution_id,
        slug,
        exchange.start_date.year,
        exchange.start_date.month,
        waiting_id,
        public_exchange_id,
        hosting_exchange_id=hosting_exchange_id,
        family_id=family.id,
        document_id=consent_form.id,
        registration_id=registration_id,
        eu_exchange_id=eu_trip.id,
        eu_registration_id=eu_registration.id,
        trip_exchange_id=trip_exchange_id,
        trip_institution_id=trip_institution_id,
        policy_id=policy.id,
        line_id=line.id,
        letter_id=letter_id,
        letter_exchange_id=letter_exchange_id,
    )


def _urls(o: Objects) -> dict[str, list[str]]:
    """Every GET page, by endpoint, with the objects of the data set."""
    e, p, year = o.exchange_id, o.participant_id, o.year
    t, school = o.trip_exchange_id, o.trip_institution_id
    period = f"date_from={year}-01-01&date_to={year}-12-31"
    return {
        "site.index": ["/"],
        "site.dashboard": ["/dashboard"],
        "site.healthz": ["/healthz"],
        "audit.index": ["/audit/"],
        "notifications.queue": ["/admin/email-queue", "/admin/email-queue?state=failed"],
        "notifications.settings": ["/account/email"],
        "auth.login": ["/login"],
        "auth.accept_invitation": ["/invitation/not-a-token"],
        "auth.forgot_password": ["/password/forgot"],
        "auth.reset_password": ["/password/reset/not-a-token"],
        "auth.change_password": ["/account/password"],
        "auth.account_sessions": ["/account/sessions"],
        "auth.account_data": ["/account/data"],
        "auth.export_own_account": ["/account/data.json"],
        "auth.export_account": [f"/users/{o.school_user_id}/export.json"],
        "auth.users": ["/users/"],
        "auth.create_user": ["/users/new"],
        "auth.edit_user": [f"/users/{o.school_user_id}/edit"],
        "auth.school_accounts": ["/school-accounts/"],
        "auth.invite_school": ["/school-accounts/new"],
        "partners.partners": ["/partners/"],
        "exchanges.partner": [f"/partners/{o.slug}"],
        "partners.create_partner": ["/partners/new"],
        "partners.edit_partner": [f"/partners/{o.slug}/edit"],
        "partners.institutions": ["/institutions/", "/institutions/?page=2"],
        "partners.create_institution": ["/institutions/new"],
        "partners.edit_institution": [f"/institutions/{o.institution_id}/edit"],
        "exchanges.index": [
            "/exchanges/",
            "/exchanges/?show=all&page=2",
            "/exchanges/?show=mine",
            "/exchanges/?show=past",
            f"/exchanges/?year={year}&kind=youth&direction=incoming&q=e",
        ],
        "exchanges.detail": [f"/exchanges/{e}"],
        "exchanges.create": ["/exchanges/new"],
        "exchanges.edit": [f"/exchanges/{e}/edit"],
        "exchanges.copy": [f"/exchanges/{e}/copy"],
        "exchanges.delete": [f"/exchanges/{e}/delete"],
        "exchanges.edit_programme_item": [f"/exchanges/{e}/programme/{o.item_id}/edit"],
        "exchanges.month": [
            "/exchanges/calendar",
            f"/exchanges/calendar?year={year}&month={o.month}",
        ],
        "exchanges.events": ["/events"],
        "exchanges.event": [f"/events/{o.public_exchange_id}"],
        "subscriptions.feed": [f"/calendar/{o.calendar_token}.ics"],
        "exchanges.calendar_feed": ["/calendar.ics"],
        "exchanges.events_feed": ["/events.ics"],
        "subscriptions.archive": [f"/calendar/{year}.ics"],
        "subscriptions.events_archive": [f"/events/{year}.ics"],
        "exchanges.partner_feed": [f"/partners/{o.slug}/calendar.ics"],
        "exchanges.exchange_feed": [f"/exchanges/{e}/calendar.ics"],
        "registrations.participants": ["/participants/", "/participants/?q=nowak&page=2"],
        "registrations.participant": [f"/participants/{p}"],
        "registrations.create_participant": ["/participants/new"],
        "registrations.edit_participant": [f"/participants/{p}/edit"],
        "registrations.export_person": [f"/participants/{p}/export.json"],
        "registrations.import_participants": ["/participants/import"],
        "registrations.import_template": [
            "/participants/import/template.csv",
            "/participants/import/template.xlsx",
        ],
        "registrations.register": [f"/exchanges/{e}/register"],
        "registrations.my_registrations": ["/registrations/", "/registrations/?page=2"],
        "registrations.roster": [f"/exchanges/{e}/roster"],
        "registrations.promote": [f"/registrations/{o.waiting_id}/promote"],
        "registrations.export_roster": [
            f"/exchanges/{e}/roster.csv",
            f"/exchanges/{e}/roster.xlsx",
        ],
        "reports.index": ["/reports/", f"/reports/?{period}&kind=youth"],
        "reports.export_csv": [f"/reports/export/summary.csv?{period}"],
        "reports.export_xlsx": [f"/reports/export/report.xlsx?{period}"],
        "reports.export_pdf": [f"/reports/export/report.pdf?{period}"],
        "reports.grant_pack_pdf": [f"/reports/exchanges/{e}/grant-pack.pdf"],
        "reports.grant_pack_xlsx": [f"/reports/exchanges/{e}/grant-pack.xlsx"],
        "hosting.families": ["/host-families/", "/host-families/?page=2"],
        "hosting.create_family": ["/host-families/new"],
        "hosting.family": [f"/host-families/{o.family_id}"],
        "hosting.edit_family": [f"/host-families/{o.family_id}/edit"],
        "hosting.export_family": [f"/host-families/{o.family_id}/export.json"],
        "hosting.family_sheet": [
            f"/host-families/{o.family_id}/guests.pdf",
            f"/host-families/{o.family_id}/guests.xlsx",
        ],
        "hosting.matching": [f"/exchanges/{o.hosting_exchange_id}/hosting"],
        "hosting.family_list": [
            f"/exchanges/{o.hosting_exchange_id}/hosting/families.pdf",
            f"/exchanges/{o.hosting_exchange_id}/hosting/families.xlsx",
        ],
        "travel.exchange_travel": [f"/exchanges/{e}/travel"],
        "travel.create_leg": [f"/exchanges/{e}/legs/new"],
        "travel.edit_leg": [f"/legs/{o.leg_id}/edit"],
        "travel.leg_travellers": [f"/legs/{o.leg_id}/travellers"],
        "travel.manifest": [f"/legs/{o.leg_id}/manifest.pdf", f"/legs/{o.leg_id}/manifest.xlsx"],
        "travel.identity_document": [f"/participants/{p}/identity-document"],
        "travel.exchange_rooms": [f"/exchanges/{e}/rooms"],
        "travel.rooming_list": [f"/exchanges/{e}/rooming.pdf", f"/exchanges/{e}/rooming.xlsx"],
        "documents.exchange_documents": [f"/exchanges/{e}/documents"],
        "documents.upload": [f"/exchanges/{e}/documents/new"],
        "documents.download": [f"/documents/{o.document_id}"],
        "documents.delete": [f"/documents/{o.document_id}/delete"],
        "documents.consent_form": [f"/registrations/{o.registration_id}/consent-form"],
        "paperwork.eu_papers": [f"/exchanges/{o.eu_exchange_id}/eu-papers/{o.institution_id}"],
        "paperwork.eu_list_file": [
            f"/exchanges/{o.eu_exchange_id}/eu-list/{o.institution_id}.pdf",
            f"/exchanges/{o.eu_exchange_id}/eu-list/{o.institution_id}.xlsx",
        ],
        "paperwork.consent_forms_file": [
            f"/exchanges/{o.eu_exchange_id}/consent-forms/{o.institution_id}.pdf"
        ],
        "paperwork.consent_form_file": [f"/registrations/{o.eu_registration_id}/consent-form.pdf"],
        "paperwork.trip_schools": [f"/exchanges/{t}/paperwork"],
        "paperwork.trip_paperwork": [f"/exchanges/{t}/paperwork/{school}"],
        "paperwork.trip_card_pdf": [
            f"/exchanges/{t}/trip-card/{school}.pdf",
            f"/exchanges/{t}/trip-card/{school}.pdf?lang=en",
        ],
        "paperwork.participant_list": [
            f"/exchanges/{t}/participant-list/{school}.pdf",
            f"/exchanges/{t}/participant-list/{school}.xlsx",
        ],
        "paperwork.superintendent_notice": [f"/exchanges/{t}/superintendent-notice/{school}.pdf"],
        "paperwork.insurance_overview": [f"/exchanges/{e}/insurance"],
        "paperwork.create_policy": [f"/exchanges/{e}/insurance/{o.institution_id}/new"],
        "paperwork.edit_policy": [f"/insurance/{o.policy_id}/edit"],
        "paperwork.insured_list": [f"/insurance/{o.policy_id}/insured.xlsx"],
        "paperwork.accounts": [f"/exchanges/{e}/accounts/{o.institution_id}"],
        "paperwork.accounts_export": [
            f"/exchanges/{e}/accounts/{o.institution_id}.pdf",
            f"/exchanges/{e}/accounts/{o.institution_id}.xlsx",
        ],
        "paperwork.edit_account_line": [f"/account-lines/{o.line_id}/edit"],
        "travel.letter_settings": ["/letters/settings"],
        "travel.create_letter": [f"/exchanges/{o.letter_exchange_id}/letters/new"],
        "travel.letter_download": [f"/letters/{o.letter_id}.pdf"],
        "travel.emergency_sheet": [
            f"/exchanges/{e}/emergency-sheet.pdf",
            f"/exchanges/{e}/emergency-sheet.pdf?group={o.institution_id}",
            f"/exchanges/{o.hosting_exchange_id}/emergency-sheet.pdf",
        ],
    }


@contextmanager
def _counting() -> Iterator[list[str]]:
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)


def _measure(app, objects: Objects) -> dict[tuple[str, str], tuple[int, int]]:
    """(role, endpoint#n) → (status code, statements) for every page (its n-th URL) and role."""
    from tests.test_url_map import PUBLIC_ENDPOINTS

    school = factories.user(
        role="school", email="school@example.org", institution_id=objects.institution_id
    )
    objects.school_user_id = school.id
    objects.calendar_token = subscriptions.make_subscription(school)
    users = {
        "admin": factories.user(role="admin", email="admin@example.org"),
        "coordinator": factories.user(role="coordinator", email="coord@example.org"),
        "school": school,
        "anonymous": None,
    }
    db.session.commit()
    urls = _urls(objects)
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules() if "GET" in rule.methods}
    missing = endpoints - set(urls) - NOT_PAGES
    assert not missing, f"pages without a query budget (add them to _urls): {sorted(missing)}"

    results = {}
    # the clock stands still while pages are measured: the time of a session's last request
    # is written at most once a minute, and that write must not land on a page at random
    with time_machine.travel(clock.now(), tick=False):
        for role, user in users.items():
            client = app.test_client()
            if user is not None:
                login_as(client, db.session.get(User, user.id))
            for endpoint, addresses in urls.items():
                if user is None and endpoint not in PUBLIC_ENDPOINTS:
                    continue
                for number, url in enumerate(addresses):
                    with _counting() as statements:
                        response = client.get(url)
                    key = (role, f"{endpoint}#{number}")
                    results[key] = (response.status_code, len(statements))
                    assert response.status_code < 500, (role, url)
    return results


def _empty_database() -> None:
    reset_limits()
    db.session.remove()
    with db.engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            names = ", ".join(f'"{table.name}"' for table in db.metadata.sorted_tables)
            connection.exec_driver_sql(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
        else:
            for table in reversed(db.metadata.sorted_tables):
                connection.execute(table.delete())


def _check_generated_rules() -> None:
    """Places within capacity and quota, nobody twice, a consent for each minor, ages in range."""
    holding = Registration.status.in_(HOLDING_PLACE)
    over_capacity = db.session.execute(
        sa.select(Registration.exchange_id)
        .join(Exchange, Exchange.id == Registration.exchange_id)
        .where(holding)
        .group_by(Registration.exchange_id, Exchange.capacity)
        .having(sa.func.count() > Exchange.capacity)
    ).all()
    assert over_capacity == []
    over_quota = db.session.execute(
        sa.select(Registration.exchange_id)
        .join(Exchange, Exchange.id == Registration.exchange_id)
        .where(holding, Exchange.institution_quota.is_not(None))
        .group_by(Registration.exchange_id, Registration.institution_id, Exchange.institution_quota)
        .having(sa.func.count() > Exchange.institution_quota)
    ).all()
    assert over_quota == []
    twice = db.session.execute(
        sa.select(Registration.exchange_id, Registration.participant_id)
        .group_by(Registration.exchange_id, Registration.participant_id)
        .having(sa.func.count() > 1)
    ).all()
    assert twice == []
    consented = set(db.session.scalars(sa.select(ConsentRecord.participant_id)))
    rows = db.session.execute(
        sa.select(
            Participant.id,
            Participant.role,
            Participant.date_of_birth,
            Exchange.start_date,
            Exchange.min_age,
            Exchange.max_age,
            Registration.status,
        )
        .join(Registration, Registration.participant_id == Participant.id)
        .join(Exchange, Exchange.id == Registration.exchange_id)
    ).all()
    assert rows
    for person, role, born, start, low, high, status in rows:
        age = age_on(born, start)
        assert age >= ADULT_AGE or person in consented
        if role.value not in ("teacher", "staff"):
            assert low is None or age >= low
            assert high is None or age <= high
        if start > clock.today():
            assert status in (
                RegistrationStatus.CONFIRMED,
                RegistrationStatus.WAITLISTED,
                RegistrationStatus.CANCELLED,
            )


def test_pages_run_the_same_few_statements_on_small_and_large_data(app, app_context):
    small = _measure(app, _build(SMALL))
    small_exchanges = db.session.scalar(sa.select(sa.func.count()).select_from(Exchange))
    _empty_database()
    large = _measure(app, _build(LARGE))
    large_exchanges = db.session.scalar(sa.select(sa.func.count()).select_from(Exchange))
    assert large_exchanges >= 8 * small_exchanges
    _check_generated_rules()

    problems = []
    for key, (status, count) in sorted(large.items()):
        small_status, small_count = small[key]
        budget = BUDGETS.get(key[1].partition("#")[0], BUDGET)
        if count > budget:
            problems.append(f"{key}: {count} statements (budget {budget})")
        if count != small_count:
            problems.append(f"{key}: {small_count} statements on small data, {count} on large")
        if status != small_status:
            problems.append(f"{key}: {small_status} on small data, {status} on large")
    assert not problems, "\n".join(problems)
