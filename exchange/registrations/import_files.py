"""Reading an uploaded participant list (XLSX or CSV) without letting the file decide how much
work that is.

An XLSX file is a zip archive: a few hundred kilobytes can unpack to gigabytes, and a sheet can
claim a million rows of sixteen thousand columns, which openpyxl would fill with empty cells.
So before openpyxl sees the file, the archive is checked from its table of contents: the number
of parts, what they unpack to in all, how tightly each is packed, the checksums, and the range
each sheet claims. Python's zipfile never unpacks more than the size a part declares, so checking
the declared sizes is enough. The sheet is then read in read-only mode, only its first
``MAX_COLUMNS`` columns, and reading stops at the first row too many or the first cell too long.
Whatever else goes wrong inside openpyxl (a damaged sheet, a missing part) is "not a readable
XLSX file", never an error page.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Generator, Iterator, Sequence
from contextlib import closing
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from openpyxl import load_workbook
from openpyxl.utils.cell import get_column_letter, range_boundaries

from exchange.errors import DomainError

#: participants in one file
MAX_ROWS = 2000
#: bytes of one uploaded file (MAX_CONTENT_LENGTH refuses larger requests before this)
MAX_FILE_BYTES = 4 * 1024 * 1024
#: characters in one cell; the longest column of the form (the notes) takes 2,000
MAX_CELL_LENGTH = 5000
#: columns read from a sheet: the template's sixteen, and room for a few of the school's own
MAX_COLUMNS = 24
#: rows a sheet may reach, empty ones included (Excel keeps formatted empty rows)
MAX_SHEET_ROWS = 10_000
#: cells in a sheet, and strings in the shared strings: the template's columns, a few more,
#: and MAX_ROWS rows of them (openpyxl reads about fifty thousand a second)
MAX_CELLS = (MAX_ROWS + 1) * MAX_COLUMNS
#: elements of any XML part; a cell is up to five
MAX_ELEMENTS = MAX_CELLS * 6
#: parts of an XLSX archive (the template has nine; Excel adds a few)
MAX_MEMBERS = 100
#: bytes the whole archive may unpack to
MAX_UNPACKED_BYTES = 20 * 1024 * 1024
#: how many times its packed size a part may unpack to, once it is larger than RATIO_FROM_BYTES
MAX_RATIO = 100
RATIO_FROM_BYTES = 1024 * 1024
#: the range a sheet claims is near its start; a damaged sheet must not make us read it all
DIMENSION_SEARCH_BYTES = 64 * 1024
DIMENSION = re.compile(rb'<(?:\w+:)?dimension\b[^>]*?\bref="([^"]{1,40})"')
CELL = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?c[\s/>]")
SHARED_STRING = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?si[\s/>]")
#: the sheet's root element, and the prefix of its namespace if it has one
ROOT_TAG = re.compile(rb"<(\w+:)?worksheet\b[^>]*>")
UNREADABLE_XLSX = _l("This is not a readable XLSX file.")


class ImportFileError(DomainError):
    """The file as a whole cannot be read."""


@dataclass
class SheetRow:
    """A data row: its number in the spreadsheet (the header is row 1) and its cells by
    column name."""

    number: int
    cells: dict[str, object]


def read_rows(filename: str, data: bytes) -> list[SheetRow]:
    """The file's data rows, or ImportFileError with a sentence for the user."""
    name = (filename or "").lower()
    if len(data) > MAX_FILE_BYTES:
        raise ImportFileError(
            _l("The file is larger than %(max)d MB; no list of %(rows)d participants is.",
               max=MAX_FILE_BYTES // (1024 * 1024), rows=MAX_ROWS)
        )  # fmt: skip
    if name.endswith(".xlsx"):
        rows = _xlsx_rows(data)
    elif name.endswith(".csv"):
        rows = _csv_rows(data)
    else:
        raise ImportFileError(_l("Upload an .xlsx or .csv file made from the template."))
    with closing(rows):
        return _table(rows)


def _table(rows: Iterator[Sequence[object]]) -> list[SheetRow]:
    first = next(rows, None)
    if first is None:
        raise ImportFileError(_l("The file is empty."))
    _check_lengths(1, first, [])
    header = [str(cell or "").strip().lower() for cell in first]
    missing = [column for column in ("first_name", "last_name", "date_of_birth")
               if column not in header]  # fmt: skip
    if missing:
        raise ImportFileError(
            _l("The header row lacks the columns: %(columns)s. Start from the template.",
               columns=", ".join(missing))
        )  # fmt: skip
    table: list[SheetRow] = []
    for number, cells in enumerate(rows, start=2):
        if number > MAX_SHEET_ROWS:
            _too_large(f"A{number}")
        if all(cell is None or cell == "" for cell in cells):
            continue
        if len(table) == MAX_ROWS:
            raise ImportFileError(
                _l("The file has more than %(max)d rows; at most %(max)d can be imported at "
                   "once.", max=MAX_ROWS)
            )  # fmt: skip
        _check_lengths(number, cells, header)
        table.append(SheetRow(number, dict(zip(header, cells, strict=False))))
    if not table:
        raise ImportFileError(_l("The file has no participants below the header row."))
    return table


def _check_lengths(number: int, cells: Sequence[object], header: list[str]) -> None:
    for index, cell in enumerate(cells):
        if cell is not None and len(str(cell)) > MAX_CELL_LENGTH:
            column = header[index] if index < len(header) and header[index] else None
            raise ImportFileError(
                _l("Row %(row)d, column %(column)s holds more than %(max)d characters; no "
                   "column of the template takes that many.", row=number,
                   column=column or get_column_letter(index + 1), max=MAX_CELL_LENGTH)
            )  # fmt: skip


def _too_large(cell: str):
    raise ImportFileError(
        _l("The sheet is far larger than a list of %(max)d participants (it reaches %(cell)s). "
           "Copy the participants into the template and upload that.", max=MAX_ROWS, cell=cell)
    )  # fmt: skip


# --- XLSX -----------------------------------------------------------------------------------


def checked_archive(data: bytes) -> bytes:
    """The XLSX file, once it cannot take more to open than a participant list can; or
    ImportFileError.

    Every part is unpacked once here (within the limits on sizes, so at most 20 MB), which
    also checks the checksums, and the elements of each part are counted: openpyxl spends
    about twenty microseconds on a cell, so the count, not the size, bounds its work. A sheet
    that does not say its size (openpyxl's write-only mode writes none) gets one, as openpyxl
    would otherwise read the whole sheet just to find it."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError):
        raise ImportFileError(UNREADABLE_XLSX) from None
    with archive:
        members = archive.infolist()
        _check_sizes(members)
        try:
            parts = {member.filename: archive.read(member) for member in members}
        except Exception:  # a bad checksum, a damaged stream, an unknown packing
            raise ImportFileError(UNREADABLE_XLSX) from None
    unsized = {name for name, content in parts.items() if not _check_part(name, content)}
    if not unsized:
        return data
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as copy:
        for name, content in parts.items():
            if name in unsized:
                content = ROOT_TAG.sub(rb'\g<0><\g<1>dimension ref="A1"/>', content, count=1)
            copy.writestr(name, content)
    return buffer.getvalue()


def _check_part(name: str, content: bytes) -> bool:
    """Refuse a part with more elements than a participant list has; for a sheet, whether it
    says its size (and refuse a size far beyond a participant list)."""
    if content.count(b"<") > MAX_ELEMENTS:
        _too_many(name, MAX_ELEMENTS)
    if name == "xl/sharedStrings.xml" and len(SHARED_STRING.findall(content)) > MAX_CELLS:
        _too_many(name, MAX_CELLS)
    if not name.startswith("xl/worksheets/"):
        return True
    if len(CELL.findall(content)) > MAX_CELLS:
        _too_many(name, MAX_CELLS)
    match = DIMENSION.search(content, 0, DIMENSION_SEARCH_BYTES)
    if match is None:
        return False
    reference = match.group(1).decode("ascii", "replace")
    try:
        _min_col, _min_row, max_col, max_row = range_boundaries(reference)
    except (ValueError, TypeError):
        raise ImportFileError(UNREADABLE_XLSX) from None
    if (max_col or 0) > MAX_COLUMNS or (max_row or 0) > MAX_SHEET_ROWS:
        _too_large(reference.rpartition(":")[2])
    return True


def _too_many(part: str, count: int):
    raise ImportFileError(
        _l("This file holds far more than a list of %(rows)d participants: its part %(part)s "
           "alone has over %(count)d elements.", rows=MAX_ROWS, part=part, count=count)
    )  # fmt: skip


def _check_sizes(members: list[zipfile.ZipInfo]) -> None:
    if len(members) > MAX_MEMBERS:
        raise ImportFileError(
            _l("This file has %(count)d parts; a spreadsheet made from the template has "
               "about ten.", count=len(members))
        )  # fmt: skip
    if sum(member.file_size for member in members) > MAX_UNPACKED_BYTES:
        raise ImportFileError(
            _l("This file would unpack to more than %(max)d MB; a list of %(rows)d "
               "participants is far smaller.", max=MAX_UNPACKED_BYTES // (1024 * 1024),
               rows=MAX_ROWS)
        )  # fmt: skip
    for member in members:
        if member.file_size > RATIO_FROM_BYTES and member.file_size > MAX_RATIO * max(
            member.compress_size, 1
        ):
            raise ImportFileError(
                _l("A part of this file unpacks to more than %(ratio)d times its packed "
                   "size, as files made to overload a server do.", ratio=MAX_RATIO)
            )  # fmt: skip


def _xlsx_rows(data: bytes) -> Generator[Sequence[object], None, None]:
    data = checked_archive(data)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds of error for a damaged file
        raise ImportFileError(UNREADABLE_XLSX) from None
    try:
        try:
            # the bounds given, not the sheet's claim: a sheet may say it is smaller than it is
            rows = workbook.worksheets[0].iter_rows(
                max_row=MAX_SHEET_ROWS + 1, max_col=MAX_COLUMNS, values_only=True
            )
        except Exception:
            raise ImportFileError(UNREADABLE_XLSX) from None
        while True:
            try:
                row = next(rows)
            except StopIteration:
                return
            except Exception:  # a damaged sheet, a missing part, a bad checksum
                raise ImportFileError(UNREADABLE_XLSX) from None
            yield row
    finally:
        workbook.close()


# --- CSV ------------------------------------------------------------------------------------


def _csv_rows(data: bytes) -> Generator[Sequence[object], None, None]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1250")  # Polish Excel's CSV export
        except UnicodeDecodeError:
            raise ImportFileError(_l("The CSV file must be saved as UTF-8.")) from None
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error:
            raise ImportFileError(_l("This is not a readable CSV file.")) from None
        yield row[:MAX_COLUMNS]
