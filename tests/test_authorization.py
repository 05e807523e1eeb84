"""Who may do what: one table of rules, checked against every rule of the URL map.

Every endpoint (but ``static``), with every method it accepts (GET, POST), is requested by every
role — an anonymous visitor, a school representative, a coordinator and an admin — with its URL
filled from real objects. Where the URL names an object that belongs to someone, the request is
made twice: with an object of the school representative's own school and with one of another
school (participants, registrations, consents); with an exchange that schools may see and with
a draft; with a school account and with a staff account.

POSTs carry a valid CSRF token and an empty form, so they are checked for permission, not for
their content; a refused POST must leave every table as it was. Each POST case gets objects of
its own, so one that deletes or erases something cannot spoil a later case (GETs share theirs).
Pages a school representative or a visitor may read must not show a draft's title or another
school's pupil.

A new endpoint fails ``test_the_table_covers_every_endpoint`` until it has a line in ``RULES``.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field
from unittest import mock
from urllib.parse import parse_qs, urlsplit

import pytest
import sqlalchemy as sa

from exchange.audit.models import AuditEvent, RefusedRequests
from exchange.auth import services as auth_services
from exchange.auth.models import User, UserSession
from exchange.exchanges import subscriptions
from exchange.exchanges.models import ExchangeStatus
from exchange.extensions import db
from exchange.notifications.models import DeliveryState, Notification, NotificationKind
from exchange.registrations.models import Registration, RegistrationStatus
from exchange.reports.types import TABLE_KEYS
from tests import factories
from tests.helpers import login_as, post_form, reset_limits

# --- the table ------------------------------------------------------------------------------

#: allowed: 200 or a redirect (a POST with an empty form may also answer 400 or 422)
ALLOW = "allow"
#: refused for the role: 403
DENY = "403"
#: another school's object, or a draft for a school: 404, as if it did not exist
HIDDEN = "404 hidden"
#: the object is not one this user may act on at all (e.g. a staff account's invitation): 404
MISSING = "404 missing object"
#: not logged in: a redirect to the login page, which comes back here afterwards
LOGIN = "login"
#: allowed for the role, but the object's state refuses it (deleting an exchange that is not
#: a draft): 409, nothing changed
CONFLICT = "409 conflict"

ROLES = ("anonymous", "school", "coordinator", "admin")

#: URL arguments naming an object, and the two kinds of object each is tried with: the first
#: (own school / visible exchange / school account) and the second (another school's / a draft
#: / a staff account). A role's outcome may be a pair, one for each.
VARIANTS = {
    "participant_id": ("own", "other"),
    "registration_id": ("own", "other"),
    "consent_id": ("own", "other"),
    "family_id": ("own", "other"),
    "document_id": ("own", "other"),
    "exchange_id": ("visible", "draft"),
    "user_id": ("school_account", "staff_account"),
    "policy_id": ("own", "other"),
    "line_id": ("own", "other"),
}

Outcome = str | tuple[str, str]


@dataclass(frozen=True)
class Rule:
    anonymous: Outcome
    school: Outcome
    coordinator: Outcome
    admin: Outcome
    #: URL arguments that are not objects, each with the values to try (one case each)
    values: dict[str, tuple[str, ...]] = field(default_factory=dict)


PUBLIC = Rule(ALLOW, ALLOW, ALLOW, ALLOW)
LOGGED_IN = Rule(LOGIN, ALLOW, ALLOW, ALLOW)
STAFF = Rule(LOGIN, DENY, ALLOW, ALLOW)
ADMIN = Rule(LOGIN, DENY, DENY, ALLOW)
SCHOOL = Rule(LOGIN, ALLOW, DENY, DENY)
#: everybody logged in, a school for its own objects and exchanges it may see
OWN = Rule(LOGIN, (ALLOW, HIDDEN), ALLOW, ALLOW)

FORMATS = {"fmt": ("csv", "xlsx")}
DOCUMENTS = {"fmt": ("pdf", "xlsx")}

RULES: dict[tuple[str, str], Rule] = {
    # home, dashboard, health, language, account
    ("site.index", "GET"): PUBLIC,
    ("site.healthz", "GET"): PUBLIC,
    ("site.set_language", "POST"): PUBLIC,
    ("site.set_display", "POST"): PUBLIC,
    ("site.dashboard", "GET"): LOGGED_IN,
    ("auth.login", "GET"): PUBLIC,
    ("auth.login", "POST"): PUBLIC,
    ("auth.logout", "POST"): LOGGED_IN,
    ("auth.change_password", "GET"): LOGGED_IN,
    ("auth.change_password", "POST"): LOGGED_IN,
    ("auth.account_sessions", "GET"): LOGGED_IN,
    ("auth.end_other_sessions", "POST"): LOGGED_IN,
    # the session in the URL is the admin's: nobody else may end it, as if it did not exist
    ("auth.end_session", "POST"): Rule(LOGIN, MISSING, MISSING, ALLOW),
    ("auth.forgot_password", "GET"): PUBLIC,
    ("auth.forgot_password", "POST"): PUBLIC,
    # the one-time links work for whoever holds them (they are the secret)
    ("auth.reset_password", "GET"): PUBLIC,
    ("auth.reset_password", "POST"): PUBLIC,
    ("auth.accept_invitation", "GET"): PUBLIC,
    ("auth.accept_invitation", "POST"): PUBLIC,
    # user accounts: admins; school accounts and their invitations: staff
    ("auth.users", "GET"): ADMIN,
    ("auth.create_user", "GET"): ADMIN,
    ("auth.create_user", "POST"): ADMIN,
    ("auth.edit_user", "GET"): ADMIN,
    ("auth.edit_user", "POST"): ADMIN,
    ("auth.set_user_active", "POST"): ADMIN,
    # one's own data for oneself (no id in the URL); anyone's for an admin (a GDPR request)
    ("auth.account_data", "GET"): LOGGED_IN,
    ("auth.export_own_account", "GET"): LOGGED_IN,
    ("auth.export_account", "GET"): ADMIN,
    ("auth.school_accounts", "GET"): STAFF,
    ("auth.invite_school", "GET"): STAFF,
    ("auth.invite_school", "POST"): STAFF,
    # a coordinator may renew a school's invitation, never a staff account's (a takeover)
    ("auth.renew_invitation", "POST"): Rule(LOGIN, DENY, (ALLOW, MISSING), ALLOW),
    ("audit.index", "GET"): ADMIN,
    # the e-mail queue (every message sent, to anyone) is the admins'; settings are one's own
    ("notifications.queue", "GET"): ADMIN,
    ("notifications.retry", "POST"): ADMIN,
    ("notifications.settings", "GET"): LOGGED_IN,
    ("notifications.settings", "POST"): LOGGED_IN,
    # partner cities: public pages, admins edit
    ("partners.partners", "GET"): PUBLIC,
    ("exchanges.partner", "GET"): PUBLIC,
    ("exchanges.partner_feed", "GET"): PUBLIC,
    ("partners.create_partner", "GET"): ADMIN,
    ("partners.create_partner", "POST"): ADMIN,
    ("partners.edit_partner", "GET"): ADMIN,
    ("partners.edit_partner", "POST"): ADMIN,
    # institutions: staff
    ("partners.institutions", "GET"): STAFF,
    ("partners.create_institution", "GET"): STAFF,
    ("partners.create_institution", "POST"): STAFF,
    ("partners.edit_institution", "GET"): STAFF,
    ("partners.edit_institution", "POST"): STAFF,
    ("partners.set_institution_active", "POST"): STAFF,
    # exchanges: public events; logged-in users read all but drafts; staff edit
    ("exchanges.events", "GET"): PUBLIC,
    ("exchanges.events_feed", "GET"): PUBLIC,
    # a public exchange's page: the same for everyone, and a draft is not found by anyone
    ("exchanges.event", "GET"): Rule(*[(ALLOW, HIDDEN)] * 4),
    # a personal calendar link works for whoever holds it (it is the secret); it is the
    # school representative's, so it never shows a draft
    ("subscriptions.feed", "GET"): PUBLIC,
    # the yearly archives of the feeds: the public one for everyone, the full one logged in
    ("subscriptions.events_archive", "GET"): Rule(*[ALLOW] * 4, values={"year": ("2025",)}),
    ("subscriptions.archive", "GET"): Rule(LOGIN, *[ALLOW] * 3, values={"year": ("2025",)}),
    ("subscriptions.create", "POST"): LOGGED_IN,
    ("subscriptions.revoke", "POST"): LOGGED_IN,
    ("exchanges.index", "GET"): LOGGED_IN,
    ("exchanges.month", "GET"): LOGGED_IN,
    ("exchanges.calendar_feed", "GET"): LOGGED_IN,
    ("exchanges.detail", "GET"): OWN,
    ("exchanges.exchange_feed", "GET"): OWN,
    ("exchanges.create", "GET"): STAFF,
    ("exchanges.create", "POST"): STAFF,
    ("exchanges.edit", "GET"): STAFF,
    ("exchanges.edit", "POST"): STAFF,
    # "cancel" is allowed from a draft and from an open exchange: without a reason it is 422
    ("exchanges.change_status", "POST"): Rule(LOGIN, DENY, ALLOW, ALLOW, {"action": ("cancel",)}),
    ("exchanges.add_programme_item", "POST"): STAFF,
    ("exchanges.edit_programme_item", "GET"): STAFF,
    ("exchanges.edit_programme_item", "POST"): STAFF,
    ("exchanges.delete_programme_item", "POST"): STAFF,
    ("exchanges.copy", "GET"): STAFF,
    ("exchanges.copy", "POST"): STAFF,
    # the confirmation page says when an exchange cannot be deleted; only a draft is deleted
    ("exchanges.delete", "GET"): STAFF,
    ("exchanges.delete", "POST"): Rule(LOGIN, DENY, (CONFLICT, ALLOW), (CONFLICT, ALLOW)),
    # participants: a school its own, staff all
    ("registrations.participants", "GET"): LOGGED_IN,
    ("registrations.create_participant", "GET"): LOGGED_IN,
    ("registrations.create_participant", "POST"): LOGGED_IN,
    ("registrations.participant", "GET"): OWN,
    ("registrations.edit_participant", "GET"): OWN,
    ("registrations.edit_participant", "POST"): OWN,
    ("registrations.delete_participant", "POST"): OWN,
    ("registrations.record_consent", "POST"): OWN,
    ("registrations.withdraw_consent", "POST"): OWN,
    ("registrations.export_person", "GET"): OWN,
    ("registrations.erase_person", "POST"): STAFF,
    # importing: a school into its own institution, staff into the one they choose
    ("registrations.import_participants", "GET"): LOGGED_IN,
    ("registrations.import_participants", "POST"): LOGGED_IN,
    ("registrations.import_template", "GET"): Rule(LOGIN, ALLOW, ALLOW, ALLOW, FORMATS),
    # registrations
    ("registrations.register", "GET"): OWN,
    ("registrations.register", "POST"): OWN,
    ("registrations.my_registrations", "GET"): LOGGED_IN,
    ("registrations.withdraw", "POST"): OWN,
    ("registrations.roster", "GET"): STAFF,
    ("registrations.export_roster", "GET"): Rule(LOGIN, DENY, ALLOW, ALLOW, FORMATS),
    ("registrations.mark_attendance", "POST"): STAFF,
    ("registrations.mark_all_present", "POST"): STAFF,
    ("registrations.promote", "GET"): STAFF,
    ("registrations.promote", "POST"): STAFF,
    # host families: a school its own, staff all; matching and the family sheets (guests'
    # health notes): staff
    ("hosting.families", "GET"): LOGGED_IN,
    ("hosting.create_family", "GET"): LOGGED_IN,
    ("hosting.create_family", "POST"): LOGGED_IN,
    ("hosting.family", "GET"): OWN,
    ("hosting.edit_family", "GET"): OWN,
    ("hosting.edit_family", "POST"): OWN,
    ("hosting.delete_family", "POST"): OWN,
    ("hosting.export_family", "GET"): OWN,
    ("hosting.erase_family", "POST"): STAFF,
    ("hosting.family_sheet", "GET"): Rule(LOGIN, DENY, ALLOW, ALLOW, DOCUMENTS),
    ("hosting.matching", "GET"): STAFF,
    ("hosting.save_plan", "POST"): STAFF,
    ("hosting.suggest", "POST"): STAFF,
    ("hosting.place", "POST"): STAFF,
    ("hosting.pin", "POST"): STAFF,
    ("hosting.family_list", "GET"): Rule(LOGIN, DENY, ALLOW, ALLOW, DOCUMENTS),
    # reports: everybody logged in (a school's figures are its own); grant packs name people
    ("reports.index", "GET"): LOGGED_IN,
    ("reports.export_csv", "GET"): Rule(LOGIN, ALLOW, ALLOW, ALLOW, {"table": TABLE_KEYS}),
    ("reports.export_xlsx", "GET"): LOGGED_IN,
    ("reports.export_pdf", "GET"): LOGGED_IN,
    ("reports.grant_pack_pdf", "GET"): STAFF,
    ("reports.grant_pack_xlsx", "GET"): STAFF,
    # travel: a school reads the legs of exchanges it may see, with its own travellers only;
    # city hall manages legs and rooms; a school edits its own people's identity documents
    ("travel.exchange_travel", "GET"): OWN,
    ("travel.create_leg", "GET"): STAFF,
    ("travel.create_leg", "POST"): STAFF,
    ("travel.edit_leg", "GET"): STAFF,
    ("travel.edit_leg", "POST"): STAFF,
    ("travel.delete_leg", "POST"): STAFF,
    ("travel.leg_travellers", "GET"): STAFF,
    ("travel.leg_travellers", "POST"): STAFF,
    ("travel.manifest", "GET"): Rule(LOGIN, DENY, ALLOW, ALLOW, DOCUMENTS),
    ("travel.identity_document", "GET"): OWN,
    ("travel.identity_document", "POST"): OWN,
    ("travel.delete_identity_document", "POST"): OWN,
    ("travel.exchange_rooms", "GET"): STAFF,
    ("travel.create_room", "POST"): STAFF,
    ("travel.delete_room", "POST"): STAFF,
    ("travel.add_occupant", "POST"): STAFF,
    ("travel.remove_occupant", "POST"): STAFF,
    ("travel.add_guardian", "POST"): STAFF,
    ("travel.remove_guardian", "POST"): STAFF,
    ("travel.rooming_list", "GET"): Rule(LOGIN, DENY, ALLOW, ALLOW, DOCUMENTS),
    # documents: whoever reads the exchange reads its documents, city hall uploads them; a
    # signed consent form (the document in these URLs) is city hall's and the person's school's
    ("documents.exchange_documents", "GET"): OWN,
    ("documents.upload", "GET"): STAFF,
    ("documents.upload", "POST"): STAFF,
    ("documents.download", "GET"): OWN,
    ("documents.delete", "GET"): OWN,
    ("documents.delete", "POST"): OWN,
    ("documents.consent_form", "GET"): OWN,
    ("documents.consent_form", "POST"): OWN,
    # the EU list of travellers and the consent forms: city hall and the school itself (the
    # matrix's school is another school: hidden); a pupil's form for their own school only
    ("paperwork.eu_papers", "GET"): Rule(LOGIN, HIDDEN, ALLOW, ALLOW),
    ("paperwork.eu_list_file", "GET"): Rule(LOGIN, HIDDEN, ALLOW, ALLOW, DOCUMENTS),
    ("paperwork.consent_forms_file", "GET"): Rule(LOGIN, HIDDEN, ALLOW, ALLOW),
    ("paperwork.consent_form_file", "GET"): OWN,
    # a school's trip papers: city hall any Olsztyn school's, a school its own; the URL names
    # another school's (``fill`` gives the other school's id), so a school is not found
    ("paperwork.trip_schools", "GET"): OWN,
    ("paperwork.trip_paperwork", "GET"): Rule(LOGIN, HIDDEN, ALLOW, ALLOW),
    ("paperwork.trip_paperwork", "POST"): Rule(LOGIN, HIDDEN, ALLOW, ALLOW),
    ("paperwork.trip_card_pdf", "GET"): Rule(LOGIN, HIDDEN, ALLOW, ALLOW),
    ("paperwork.participant_list", "GET"): Rule(LOGIN, HIDDEN, ALLOW, ALLOW, DOCUMENTS),
    ("paperwork.superintendent_notice", "GET"): Rule(LOGIN, HIDDEN, ALLOW, ALLOW),
    # insurance and trip accounts: city hall every school's, a school its own institution's
    # (the <institution_id> of these URLs is another school's)
    ("paperwork.insurance_overview", "GET"): OWN,
    ("paperwork.create_policy", "GET"): Rule(LOGIN, HIDDEN, ALLOW, ALLOW),
    ("paperwork.create_policy", "POST"): Rule(LOGIN, HIDDEN, ALLOW, ALLOW),
    ("paperwork.edit_policy", "GET"): OWN,
    ("paperwork.edit_policy", "POST"): OWN,
    ("paperwork.delete_policy", "POST"): OWN,
    ("paperwork.insured_list", "GET"): OWN,
    ("paperwork.accounts", "GET"): Rule(LOGIN, HIDDEN, ALLOW, ALLOW),
    ("paperwork.accounts", "POST"): Rule(LOGIN, HIDDEN, ALLOW, ALLOW),
    ("paperwork.accounts_export", "GET"): Rule(LOGIN, HIDDEN, ALLOW, ALLOW, DOCUMENTS),
    ("paperwork.edit_account_line", "GET"): OWN,
    ("paperwork.edit_account_line", "POST"): OWN,
    ("paperwork.delete_account_line", "POST"): OWN,
    # invitation letters: city hall issues them, an admin sets their letterhead and numbering;
    # the emergency sheet: a school its own group of an exchange it may see, staff every group
    ("travel.letter_settings", "GET"): ADMIN,
    ("travel.letter_settings", "POST"): ADMIN,
    ("travel.create_letter", "GET"): STAFF,
    ("travel.create_letter", "POST"): STAFF,
    ("travel.letter_download", "GET"): STAFF,
    ("travel.emergency_sheet", "GET"): OWN,
}


# --- the objects the URLs are filled from ---------------------------------------------------

#: texts a school representative and an anonymous visitor must never see
DRAFT_TITLE = "Unannounced exchange Quokka"
OTHER_SCHOOL_PUPIL = "Wombatowska"
#: the identity document number of the other school's pupil
OTHER_SCHOOL_DOCUMENT = "ZQ7654321"


@dataclass
class World:
    """Ids and strings only: the test's objects are expired after every request."""

    users: dict[str, int]
    ids: dict[str, dict[str, int]]
    institution_id: int
    slug: str
    tokens: dict[str, str]
    #: a session of the admin's, on another device
    session_id: int
    #: a failed e-mail to the coordinator
    notification_id: int


