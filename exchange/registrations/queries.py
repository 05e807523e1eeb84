"""What the registration pages read: participants, the people who can still be registered,
my registrations, waiting-list positions, the roster and counts per exchange.

Every query of people applies the rules of ``access.py``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy.orm import joinedload

from exchange.auth.models import Viewer
from exchange.db import escape_like
from exchange.exchanges.models import Direction, Exchange, exchange_partner
from exchange.extensions import db
from exchange.partners.models import Institution, PartnerCity
from exchange.registrations import residence
from exchange.registrations.access import participants_visible_to, registrations_visible_to
from exchange.registrations.models import (
    ACTIVE,
    HOLDING_PLACE,
    Participant,
    Registration,
    RegistrationStatus,
    search_names,
)


def has_valid_consent(participant: Participant) -> bool:
    return any(consent.is_valid for consent in participant.consents)


#: above every character a folded name holds: ``name <= prefix + _LAST`` for each ``name``
#: that begins with ``prefix`` (SQLite compares the UTF-8 bytes)
_LAST = "\U0010ffff"


def _beginning(column: sa.orm.InstrumentedAttribute[str], folded: str) -> sa.ColumnElement[bool]:
    """``column`` begins with ``folded``: a range of its B-tree (the folded names compare
    character by character on both databases)."""
    return sa.and_(column >= folded, column <= folded + _LAST)


def name_matches(q: str) -> sa.ColumnElement[bool]:
    """The participants whose name matches the search ``q``, ignoring case and marks ("zolc"
    finds "Żółć", "lodz" finds "Łódź"), from the folded names (``models.search_names``).

    PostgreSQL: every word of ``q`` is a part of the name, in any order (a trigram index).
    SQLite: ``q`` begins the name, last name first or first name first ("kowal", "anna kow",
    "kowalska anna"): a range of two indexes.
    """
    folded = search_names(q, "")[1]
    if db.session.get_bind().dialect.name == "postgresql":
        return sa.and_(
            *(
                Participant.search_last_first.like(f"%{escape_like(word)}%", escape="\\")
                for word in folded.split()
            )
        )
    return sa.or_(
        _beginning(Participant.search_last_first, folded),
        _beginning(Participant.search_first_last, folded),
    )


def participants_query(viewer: Viewer, q: str = "", institution_id: int | None = None) -> sa.Select:
    """The participants ``viewer`` sees, by name; ``q`` searches the names (``name_matches``)."""
    query = (
        sa.select(Participant)
        .options(joinedload(Participant.institution))
        .where(participants_visible_to(viewer))
        .order_by(Participant.last_name, Participant.first_name, Participant.id)
    )
    if q:
        # in the folded name's order: else PostgreSQL walks the whole list in the names' order
        # (``ix_participant_name``) looking for 20 that match, instead of using the search's index
        query = (
            query.where(name_matches(q))
            .order_by(None)
            .order_by(Participant.search_last_first, Participant.id)
        )
    if institution_id is not None:
        query = query.where(Participant.institution_id == institution_id)
    return query


#: the search counts its matches up to this many; above, the page says "more than" this
SEARCH_COUNT_CAP = 1000


def _search_groups(q: str) -> list[tuple[sa.ColumnElement[bool], tuple]]:
    """The search's matches as groups that do not overlap, in the order the page shows them,
    each with its order: those whose last name begins with ``q`` ("last first"), then those
    whose first name does ("first last"), each in its B-tree's order, so a page reads its rows
    from the index instead of sorting every match; then, on PostgreSQL, those with the words
    anywhere in the name (the trigram index), sorted — ordered by the column itself,
    PostgreSQL would walk the "last first" B-tree testing every name against the words (0.25 s
    at 150,000 people when nothing matches) rather than ask the trigram index."""
    folded = search_names(q, "")[1]
    last_first = _beginning(Participant.search_last_first, folded)
    first_last = _beginning(Participant.search_first_last, folded)
    groups: list[tuple[sa.ColumnElement[bool], tuple]] = [
        (last_first, (Participant.search_last_first, Participant.id)),
        (
            sa.and_(first_last, sa.not_(last_first)),
            (Participant.search_first_last, Participant.id),
        ),
    ]
    if db.session.get_bind().dialect.name == "postgresql":
        groups.append(
            (
                sa.and_(name_matches(q), sa.not_(last_first), sa.not_(first_last)),
                (Participant.search_last_first.concat(""), Participant.id),
            )
        )
    return groups


def _search_tiers(viewer: Viewer, q: str) -> list[sa.Select]:
    """The search's matches in the order the page shows them (``_search_groups``), one query
    per group."""
    plain = (
        sa.select(Participant)
        .options(joinedload(Participant.institution))
        .where(participants_visible_to(viewer))
    )
    return [plain.where(condition).order_by(*order) for condition, order in _search_groups(q)]


class SearchPage(Pagination):
    """A page of the participant search (``flask_sqlalchemy``'s pagination, for the
    template): the rows up to the page, group by group (``_search_tiers``), and a count that
    stops at ``SEARCH_COUNT_CAP`` (``more`` says there are more), so neither reads every
    match when a common name matches thousands of people."""

    more: bool = False

    def _query_items(self) -> list[Participant]:
        viewer, q = self._query_args["viewer"], self._query_args["q"]
        wanted = self._query_offset + self.per_page
        found: list[Participant] = []
        for tier in _search_tiers(viewer, q):
            found += db.session.scalars(tier.limit(wanted - len(found))).unique().all()
            if len(found) >= wanted:
                break
        return found[self._query_offset :]

    def _query_count(self) -> int:
        """Group by group, the first from its B-tree: a common last name reaches the cap
        there, without the trigram index's every match."""
        viewer, q = self._query_args["viewer"], self._query_args["q"]
        count = 0
        for condition, _ in _search_groups(q):
            matches = (
                sa.select(Participant.id)
                .where(participants_visible_to(viewer), condition)
                .limit(SEARCH_COUNT_CAP + 1 - count)
                .subquery()
            )
            count += db.session.scalar(sa.select(sa.func.count()).select_from(matches)) or 0
            if count > SEARCH_COUNT_CAP:
                break
        self.more = count > SEARCH_COUNT_CAP
        return min(count, SEARCH_COUNT_CAP)


