"""The report page's big parts, written in Python rather than in Jinja loops: the rows of its
tables (~3,500 cells for a year at 25 years of data) and the grant-pack rows (one per exchange,
two links each). A Jinja loop pays for each cell's tests, calls and escaping on top of the
formatting; here a cell is one f-string. The HTML is the one the template wrote.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from flask import url_for
from flask_babel import gettext as _
from markupsafe import Markup, escape

from exchange.reports.types import Table, format_cell


def table_rows(table: Table, locale: str) -> Markup:
    """The ``<tr>`` of a table's ``<tbody>``: the first column a row header, numbers aligned
    right; a row saying so when the table is empty."""
    columns = table.columns
    if not table.rows:
        empty = escape(_("Nothing in this period."))
        return Markup(f'<tr><td colspan="{len(columns)}">{empty}</td></tr>')  # noqa: S704 - escaped
    first, rest = columns[0], columns[1:]
    cells = [(column, '<td class="num">' if column.numeric else "<td>") for column in rest]
    lines = []
    for row in table.rows:
        parts = ['<tr><th scope="row">', escape(format_cell(first, row, locale)), "</th>"]
        for column, opening in cells:
            parts += (opening, escape(format_cell(column, row, locale)), "</td>")
        parts.append("</tr>")
        lines.append("".join(parts))
    return Markup("\n".join(lines))  # noqa: S704 - every cell escaped above


def grant_pack_rows(exchanges: Iterable[tuple[int, str, date, date]], day) -> Markup:
    """A row per exchange: its title, its dates (``day`` formats one) and its grant pack's PDF
    and XLSX links, each with the title for screen readers."""
    # the two links' URLs differ only by the id: built once, filled in per row
    pdf = url_for("reports.grant_pack_pdf", exchange_id=0).split("/0/")
    xlsx = url_for("reports.grant_pack_xlsx", exchange_id=0).split("/0/")
    lines = []
    for exchange_id, title, start, end in exchanges:
        name = escape(title)
        hidden = f'<span class="visually-hidden"> {name}</span>'
        lines.append(
            f'<tr><th scope="row">{name}</th><td>{escape(day(start))} – {escape(day(end))}</td>'
            f'<td><a href="{pdf[0]}/{exchange_id}/{pdf[1]}">PDF{hidden}</a>, '
            f'<a href="{xlsx[0]}/{exchange_id}/{xlsx[1]}">XLSX{hidden}</a></td></tr>'
        )
    return Markup("\n".join(lines))  # noqa: S704 - title and dates escaped above