def build_world() -> World:
    """The objects of one case, committed together.

    The factories commit each object; here they only flush, and the world is committed once:
    five times faster on PostgreSQL, where every commit waits for the disk.
    """
    with mock.patch.object(db.session, "commit", db.session.flush):
        world = _build_world()
    db.session.commit()
    return world


def _build_world() -> World:
    partner = factories.partner()
    own_school = factories.institution()
    other_school = factories.institution()
    admin = factories.user(role="admin")
    coordinator = factories.user(role="coordinator")
    representative = factories.user(role="school", institution=own_school)
    # invited, no password yet: the only kind of account an invitation link can be made for
    other_representative = factories.user(role="school", institution=other_school, password=None)
    visible = factories.exchange([partner], status=ExchangeStatus.REGISTRATION_OPEN, is_public=True)
    draft = factories.exchange([partner], status=ExchangeStatus.DRAFT, title=DRAFT_TITLE)
    items = {
        "visible": factories.programme_item(visible),
        "draft": factories.programme_item(draft),
    }
    pupils = {
        "own": factories.participant(own_school, last_name="Ownschoolska"),
        "other": factories.participant(other_school, last_name=OTHER_SCHOOL_PUPIL),
    }
    families = {
        "own": factories.host_family(own_school, family_name="Ownschoolscy"),
        # another school's family must not show in a school's pages either
        "other": factories.host_family(other_school, family_name=OTHER_SCHOOL_PUPIL),
    }
    registrations = {}
    for key, pupil in pupils.items():
        registrations[key] = Registration(
            exchange_id=visible.id,
            participant_id=pupil.id,
            institution_id=pupil.institution_id,
            status=RegistrationStatus.CONFIRMED,
            registered_by_id=admin.id,
            status_changed_by_id=admin.id,
        )
        db.session.add(registrations[key])
    db.session.flush()
    leg = factories.travel_leg(visible, travellers=list(registrations.values()))
    room = factories.room(visible, occupants=[registrations["own"]])
    parent = factories.participant(own_school, minor=False, last_name="Ownparent")
    factories.registration(visible, parent)
    factories.travelling_guardian(visible, pupils["own"], parent)
    factories.identity_document(pupils["own"], number="AB1234567")
    factories.identity_document(pupils["other"], number=OTHER_SCHOOL_DOCUMENT)
    # the exchange's programme, and each pupil's signed consent form
    factories.document(visible)
    consent_forms = {
        key: factories.document(visible, pupil, name=f"consent-{key}.pdf")
        for key, pupil in pupils.items()
    }
    policies = {
        "own": factories.insurance_policy(visible, own_school),
        "other": factories.insurance_policy(visible, other_school),
    }
    lines = {
        "own": factories.account_line(visible, own_school),
        "other": factories.account_line(visible, other_school),
    }
    letter = factories.invitation_letter(visible, [pupils["other"]])
    invitation_token = auth_services.invite(other_representative, by=admin)
    admin_session = UserSession(
        token_hash=secrets.token_hex(32), user_id=admin.id, device="Firefox · Linux"
    )
    db.session.add(admin_session)
    db.session.flush()
    _, reset_token = auth_services.request_password_reset(coordinator.email)
    calendar_token = subscriptions.make_subscription(representative)
    failed_mail = Notification(
        user_id=coordinator.id,
        address=coordinator.email,
        language="pl",
        kind=NotificationKind.MOVED_UP,
        data={},
        state=DeliveryState.FAILED,
        attempts=10,
        last_error="ConnectionRefusedError",
    )
    db.session.add(failed_mail)
    db.session.flush()
    users = {
        "admin": admin,
        "coordinator": coordinator,
        "school": representative,
        "other_school": other_representative,
    }
    return World(
        users={role: user.id for role, user in users.items()},
        ids={
            "participant_id": {key: pupil.id for key, pupil in pupils.items()},
            "consent_id": {key: pupil.consents[0].id for key, pupil in pupils.items()},
            "family_id": {key: family.id for key, family in families.items()},
            "document_id": {key: item.id for key, item in consent_forms.items()},
            "registration_id": {key: item.id for key, item in registrations.items()},
            "exchange_id": {"visible": visible.id, "draft": draft.id},
            "item_id": {key: item.id for key, item in items.items()},
            "leg_id": {"visible": leg.id},
            "room_id": {"visible": room.id},
            "policy_id": {key: policy.id for key, policy in policies.items()},
            "line_id": {key: line.id for key, line in lines.items()},
            "letter_id": {"visible": letter.id},
            "user_id": {
                "school_account": other_representative.id,
                "staff_account": coordinator.id,
            },
        },
        institution_id=other_school.id,
        slug=partner.slug,
        tokens={
            "auth.accept_invitation": invitation_token,
            "auth.reset_password": reset_token,
            "subscriptions.feed": calendar_token,
        },
        session_id=admin_session.id,
        notification_id=failed_mail.id,
    )