def search_page(viewer: Viewer, q: str, page: int | None, per_page: int) -> SearchPage:
    """The page ``page`` of the participants matching ``q`` that ``viewer`` sees."""
    return SearchPage(page=page, per_page=per_page, error_out=False, viewer=viewer, q=q)


def registrable_participants_query(exchange: Exchange, viewer: Viewer) -> sa.Select:
    """The user's participants who are not registered (or waiting) for the exchange yet, by
    name (a query: the page shows them a page at a time, staff see every institution's)."""
    already = sa.select(Registration.participant_id).where(
        Registration.exchange_id == exchange.id, Registration.status.in_(ACTIVE)
    )
    # no consents loaded: the page shows names, and registering checks consent in the database
    return (
        sa.select(Participant)
        .where(participants_visible_to(viewer), Participant.id.not_in(already))
        .order_by(Participant.last_name, Participant.first_name, Participant.id)
    )


def my_registrations_query(viewer: Viewer) -> sa.Select:
    """Registrations visible to the user, newest exchange first."""
    return (
        sa.select(Registration)
        .join(Registration.exchange)
        .join(Registration.participant)
        .options(
            joinedload(Registration.exchange),
            joinedload(Registration.participant),
            joinedload(Registration.institution),
        )
        .where(registrations_visible_to(viewer))
        .order_by(Exchange.start_date.desc(), Participant.last_name, Participant.first_name)
    )


def count_registrations(viewer: Viewer) -> int:
    """How many registrations ``my_registrations_query`` lists (its joins follow required
    foreign keys, so they leave the number unchanged)."""
    return (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Registration)
            .where(registrations_visible_to(viewer))
        )
        or 0
    )


def waiting_positions(registrations: Sequence[Registration]) -> dict[int, int]:
    """Waiting-list positions (1 = next to get a place) of those registrations that wait,
    in one query.

    The query runs even when nobody shown is waiting, so a page sends the same statements
    whatever its rows happen to be (``tests/test_query_budget.py`` counts them).
    """
    exchange_ids = {
        item.exchange_id for item in registrations if item.status is RegistrationStatus.WAITLISTED
    }
    position = (
        sa.func.row_number()
        .over(
            partition_by=Registration.exchange_id,
            order_by=(Registration.registered_at, Registration.id),
        )
        .label("position")
    )
    rows = db.session.execute(
        sa.select(Registration.id, position).where(
            Registration.exchange_id.in_(exchange_ids),
            Registration.status == RegistrationStatus.WAITLISTED,
        )
    )
    wanted = {item.id for item in registrations}
    return {registration_id: pos for registration_id, pos in rows if registration_id in wanted}


