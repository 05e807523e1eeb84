"""The figures of the activity report: each table added up from the grouped queries of
``facts.py``, and the whole report (``build_report``).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from exchange.auth.models import Viewer
from exchange.core import fragments
from exchange.exchanges.models import Direction, Exchange, ExchangeKind, FundingSource
from exchange.extensions import db
from exchange.partners.countries import country_name
from exchange.partners.models import Institution, PartnerCity
from exchange.registrations.models import ADULT_AGE, Gender, ParticipantRole, Registration
from exchange.reports.access import scoped_to
from exchange.reports.facts import (
    COUNT,
    Facts,
    counted_registrations,
    execute,
    facts_for,
    inclusive_days,
)
from exchange.reports.highlights import highlights
from exchange.reports.trend import trend, years_of
from exchange.reports.trip_accounts import trip_accounts
from exchange.reports.types import Column, Report, ReportFilter, Table


def _add_up(rows: list[sa.Row], key: str | tuple[str, ...], *values: str) -> list[tuple]:
    """Rows summed by the column(s) ``key`` over the columns ``values``, in the order the keys
    first appear: ``(*key, *sums)``. A sum of nothing but NULLs stays None, as in SQL."""
    names = (key,) if isinstance(key, str) else key
    totals: dict[tuple, list] = {}
    for row in rows:
        total = totals.setdefault(tuple(getattr(row, name) for name in names), [None] * len(values))
        for position, name in enumerate(values):
            value = getattr(row, name)
            if value is not None:
                total[position] = (total[position] or 0) + value
    return [(*k, *v) for k, v in totals.items()]


def _enum_order(enum_class):
    """A sort key of ``(member, …)`` tuples in the enum's order."""
    order = {member: index for index, member in enumerate(enum_class)}
    return lambda row: order.get(row[0], len(order))


def summary(report_filter: ReportFilter, facts: Facts | None = None) -> Table:
    facts = facts_for(report_filter, facts)
    exchanges = sum(row.exchanges for row in facts.exchanges)
    participants, persons, person_days = db.session.execute(
        counted_registrations(report_filter).add_columns(
            COUNT,
            sa.func.count(sa.distinct(Registration.participant_id)),
            sa.func.coalesce(
                sa.func.sum(inclusive_days(Exchange.start_date, Exchange.end_date)), 0
            ),
        )
    ).one()
    rows = [
        {"key": "exchanges", "figure": _("Exchanges"), "value": exchanges},
        {
            "key": "participants",
            "figure": _("Participants (confirmed or attended)"),
            "value": participants,
        },
        {"key": "persons", "figure": _("Different people"), "value": persons},
        {"key": "person_days", "figure": _("Person-days"), "value": int(person_days)},
    ]
    return Table(
        "summary",
        _l("Summary"),
        [Column("figure", _l("Figure")), Column("value", _l("Value"), "int")],
        rows,
    )


def _count_table(key, title, label_header, rows, note="", sheet="") -> Table:
    return Table(
        key,
        title,
        [Column("label", label_header), Column("count", _l("Number"), "int")],
        [{"label": label, "count": count} for label, count in rows],
        note,
        sheet,
    )


def exchanges_by_kind(report_filter: ReportFilter, facts: Facts | None = None) -> Table:
    rows = _add_up(facts_for(report_filter, facts).exchanges, "kind", "exchanges")
    rows.sort(key=_enum_order(ExchangeKind))
    return _count_table(
        "exchanges_by_kind",
        _l("Exchanges by kind"),
        _l("Kind"),
        [(kind.label, count) for kind, count in rows],
    )


def exchanges_by_direction(report_filter: ReportFilter, facts: Facts | None = None) -> Table:
    rows = _add_up(facts_for(report_filter, facts).exchanges, "direction", "exchanges")
    rows.sort(key=_enum_order(Direction))
    return _count_table(
        "exchanges_by_direction",
        _l("Exchanges by direction"),
        _l("Direction"),
        [(direction.label, count) for direction, count in rows],
    )