# --- cases ----------------------------------------------------------------------------------

_ARGUMENT = re.compile(r"<(?:(?P<converter>\w+)(?:\([^)]*\))?:)?(?P<name>\w+)>")


def arguments(path: str) -> list[str]:
    return [match.group("name") for match in _ARGUMENT.finditer(path)]


def endpoints_in(url_map) -> dict[tuple[str, str], str]:
    """(endpoint, method) → path, for every rule but static files."""
    return {
        (rule.endpoint, method): rule.rule
        for rule in url_map.iter_rules()
        if rule.endpoint != "static"
        for method in ("GET", "POST")
        if method in (rule.methods or ())
    }


@dataclass(frozen=True)
class Case:
    role: str
    #: which of the two objects of VARIANTS the URL names; "" when it names none of them
    variant: str
    #: values for URL arguments that are not objects (export formats, table names…)
    values: tuple[tuple[str, str], ...]
    expected: str

    def __str__(self) -> str:
        return " ".join(filter(None, (self.role, self.variant, *dict(self.values).values())))


def cases(rule: Rule, path: str) -> list[Case]:
    """Every role, with each kind of object the path names, with each of the rule's values."""
    kinds = [VARIANTS[name] for name in arguments(path) if name in VARIANTS]
    assert len(kinds) <= 1, f"{path} names two kinds of object: give cases() a rule for it"
    variants = kinds[0] if kinds else ("",)
    value_sets: list[tuple[tuple[str, str], ...]] = [()]
    for name, options in rule.values.items():
        value_sets = [(*chosen, (name, option)) for chosen in value_sets for option in options]
    result = []
    for role in ROLES:
        outcome = getattr(rule, role)
        assert not isinstance(outcome, tuple) or kinds, f"{path}: a pair of outcomes, one object"
        for index, variant in enumerate(variants):
            expected = outcome[index] if isinstance(outcome, tuple) else outcome
            result.extend(Case(role, variant, values, expected) for values in value_sets)
    return result


