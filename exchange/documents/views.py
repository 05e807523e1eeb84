"""The documents of an exchange, their upload and removal, and the participants' signed consent
forms."""

from __future__ import annotations

import unicodedata
from urllib.parse import quote

from flask import Blueprint, Response, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from exchange.core.bounds import uploads_up_to
from exchange.core.permissions import Role, role_required, staff_required
from exchange.documents import queries, services
from exchange.documents.access import can_manage, get_document_or_404
from exchange.documents.forms import ConfirmForm, ConsentScanForm, DocumentForm
from exchange.documents.models import Document
from exchange.documents.storage import read
from exchange.exchanges.access import get_exchange_or_404
from exchange.extensions import db
from exchange.forms_util import submit
from exchange.registrations.access import get_participant_or_404, get_registration_or_404

bp = Blueprint("documents", __name__)

everyone_logged_in = role_required(Role.ADMIN, Role.COORDINATOR, Role.SCHOOL)
UPLOAD_LIMIT = "DOCUMENT_MAX_CONTENT_LENGTH"
#: letters that carry their mark in the letter itself, so Unicode does not decompose them
_UNDECOMPOSED = str.maketrans({"ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "ø": "o", "Ø": "O"})


def content_disposition(filename: str) -> str:
    """``attachment`` with the name for every browser: plain ASCII in ``filename``, the real
    name in ``filename*`` (RFC 5987) when it has other letters (ą, ł, ż…)."""
    simple = unicodedata.normalize("NFKD", filename.translate(_UNDECOMPOSED))
    simple = simple.encode("ascii", "ignore").decode("ascii")
    simple = "".join(char for char in simple if char.isprintable() and char not in '"\\;')
    simple = simple or "document"
    if simple == filename:
        return f'attachment; filename="{simple}"'
    return f"attachment; filename=\"{simple}\"; filename*=UTF-8''{quote(filename, safe='')}"


# --- an exchange's documents ----------------------------------------------------------------


@bp.get("/exchanges/<int:exchange_id>/documents")
@everyone_logged_in
def exchange_documents(exchange_id: int):
    exchange = get_exchange_or_404(exchange_id, current_user)
    return render_template(
        "documents/documents.html",
        exchange=exchange,
        documents=queries.exchange_documents(exchange, current_user),
        can_manage=lambda document: can_manage(document, current_user),
    )


@bp.route("/exchanges/<int:exchange_id>/documents/new", methods=["GET", "POST"])
@uploads_up_to(UPLOAD_LIMIT)
@staff_required
def upload(exchange_id: int):
    exchange = get_exchange_or_404(exchange_id, current_user)
    form = DocumentForm()
    sent = submit(
        form,
        lambda: services.upload_exchange_document(
            exchange, form.upload(), form.kind.data, by=current_user
        ),
    )
    if sent.done:
        flash(_("The document is uploaded."), "success")
        return redirect(url_for(".exchange_documents", exchange_id=exchange.id))
    return render_template("documents/upload.html", exchange=exchange, form=form), sent.status


# --- one document ---------------------------------------------------------------------------


@bp.get("/documents/<int:document_id>")
@everyone_logged_in
def download(document_id: int):
    document = get_document_or_404(document_id, current_user)
    body = read(document)
    if body is None:  # the file is gone from the volume: nothing to serve
        abort(404)
    services.record_download(document, by=current_user)
    db.session.commit()
    return _file_response(document, body)


def _file_response(document: Document, body: bytes) -> Response:
    return Response(
        body,
        mimetype=document.file_type.mimetype,
        headers={
            "Content-Disposition": content_disposition(document.original_name),
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "no-store" if document.is_personal else "private, no-cache",
            # opened by mistake in the browser, it can run nothing and load nothing
            "Content-Security-Policy": "default-src 'none'; sandbox",
        },
    )


@bp.route("/documents/<int:document_id>/delete", methods=["GET", "POST"])
@everyone_logged_in
def delete(document_id: int):
    document = get_document_or_404(document_id, current_user)
    if not can_manage(document, current_user):
        abort(403)
    form = ConfirmForm()
    back = _back(document)
    sent = submit(form, lambda: services.remove_document(document, by=current_user))
    if sent.done:
        flash(_("The document is deleted."), "success")
        return redirect(back)
    return render_template(
        "documents/delete.html", document=document, form=form, back=back
    ), sent.status


def _back(document: Document) -> str:
    if document.participant_id is not None:
        return url_for("registrations.participant", participant_id=document.participant_id)
    return url_for(".exchange_documents", exchange_id=document.exchange_id)


# --- a participant's signed consent form ----------------------------------------------------


@bp.route("/registrations/<int:registration_id>/consent-form", methods=["GET", "POST"])
@uploads_up_to(UPLOAD_LIMIT)
@everyone_logged_in
def consent_form(registration_id: int):
    registration = get_registration_or_404(registration_id, current_user)
    participant = get_participant_or_404(registration.participant_id, current_user)
    recorded = any(consent.is_valid for consent in participant.consents)
    form = ConsentScanForm(consent_recorded=recorded)
    sent = submit(
        form,
        lambda: services.upload_consent_scan(
            registration, form.upload(), form.values(), by=current_user
        ),
    )
    if sent.done:
        flash(_("The signed consent form is uploaded."), "success")
        if not recorded:
            flash(_("The consent is recorded."), "success")
        return redirect(url_for("registrations.participant", participant_id=participant.id))
    return render_template(
        "documents/consent_form.html",
        registration=registration,
        participant=participant,
        documents=queries.consent_forms_for(participant, registration.exchange_id),
        form=form,
        consent_recorded=recorded,
    ), sent.status
