"""The papers of insurance and of the trip's accounts: the list of insured persons (XLSX) and
the accounts for the head teacher (PDF and XLSX). Every cell goes through the spreadsheet
helpers (formula-safe text, numbers as numbers); money in the PDF is written the way the
user's language writes it."""

from __future__ import annotations

from decimal import Decimal

from flask_babel import format_date
from flask_babel import gettext as _

from exchange.core import spreadsheets
from exchange.core.locale import format_money
from exchange.paperwork.accounts import Accounts
from exchange.paperwork.models import AccountSide, InsurancePolicy
from exchange.registrations.models import Registration
from exchange.reports.pdf import ReportPDF

# --- insured persons ------------------------------------------------------------------------


def insured_xlsx(policy: InsurancePolicy, people: list[Registration]) -> bytes:
    header = [_("No."), _("Last name"), _("First name"), _("Date of birth"), _("Role")]
    rows = [
        [
            index,
            item.participant.last_name,
            item.participant.first_name,
            item.participant.date_of_birth,
            item.participant.role.label,
        ]
        for index, item in enumerate(people, start=1)
    ]
    kinds = ", ".join(kind.label for kind in policy.kinds)
    about = [
        [_("Insurer"), policy.insurer],
        [_("Policy number"), policy.policy_number],
        [_("Covers"), kinds],
        [_("Policy valid from"), policy.valid_from],
        [_("Policy valid until"), policy.valid_to],
        [_("Exchange"), policy.exchange.title],
        [_("Institution"), policy.institution.name],
    ]
    formats = [spreadsheets.INTEGER_FORMAT, None, None, spreadsheets.DATE_FORMAT, None]
    return spreadsheets.workbook_bytes(
        [
            (_("Insured persons"), header, rows, formats),
            (_("Policy"), [_("Field"), _("Value")], about, [None, spreadsheets.DATE_FORMAT]),
        ]
    )


# --- the trip's accounts --------------------------------------------------------------------


def accounts_rows(accounts: Accounts) -> list[list]:
    """``side, category, description, amount per unit, number, amount`` per line."""
    return [
        [
            line.side.label,
            line.category.label,
            line.description,
            line.unit_amount,
            line.quantity,
            line.amount,
        ]
        for line in (*accounts.income, *accounts.costs)
    ]


def _summary(accounts: Accounts) -> list[tuple[str, Decimal | int | None]]:
    return [
        (_("Total income"), accounts.total_income),
        (_("Total costs"), accounts.total_costs),
        (_("Balance (income − costs)"), accounts.balance),
        (_("Participants (confirmed)"), accounts.participants),
        (_("Cost per participant"), accounts.cost_per_participant),
    ]


def _heading(accounts: Accounts) -> str:
    return _(
        "Trip accounts: %(exchange)s – %(institution)s",
        exchange=accounts.exchange.title,
        institution=accounts.institution.name,
    )


def accounts_xlsx(accounts: Accounts) -> bytes:
    money = spreadsheets.MONEY_FORMAT
    header = [
        _("Income or cost"), _("Category"), _("Description"), _("Amount per unit (PLN)"),
        _("Number"), _("Amount (PLN)"),
    ]  # fmt: skip
    summary = [[label, value] for label, value in _summary(accounts)]
    formats_summary = [None, money]
    return spreadsheets.workbook_bytes(
        [
            (
                _("Summary"),
                [_heading(accounts), ""],
                summary,
                formats_summary,
            ),
            (
                _("Lines"),
                header,
                accounts_rows(accounts),
                [None, None, None, money, spreadsheets.INTEGER_FORMAT, money],
            ),
        ]
    )


def _written_money(value: Decimal | None, currency: str) -> str:
    return "" if value is None else format_money(value, currency)


def accounts_pdf(accounts: Accounts) -> bytes:
    exchange, currency = accounts.exchange, accounts.currency
    title = _heading(accounts)
    pdf = ReportPDF(title)
    pdf.add_page()
    pdf.heading(title, 14)
    pdf.paragraph(f"{format_date(exchange.start_date)} – {format_date(exchange.end_date)}")
    for side, caption in (
        (AccountSide.INCOME, _("Income")),
        (AccountSide.COST, _("Costs")),
    ):
        lines = accounts.income if side is AccountSide.INCOME else accounts.costs
        pdf.heading(caption, 11)
        if not lines:
            pdf.paragraph(_("No lines yet."))
            continue
        pdf.data_table(
            [_("Category"), _("Description"), _("Amount per unit"), _("Number"), _("Amount")],
            [
                [
                    line.category.label,
                    line.description,
                    _written_money(line.unit_amount, currency),
                    str(line.quantity),
                    _written_money(line.amount, currency),
                ]
                for line in lines
            ],
            [False, False, True, True, True],
            col_widths=[30, 40, 20, 10, 20],
        )
        pdf.data_table(
            [_("Category"), _("Total")],
            [
                [category.label, _written_money(total, currency)]
                for category, total in accounts.by_category(side)
            ],
            [False, True],
        )
    pdf.heading(_("Summary"), 11)
    pdf.data_table(
        [_("Figure"), _("Value")],
        [
            [label, str(value) if isinstance(value, int) else _written_money(value, currency)]
            for label, value in _summary(accounts)
        ],
        [False, True],
    )
    pdf.ln(12)
    pdf.paragraph(_("Trip leader: ……………………………    Head teacher: ……………………………"))
    return bytes(pdf.output())