def waiting_position(registration: Registration) -> int | None:
    if registration.status is not RegistrationStatus.WAITLISTED:
        return None
    ahead = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Registration)
        .where(
            Registration.exchange_id == registration.exchange_id,
            Registration.status == RegistrationStatus.WAITLISTED,
            sa.tuple_(Registration.registered_at, Registration.id)
            < sa.tuple_(registration.registered_at, registration.id),
        )
    )
    return (ahead or 0) + 1


@dataclass
class InstitutionRoster:
    institution: Institution
    registrations: list[Registration] = field(default_factory=list)
    confirmed: int = 0
    waitlisted: int = 0
    minors: int = 0
    adults: int = 0
    missing_consents: list[Participant] = field(default_factory=list)
    #: adults still needed to meet the exchange's adults-per-minors ratio
    adults_needed: int = 0
    #: pupils who are not EU citizens, on a trip that leaves the EU: the EU list of travellers
    #: does not apply, they need a passport and maybe a visa
    need_visa: list[Participant] = field(default_factory=list)


@dataclass
class Roster:
    exchange: Exchange
    institutions: list[InstitutionRoster]
    confirmed: int
    waitlisted: int
    minors: int
    adults: int
    #: confirmed participants not yet marked present or absent
    unmarked: int = 0

    @property
    def free_places(self) -> int | None:
        if self.exchange.capacity is None:
            return None
        return max(self.exchange.capacity - self.confirmed, 0)


def trip_countries(exchange: Exchange) -> list[str] | None:
    """The partner cities' countries of an outgoing exchange (where Olsztyn's people travel);
    None for an incoming one. (One query either way: a page runs as many for every exchange.)"""
    countries = list(
        db.session.scalars(
            sa.select(PartnerCity.country)
            .join(exchange_partner, exchange_partner.c.partner_city_id == PartnerCity.id)
            .where(exchange_partner.c.exchange_id == exchange.id)
        )
    )
    return countries if exchange.direction is Direction.OUTGOING else None


def roster(exchange: Exchange) -> Roster:
    """Everyone registered for the exchange, grouped by institution, with the counts a
    coordinator checks: places, waiting list, minors and adults, missing consents, ratio."""
    registrations = db.session.scalars(
        sa.select(Registration)
        .join(Registration.participant)
        .options(
            joinedload(Registration.participant).selectinload(Participant.consents),
            joinedload(Registration.institution),
        )
        .where(Registration.exchange_id == exchange.id)
        .order_by(Participant.last_name, Participant.first_name, Registration.id)
    ).all()
    groups: dict[int, InstitutionRoster] = {}
    countries = trip_countries(exchange)
    for registration in registrations:
        group = groups.get(registration.institution_id)
        if group is None:
            group = groups[registration.institution_id] = InstitutionRoster(
                registration.institution
            )
        group.registrations.append(registration)
        participant = registration.participant
        if registration.status is RegistrationStatus.WAITLISTED:
            group.waitlisted += 1
        if registration.status not in HOLDING_PLACE:
            continue
        group.confirmed += 1
        if countries is not None and residence.needs_visa_warning(participant, countries):
            group.need_visa.append(participant)
        if participant.is_minor_on(exchange.start_date):
            group.minors += 1
            if not has_valid_consent(participant):
                group.missing_consents.append(participant)
        else:
            group.adults += 1
    ratio = exchange.minors_per_adult
    for group in groups.values():
        if ratio and group.minors:
            required = -(-group.minors // ratio)  # ceiling
            group.adults_needed = max(required - group.adults, 0)
    ordered = sorted(groups.values(), key=lambda item: item.institution.name)
    return Roster(
        exchange=exchange,
        institutions=ordered,
        confirmed=sum(item.confirmed for item in ordered),
        waitlisted=sum(item.waitlisted for item in ordered),
        minors=sum(item.minors for item in ordered),
        adults=sum(item.adults for item in ordered),
        unmarked=sum(1 for item in registrations if item.status is RegistrationStatus.CONFIRMED),
    )


def registration_counts(exchange_ids: list[int]) -> dict[int, dict[RegistrationStatus, int]]:
    """Counts of registrations per exchange and status, in one query."""
    counts: dict[int, dict[RegistrationStatus, int]] = defaultdict(dict)
    if not exchange_ids:
        return counts
    rows = db.session.execute(
        sa.select(Registration.exchange_id, Registration.status, sa.func.count())
        .where(Registration.exchange_id.in_(exchange_ids))
        .group_by(Registration.exchange_id, Registration.status)
    )
    for exchange_id, status, count in rows:
        counts[exchange_id][status] = count
    return counts