def fill(path: str, endpoint: str, case: Case, world: World) -> str:
    """The path with each argument taken from the world (or the case's fixed values)."""
    fixed = dict(case.values)

    def value(match: re.Match) -> str:
        name = match.group("name")
        if name in fixed:
            return fixed[name]
        if name in VARIANTS:
            return str(world.ids[name][case.variant])
        if name == "item_id":  # the programme item of the exchange in the URL
            return str(world.ids["item_id"][case.variant])
        if name in ("leg_id", "room_id", "letter_id"):  # of the visible exchange; staff only
            return str(world.ids[name]["visible"])
        if name == "institution_id":
            return str(world.institution_id)
        if name == "slug":
            return world.slug
        if name == "token":
            return world.tokens[endpoint]
        if name == "session_id":
            return str(world.session_id)
        if name == "notification_id":
            return str(world.notification_id)
        raise AssertionError(f"no value for <{name}> in {path}: add one to fill()")

    return _ARGUMENT.sub(value, path)


# --- checking -------------------------------------------------------------------------------

CSRF_REFUSED = "The form has expired or was not sent from this site."
TEXT_TYPES = ("text/", "application/json")
#: audit actions that record a change to a record or a disclosure of personal data; other
#: events (a refused request, a login) say that something was tried, not that something changed
DATA_AUDIT_ACTIONS = ("create", "update", "delete", "export", "erase")


