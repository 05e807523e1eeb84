"""Bulk import of participants from a spreadsheet (XLSX or CSV), all or nothing.

Every row goes through the same rules as the participant form (``clean_participant_values``
and ``record_consent``); errors are reported by row and column and nothing is saved unless every
row is right.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from itertools import islice
from typing import Any

from flask_babel import lazy_gettext as _l
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException

from exchange import clock
from exchange.auth.models import User
from exchange.errors import DomainError
from exchange.partners.models import Institution
from exchange.registrations import services
from exchange.registrations.models import ConsentMethod, Gender, Participant, ParticipantRole
from exchange.spreadsheets import new_workbook

MAX_ROWS = 2000

CONSENT_COLUMNS = ("guardian_name", "consent_given_on", "consent_method", "consent_text_version")
#: the template's columns, in order; the header row holds these names
COLUMNS = (*services.PARTICIPANT_FIELDS, *CONSENT_COLUMNS)
REQUIRED_COLUMNS = ("first_name", "last_name", "date_of_birth")
EXAMPLE_ROW = (
    "Ola", "Kowalska", "2011-03-14", "female", "PL", "pupil", "", "", "Anna Kowalska",
    "+48 600 100 200", "vegetarian", "", "Anna Kowalska", "2026-01-10", "paper", "2026-01",
)  # fmt: skip


class ImportFileError(DomainError):
    """The file as a whole cannot be read."""


@dataclass
class RowError:
    row: int
    column: str
    message: str


class ImportRowsError(DomainError):
    """Rows of the file break the rules: ``errors`` lists each problem by row and column."""

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__(
            _l("Nothing was imported: correct the rows below and upload the file again.")
        )
        self.errors = errors


# --- templates ------------------------------------------------------------------------------


def template_xlsx() -> bytes:
    workbook, sheet = new_workbook()
    sheet.title = "participants"
    sheet.append(COLUMNS)
    sheet.append(EXAMPLE_ROW)
    sheet.freeze_panes = "A2"
    for index, name in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = max(14, len(name) + 2)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def template_csv() -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    writer.writerow(EXAMPLE_ROW)
    return buffer.getvalue()


# --- reading --------------------------------------------------------------------------------


def read_rows(filename: str, data: bytes) -> list[dict[str, object]]:
    """The file's data rows as dicts keyed by column name, or ImportFileError."""
    name = (filename or "").lower()
    table: Sequence[Sequence[Any]]
    if name.endswith(".xlsx"):
        table = _read_xlsx(data)
    elif name.endswith(".csv"):
        table = _read_csv(data)
    else:
        raise ImportFileError(_l("Upload an .xlsx or .csv file made from the template."))
    if not table:
        raise ImportFileError(_l("The file is empty."))
    header = [str(cell or "").strip().lower() for cell in table[0]]
    missing = [column for column in REQUIRED_COLUMNS if column not in header]
    if missing:
        raise ImportFileError(
            _l("The header row lacks the columns: %(columns)s. Start from the template.",
               columns=", ".join(missing))
        )  # fmt: skip
    rows = []
    for cells in table[1:]:
        if all(cell in (None, "") for cell in cells):
            continue
        rows.append({key: cells[i] if i < len(cells) else None for i, key in enumerate(header)})
    if not rows:
        raise ImportFileError(_l("The file has no participants below the header row."))
    if len(rows) > MAX_ROWS:
        raise ImportFileError(
            _l("The file has %(count)d rows; at most %(max)d can be imported at once.",
               count=len(rows), max=MAX_ROWS)
        )  # fmt: skip
    return rows


def _read_xlsx(data: bytes) -> list[tuple]:
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError):
        raise ImportFileError(_l("This is not a readable XLSX file.")) from None
    try:
        sheet = workbook.worksheets[0]
        return [tuple(row) for row in islice(sheet.iter_rows(values_only=True), MAX_ROWS + 2)]
    finally:
        workbook.close()


def _read_csv(data: bytes) -> list[list[str]]:
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
    try:
        return list(islice(reader, MAX_ROWS + 2))
    except csv.Error:
        raise ImportFileError(_l("This is not a readable CSV file.")) from None


# --- converting and importing ---------------------------------------------------------------


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _date(value: object) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(value)
    for pattern in ("%Y-%m-%d", "%d.%m.%Y", "%d/%m/%Y"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValueError(text)


def _choice(enum_class, value: object, default):
    text = _text(value).lower()
    if not text:
        return default
    for member in enum_class:
        if text in (member.value, member.label.lower(), member.name.lower()):
            return member
    raise ValueError(text)


def import_participants(
    rows: list[dict[str, object]], *, institution: Institution, by: User
) -> list[Participant]:
    """Check every row, then create all participants (and their consents), or none.

    Raises ImportRowsError listing every problem by row (the spreadsheet's row number, the
    header being row 1) and column.
    """
    errors: list[RowError] = []
    checked = []
    for number, row in enumerate(rows, start=2):
        values, consent, row_errors = _check_row(number, row)
        errors.extend(row_errors)
        if not row_errors:
            checked.append((values, consent))
    if errors:
        raise ImportRowsError(errors)
    participants = []
    for values, consent in checked:
        participant = services.create_participant(values, institution=institution, by=by)
        if consent is not None:
            services.record_consent(participant, services.ConsentValues(**consent), by=by)
        participants.append(participant)
    return participants


def _check_row(number: int, row: dict[str, object]):
    errors: list[RowError] = []
    values: dict[str, object] = {}
    for column in services.PARTICIPANT_FIELDS:
        raw = row.get(column)
        try:
            if column == "date_of_birth":
                values[column] = _date(raw)
            elif column == "gender":
                values[column] = _choice(Gender, raw, Gender.NOT_STATED)
            elif column == "role":
                values[column] = _choice(ParticipantRole, raw, ParticipantRole.PUPIL)
            else:
                values[column] = _text(raw)
        except ValueError:
            errors.append(RowError(number, column, str(_l("This value is not understood."))))
    if errors:
        return values, None, errors
    try:
        cleaned = services.clean_participant_values(services.ParticipantValues.from_mapping(values))
    except DomainError as error:
        return values, None, [RowError(number, error.field or "", str(error))]

    consent = None
    if any(_text(row.get(column)) for column in CONSENT_COLUMNS):
        try:
            given_on = _date(row.get("consent_given_on"))
            method = _choice(ConsentMethod, row.get("consent_method"), None)
        except ValueError:
            return (
                values,
                None,
                [RowError(number, "consent_given_on", str(_l("This value is not understood.")))],
            )
        consent = {
            "guardian_name": _text(row.get("guardian_name")),
            "given_on": given_on,
            "method": method,
            "text_version": _text(row.get("consent_text_version")),
        }
        for column, key in (
            ("guardian_name", "guardian_name"),
            ("consent_given_on", "given_on"),
            ("consent_method", "method"),
            ("consent_text_version", "text_version"),
        ):
            if not consent[key]:
                errors.append(
                    RowError(number, column, str(_l("Fill in every consent column, or none.")))
                )
        if not errors and consent["given_on"] > clock.today():
            errors.append(
                RowError(
                    number, "consent_given_on", str(_l("Consent cannot be given in the future."))
                )
            )
    return cleaned, consent, errors