def exchanges_by_partner(report_filter: ReportFilter, facts: Facts | None = None) -> Table:
    rows = _add_up(
        facts_for(report_filter, facts).exchanges_by_partner, ("partner_id", "partner"), "exchanges"
    )
    return _count_table(
        "exchanges_by_partner",
        _l("Exchanges by partner city"),
        _l("Partner city"),
        [(name, count) for _id, name, count in rows],
        _l("An exchange with several partner cities counts once for each of them."),
    )


def participants_by_kind(report_filter: ReportFilter, facts: Facts | None = None) -> Table:
    rows = _add_up(facts_for(report_filter, facts).registrations, "kind", "participants")
    rows.sort(key=_enum_order(ExchangeKind))
    return _count_table(
        "participants_by_kind",
        _l("Participants by kind of exchange"),
        _l("Kind"),
        [(kind.label, count) for kind, count in rows],
        sheet=_l("Participants by kind"),
    )


def participants_by_partner(report_filter: ReportFilter, facts: Facts | None = None) -> Table:
    rows = _add_up(
        facts_for(report_filter, facts).registrations_by_partner,
        ("partner_id", "partner"),
        "participants",
    )
    return _count_table(
        "participants_by_partner",
        _l("Participants by partner city"),
        _l("Partner city"),
        [(name, count) for _id, name, count in rows],
        _l("Participants of an exchange with several partner cities count for each of them."),
    )


def _participant_counts(report_filter: ReportFilter, facts: Facts | None, by: str) -> list:
    """Participants by a column of the registration facts: country, gender, role or minor."""
    return _add_up(facts_for(report_filter, facts).registrations, by, "participants")


def participants_by_country(report_filter: ReportFilter, facts: Facts | None = None) -> Table:
    rows = _participant_counts(report_filter, facts, "country")
    named = sorted(((country_name(code), count) for code, count in rows), key=_by_count)
    return _count_table(
        "participants_by_country",
        _l("Participants by country of residence"),
        _l("Country"),
        named,
        sheet=_l("Participants by country"),
    )


def _by_count(item: tuple[str, int]) -> tuple[int, str]:
    return (-item[1], item[0])


def participants_by_gender(report_filter: ReportFilter, facts: Facts | None = None) -> Table:
    rows = _participant_counts(report_filter, facts, "gender")
    rows.sort(key=_enum_order(Gender))
    return _count_table(
        "participants_by_gender",
        _l("Participants by gender"),
        _l("Gender"),
        [(gender.label, count) for gender, count in rows],
    )


def participants_by_role(report_filter: ReportFilter, facts: Facts | None = None) -> Table:
    rows = _participant_counts(report_filter, facts, "role")
    rows.sort(key=_enum_order(ParticipantRole))
    return _count_table(
        "participants_by_role",
        _l("Participants by role"),
        _l("Role"),
        [(role.label, count) for role, count in rows],
    )


def participants_by_age(report_filter: ReportFilter, facts: Facts | None = None) -> Table:
    counts = dict(_participant_counts(report_filter, facts, "minor"))
    rows = [
        (_("Under %(age)d", age=ADULT_AGE), counts.get(1, 0)),
        (_("%(age)d and over", age=ADULT_AGE), counts.get(0, 0)),
    ]
    return _count_table(
        "participants_by_age",
        _l("Participants by age on the first day of the exchange"),
        _l("Age group"),
        rows,
        sheet=_l("Participants by age"),
    )


def person_days_by_kind(report_filter: ReportFilter, facts: Facts | None = None) -> Table:
    rows = _add_up(
        facts_for(report_filter, facts).registrations, "kind", "participants", "person_days"
    )
    rows.sort(key=_enum_order(ExchangeKind))
    return Table(
        "person_days_by_kind",
        _l("Person-days by kind"),
        [
            Column("label", _l("Kind")),
            Column("participants", _l("Participants"), "int"),
            Column("person_days", _l("Person-days"), "int"),
        ],
        [
            {"label": kind.label, "participants": count, "person_days": int(total or 0)}
            for kind, count, total in rows
        ],
        _l("Participants times the days of their exchange (last day − first day + 1)."),
    )


