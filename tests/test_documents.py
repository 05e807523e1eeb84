"""Documents of an exchange: the type from the content, the size bound, where and how the
files are kept, who reads and removes them, the download headers and the audit log."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
import sqlalchemy as sa

from exchange.audit.models import AuditEvent
from exchange.documents.models import Document, FileType
from exchange.documents.sniffing import sniff
from exchange.documents.views import content_disposition
from exchange.exchanges.models import ExchangeStatus
from exchange.extensions import db
from tests import factories, sample_files
from tests.helpers import csrf_token, login_as, post_form

ACCEPTED = {
    "programme.pdf": (sample_files.PDF, FileType.PDF),
    "photo.png": (sample_files.PNG, FileType.PNG),
    "photo.jpg": (sample_files.JPEG, FileType.JPEG),
    "agreement.docx": (sample_files.DOCX, FileType.DOCX),
    "budget.xlsx": (sample_files.XLSX, FileType.XLSX),
    "letter.odt": (sample_files.ODT, FileType.ODT),
}
#: a name that promises an accepted type over content that is not one
FORGED = {
    "programme.pdf": sample_files.EXE,
    "invitation.pdf": sample_files.HTML,
    "logo.png": sample_files.SVG,
    "agreement.docx": sample_files.ZIP,
    "letter.odt": sample_files.ODS,
    "contract.docx": sample_files.FAKE_DOCX,
}


@pytest.fixture
def documents_dir(app, tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "documents"
    monkeypatch.setitem(app.config, "DOCUMENTS_DIR", str(folder))
    return folder


def _upload(client, exchange_id: int, data: bytes, name: str, kind: str = "programme"):
    return post_form(
        client,
        f"/exchanges/{exchange_id}/documents/new",
        {"kind": kind, "file": (io.BytesIO(data), name, "application/pdf")},
        content_type="multipart/form-data",
    )


def _upload_large(client, exchange_id: int, data: bytes):
    """The body as a browser sends it, kept in memory (the test client would spool a large
    file to a temporary file of its own, and leave it open)."""
    body = b"".join(
        [
            b'--b\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n',
            csrf_token(client).encode(),
            b'\r\n--b\r\nContent-Disposition: form-data; name="kind"\r\n\r\nprogramme',
            b'\r\n--b\r\nContent-Disposition: form-data; name="file"; filename="big.pdf"',
            b"\r\nContent-Type: application/pdf\r\n\r\n",
            data,
            b"\r\n--b--\r\n",
        ]
    )
    return client.post(
        f"/exchanges/{exchange_id}/documents/new",
        data=body,
        content_type="multipart/form-data; boundary=b",
    )


def _documents() -> list[Document]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(Document).order_by(Document.id)))


def _files(folder: Path) -> list[Path]:
    return sorted(path for path in folder.glob("*") if path.is_file()) if folder.exists() else []


# --- the type from the content --------------------------------------------------------------


@pytest.mark.parametrize("name", ACCEPTED)
def test_each_accepted_type_is_recognised_by_its_content(name):
    data, file_type = ACCEPTED[name]
    assert sniff(data) is file_type


@pytest.mark.parametrize("name", FORGED)
def test_look_alikes_are_not_documents(name):
    assert sniff(FORGED[name]) is None


@pytest.mark.parametrize("name", ACCEPTED)
def test_a_coordinator_uploads_each_accepted_type(client, coordinator, documents_dir, name):
    exchange = factories.exchange()
    data, file_type = ACCEPTED[name]
    login_as(client, coordinator)
    # renamed: the stored type and extension follow the content, not the name
    response = _upload(client, exchange.id, data, "renamed.bin")
    assert response.status_code == 302
    (document,) = _documents()
    assert document.file_type is file_type
    assert document.original_name == f"renamed.{file_type.extension}"
    assert document.size == len(data)
    assert (documents_dir / document.stored_name).read_bytes() == data


@pytest.mark.parametrize("name", FORGED)
def test_a_forged_file_is_refused_next_to_the_field(client, coordinator, documents_dir, name):
    exchange = factories.exchange()
    login_as(client, coordinator)
    response = _upload(client, exchange.id, FORGED[name], name)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="file-error"' in page
    assert "is not a PDF, PNG, JPEG, DOCX, XLSX or ODT document" in page
    assert _documents() == []
    assert _files(documents_dir) == []


# --- the size -------------------------------------------------------------------------------


def test_a_ten_megabyte_document_fits(client, coordinator, documents_dir):
    exchange = factories.exchange()
    login_as(client, coordinator)
    data = sample_files.PDF + b"0" * (10 * 1024 * 1024 - len(sample_files.PDF))
    assert _upload_large(client, exchange.id, data).status_code == 302
    assert _documents()[0].size == 10 * 1024 * 1024


def test_a_document_just_over_ten_megabytes_is_refused_with_a_message(
    client, coordinator, documents_dir
):
    exchange = factories.exchange()
    login_as(client, coordinator)
    data = sample_files.PDF + b"0" * (10 * 1024 * 1024 + 100)
    response = _upload_large(client, exchange.id, data)
    assert response.status_code == 422
    assert "The file is larger than 10 MB." in response.get_data(as_text=True)
    assert _documents() == []


def test_an_eleven_megabyte_document_answers_413(client, coordinator, documents_dir):
    exchange = factories.exchange()
    login_as(client, coordinator)
    data = sample_files.PDF + b"0" * (11 * 1024 * 1024)
    response = _upload_large(client, exchange.id, data)
    assert response.status_code == 413
    assert "The file is too large" in response.get_data(as_text=True)
    assert _documents() == []


def test_the_spreadsheet_import_keeps_its_own_limit(client, school_user):
    login_as(client, school_user)
    response = client.post(
        "/participants/import",
        data=b"x" * (6 * 1024 * 1024),
        content_type="multipart/form-data; boundary=boundary",
    )
    assert response.status_code == 413


# --- where the files are kept ---------------------------------------------------------------


def test_files_are_kept_outside_the_static_folder_under_random_names(
    app, client, coordinator, documents_dir
):
    exchange = factories.exchange()
    login_as(client, coordinator)
    for _ in range(2):
        _upload(client, exchange.id, sample_files.PDF, "../../static/Programm für Eltern.pdf")
    documents = _documents()
    assert [path.name for path in _files(documents_dir)] == sorted(
        item.stored_name for item in documents
    )
    static = Path(app.static_folder or "").resolve()
    for item in documents:
        assert item.original_name == "Programm für Eltern.pdf"
        assert "Programm" not in item.stored_name
        assert len(item.stored_name) >= 32
        assert not (documents_dir / item.stored_name).resolve().is_relative_to(static)
    assert documents[0].stored_name != documents[1].stored_name


def test_documents_dir_defaults_to_the_instance_folder(tmp_path, monkeypatch):
    from exchange.config import TestingConfig

    monkeypatch.delenv("DOCUMENTS_DIR", raising=False)
    default = TestingConfig(tmp_path).DOCUMENTS_DIR
    assert default == str(tmp_path / "documents")
    monkeypatch.setenv("DOCUMENTS_DIR", "/srv/shared/documents")
    assert TestingConfig(tmp_path).DOCUMENTS_DIR == "/srv/shared/documents"


def test_a_failed_commit_leaves_no_file(app, client, coordinator, documents_dir, monkeypatch):
    exchange = factories.exchange()
    login_as(client, coordinator)

    def fail() -> None:
        raise RuntimeError("the database went away")

    monkeypatch.setattr(db.session, "commit", fail)
    with pytest.raises(RuntimeError):
        _upload(client, exchange.id, sample_files.PDF, "programme.pdf")
    monkeypatch.undo()
    db.session.rollback()
    assert _documents() == []
    assert _files(documents_dir) == []


def test_a_failed_write_leaves_no_row(client, coordinator, documents_dir):
    exchange = factories.exchange()
    documents_dir.parent.mkdir(parents=True, exist_ok=True)
    documents_dir.write_text("a file where the folder should be")
    login_as(client, coordinator)
    response = _upload(client, exchange.id, sample_files.PDF, "programme.pdf")
    assert response.status_code == 422
    assert "The file could not be stored." in response.get_data(as_text=True)
    assert _documents() == []


# --- reading and removing -------------------------------------------------------------------


def test_the_download_is_an_attachment_that_is_not_sniffed(client, school_user, documents_dir):
    exchange = factories.exchange()
    document = factories.document(exchange, data=sample_files.PDF, name="Zgoda Łódź.pdf")
    login_as(client, school_user)
    response = client.get(f"/documents/{document.id}")
    assert response.status_code == 200
    assert response.data == sample_files.PDF
    assert response.mimetype == "application/pdf"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Disposition"] == (
        "attachment; filename=\"Zgoda Lodz.pdf\"; filename*=UTF-8''Zgoda%20%C5%81%C3%B3d%C5%BA.pdf"
    )


def test_a_consent_form_is_not_cached_and_its_download_is_audited(
    client, school_user, documents_dir
):
    exchange = factories.exchange()
    pupil = factories.participant(school_user.institution)
    document = factories.document(exchange, pupil, name="consent.pdf")
    login_as(client, school_user)
    response = client.get(f"/documents/{document.id}")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Content-Disposition"] == 'attachment; filename="consent.pdf"'
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "download"))
    assert (event.object_type, event.object_id, event.actor_id) == (
        "document",
        document.id,
        school_user.id,
    )
    assert pupil.last_name not in event.detail


def test_content_disposition_never_carries_quotes_or_controls():
    header = content_disposition('a"b\\c;d.pdf')
    assert header.startswith('attachment; filename="abcd.pdf"')


def test_a_school_gets_404_for_another_schools_consent_form(client, school_user, documents_dir):
    exchange = factories.exchange()
    other = factories.participant(factories.institution(), last_name="Elsewhere")
    document = factories.document(exchange, other, name="consent-elsewhere.pdf")
    login_as(client, school_user)
    assert client.get(f"/documents/{document.id}").status_code == 404
    assert client.get(f"/documents/{document.id}/delete").status_code == 404
    page = client.get(f"/exchanges/{exchange.id}/documents").get_data(as_text=True)
    assert "consent-elsewhere.pdf" not in page
    assert "Elsewhere" not in page


def test_a_drafts_documents_are_not_found_by_a_school(client, school_user, documents_dir):
    draft = factories.exchange(status=ExchangeStatus.DRAFT)
    document = factories.document(draft)
    login_as(client, school_user)
    assert client.get(f"/documents/{document.id}").status_code == 404
    assert client.get(f"/exchanges/{draft.id}/documents").status_code == 404


def test_a_school_reads_but_does_not_remove_an_exchange_document(
    client, school_user, documents_dir
):
    exchange = factories.exchange()
    document = factories.document(exchange, name="programme.pdf")
    login_as(client, school_user)
    page = client.get(f"/exchanges/{exchange.id}/documents").get_data(as_text=True)
    assert "programme.pdf" in page
    assert client.get(f"/documents/{document.id}/delete").status_code == 403
    assert post_form(client, f"/documents/{document.id}/delete").status_code == 403
    assert len(_documents()) == 1


def test_deleting_asks_first_then_removes_row_and_file(client, coordinator, documents_dir):
    exchange = factories.exchange()
    document = factories.document(exchange)
    path = documents_dir / document.stored_name
    login_as(client, coordinator)
    confirm = client.get(f"/documents/{document.id}/delete")
    assert confirm.status_code == 200
    assert "This cannot be undone." in confirm.get_data(as_text=True)
    assert path.exists()
    # without the form's token, nothing happens
    assert client.post(f"/documents/{document.id}/delete").status_code == 400
    assert path.exists()
    response = post_form(client, f"/documents/{document.id}/delete")
    assert response.status_code == 302
    assert _documents() == []
    assert not path.exists()
    actions = db.session.scalars(
        sa.select(AuditEvent.action).where(AuditEvent.object_type == "document")
    ).all()
    assert actions == ["delete"]


def test_an_upload_is_audited_without_personal_data(client, coordinator, documents_dir):
    exchange = factories.exchange()
    login_as(client, coordinator)
    _upload(client, exchange.id, sample_files.PDF, "Programm Kowalska.pdf")
    (document,) = _documents()
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "upload"))
    assert (event.object_type, event.object_id, event.actor_id) == (
        "document",
        document.id,
        coordinator.id,
    )
    assert "Kowalska" not in event.detail


def test_the_exchange_page_links_its_documents(client, school_user):
    exchange = factories.exchange()
    login_as(client, school_user)
    page = client.get(f"/exchanges/{exchange.id}").get_data(as_text=True)
    assert f'href="/exchanges/{exchange.id}/documents"' in page


def test_deleting_a_draft_deletes_its_documents_files(client, coordinator, documents_dir):
    draft = factories.exchange(status=ExchangeStatus.DRAFT)
    path = documents_dir / factories.document(draft).stored_name
    login_as(client, coordinator)
    assert post_form(client, f"/exchanges/{draft.id}/delete").status_code == 302
    assert _documents() == []
    assert not path.exists()
