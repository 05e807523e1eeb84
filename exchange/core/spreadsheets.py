"""The one way the app writes CSV and XLSX files: every export goes through here.

A spreadsheet reads a cell that starts with ``=``, ``+``, ``-`` or ``@`` as a formula, and some
also after a tab or a carriage return; a participant's name or note could then run a command or
send the sheet's data elsewhere when a coordinator opens the export. So text that starts with one
of those characters gets a leading single quote (OWASP's advice on CSV injection), in CSV and in
XLSX alike, and XLSX text cells are always written as strings, never as formulas. Numbers, dates
and times are not text: they stay numbers, dates and times, negative numbers included.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from flask_babel import get_locale
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_MIMETYPE = "text/csv"
#: what makes a spreadsheet read a cell as a formula
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
#: values a cell keeps as they are
NUMBERS_AND_DATES = (bool, int, float, Decimal, date, time)
#: number formats by kind of column, for ``write_sheet``
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
TIME_FORMAT = "hh:mm"
MONEY_FORMAT = "#,##0.00"
INTEGER_FORMAT = "0"
_BOLD = Font(bold=True)
_INVALID_SHEET_CHARS = str.maketrans({char: " " for char in "[]:*?/\\"})


def defuse(text: str) -> str:
    """``text`` with a single quote in front when a spreadsheet would read it as a formula."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def restore(text: str) -> str:
    """The text ``defuse`` was given: an import of the app's own export gets the names back."""
    if text.startswith("'") and text[1:].startswith(FORMULA_STARTS):
        return text[1:]
    return text


# --- CSV ------------------------------------------------------------------------------------


def csv_value(value: object, *, decimal_comma: bool = False) -> str:
    """A cell as CSV text: ISO dates, amounts with a dot (a comma with ``decimal_comma``, as a
    Polish Excel reads them), text defused."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return value.strftime("%H:%M")
    if isinstance(value, Decimal | float) and decimal_comma:
        return str(value).replace(".", ",")
    if isinstance(value, NUMBERS_AND_DATES):
        return str(value)
    return defuse(str(value))


def csv_row(values: Iterable[object], *, decimal_comma: bool = False) -> list[str]:
    return [csv_value(value, decimal_comma=decimal_comma) for value in values]


#: the byte order mark: without it Excel reads UTF-8 as the Windows code page
BOM = "\ufeff"


def csv_delimiter() -> str:
    """The separator Excel expects in the user's language: a Polish Excel splits columns at
    ``;`` (the comma is its decimal separator), an English one at ``,``."""
    return ";" if str(get_locale() or "").startswith("pl") else ","


def csv_text(
    header: Sequence[object], rows: Iterable[Sequence[object]], *, delimiter: str | None = None
) -> str:
    """A header row, then a row per item, every cell through ``csv_value``; with the BOM and the
    separator of the user's language (``csv_delimiter``), so Excel opens it right."""
    delimiter = delimiter or csv_delimiter()
    # where ";" separates the columns, "," separates the decimals
    decimal_comma = delimiter == ";"
    buffer = io.StringIO()
    buffer.write(BOM)
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(csv_row(header))
    writer.writerows(csv_row(row, decimal_comma=decimal_comma) for row in rows)
    return buffer.getvalue()


# --- XLSX -----------------------------------------------------------------------------------


def xlsx_value(value: object) -> object:
    """A cell's value for openpyxl: numbers and dates as they are, anything else as defused
    text without the control characters a workbook cannot hold."""
    if value is None or isinstance(value, NUMBERS_AND_DATES):
        return value
    return defuse(ILLEGAL_CHARACTERS_RE.sub("", str(value)))


def append_row(sheet, values: Iterable[object]) -> None:
    """Add a row below the sheet's last one; text cells are strings whatever they contain
    (openpyxl would otherwise make ``=…`` a formula and ``#N/A`` an error)."""
    sheet.append([xlsx_value(value) for value in values])
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, str):
            cell.data_type = "s"


def sheet_title(title: object, taken: set[str]) -> str:
    """A tab name a workbook accepts (31 characters, none of ``[]:*?/\\``), unique in
    ``taken``."""
    base = str(title).translate(_INVALID_SHEET_CHARS)[:31].strip() or "Sheet"
    base = ILLEGAL_CHARACTERS_RE.sub("", base) or "Sheet"
    name, number = base, 2
    while name.lower() in taken:
        suffix = f" ({number})"
        name, number = base[: 31 - len(suffix)] + suffix, number + 1
    taken.add(name.lower())
    return name


def _fit_columns(sheet, rows: Sequence[Sequence[Any]]) -> None:
    widths: dict[int, int] = {}
    for row in rows[:500]:
        for index, value in enumerate(row, start=1):
            text = value.isoformat() if isinstance(value, date) else str(value or "")
            widths[index] = max(widths.get(index, 0), len(text))
    for index, width in widths.items():
        sheet.column_dimensions[get_column_letter(index)].width = min(max(width + 2, 8), 60)


def write_sheet(
    sheet,
    header: Sequence[object],
    rows: Sequence[Sequence[object]],
    number_formats: Sequence[str | None] = (),
) -> None:
    """A bold, frozen header row, then the rows; ``number_formats`` by column (None: none)."""
    append_row(sheet, header)
    for row in rows:
        append_row(sheet, row)
    for index, number_format in enumerate(number_formats, start=1):
        if number_format:
            for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                cell.number_format = number_format
    for cell in sheet[1]:
        cell.font = _BOLD
    sheet.freeze_panes = "A2"
    _fit_columns(sheet, [header, *rows])


def workbook_bytes(
    sheets: Iterable[
        tuple[object, Sequence[object], Sequence[Sequence[object]], Sequence[str | None]]
    ],
) -> bytes:
    """An XLSX file with a sheet per ``(title, header, rows, number_formats)``."""
    workbook = Workbook()
    for blank in list(workbook.worksheets):  # the sheet a new workbook starts with
        workbook.remove(blank)
    taken: set[str] = set()
    for title, header, rows, number_formats in sheets:
        write_sheet(workbook.create_sheet(sheet_title(title, taken)), header, rows, number_formats)
    if not workbook.worksheets:
        workbook.create_sheet("Sheet")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
