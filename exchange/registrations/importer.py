"""Bulk import of participants from a spreadsheet (XLSX or CSV), all or nothing.

Every row goes through the participant form and the consent form, the same fields, lengths and
formats as adding one person by hand, and then through the same rules of the services
(``clean_participant_values``, ``check_consent`` and ``find_duplicates``); errors are reported by
row and column and nothing is saved unless every row is right. A person who is a participant of
the institution already is an error too, unless the importer asks to skip them. Reading the file
safely is ``import_files``' part.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import MultiDict

from exchange.auth.models import User
from exchange.core import spreadsheets
from exchange.errors import DomainError
from exchange.partners.models import Institution
from exchange.registrations import participants as people
from exchange.registrations.forms import SKIP_EXISTING_LABEL, ConsentForm, ParticipantForm
from exchange.registrations.import_files import SheetRow
from exchange.registrations.models import ConsentMethod, Gender, Participant, ParticipantRole

#: the consent form's fields and the template's columns for them
CONSENT_COLUMNS = {
    "guardian_name": "guardian_name",
    "given_on": "consent_given_on",
    "method": "consent_method",
    "text_version": "consent_text_version",
}
#: the template's columns, in order; the header row holds these names
COLUMNS = (*people.PARTICIPANT_FIELDS, *CONSENT_COLUMNS.values())
EXAMPLE_ROW = (
    "Ola", "Kowalska", "2011-03-14", "female", "PL", "pupil", "", "", "Anna Kowalska",
    "+48 600 100 200", "vegetarian", "", "vegetarian", "", "pl, en", "3b", "+48 600 100 201",
    "Anna Kowalska", "2026-01-10", "paper", "2026-01",
)  # fmt: skip
#: control characters; tab and line breaks are allowed in notes
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
#: what a yes/no cell may say for yes (anything else is no)
YES = frozenset({"yes", "y", "tak", "t", "1", "true", "x"})
CHOICES = {"gender": Gender, "role": ParticipantRole, "consent_method": ConsentMethod}


@dataclass
class RowError:
    row: int
    column: str
    message: str


class ImportRowsError(DomainError):
    """Rows of the file break the rules: ``errors`` lists each problem by row and column."""

    def __init__(self, errors: list[RowError], *, already_there: bool = False) -> None:
        if already_there:
            message = _l(
                "Nothing was imported: correct the rows below and upload the file again. To "
                "leave out the people who are participants already, tick “%(skip)s”.",
                skip=SKIP_EXISTING_LABEL,
            )
        else:
            message = _l("Nothing was imported: correct the rows below and upload the file again.")
        super().__init__(message)
        self.errors = sorted(errors, key=lambda error: error.row)


@dataclass
class ImportResult:
    participants: list[Participant]
    #: the row numbers of the people left out because they are participants already
    skipped: list[int]


# --- templates ------------------------------------------------------------------------------


def template_xlsx() -> bytes:
    return spreadsheets.workbook_bytes([("participants", COLUMNS, [EXAMPLE_ROW], [])])


def template_csv() -> str:
    return spreadsheets.csv_text(COLUMNS, [EXAMPLE_ROW])


# --- converting and importing ---------------------------------------------------------------


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return spreadsheets.restore(str(value)).strip()


def _date_text(value: object) -> str:
    """A date cell as the form reads dates (ISO); text it cannot read is left for the form to
    refuse."""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    text = _text(value)
    for pattern in ("%Y-%m-%d", "%d.%m.%Y", "%d/%m/%Y"):
        try:
            return datetime.strptime(text, pattern).date().isoformat()
        except ValueError:
            continue
    return text


def _choice_text(enum_class, value: object) -> str:
    """A choice by its value, its label or its name (ValueError for anything else: the form
    would only say it "could not coerce" it)."""
    text = _text(value)
    if not text:
        return ""
    for member in enum_class:
        if text.lower() in (member.value, str(member.label).lower(), member.name.lower()):
            return member.value
    raise ValueError(text)


def _form_data(number: int, row: SheetRow) -> tuple[dict[str, str], list[RowError]]:
    """The row as form fields, and the errors of cells no form field could take."""
    data: dict[str, str] = {}
    errors = []
    for column in COLUMNS:
        raw = row.cells.get(column)
        if isinstance(raw, str) and CONTROL_CHARACTERS.search(raw):
            message = _l("This value contains control characters.")
            errors.append(RowError(number, column, str(message)))
        if column in ("date_of_birth", "consent_given_on"):
            data[column] = _date_text(raw)
        elif column == "allergic_to_animals":
            data[column] = "y" if _text(raw).lower() in YES else ""
        elif column in CHOICES:
            try:
                data[column] = _choice_text(CHOICES[column], raw)
            except ValueError:
                values = ", ".join(member.value for member in CHOICES[column])
                message = _l("Use one of: %(values)s.", values=values)
                errors.append(RowError(number, column, str(message)))
        else:
            data[column] = _text(raw)
    data["gender"] = data.get("gender") or Gender.NOT_STATED.value
    data["role"] = data.get("role") or ParticipantRole.PUPIL.value
    data["consent_method"] = data.get("consent_method", "")
    data["country"] = (data["country"] or "PL").upper()
    return data, errors


class RowChecker:
    """Checks rows with one participant form and one consent form, filled anew for each row
    (building the forms, with their list of countries, once per row would take seconds)."""

    def __init__(self) -> None:
        self.participant_form = ParticipantForm(formdata=None, meta={"csrf": False})
        self.consent_form = ConsentForm(formdata=None, meta={"csrf": False})

    def check(
        self, row: SheetRow
    ) -> tuple[people.ParticipantValues | None, people.ConsentValues | None, list[RowError]]:
        """The participant's values and the consent (or None), or the row's errors."""
        data, errors = _form_data(row.number, row)
        if errors:
            return None, None, errors
        values = self._participant(row.number, data, errors)
        consent = self._consent(row.number, data, values, errors)
        return values, consent, errors

    def _participant(
        self, number: int, data: dict, errors: list[RowError]
    ) -> people.ParticipantValues | None:
        form = self.participant_form
        fields = [(name, data[name]) for name in people.PARTICIPANT_FIELDS if name != "diets"]
        # one cell lists several diets; the form takes each as a value of its own
        fields += [("diets", code) for code in re.split(r"[\s,;]+", data["diets"]) if code]
        form.process(MultiDict(fields))
        if not form.validate():
            errors.extend(_form_errors(number, form, {}))
            return None
        try:
            return people.clean_participant_values(form.values())
        except DomainError as error:
            errors.append(RowError(number, error.field or "", str(error)))
            return None

    def _consent(
        self,
        number: int,
        data: dict,
        values: people.ParticipantValues | None,
        errors: list[RowError],
    ) -> people.ConsentValues | None:
        columns = CONSENT_COLUMNS.values()
        if not any(data[column] for column in columns):
            return None
        empty = [column for column in columns if not data[column]]
        if empty:
            message = str(_l("Fill in every consent column, or none."))
            errors.extend(RowError(number, column, message) for column in empty)
            return None
        form = self.consent_form
        form.process(MultiDict({field: data[column] for field, column in CONSENT_COLUMNS.items()}))
        if not form.validate():
            errors.extend(_form_errors(number, form, CONSENT_COLUMNS))
            return None
        consent = form.values()
        if values is not None and values.date_of_birth is not None:
            try:
                people.check_consent(consent, born=values.date_of_birth)
            except DomainError as error:
                column = CONSENT_COLUMNS.get(error.field or "", error.field or "")
                errors.append(RowError(number, column, str(error)))
                return None
        return consent


def _form_errors(number: int, form, columns: dict[str, str]) -> list[RowError]:
    return [
        RowError(number, columns.get(name, name), " ".join(str(message) for message in messages))
        for name, messages in form.errors.items()
        if messages
    ]


def import_participants(
    rows: list[SheetRow], *, institution: Institution, by: User, skip_existing: bool = False
) -> ImportResult:
    """Check every row, then create all participants (and their consents), or none.

    Raises ImportRowsError listing every problem by row (the spreadsheet's row number, the
    header being row 1) and column. A person who is a participant of the institution already
    (the same name and date of birth) is a problem, or with ``skip_existing`` a row left out;
    a person who comes twice in the file is a problem either way.
    """
    checker = RowChecker()
    errors: list[RowError] = []
    checked: list[tuple[int, people.ParticipantValues, people.ConsentValues | None]] = []
    for row in rows:
        values, consent, row_errors = checker.check(row)
        errors.extend(row_errors)
        if values is not None and not row_errors:
            checked.append((row.number, values, consent))
    duplicates = people.find_duplicates(
        [values for _number, values, _consent in checked], institution_id=institution.id
    )
    skipped: set[int] = set()
    already_there = False
    for duplicate in duplicates:
        number, values, _consent = checked[duplicate.index]
        if duplicate.earlier is not None:
            message = _l(
                "The same person as row %(row)d: the same name and date of birth.",
                row=checked[duplicate.earlier][0],
            )
            errors.append(RowError(number, "first_name", str(message)))
        elif skip_existing:
            skipped.add(duplicate.index)
        else:
            already_there = True
            errors.append(RowError(number, "first_name", people.already_there_message(values)))
    if errors:
        raise ImportRowsError(errors, already_there=already_there)
    kept = [item for index, item in enumerate(checked) if index not in skipped]
    participants = people.create_participants(
        [values for _number, values, _consent in kept], institution=institution, by=by
    )
    for participant, (_number, _values, consent) in zip(participants, kept, strict=True):
        if consent is not None:
            people.record_consent(participant, consent, by=by)
    return ImportResult(participants, sorted(checked[index][0] for index in skipped))
