"""Signed consent forms: uploading one records the consent, only the person's school and city
hall see it, and erasure, anonymisation and the access export cover it."""

from __future__ import annotations

import hashlib
import io
import json
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from exchange import clock
from exchange.documents.models import Document, DocumentKind
from exchange.documents.sniffing import sniff
from exchange.extensions import db
from exchange.registrations import services
from exchange.registrations.models import ConsentMethod, ConsentRecord
from tests import factories, sample_files
from tests.helpers import login_as, post_form, report_figures


@pytest.fixture
def documents_dir(app, tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "documents"
    monkeypatch.setitem(app.config, "DOCUMENTS_DIR", str(folder))
    return folder


def _send_scan(client, registration_id: int, data: bytes = sample_files.JPEG, **fields):
    return post_form(
        client,
        f"/registrations/{registration_id}/consent-form",
        {"file": (io.BytesIO(data), "skan zgody.jpg", "image/jpeg"), **fields},
        content_type="multipart/form-data",
    )


def _consents(participant_id: int) -> list[ConsentRecord]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            sa.select(ConsentRecord).where(ConsentRecord.participant_id == participant_id)
        )
    )


def _documents() -> list[Document]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(Document).order_by(Document.id)))


def test_a_scan_records_the_consent_with_its_text_version(client, school_user, documents_dir):
    exchange = factories.exchange()
    pupil = factories.participant(school_user.institution, consent=False)
    registration = factories.registration(exchange, pupil)
    login_as(client, school_user)
    page = client.get(f"/registrations/{registration.id}/consent-form").get_data(as_text=True)
    assert 'name="text_version"' in page
    response = _send_scan(
        client,
        registration.id,
        guardian_name="Anna Nowak",
        given_on=(clock.today() - timedelta(days=3)).isoformat(),
        text_version="2026-01",
    )
    assert response.status_code == 302
    (consent,) = _consents(pupil.id)
    assert (consent.guardian_name, consent.text_version, consent.method) == (
        "Anna Nowak",
        "2026-01",
        ConsentMethod.PAPER,
    )
    assert consent.given_on == clock.today() - timedelta(days=3)
    assert consent.recorded_by_id == school_user.id
    (document,) = _documents()
    assert (document.kind, document.participant_id, document.exchange_id) == (
        DocumentKind.CONSENT,
        pupil.id,
        exchange.id,
    )
    assert document.original_name == "skan zgody.jpg"


def test_a_scan_without_the_consents_details_is_refused(client, school_user, documents_dir):
    pupil = factories.participant(school_user.institution, consent=False)
    registration = factories.registration(factories.exchange(), pupil)
    login_as(client, school_user)
    response = _send_scan(client, registration.id, guardian_name="Anna Nowak")
    assert response.status_code == 422
    assert "Give the date the form was signed." in response.get_data(as_text=True)
    assert _consents(pupil.id) == []
    assert _documents() == []
    assert not any(documents_dir.glob("*")) if documents_dir.exists() else True


def test_a_consent_already_recorded_is_not_recorded_again(client, coordinator, documents_dir):
    pupil = factories.participant()  # with a valid consent
    registration = factories.registration(factories.exchange(), pupil)
    login_as(client, coordinator)
    page = client.get(f"/registrations/{registration.id}/consent-form").get_data(as_text=True)
    assert 'name="text_version"' not in page
    assert _send_scan(client, registration.id, data=sample_files.PDF).status_code == 302
    assert len(_consents(pupil.id)) == 1
    assert len(_documents()) == 1


def test_a_forged_scan_records_nothing(client, school_user, documents_dir):
    pupil = factories.participant(school_user.institution, consent=False)
    registration = factories.registration(factories.exchange(), pupil)
    login_as(client, school_user)
    response = _send_scan(
        client,
        registration.id,
        data=sample_files.HTML,
        guardian_name="Anna Nowak",
        given_on=clock.today().isoformat(),
        text_version="2026-01",
    )
    assert response.status_code == 422
    assert _consents(pupil.id) == []
    assert _documents() == []


def test_a_school_cannot_reach_another_schools_consent_form(client, school_user, documents_dir):
    other = factories.participant(factories.institution())
    registration = factories.registration(factories.exchange(), other)
    factories.document(registration.exchange, other)
    login_as(client, school_user)
    assert client.get(f"/registrations/{registration.id}/consent-form").status_code == 404
    assert _send_scan(client, registration.id).status_code == 404
    assert len(_documents()) == 1


