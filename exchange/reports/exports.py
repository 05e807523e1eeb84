"""The report as files: CSV (one per table, or all of them in a ZIP), one XLSX workbook with
the summary figures and a sheet per table, and PDF (the annual report, and the grant pack of one
exchange; the page itself is drawn in ``pdf.py``).
"""

from __future__ import annotations

import io
import zipfile
from datetime import date, time
from typing import Any

from flask_babel import format_date, format_decimal, pgettext
from flask_babel import gettext as _
from fpdf import FPDF

from exchange.core import spreadsheets
from exchange.core.locale import format_money
from exchange.partners.countries import country_name
from exchange.reports.grant_pack import GrantPack
from exchange.reports.pdf import FONT, ReportPDF
from exchange.reports.types import TABLE_KEYS, Highlight, Report, Table, format_cell


def _filter_rows(report: Report) -> list[tuple[str, Any]]:
    report_filter = report.filter
    return [
        (_("From"), report_filter.date_from),
        (_("To"), report_filter.date_to),
        (_("Partner city"), report.partner_name or _("All")),
        (_("Kind"), report_filter.kind.label if report_filter.kind else _("All")),
        (_("Direction"), report_filter.direction.label if report_filter.direction else _("Both")),
        (_("Institution"), report.institution_name or _("All")),
    ]


def _period(report: Report) -> str:
    return _(
        "From %(start)s to %(end)s",
        start=format_date(report.filter.date_from),
        end=format_date(report.filter.date_to),
    )


def highlight_text(highlight: Highlight) -> str:
    """A summary figure as one line: a number, or the budget spent per currency with the plan."""
    if not highlight.is_money:
        return format_decimal(highlight.count)
    return "; ".join(
        _(
            "%(actual)s (planned %(planned)s)",
            actual=format_money(amount.actual, amount.currency),
            planned=format_money(amount.planned, amount.currency),
        )
        for amount in highlight.amounts
    ) or format_money(0)


# --- CSV ------------------------------------------------------------------------------------


def table_csv(table: Table) -> str:
    """One table: a header row, then plain values (ISO dates, amounts with a dot)."""
    return spreadsheets.csv_text(
        [str(column.header) for column in table.columns],
        (table.values(row) for row in table.rows),
    )


def report_csv_files(report: Report) -> dict[str, str]:
    """Every table as ``<key>.csv``."""
    return {f"{key}.csv": table_csv(report[key]) for key in TABLE_KEYS}


def report_csv_zip(report: Report) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in report_csv_files(report).items():
            archive.writestr(name, text)
    return buffer.getvalue()


# --- XLSX -----------------------------------------------------------------------------------

NUMBER_FORMATS = {
    "money": spreadsheets.MONEY_FORMAT,
    "date": spreadsheets.DATE_FORMAT,
    "time": spreadsheets.TIME_FORMAT,
    "int": spreadsheets.INTEGER_FORMAT,
}


def _formats(kinds: list[str]) -> list[str | None]:
    return [NUMBER_FORMATS.get(kind) for kind in kinds]


def _highlight_sheet(report: Report) -> tuple[Any, list[Any], list[list[Any]], list[str | None]]:
    """The summary figures: counts as numbers, the budget a row per currency."""
    rows: list[list[Any]] = [[_period(report), None, None, None, None]]
    for highlight in report.highlights:
        if not highlight.is_money:
            rows.append([str(highlight.label), highlight.count, None, None, None])
        for amount in highlight.amounts:
            rows.append(
                [str(highlight.label), None, amount.currency, amount.planned, amount.actual]
            )
    return (
        _("At a glance"),
        [_("Figure"), _("Number"), _("Currency"), _("Planned"), _("Actual")],
        rows,
        _formats(["text", "int", "text", "money", "money"]),
    )


def report_xlsx(report: Report) -> bytes:
    """A workbook: the summary figures and the filter first, then a sheet per table, numbers as
    numbers."""
    sheets: list[tuple[Any, list[Any], list[list[Any]], list[str | None]]] = [
        _highlight_sheet(report),
        (
            _("Filter"),
            [_("Setting"), _("Value")],
            [list(pair) for pair in _filter_rows(report)],
            _formats(["text", "date"]),
        ),
    ]
    for key in TABLE_KEYS:
        table = report[key]
        sheets.append(
            (
                table.sheet or table.title,
                [str(column.header) for column in table.columns],
                [table.values(row) for row in table.rows],
                _formats([column.kind for column in table.columns]),
            )
        )
    return spreadsheets.workbook_bytes(sheets)


# --- PDF ------------------------------------------------------------------------------------


def _table_widths(pdf: FPDF, table: Table) -> list[float]:
    first = 0.34 if len(table.columns) <= 4 else 0.22
    rest = (1 - first) / max(len(table.columns) - 1, 1)
    return [pdf.epw * (first if index == 0 else rest) for index in range(len(table.columns))]


def _pdf_table(pdf: ReportPDF, table: Table) -> None:
    pdf.data_table(
        [str(column.header) for column in table.columns],
        [[format_cell(column, row) for column in table.columns] for row in table.rows],
        [column.numeric for column in table.columns],
        _table_widths(pdf, table),
        caption=str(table.title),
    )
    if table.note:
        pdf.set_font(FONT, size=7)
        pdf.paragraph(str(table.note))
        pdf.set_font(FONT, size=9)


