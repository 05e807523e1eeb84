"""A spreadsheet sent to the participant import cannot hurt the app: a bomb, a sheet that claims
the whole grid, a huge cell, a hundred thousand rows or a damaged file is refused with a clear
message in under two seconds, and every row goes through the participant form's rules, so
what the form refuses the import refuses too, as a row error, never a 500.

The two-second bound is measured around the request with ``time.monotonic``: it is an upper
bound far above what the checks take (a few milliseconds to a few hundred), and far below what
the files cost without them (from 9 s to a worker killed for its memory).
"""

from __future__ import annotations

import io
import random
import re
import time
import zipfile
from datetime import timedelta

import pytest
import sqlalchemy as sa
from openpyxl import Workbook

from exchange import clock
from exchange.extensions import db
from exchange.registrations.importer import COLUMNS
from exchange.registrations.models import ConsentRecord, Participant
from tests.helpers import login_as, post_form
from tests.test_registration_views import _count, _pupil_rows, _xlsx
from tests.test_registration_views import _upload as _post_file

SECONDS = 2.0
SHEET = "xl/worksheets/sheet1.xml"
MAIN_NS = b"http://schemas.openxmlformats.org/spreadsheetml/2006/main"
SHARED_STRINGS_TYPE = (
    b"application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
)


def _upload(client, data: bytes, filename: str = "class.xlsx"):
    response = _post_file(client, data, filename)
    # the test client spools a body over 500 KB to a temporary file and leaves it open
    response.request.environ["wsgi.input"].close()
    return response