def _budget_columns(label_header) -> list[Column]:
    return [
        Column("label", label_header),
        Column("currency", _l("Currency")),
        Column("exchanges", _l("Exchanges"), "int"),
        Column("planned", _l("Planned"), "money"),
        Column("actual", _l("Actual"), "money"),
        Column("difference", _l("Actual − planned"), "money"),
    ]


def _budget_rows(rows, label_of) -> list[dict[str, Any]]:
    result = []
    for label, currency, count, planned, actual in rows:
        planned = planned if planned is not None else Decimal("0.00")
        actual = actual if actual is not None else Decimal("0.00")
        result.append(
            {
                "label": label_of(label),
                "currency": currency,
                "exchanges": count,
                "planned": planned,
                "actual": actual,
                "difference": actual - planned,
            }
        )
    return result


def _budget(rows, label: str) -> list[tuple]:
    """``(label, currency, exchanges, planned, actual)`` by the column ``label`` and the
    currency (amounts in different currencies are never added up)."""
    return _add_up(rows, (label, "currency"), "exchanges", "planned", "actual")


def budget_by_kind(report_filter: ReportFilter, facts: Facts | None = None) -> Table:
    rows = _budget(facts_for(report_filter, facts).exchanges, "kind")
    order = _enum_order(ExchangeKind)
    rows.sort(key=lambda row: (order(row), row[1]))
    return Table(
        "budget_by_kind",
        _l("Budget by kind"),
        _budget_columns(_l("Kind")),
        _budget_rows(rows, lambda kind: kind.label),
        _l("Amounts in different currencies are never added up."),
    )


def budget_by_partner(report_filter: ReportFilter, facts: Facts | None = None) -> Table:
    rows = _budget(facts_for(report_filter, facts).exchanges_by_partner, "partner")
    return Table(
        "budget_by_partner",
        _l("Budget by partner city"),
        _budget_columns(_l("Partner city")),
        _budget_rows(rows, str),
        _l("The whole budget of an exchange with several partner cities is shown for each."),
    )


def budget_by_funding(report_filter: ReportFilter, facts: Facts | None = None) -> Table:
    rows = _budget(facts_for(report_filter, facts).exchanges, "funding_source")
    order = _enum_order(FundingSource)
    rows.sort(key=lambda row: (order(row), row[1]))
    return Table(
        "budget_by_funding",
        _l("Budget by funding source"),
        _budget_columns(_l("Funding source")),
        _budget_rows(rows, lambda source: source.label if source else _("Not given")),
    )


def _in_and_out(rows, count: str) -> dict[tuple[int, str], tuple[int, int]]:
    """(partner id, name) → (incoming, outgoing): the column ``count`` by direction."""
    result: dict[tuple[int, str], tuple[int, int]] = {}
    for row in rows:
        key = (row.partner_id, row.partner)
        incoming, outgoing = result.get(key, (0, 0))
        if row.direction is Direction.INCOMING:
            incoming += getattr(row, count)
        else:
            outgoing += getattr(row, count)
        result[key] = (incoming, outgoing)
    return result


def balance_by_partner(report_filter: ReportFilter, facts: Facts | None = None) -> Table:
    facts = facts_for(report_filter, facts)
    exchanges = _in_and_out(facts.exchanges_by_partner, "exchanges")
    people = _in_and_out(facts.registrations_by_partner, "participants")
    rows = []
    for (partner_id, name), (inc, out) in sorted(exchanges.items(), key=lambda item: item[0][1]):
        people_in, people_out = people.get((partner_id, name), (0, 0))
        rows.append(
            {
                "label": name,
                "incoming": inc,
                "outgoing": out,
                "balance": inc - out,
                "participants_in": people_in,
                "participants_out": people_out,
                "participants_balance": people_in - people_out,
            }
        )
    return Table(
        "balance_by_partner",
        _l("Incoming and outgoing exchanges per partner city"),
        [
            Column("label", _l("Partner city")),
            Column("incoming", _l("Incoming"), "int"),
            Column("outgoing", _l("Outgoing"), "int"),
            Column("balance", _l("Balance (in − out)"), "int"),
            Column("participants_in", _l("Participants hosted"), "int"),
            Column("participants_out", _l("Participants sent"), "int"),
            Column("participants_balance", _l("Participant balance"), "int"),
        ],
        rows,
        sheet=_l("Balance per partner city"),
    )


