"""The EU list of travellers for school trips and the parents' consent forms of a sending school
(views of the paperwork blueprint, ``views.bp``; ``create_app`` imports this module).

Every paper produced is written to the audit log, naming the exchange, the school or the
registration, never a person's data.
"""

from __future__ import annotations

from flask import abort, render_template, request
from flask_babel import force_locale
from flask_login import current_user

from exchange.audit import services as audit
from exchange.core.downloads import attachment
from exchange.core.permissions import Role, role_required
from exchange.extensions import db
from exchange.paperwork import consent_forms, eu_list
from exchange.paperwork.access import (
    get_consent_form_registration_or_404,
    get_eu_papers_trip_or_404,
)
from exchange.paperwork.views import bp
from exchange.registrations.models import ParticipantRole
from exchange.registrations.queries import trip_countries
from exchange.registrations.residence import needs_visa_warning

school_or_city_hall = role_required(Role.ADMIN, Role.COORDINATOR, Role.SCHOOL)
#: the papers' languages: Polish, English on request
PAPER_LANGUAGES = ("pl", "en")


def _language() -> str:
    language = request.args.get("lang", "pl")
    return language if language in PAPER_LANGUAGES else "pl"


@bp.get("/exchanges/<int:exchange_id>/eu-papers/<int:institution_id>")
@school_or_city_hall
def eu_papers(exchange_id: int, institution_id: int):
    """The school's page: the EU list (or why it does not apply) and the consent forms."""
    exchange, institution = get_eu_papers_trip_or_404(exchange_id, institution_id, current_user)
    papers = eu_list.build_eu_list(exchange, institution)
    places = eu_list.holding_places(exchange, institution)
    travelling = [registration.participant for registration in places]
    countries = trip_countries(exchange) or []
    return render_template(
        "paperwork/eu_papers.html",
        exchange=exchange,
        institution=institution,
        papers=papers,
        pupil_places=[item for item in places if item.participant.role is ParticipantRole.PUPIL],
        need_visa=[person for person in travelling if needs_visa_warning(person, countries)],
    )


@bp.get("/exchanges/<int:exchange_id>/eu-list/<int:institution_id>.<fmt>")
@school_or_city_hall
def eu_list_file(exchange_id: int, institution_id: int, fmt: str):
    exchange, institution = get_eu_papers_trip_or_404(exchange_id, institution_id, current_user)
    if fmt not in ("pdf", "xlsx"):
        abort(404)
    with force_locale(_language()):
        papers = eu_list.build_eu_list(exchange, institution)
        if not papers.applies:
            abort(404)
        body = eu_list.eu_list_pdf(papers) if fmt == "pdf" else eu_list.eu_list_xlsx(papers)
    audit.record(
        "export", "exchange", exchange.id, detail=f"eu-list.{fmt} institution {institution.id}"
    )
    db.session.commit()
    return attachment(body, fmt, f"eu-list-exchange-{exchange.id}-school-{institution.id}")


@bp.get("/exchanges/<int:exchange_id>/consent-forms/<int:institution_id>.pdf")
@school_or_city_hall
def consent_forms_file(exchange_id: int, institution_id: int):
    """A page for each of the school's pupils holding a place."""
    exchange, institution = get_eu_papers_trip_or_404(exchange_id, institution_id, current_user)
    pupils = [
        person
        for person in eu_list.travelling(exchange, institution)
        if person.role is ParticipantRole.PUPIL
    ]
    with force_locale(_language()):
        body = consent_forms.consent_forms_pdf(
            exchange,
            eu_list.destinations(exchange),
            pupils,
            consent_forms.known_facts(exchange, institution),
        )
    audit.record(
        "export",
        "exchange",
        exchange.id,
        detail=f"consent-forms.pdf institution {institution.id}, {len(pupils)} pages",
    )
    db.session.commit()
    name = f"consent-forms-exchange-{exchange.id}-school-{institution.id}"
    return attachment(body, "pdf", name)


@bp.get("/registrations/<int:registration_id>/consent-form.pdf")
@school_or_city_hall
def consent_form_file(registration_id: int):
    """One pupil's form."""
    registration = get_consent_form_registration_or_404(registration_id, current_user)
    exchange = registration.exchange
    person = eu_list.participant_with_school(registration.participant_id)
    if person is None:
        abort(404)
    with force_locale(_language()):
        body = consent_forms.consent_forms_pdf(
            exchange,
            eu_list.destinations(exchange),
            [person],
            consent_forms.known_facts(exchange, person.institution),
        )
    audit.record("export", "registration", registration.id, detail="consent-form.pdf")
    db.session.commit()
    return attachment(body, "pdf", f"consent-form-registration-{registration.id}")