def _members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _zip(members: dict[str, bytes], stream: tuple[str, bytes, bytes, int] | None = None) -> bytes:
    """An archive of ``members``; ``stream`` adds one more member, written a megabyte at a time:
    (name, head, tail, megabytes of the letter A between them)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
        if stream is not None:
            name, head, tail, megabytes = stream
            with archive.open(name, "w", force_zip64=True) as member:
                member.write(head)
                chunk = b"A" * (1024 * 1024)
                for _ in range(megabytes):
                    member.write(chunk)
                member.write(tail)
    return buffer.getvalue()


def _valid() -> dict[str, bytes]:
    return _members(_xlsx(_pupil_rows(1)))


def _shared_strings_bomb() -> bytes:
    """About 100 KB that unpack to 100 MB of shared strings."""
    members = _valid()
    members["[Content_Types].xml"] = members["[Content_Types].xml"].replace(
        b"</Types>",
        b'<Override PartName="/xl/sharedStrings.xml" ContentType="'
        + SHARED_STRINGS_TYPE
        + b'"/></Types>',
    )
    head = b'<sst xmlns="' + MAIN_NS + b'" count="1" uniqueCount="1"><si><t>'
    return _zip(members, ("xl/sharedStrings.xml", head, b"</t></si></sst>", 100))


def _whole_grid() -> bytes:
    members = _valid()
    members[SHEET] = re.sub(
        rb'<dimension ref="[^"]+"', b'<dimension ref="A1:XFD1048576"', members[SHEET]
    )
    return _zip(members)


def _one_packed_huge_cell() -> bytes:
    """One cell of 60 MB of the letter A, packed into a few dozen kilobytes."""
    members = _valid()
    head, tail = members.pop(SHEET).split("Uczeń0".encode())
    return _zip(members, (SHEET, head, tail, 60))


def _long_cell_rows() -> list[list[object]]:
    """A medical note of 100,000 varied letters: it packs no better than text does."""
    letters = random.Random(13).choices("abcdefghijklmnopqrstuvwxyz ", k=100_000)
    return _pupil_rows(1, medical_notes="".join(letters))


def _rows_of_x(count: int, then: bytes = b"") -> bytes:
    """A sheet that does not say its size, with a header and ``count`` rows of one cell, and
    ``then`` after them."""
    members = _valid()
    rows = "".join(
        f'<row r="{number}"><c r="A{number}" t="inlineStr"><is><t>x</t></is></c></row>'
        for number in range(2, count + 2)
    ).encode()
    sheet = re.sub(rb"<dimension [^>]*/>", b"", members[SHEET])
    start, end = sheet.index(b"<row "), sheet.index(b"</sheetData>")
    header_row = sheet[start : sheet.index(b"</row>", start) + len(b"</row>")]
    members[SHEET] = sheet[:start] + header_row + rows + then + sheet[end:]
    return _zip(members)


def _refused_quickly(client, data: bytes, filename: str = "class.xlsx"):
    started = time.monotonic()
    response = _upload(client, data, filename)
    elapsed = time.monotonic() - started
    assert elapsed < SECONDS, f"took {elapsed:.1f} s"
    assert response.status_code in (413, 422)
    assert _count(Participant) == 0
    return response.get_data(as_text=True)


# --- spreadsheet bombs ----------------------------------------------------------------------


def test_a_shared_strings_bomb_is_refused_quickly(client, school_user):
    data = _shared_strings_bomb()
    assert len(data) < 300 * 1024
    login_as(client, school_user)
    page = _refused_quickly(client, data)
    assert "would unpack to more than" in page


def test_a_sheet_that_claims_the_whole_grid_is_refused_quickly(client, school_user):
    login_as(client, school_user)
    page = _refused_quickly(client, _whole_grid())
    assert (
        "The sheet is far larger than a list of 2000 participants (it reaches XFD1048576)" in page
    )


def test_a_part_packed_too_tightly_is_refused_quickly(client, school_user):
    members = _valid()
    head, tail = members.pop(SHEET).split("Uczeń0".encode())
    data = _zip(members, (SHEET, head, tail, 10))  # 10 MB: within the total, not the ratio
    login_as(client, school_user)
    page = _refused_quickly(client, data)
    assert "unpacks to more than 100 times its packed size" in page


def test_one_huge_packed_cell_is_refused_quickly(client, school_user):
    data = _one_packed_huge_cell()
    assert len(data) < 1024 * 1024
    login_as(client, school_user)
    page = _refused_quickly(client, data)
    assert "would unpack to more than" in page


@pytest.mark.parametrize("filename", ["class.xlsx", "class.csv"])
def test_a_cell_longer_than_any_column_is_refused(client, school_user, filename):
    rows = _long_cell_rows()
    if filename.endswith(".xlsx"):
        data = _xlsx(rows)
    else:
        lines = [",".join(COLUMNS)] + [",".join(str(value) for value in row) for row in rows]
        data = "\n".join(lines).encode()
    login_as(client, school_user)
    page = _refused_quickly(client, data, filename)
    assert "Row 2, column medical_notes holds more than 5000 characters" in page


def test_a_hundred_thousand_rows_are_refused_quickly(client, school_user):
    login_as(client, school_user)
    page = _refused_quickly(client, _rows_of_x(100_000))
    assert "This file holds far more than a list of 2000 participants" in page


def test_reading_stops_at_the_first_row_too_many(client, school_user):
    # what follows row 2,001 is not even XML: a reader that went on would choke on it
    data = _rows_of_x(2500, then=b"<row r='2502'><c r=<<<")
    login_as(client, school_user)
    page = _refused_quickly(client, data)
    assert "The file has more than 2000 rows; at most 2000 can be imported at once." in page


def test_a_hundred_thousand_csv_rows_are_refused_quickly(client, school_user):
    data = ("first_name,last_name,date_of_birth\n" + "a,b,2010-01-01\n" * 100_000).encode()
    login_as(client, school_user)
    page = _refused_quickly(client, data, "class.csv")
    assert "The file has more than 2000 rows" in page


def test_too_many_imports_in_a_minute_answer_429_with_a_message(client, school_user):
    login_as(client, school_user)
    for _ in range(5):
        assert _upload(client, b"", "empty.csv").status_code == 422
    response = _upload(client, _xlsx(_pupil_rows(1)))
    assert response.status_code == 429
    assert "At most 5 imports can be started per minute" in response.get_data(as_text=True)
    assert _count(Participant) == 0
    assert 0 < int(response.headers["Retry-After"]) <= 60


# --- damaged files --------------------------------------------------------------------------


def _bad_sheet_xml() -> bytes:
    members = _valid()
    members[SHEET] = members[SHEET][: len(members[SHEET]) // 2]
    return _zip(members)


def _missing_sheet() -> bytes:
    members = _valid()
    del members[SHEET]
    return _zip(members)


def _bad_crc() -> bytes:
    """The sheet stored unpacked, one letter of a name changed after the checksum was taken."""
    members = _valid()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            kind = zipfile.ZIP_STORED if name == SHEET else zipfile.ZIP_DEFLATED
            archive.writestr(name, content, compress_type=kind)
    data = buffer.getvalue()
    assert data.count(b"Nowak00") == 1
    return data.replace(b"Nowak00", b"Nowak99")


@pytest.mark.parametrize("build", [_bad_sheet_xml, _missing_sheet, _bad_crc])
def test_a_damaged_xlsx_gets_a_clear_message(client, school_user, build):
    login_as(client, school_user)
    page = _refused_quickly(client, build())
    assert "This is not a readable XLSX file." in page


# --- every row through the form's rules -----------------------------------------------------


def _tomorrow() -> str:
    return (clock.today() + timedelta(days=1)).isoformat()


@pytest.mark.parametrize(
    ("overrides", "column", "message"),
    [
        ({"first_name": "A" * 150}, "first_name", "Field cannot be longer than 100 characters."),
        ({"email": "not an e-mail"}, "email", "Invalid email address."),
        ({"phone": "1" * 41}, "phone", "Field cannot be longer than 40 characters."),
        ({"gender": "robot"}, "gender", "Use one of: female, male, other, not_stated."),
        ({"date_of_birth": "1899-12-31"}, "date_of_birth", "Enter a date between 1900 and 2200"),
        ({"consent_given_on": "0001-01-01"}, "consent_given_on", "Enter a date between 1900"),
        ({"consent_given_on": "1990-01-01"}, "consent_given_on", "before the participant was born"),
        ({"consent_given_on": _tomorrow}, "consent_given_on", "cannot be given in the future"),
        ({"guardian_name": "G" * 201}, "guardian_name", "longer than 200 characters."),
        ({"consent_text_version": "v" * 41}, "consent_text_version", "longer than 40"),
    ],
)
@pytest.mark.parametrize("filename", ["class.xlsx", "class.csv"])
def test_a_row_the_form_would_refuse_is_a_row_error(
    client, school_user, overrides, column, message, filename
):
    overrides = {key: value() if callable(value) else value for key, value in overrides.items()}
    rows = _pupil_rows(2, **overrides)
    if "email" in overrides:  # an adult, whose contact is an e-mail address
        rows = _pupil_rows(2, role="teacher", date_of_birth="1980-05-05", **overrides)
    rows[0] = _pupil_rows(1)[0]  # the first row is right
    if filename.endswith(".xlsx"):
        data = _xlsx(rows)
    else:
        lines = [",".join(COLUMNS)] + [",".join(str(value) for value in row) for row in rows]
        data = "\n".join(lines).encode()
    login_as(client, school_user)
    response = _upload(client, data, filename)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert f'<th scope="row">3</th><td>{column}</td><td>' in page
    assert message in page
    assert '<th scope="row">2</th>' not in page
    assert _count(Participant) == 0
    assert _count(ConsentRecord) == 0


def test_a_nul_byte_in_a_csv_cell_is_a_row_error(client, school_user):
    rows = _pupil_rows(1, last_name="Nowak\x00")
    lines = [",".join(COLUMNS)] + [",".join(str(value) for value in row) for row in rows]
    login_as(client, school_user)
    response = _upload(client, "\n".join(lines).encode(), "class.csv")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert '<th scope="row">2</th><td>last_name</td><td>' in page
    assert "This value contains control characters." in page
    assert _count(Participant) == 0


def test_the_apps_own_defused_text_imports_as_it_was_typed(client, school_user):
    rows = _pupil_rows(1, first_name="'=Ola", emergency_contact_phone="'+48 600 100 200")
    login_as(client, school_user)
    assert _upload(client, _xlsx(rows)).status_code == 302
    participant = db.session.scalars(sa.select(Participant)).one()
    assert participant.first_name == "=Ola"
    assert participant.emergency_contact_phone == "+48 600 100 200"


def test_a_sheet_that_does_not_say_its_size_imports(client, school_user):
    workbook = Workbook(write_only=True)  # openpyxl writes such sheets without a dimension
    sheet = workbook.create_sheet("participants")
    sheet.append(list(COLUMNS))
    for row in _pupil_rows(3):
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    assert b"<dimension" not in _members(buffer.getvalue())[SHEET]
    login_as(client, school_user)
    assert _upload(client, buffer.getvalue()).status_code == 302
    assert _count(Participant) == 3


def test_the_consent_form_refuses_a_date_before_the_birth(client, school_user):
    from tests import factories

    participant = factories.participant(school_user.institution, consent=False)
    login_as(client, school_user)
    response = post_form(
        client,
        f"/participants/{participant.id}/consents",
        {"guardian_name": "Anna", "given_on": "1990-01-01", "method": "paper",
         "text_version": "2026-01"},
    )  # fmt: skip
    assert response.status_code == 422
    assert "Consent cannot be dated before the participant was born." in response.get_data(
        as_text=True
    )
    assert _count(ConsentRecord) == 0