def snapshot() -> dict[str, list]:
    """Every row of every table but the audit log and the count of refused requests, and the
    number of data events in the log."""
    db.session.expire_all()
    rows = {}
    for table in db.metadata.sorted_tables:
        if table.name in (AuditEvent.__tablename__, RefusedRequests.__tablename__):
            continue
        rows[table.name] = sorted(
            (tuple(str(value) for value in row) for row in db.session.execute(table.select())),
        )
    rows["audit_event (data events)"] = [
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action.in_(DATA_AUDIT_ACTIONS))
        )
    ]
    db.session.commit()
    return rows


def changed_tables(before: dict, after: dict) -> list[str]:
    return [name for name in before if before[name] != after[name]]


def problem(response, expected: str, method: str, url: str) -> str | None:
    """What is wrong with the response, or None when it is what the table says."""
    status = response.status_code
    location = response.headers.get("Location", "")
    to_login = status == 302 and urlsplit(location).path == "/login"
    if expected == LOGIN:
        if not to_login:
            return f"expected a redirect to /login, got {status} {location}"
        if parse_qs(urlsplit(location).query).get("next") != [urlsplit(url).path]:
            return f"the login redirect does not come back to {url}: {location}"
        return None
    if expected == ALLOW:
        allowed = {200, 302} if method == "GET" else {200, 302, 400, 422}
        if status not in allowed:
            return f"expected one of {sorted(allowed)}, got {status}"
        if to_login:
            return f"allowed, but sent to the login page: {location}"
        if status == 400 and CSRF_REFUSED in response.get_data(as_text=True):
            return "the valid CSRF token was refused"
        return None
    wanted = {DENY: 403, HIDDEN: 404, MISSING: 404, CONFLICT: 409}[expected]
    return None if status == wanted else f"expected {wanted} ({expected}), got {status}"