def test_the_participant_page_lists_the_scans(client, school_user, documents_dir):
    exchange = factories.exchange(title="Lakes and forests")
    pupil = factories.participant(school_user.institution)
    registration = factories.registration(exchange, pupil)
    document = factories.document(exchange, pupil, name="zgoda-ola.pdf")
    login_as(client, school_user)
    page = client.get(f"/participants/{pupil.id}").get_data(as_text=True)
    assert f'href="/documents/{document.id}"' in page
    assert "zgoda-ola.pdf" in page
    assert f'href="/registrations/{registration.id}/consent-form"' in page


def test_the_access_export_lists_the_documents_without_content(client, school_user, documents_dir):
    exchange = factories.exchange(title="Lakes and forests")
    pupil = factories.participant(school_user.institution)
    factories.document(exchange, pupil, data=sample_files.PDF, name="zgoda-ola.pdf")
    login_as(client, school_user)
    data = json.loads(client.get(f"/participants/{pupil.id}/export.json").data)
    (entry,) = data["documents"]
    assert entry["file_name"] == "zgoda-ola.pdf"
    assert entry["exchange"] == "Lakes and forests"
    assert entry["kind"] == "consent"
    assert entry["uploaded_at"]
    assert sample_files.PDF.decode() not in json.dumps(data)


def test_erasure_deletes_the_persons_files_and_rows_only(client, coordinator, documents_dir):
    exchange = factories.exchange()
    erased, kept = factories.participant(), factories.participant()
    for pupil in (erased, kept):
        services.register_participant(exchange, pupil, by=coordinator)
    db.session.commit()
    gone = factories.document(exchange, erased, name="erased.pdf")
    stays = factories.document(exchange, kept, name="kept.pdf")
    programme = factories.document(exchange, name="programme.pdf")
    gone_path = documents_dir / gone.stored_name
    kept_paths = [documents_dir / stays.stored_name, documents_dir / programme.stored_name]
    before = report_figures()
    login_as(client, coordinator)
    assert post_form(client, f"/participants/{erased.id}/erase").status_code == 302
    assert [item.original_name for item in _documents()] == ["kept.pdf", "programme.pdf"]
    assert not gone_path.exists()
    assert all(path.exists() for path in kept_paths)
    assert report_figures() == before


def test_anonymisation_deletes_the_files_and_keeps_the_report(
    app, app_context, coordinator, documents_dir
):
    today = clock.today()
    old = factories.exchange(start=today - timedelta(days=800), status="registration_open")
    recent = factories.exchange(start=today - timedelta(days=100))
    old_pupil, recent_pupil = factories.participant(), factories.participant()
    for exchange, pupil in ((old, old_pupil), (recent, recent_pupil)):
        services.register_participant(exchange, pupil, by=coordinator, today=exchange.start_date)
    db.session.commit()
    old_scan = factories.document(old, old_pupil)
    recent_scan = factories.document(recent, recent_pupil)
    old_path, recent_path = (
        documents_dir / old_scan.stored_name,
        documents_dir / recent_scan.stored_name,
    )
    recent_id = recent_scan.id
    before = report_figures()

    result = app.test_cli_runner().invoke(args=["anonymise"])
    assert result.exit_code == 0, result.output

    assert [item.id for item in _documents()] == [recent_id]
    assert not old_path.exists()
    assert recent_path.exists()
    assert report_figures() == before


def test_removing_a_participant_removes_their_files(client, school_user, documents_dir):
    pupil = factories.participant(school_user.institution)
    scan = factories.document(factories.exchange(), pupil)
    path = documents_dir / scan.stored_name
    login_as(client, school_user)
    assert post_form(client, f"/participants/{pupil.id}/delete").status_code == 302
    assert _documents() == []
    assert not path.exists()


def test_a_school_removes_its_own_pupils_scan(client, school_user, documents_dir):
    pupil = factories.participant(school_user.institution)
    scan = factories.document(factories.exchange(), pupil)
    path, pupil_id = documents_dir / scan.stored_name, pupil.id
    login_as(client, school_user)
    response = post_form(client, f"/documents/{scan.id}/delete")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/participants/{pupil_id}"
    assert _documents() == []
    assert not path.exists()


def test_the_demo_data_has_documents_on_disk_that_match_their_rows(app, client, documents_dir):
    result = app.test_cli_runner().invoke(args=["demo-data", "--seed", "1"])
    assert result.exit_code == 0, result.output
    documents = _documents()
    kinds = {document.kind for document in documents}
    assert {DocumentKind.PROGRAMME, DocumentKind.PHOTO, DocumentKind.CONSENT} <= kinds
    for document in documents:
        data = (documents_dir / document.stored_name).read_bytes()
        assert hashlib.sha256(data).hexdigest() == document.sha256
        assert sniff(data) is document.file_type
    assert sorted(path.name for path in documents_dir.iterdir()) == sorted(
        document.stored_name for document in documents
    )