def report_pdf(report: Report) -> bytes:
    """The annual report: the tables in the page's order, with their charts."""
    report_filter = report.filter
    title = _("Activity report %(start)s – %(end)s", start=format_date(report_filter.date_from),
              end=format_date(report_filter.date_to))  # fmt: skip
    pdf = ReportPDF(title)
    pdf.add_page()
    pdf.heading(title, 16)
    pdf.paragraph(
        _(
            "Exchanges overlapping the period count; drafts and cancelled exchanges do not. "
            "Participants are confirmed or attended registrations."
        )
    )
    pdf.paragraph(
        "; ".join(
            f"{label}: {value.isoformat() if isinstance(value, date) else value}"
            for label, value in _filter_rows(report)
        )
    )
    pdf.data_table(
        [_("Figure"), _("Value")],
        [[str(highlight.label), highlight_text(highlight)] for highlight in report.highlights],
        [False, True],
        [pdf.epw * 0.4, pdf.epw * 0.6],
        caption=_("At a glance"),
    )
    for key in TABLE_KEYS:
        table = report[key]
        if key in {"exchanges_by_kind", "exchanges_by_partner"}:
            pdf.bar_chart(str(table.title), [(r["label"], r["count"]) for r in table.rows])
        if key == "trend_exchanges":
            pdf.add_page(orientation="landscape")
            pdf.line_chart(
                str(table.title),
                report.trend_years,
                {r["label"]: {y: r[str(y)] for y in report.trend_years} for r in table.rows},
            )
        _pdf_table(pdf, table)
    return bytes(pdf.output())


# --- grant pack -----------------------------------------------------------------------------


def _grant_header() -> list[str]:
    return [
        _("No."),
        pgettext("person", "Name"),
        _("Organisation"),
        _("Town of residence"),
        _("Country of residence"),
        _("Signature"),
    ]


def _grant_rows(pack: GrantPack) -> list[tuple[str, str, list[list[Any]]]]:
    """Per invited town: its name, the list's title and its rows."""
    lists = []
    for town in pack.towns:
        rows = []
        for number, registration in enumerate(town.registrations, start=1):
            participant = registration.participant
            rows.append(
                [
                    number,
                    participant.full_name,
                    registration.institution.name,
                    registration.institution.city_name,
                    country_name(participant.country),
                    "",
                ]
            )
        label = (
            _("Local participants: Olsztyn")
            if town.is_local
            else _("Participants from %(town)s (%(country)s)", town=town.town,
                   country=country_name(town.country))
        )  # fmt: skip
        lists.append((town.town, label, rows))
    return lists


def _programme_rows(pack: GrantPack) -> list[list[Any]]:
    return [
        [
            item.day,
            item.start_time,
            item.end_time,
            item.activity,
            item.place,
        ]
        for item in pack.exchange.programme
    ]


def _hour(value: time | None) -> str:
    return value.strftime("%H:%M") if value else ""


def _programme_header() -> list[str]:
    return [_("Day"), _("From"), _("To"), _("Activity"), _("Place")]


def _exchange_facts(pack: GrantPack) -> str:
    exchange = pack.exchange
    return _(
        "%(kind)s, %(start)s – %(end)s, %(place)s. Partner cities: %(partners)s.",
        kind=exchange.kind.label,
        start=format_date(exchange.start_date),
        end=format_date(exchange.end_date),
        place=", ".join(part for part in (exchange.venue, exchange.city) if part) or "—",
        partners=", ".join(partner.local_name for partner in exchange.partners) or "—",
    )


def grant_pack_pdf(pack: GrantPack) -> bytes:
    """Signature lists per invited town, counts per country and the programme."""
    exchange = pack.exchange
    pdf = ReportPDF(_("Grant pack: %(title)s", title=exchange.title))
    for _town, label, rows in _grant_rows(pack):
        pdf.add_page()
        pdf.heading(exchange.title, 14)
        pdf.paragraph(_exchange_facts(pack))
        widths = [0.06, 0.22, 0.24, 0.14, 0.14, 0.20]
        pdf.data_table(
            _grant_header(),
            [[str(value) for value in row] for row in rows],
            [True, False, False, False, False, False],
            [pdf.epw * width for width in widths],
            caption=label,
            row_height=10,  # room to sign
        )
    pdf.add_page()
    pdf.heading(exchange.title, 14)
    pdf.data_table(
        [_("Country of residence"), _("Participants")],
        [[country_name(code), format_decimal(count)] for code, count in pack.countries]
        + [[_("Total"), format_decimal(pack.total)]],
        [False, True],
        [pdf.epw * 0.7, pdf.epw * 0.3],
        caption=_("Participants per country"),
    )
    pdf.data_table(
        _programme_header(),
        [
            [format_date(day), _hour(start), _hour(end), activity, place]
            for day, start, end, activity, place in _programme_rows(pack)
        ],
        [False, False, False, False, False],
        [pdf.epw * width for width in (0.16, 0.08, 0.08, 0.43, 0.25)],
        caption=_("Programme"),
    )
    return bytes(pdf.output())


def grant_pack_xlsx(pack: GrantPack) -> bytes:
    sheets: list[tuple[Any, list[Any], list[list[Any]], list[str | None]]] = [
        (town, _grant_header(), rows, _formats(["int", "text", "text", "text", "text", "text"]))
        for town, _label, rows in _grant_rows(pack)
    ]
    sheets.append(
        (
            _("Countries"),
            [_("Country of residence"), _("Participants")],
            [[country_name(code), count] for code, count in pack.countries],
            _formats(["text", "int"]),
        )
    )
    sheets.append(
        (
            _("Programme"),
            _programme_header(),
            _programme_rows(pack),
            _formats(["date", "time", "time", "text", "text"]),
        )
    )
    return spreadsheets.workbook_bytes(sheets)