def leaked_secrets(response, role: str) -> list[str]:
    """Draft titles and other schools' pupils in a page a school or a visitor may read."""
    if role not in ("anonymous", "school") or response.status_code != 200:
        return []
    if not response.mimetype.startswith(TEXT_TYPES):
        return []  # XLSX and PDF are compressed: only text can be searched
    body = response.get_data(as_text=True)
    hidden = (DRAFT_TITLE, OTHER_SCHOOL_PUPIL, OTHER_SCHOOL_DOCUMENT)
    return [secret for secret in hidden if secret in body]


# --- tests ----------------------------------------------------------------------------------


def test_the_table_covers_every_endpoint(app):
    in_map = set(endpoints_in(app.url_map))
    assert set(RULES) == in_map, (
        f"endpoints without a rule: {sorted(in_map - set(RULES))}; "
        f"rules for no endpoint: {sorted(set(RULES) - in_map)}"
    )


def test_every_role_and_both_kinds_of_object_are_tried(app):
    paths = endpoints_in(app.url_map)
    every = [
        (key, case)
        for key, rule in RULES.items()
        if key in paths
        for case in cases(rule, paths[key])
    ]
    assert len(every) >= len(RULES) * len(ROLES)
    assert {case.variant for _, case in every} == {
        "",
        *(v for pair in VARIANTS.values() for v in pair),
    }
    assert {case.expected for _, case in every} == {ALLOW, DENY, HIDDEN, MISSING, LOGIN, CONFLICT}