def institutions(report_filter: ReportFilter) -> Table:
    rows = execute(
        counted_registrations(report_filter)
        .join(Institution, Institution.id == Registration.institution_id)
        .outerjoin(PartnerCity, PartnerCity.id == Institution.partner_city_id)
        .add_columns(
            Institution.name.label("institution"),
            PartnerCity.local_name.label("town"),
            COUNT.label("participants"),
            sa.func.count(sa.distinct(Registration.exchange_id)).label("exchanges"),
        )
        .group_by(Institution.id, Institution.name, PartnerCity.id)
        .order_by(Institution.name, Institution.id)
    )
    return Table(
        "institutions",
        _l("Institutions that took part"),
        [
            Column("label", _l("Institution")),
            Column("town", _l("Town")),
            Column("participants", _l("Participants"), "int"),
            Column("exchanges", _l("Exchanges"), "int"),
        ],
        [
            {
                "label": row.institution,
                "town": row.town or "Olsztyn",
                "participants": row.participants,
                "exchanges": row.exchanges,
            }
            for row in rows
        ],
    )


def build_report(report_filter: ReportFilter, viewer: Viewer | None = None) -> Report:
    """Every table of the report for ``report_filter``, limited to what ``viewer`` may see
    (without one, everything: the command line)."""
    if viewer is not None:
        report_filter = scoped_to(report_filter, viewer)
    facts = Facts(report_filter)
    tables = [
        summary(report_filter, facts),
        exchanges_by_kind(report_filter, facts),
        exchanges_by_partner(report_filter, facts),
        exchanges_by_direction(report_filter, facts),
        participants_by_kind(report_filter, facts),
        participants_by_partner(report_filter, facts),
        participants_by_country(report_filter, facts),
        participants_by_age(report_filter, facts),
        participants_by_gender(report_filter, facts),
        participants_by_role(report_filter, facts),
        person_days_by_kind(report_filter, facts),
        budget_by_kind(report_filter, facts),
        budget_by_partner(report_filter, facts),
        budget_by_funding(report_filter, facts),
        trip_accounts(report_filter),
        balance_by_partner(report_filter, facts),
        institutions(report_filter),
        *trend(report_filter),
    ]
    by_key = {table.key: table for table in tables}
    return Report(
        report_filter,
        by_key,
        years_of(by_key["trend_exchanges"]),
        partner_name=_name_of(PartnerCity, report_filter.partner_id),
        institution_name=_name_of(Institution, report_filter.institution_id),
        highlights=highlights(by_key, facts),
    )


def _name_of(model, object_id: int | None) -> str:
    if object_id is None:
        return ""
    name = model.local_name if model is PartnerCity else model.name
    return db.session.scalar(sa.select(name).where(model.id == object_id)) or ""


# --- choices for the filter form ------------------------------------------------------------


def partner_choices() -> list[tuple[int, str]]:
    return list(
        db.session.execute(
            sa.select(PartnerCity.id, PartnerCity.local_name.label("name")).order_by("name")
        )
    )


def institution_choices() -> list[tuple[int, str]]:
    """Every institution, by name: two thousand at 25 years, read again only once the data
    has changed (``core.fragments``)."""
    return fragments.kept("reports.institutions", (), _read_institution_choices)


def _read_institution_choices() -> list[tuple[int, str]]:
    return [
        (row.id, row.name)
        for row in db.session.execute(
            sa.select(Institution.id, Institution.name).order_by(Institution.name, Institution.id)
        )
    ]
