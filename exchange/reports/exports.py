"""The report as files: CSV (one per table, or all of them in a ZIP), one XLSX workbook with a
sheet per table, and PDF (the annual report, and the grant pack of one exchange).

The PDFs use DejaVu Sans, shipped in ``fonts/`` (cut down to Latin, Greek and Cyrillic), so
Polish and other names print as they are on any machine.
"""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from flask_babel import format_date, format_decimal, pgettext
from flask_babel import gettext as _
from fpdf import FPDF
from fpdf.enums import XPos, YPos
from fpdf.fonts import FontFace

from exchange.core import spreadsheets
from exchange.partners.countries import country_name
from exchange.reports import charts
from exchange.reports.grant_pack import GrantPack
from exchange.reports.types import TABLE_KEYS, Report, Table, format_cell

FONT_DIR = Path(__file__).resolve().parent / "fonts"
FONT = "DejaVu"


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


def report_xlsx(report: Report) -> bytes:
    """A workbook: the filter on the first sheet, then a sheet per table, numbers as numbers."""
    sheets: list[tuple[Any, list[Any], list[list[Any]], list[str | None]]] = [
        (
            _("Filter"),
            [_("Setting"), _("Value")],
            [list(pair) for pair in _filter_rows(report)],
            _formats(["text", "date"]),
        )
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


class ReportPDF(FPDF):
    def __init__(self, title: str, orientation: str = "portrait") -> None:
        super().__init__(orientation=orientation, format="A4")
        self.report_title = title
        self.add_font(FONT, "", str(FONT_DIR / "DejaVuSans.ttf"))
        self.add_font(FONT, "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
        self.set_title(title)
        self.set_author(_("City of Olsztyn"))
        self.set_creation_date(datetime(2000, 1, 1))  # the same data gives the same file
        self.set_auto_page_break(auto=True, margin=15)
        self.set_font(FONT, size=9)

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FONT, size=7)
        self.cell(0, 6, f"{self.report_title} · {self.page_no()}/{{nb}}", align="C")

    def heading(self, text: str, size: int = 12) -> None:
        self.set_font(FONT, "B", size)
        self.multi_cell(0, size * 0.5, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_font(FONT, size=9)
        self.ln(1)

    def paragraph(self, text: str) -> None:
        self.multi_cell(0, 4.5, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(1)

    def data_table(
        self,
        header: list[str],
        rows: list[list[str]],
        numeric: list[bool],
        col_widths: list[float] | None = None,
        caption: str = "",
        row_height: float | None = None,
    ) -> None:
        if caption:
            self.heading(caption, 10)
        if not rows:
            self.paragraph(_("Nothing in this period."))
            return
        aligns = tuple("RIGHT" if is_number else "LEFT" for is_number in numeric)
        with self.table(
            col_widths=col_widths,
            text_align=aligns,
            line_height=4.5,
            headings_style=FontFace(emphasis="BOLD", fill_color=(230, 230, 230)),
            width=self.epw,
            min_row_height=row_height,
        ) as table:
            table.row(header)
            for row in rows:
                table.row(row)
        self.ln(3)

    def bar_chart(self, title: str, items: list[tuple[str, int]]) -> None:
        if not items:
            return
        self.heading(title, 10)
        label_width, bar_height, gap = 55.0, 5.0, 1.5
        room = self.epw - label_width - 15
        largest = max(value for _, value in items) or 1
        if self.will_page_break(len(items) * (bar_height + gap) + 4):
            self.add_page()
        y = self.get_y()
        self.set_fill_color(31, 95, 153)
        self.set_font(FONT, size=8)
        for label, value in items:
            self.set_xy(self.l_margin, y)
            self.cell(label_width - 2, bar_height, label[:38], align="R")
            width = room * value / largest
            if width:
                self.rect(self.l_margin + label_width, y, width, bar_height, style="F")
            self.set_xy(self.l_margin + label_width + width + 1, y)
            self.cell(12, bar_height, format_decimal(value))
            y += bar_height + gap
        self.set_fill_color(255, 255, 255)
        self.set_font(FONT, size=9)
        self.set_xy(self.l_margin, y + 3)

    def line_chart(self, title: str, years: list[int], series: dict[str, dict[int, int]]) -> None:
        if not series:
            return
        height = 60.0
        legend = 5.0 * ((len(series) + 2) // 3)
        if self.will_page_break(height + legend + 20):
            self.add_page()
        self.heading(title, 10)
        left, top = self.l_margin + 10, self.get_y() + 2
        width = self.epw - 12
        tick = charts.axis_tick(
            max((v for counts in series.values() for v in counts.values()), default=0)
        )
        largest = tick * 4
        self.set_draw_color(200, 200, 200)
        self.set_font(FONT, size=7)
        for step in range(5):
            y = top + height - height * step / 4
            self.line(left, y, left + width, y)
            self.set_xy(self.l_margin, y - 2)
            self.cell(9, 4, format_decimal(tick * step), align="R")
        count = max(len(years) - 1, 1)
        for index, year in enumerate(years):
            self.set_xy(left + width * index / count - 6, top + height + 1)
            self.cell(12, 4, str(year), align="C")
        colours = [charts.rgb(colour) for colour in charts.PALETTE]
        self.set_line_width(0.6)
        for number, (name, counts) in enumerate(series.items()):
            colour = colours[number % len(colours)]
            self.set_draw_color(*colour)
            self.set_fill_color(*colour)
            points = [
                (left + width * i / count, top + height - height * counts.get(year, 0) / largest)
                for i, year in enumerate(years)
            ]
            self.polyline(points)
            legend_x = self.l_margin + (number % 3) * (self.epw / 3)
            legend_y = top + height + 7 + (number // 3) * 5
            self.rect(legend_x, legend_y + 1, 3, 3, style="F")
            self.set_xy(legend_x + 4, legend_y)
            self.cell(self.epw / 3 - 5, 5, name[:30])
        self.set_line_width(0.2)
        self.set_draw_color(0, 0, 0)
        self.set_fill_color(255, 255, 255)
        self.set_font(FONT, size=9)
        self.set_xy(self.l_margin, top + height + 9 + legend)


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