@pytest.mark.parametrize(
    ("endpoint", "method"), [pytest.param(*key, id="-".join(key)) for key in RULES]
)
def test_access_follows_the_table(client, endpoint: str, method: str):
    """Each case on objects of its own: a GET changes nothing, so GETs share one world; each
    POST gets a new one (the old one stays, unused), so a deletion cannot spoil the next case."""
    app = client.application
    path = endpoints_in(app.url_map).get((endpoint, method))
    if path is None:
        pytest.skip("no such endpoint: see test_the_table_covers_every_endpoint")
    world = None
    wrong = []
    for case in cases(RULES[(endpoint, method)], path):
        if world is None or method == "POST":
            world = build_world()
        reset_limits()  # the forgotten-password form counts every POST, per address
        visitor = app.test_client()
        if case.role != "anonymous":
            login_as(visitor, db.session.get(User, world.users[case.role]))
        url = fill(path, endpoint, case, world)
        before = snapshot() if method == "POST" and case.expected != ALLOW else None
        response = visitor.get(url) if method == "GET" else post_form(visitor, url)
        found = problem(response, case.expected, method, url)
        leaked = leaked_secrets(response, case.role)
        if leaked:
            found = f"{found or 'answered ' + str(response.status_code)}; shows {leaked}"
        if before is not None and (changed := changed_tables(before, snapshot())):
            found = f"{found or 'refused'}, but changed {changed}"
        if found:
            wrong.append(f"{method} {url} as {case}: {found}")
    assert not wrong, "\n".join(wrong)


