"""Insurance of a sending school's people on an exchange: the policies (accident insurance, NNW;
medical costs abroad, KL), who they cover, and the warnings when a trip abroad lacks one.

Services take the acting user (``by``), refuse with ``DomainError`` naming the field and
flush; the request commits. Inserts, updates and deletes are audited by the session listener.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload

from exchange.auth.models import User, Viewer
from exchange.core.bounds import MAX_MONEY
from exchange.errors import DomainError, Refusals
from exchange.exchanges.models import Direction, Exchange, ExchangeStatus
from exchange.extensions import db
from exchange.forms_util import required
from exchange.paperwork.access import own_institution_id
from exchange.paperwork.models import InsuranceKind, InsurancePolicy, InsuredPerson
from exchange.paperwork.trip_card import school_holds_place
from exchange.partners.models import Institution
from exchange.registrations.models import HOLDING_PLACE, Participant, Registration

#: the largest insured sum taken as meant (a typo of a few extra zeros is refused)
MAX_INSURED_SUM = Decimal("100000000.00")


@dataclass
class PolicyValues:
    insurer: str
    policy_number: str
    covers_nnw: bool
    covers_kl: bool
    valid_from: date | None
    valid_to: date | None
    insured_sum: Decimal | None = None
    covers_everyone: bool = True
    #: registrations covered when not everyone is
    insured_ids: list[int] = field(default_factory=list)


def is_trip_abroad(exchange: Exchange) -> bool:
    """Olsztyn sends people to a partner city."""
    return exchange.direction is Direction.OUTGOING


def check_policy(values: PolicyValues, choosable: set[int] | None = None) -> None:
    """Every rule a policy breaks, at once."""
    errors = []
    if not (values.covers_nnw or values.covers_kl):
        errors.append(
            DomainError(_l("Choose what the policy covers: NNW, KL or both."), "covers_nnw")
        )
    if values.valid_from and values.valid_to and values.valid_to < values.valid_from:
        errors.append(DomainError(_l("The policy cannot end before it starts."), "valid_to"))
    if values.insured_sum is not None and values.insured_sum <= 0:
        errors.append(DomainError(_l("The insured sum must be more than zero."), "insured_sum"))
    elif values.insured_sum is not None and values.insured_sum > min(MAX_INSURED_SUM, MAX_MONEY):
        errors.append(DomainError(_l("The insured sum is too large: check it."), "insured_sum"))
    if not values.covers_everyone:
        if not values.insured_ids:
            errors.append(DomainError(_l("Choose the people the policy covers."), "insured_ids"))
        elif choosable is not None and not set(values.insured_ids) <= choosable:
            errors.append(DomainError(_l("Choose people of the school only."), "insured_ids"))
    if errors:
        raise Refusals(errors)


def _apply_policy(policy: InsurancePolicy, values: PolicyValues) -> None:
    policy.insurer = values.insurer.strip()
    policy.policy_number = values.policy_number.strip()
    policy.covers_nnw = values.covers_nnw
    policy.covers_kl = values.covers_kl
    policy.valid_from = required(values.valid_from)
    policy.valid_to = required(values.valid_to)
    policy.insured_sum = values.insured_sum
    policy.covers_everyone = values.covers_everyone


def _name_insured(policy: InsurancePolicy, values: PolicyValues) -> None:
    """The people the policy names: none when it covers everyone (the policy has an id)."""
    wanted = set() if values.covers_everyone else set(values.insured_ids)
    have = set(policy_registration_ids(policy))
    if have - wanted:
        db.session.execute(
            sa.delete(InsuredPerson).where(
                InsuredPerson.policy_id == policy.id,
                InsuredPerson.registration_id.in_(have - wanted),
            )
        )
    db.session.add_all(
        InsuredPerson(policy_id=policy.id, registration_id=registration_id)
        for registration_id in sorted(wanted - have)
    )


def create_policy(
    exchange: Exchange, institution: Institution, values: PolicyValues, *, by: User
) -> InsurancePolicy:
    """Record a policy of the school for the exchange."""
    check_policy(values, {item.id for item in school_places(exchange, institution.id)})
    policy = InsurancePolicy(exchange_id=exchange.id, institution_id=institution.id)
    _apply_policy(policy, values)
    db.session.add(policy)
    db.session.flush()
    _name_insured(policy, values)
    db.session.flush()
    return policy


def update_policy(policy: InsurancePolicy, values: PolicyValues, *, by: User) -> InsurancePolicy:
    choosable = {item.id for item in school_places(policy.exchange, policy.institution_id)}
    check_policy(values, choosable)
    _apply_policy(policy, values)
    _name_insured(policy, values)
    db.session.flush()
    return policy


def delete_policy(policy: InsurancePolicy, *, by: User) -> None:
    db.session.delete(policy)
    db.session.flush()


# --- reads ----------------------------------------------------------------------------------


def school_places(exchange: Exchange, institution_id: int) -> list[Registration]:
    """The school's people with a place on the exchange (the roster's "confirmed"), by name."""
    return list(
        db.session.scalars(
            sa.select(Registration)
            .join(Registration.participant)
            .options(joinedload(Registration.participant))
            .where(
                Registration.exchange_id == exchange.id,
                Registration.institution_id == institution_id,
                Registration.status.in_(HOLDING_PLACE),
            )
            .order_by(Participant.last_name, Participant.first_name, Registration.id)
        )
    )


def insured_people(policy: InsurancePolicy) -> list[Registration]:
    """Who the policy covers: everyone of the school with a place, or those it names (still
    holding a place)."""
    places = school_places(policy.exchange, policy.institution_id)
    if policy.covers_everyone:
        return places
    named = set(
        db.session.scalars(
            sa.select(InsuredPerson.registration_id).where(InsuredPerson.policy_id == policy.id)
        )
    )
    return [item for item in places if item.id in named]


def policy_registration_ids(policy: InsurancePolicy) -> list[int]:
    return list(
        db.session.scalars(
            sa.select(InsuredPerson.registration_id).where(InsuredPerson.policy_id == policy.id)
        )
    )


@dataclass
class SchoolInsurance:
    institution: Institution
    policies: list[InsurancePolicy] = field(default_factory=list)
    people: int = 0
    #: kinds a trip abroad still needs
    missing: list[InsuranceKind] = field(default_factory=list)


def _missing(exchange: Exchange, policies: list[InsurancePolicy]) -> list[InsuranceKind]:
    if not is_trip_abroad(exchange):
        return []
    have = {kind for policy in policies for kind in policy.kinds}
    return [kind for kind in (InsuranceKind.KL, InsuranceKind.NNW) if kind not in have]


def insurance_overview(exchange: Exchange, viewer: Viewer) -> list[SchoolInsurance]:
    """Each sending school ``viewer`` may see (one with people holding a place, or a policy),
    its policies and what a trip abroad still lacks (two queries)."""
    own = own_institution_id(viewer)
    counts = sa.select(Registration.institution_id, sa.func.count().label("people")).where(
        Registration.exchange_id == exchange.id, Registration.status.in_(HOLDING_PLACE)
    )
    if own is not None:
        counts = counts.where(Registration.institution_id == own)
    people: dict[int, int] = {
        row.institution_id: row.people
        for row in db.session.execute(counts.group_by(Registration.institution_id))
    }
    policies_query = (
        sa.select(InsurancePolicy)
        .options(joinedload(InsurancePolicy.institution))
        .where(InsurancePolicy.exchange_id == exchange.id)
        .order_by(InsurancePolicy.valid_from, InsurancePolicy.id)
    )
    if own is not None:
        policies_query = policies_query.where(InsurancePolicy.institution_id == own)
    by_school: dict[int, list[InsurancePolicy]] = defaultdict(list)
    for policy in db.session.scalars(policies_query):
        by_school[policy.institution_id].append(policy)
    ids = set(people) | set(by_school)
    if own is not None:
        ids.add(own)
    institutions = db.session.scalars(
        sa.select(Institution).where(Institution.id.in_(ids)).order_by(Institution.name)
    ).all()
    return [
        SchoolInsurance(
            item,
            by_school[item.id],
            people.get(item.id, 0),
            _missing(exchange, by_school[item.id]) if people.get(item.id) else [],
        )
        for item in institutions
    ]


@dataclass
class InsuranceGap:
    exchange: Exchange
    missing: list[InsuranceKind]


#: exchanges a school is reminded of
_LIVE = (
    ExchangeStatus.PLANNED,
    ExchangeStatus.REGISTRATION_OPEN,
    ExchangeStatus.REGISTRATION_CLOSED,
)


def insurance_gaps(institution_id: int | None, today: date) -> list[InsuranceGap]:
    """The trips abroad that have not ended on which the school has people with a place and
    lacks a KL or NNW policy (one query; none for an account without a school)."""
    if institution_id is None:
        return []
    has_kind = {
        kind: sa.select(InsurancePolicy.id)
        .where(
            InsurancePolicy.exchange_id == Exchange.id,
            InsurancePolicy.institution_id == institution_id,
            column.is_(True),
        )
        .exists()
        for kind, column in (
            (InsuranceKind.KL, InsurancePolicy.covers_kl),
            (InsuranceKind.NNW, InsurancePolicy.covers_nnw),
        )
    }
    rows = db.session.execute(
        sa.select(
            Exchange,
            has_kind[InsuranceKind.KL].label("kl"),
            has_kind[InsuranceKind.NNW].label("nnw"),
        )
        .where(
            Exchange.direction == Direction.OUTGOING,
            Exchange.status.in_(_LIVE),
            Exchange.end_date >= today,
            school_holds_place(institution_id),
            sa.or_(~has_kind[InsuranceKind.KL], ~has_kind[InsuranceKind.NNW]),
        )
        .order_by(Exchange.start_date, Exchange.id)
    ).all()
    return [
        InsuranceGap(
            exchange,
            [kind for kind, has in ((InsuranceKind.KL, kl), (InsuranceKind.NNW, nnw)) if not has],
        )
        for exchange, kl, nnw in rows
    ]