def test_a_pupil_moved_to_another_school_takes_their_registrations_along(client):
    """Staff may move a participant to another school (the edit form's institution). From then
    on the old school reaches the pupil's registrations no more than the pupil (404), and the
    new school sees and withdraws them; the registration keeps the old school for its quota."""
    old_school, new_school = factories.institution(), factories.institution()
    old_representative = factories.user(role="school", institution=old_school)
    new_representative = factories.user(role="school", institution=new_school)
    exchange = factories.exchange(status=ExchangeStatus.REGISTRATION_OPEN)
    pupil = factories.participant(old_school, last_name="Movedska")
    registration = Registration(
        exchange_id=exchange.id,
        participant_id=pupil.id,
        institution_id=old_school.id,
        status=RegistrationStatus.CONFIRMED,
    )
    db.session.add(registration)
    db.session.commit()
    pupil.institution_id = new_school.id  # what a coordinator's edit of the participant does
    db.session.commit()
    registration_id, pupil_id = registration.id, pupil.id

    old = client.application.test_client()
    login_as(old, old_representative)
    assert old.get(f"/participants/{pupil_id}").status_code == 404
    assert "Movedska" not in old.get("/registrations/").get_data(as_text=True)
    assert post_form(old, f"/registrations/{registration_id}/withdraw").status_code == 404
    assert db.session.get(Registration, registration_id).status is RegistrationStatus.CONFIRMED

    new = client.application.test_client()
    login_as(new, new_representative)
    assert "Movedska" in new.get("/registrations/").get_data(as_text=True)
    assert exchange.title in new.get(f"/participants/{pupil_id}").get_data(as_text=True)
    assert post_form(new, f"/registrations/{registration_id}/withdraw").status_code == 302
    assert db.session.get(Registration, registration_id).status is RegistrationStatus.WITHDRAWN


def test_a_school_cannot_register_another_schools_pupil_by_its_number(client):
    """Object ids in a form body are checked like those in a URL: only the school's own people
    are choices of the registration form, whatever number is sent."""
    world = build_world()
    exchange = factories.exchange(status=ExchangeStatus.REGISTRATION_OPEN)
    exchange_id = exchange.id
    own, other = world.ids["participant_id"]["own"], world.ids["participant_id"]["other"]
    login_as(client, db.session.get(User, world.users["school"]))

    refused = post_form(client, f"/exchanges/{exchange_id}/register", {"participants": [other]})
    accepted = post_form(client, f"/exchanges/{exchange_id}/register", {"participants": [own]})

    assert refused.status_code == 422
    assert accepted.status_code == 302  # the same form with the school's own pupil works
    registered = db.session.scalars(
        sa.select(Registration.participant_id).where(Registration.exchange_id == exchange_id)
    ).all()
    assert registered == [own]
