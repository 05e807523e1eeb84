"""Exchanges: list, detail, form, workflow buttons, programme, month calendar and iCal feeds.

Public (no login): the upcoming events page ``/events``, a public exchange's page
``/events/<id>``, their feed ``/events.ics`` and the feed of a partner city
``/partners/<slug>/calendar.ics`` (public exchanges only for visitors). Everything else needs a
login; creating, editing and the workflow need a coordinator or admin. ``/calendar.ics`` (every
exchange but drafts) needs a login too: it is downloaded in the browser; calendar apps, which
cannot log in, subscribe to the user's personal link (``subscription_views``).
"""

from __future__ import annotations

import functools
from datetime import date, datetime
from typing import TypeVar

from babel.dates import get_date_format, parse_pattern
from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import format_date
from flask_babel import gettext as _
from flask_login import AnonymousUserMixin, current_user

from exchange import clock
from exchange.auth.models import is_staff
from exchange.core import fragments
from exchange.core.locale import current_locale, format_money
from exchange.core.permissions import public, staff_required
from exchange.exchanges import drafts, ical, queries, services
from exchange.exchanges.access import (
    get_exchange_or_404,
    get_programme_item_or_404,
    get_public_exchange_or_404,
)
from exchange.exchanges.forms import (
    CancelForm,
    CopyForm,
    DeleteForm,
    ExchangeFilterForm,
    ExchangeForm,
    ProgrammeItemForm,
)
from exchange.exchanges.kinds import kind_details
from exchange.exchanges.models import (
    Direction,
    Exchange,
    ExchangeKind,
    ExchangeStatus,
    InvalidTransition,
)
from exchange.exchanges.subscriptions import subscription_of
from exchange.extensions import db
from exchange.forms_util import required, submit
from exchange.partners.access import get_partner_or_404
from exchange.partners.services import list_partners

bp = Blueprint("exchanges", __name__)

#: the months a calendar page may show (outside, the page answers 404)
CALENDAR_YEARS = range(1900, 2101)


@bp.app_template_filter("money")
def money(value, currency: str = "PLN") -> str:
    return "" if value is None else format_money(value, currency)


@bp.app_template_filter("day")
def day(value: date | None, format: str = "medium") -> str:
    if value is None:
        return ""
    locale = current_locale()
    if isinstance(value, datetime) or locale is None:
        return format_date(value, format)  # a time of day: in the user's time zone
    return _format_day(value, str(locale), format)


@functools.lru_cache(maxsize=8192)
def _format_day(value: date, locale: str, format: str) -> str:
    """What ``babel.dates.format_date`` writes, worked out once per day, language and format:
    list pages and reports format hundreds of dates, the same ones again and again."""
    match format:
        case "full" | "long" | "medium" | "short":
            pattern = get_date_format(format, locale=locale)
        case _:
            pattern = parse_pattern(format)
    return pattern.apply(value, locale)


def action_labels() -> dict[str, str]:
    return {
        "plan": _("Plan (show to schools)"),
        "open_registration": _("Open registration"),
        "close_registration": _("Close registration"),
        "reopen_registration": _("Reopen registration"),
        "complete": _("Mark as completed"),
        "cancel": _("Cancel the exchange"),
    }


# --- list -----------------------------------------------------------------------------------


def _filters(form: ExchangeFilterForm) -> queries.ExchangeFilter:
    """The filters of the form; a value that is not one of the choices is ignored."""
    form.validate()
    filters = queries.ExchangeFilter()
    if form.q.data and not form.q.errors:
        filters.q = form.q.data.strip()
    if form.year.data and not form.year.errors:
        filters.year = int(form.year.data)
    if form.kind.data and not form.kind.errors:
        filters.kind = ExchangeKind(form.kind.data)
    if form.partner.data and not form.partner.errors:
        filters.partner_id = int(form.partner.data)
    if form.direction.data and not form.direction.errors:
        filters.direction = Direction(form.direction.data)
    if form.status.data and not form.status.errors:
        filters.status = ExchangeStatus(form.status.data)
    if form.show.data in set(queries.Show):
        filters.show = queries.Show(form.show.data)
    return filters


def quick_filters() -> list[tuple[queries.Show, str]]:
    """The list's quick filters, as links, in the order they are shown."""
    return [
        (queries.Show.UPCOMING, _("Upcoming")),
        (queries.Show.OPEN, _("Registration open")),
        (queries.Show.MINE, _("Mine")),
        (queries.Show.PAST, _("Past")),
        (queries.Show.ALL, _("All")),
    ]


@bp.get("/exchanges/")
def index():
    # the list is read far more often than exchanges change: its content is kept, per viewer,
    # language, day and query string, until the next change to the data
    content = fragments.cached("exchanges.index", current_user, request.query_string, _list)
    return render_template("exchanges/list.html", content=content)


def _list() -> str:
    staff = is_staff(current_user)
    statuses = [s for s in ExchangeStatus if staff or s is not ExchangeStatus.DRAFT]
    form = ExchangeFilterForm(
        request.args,
        partners=list_partners(order="name"),
        years=queries.exchange_years(),
        statuses=statuses,
    )
    filters = _filters(form)
    page = db.paginate(
        queries.exchanges_query(filters, current_user),
        per_page=current_app.config["ITEMS_PER_PAGE"],
        error_out=False,
    )
    return render_template(
        "exchanges/_list_content.html",
        page=page,
        form=form,
        show=filters.show,
        quick_filters=quick_filters(),
    )


# --- detail ---------------------------------------------------------------------------------


def _render_detail(
    exchange: Exchange,
    *,
    programme_form: ProgrammeItemForm | None = None,
    cancel_form: CancelForm | None = None,
    error: str | None = None,
    status: int = 200,
):
    if programme_form is None:
        programme_form = ProgrammeItemForm(formdata=None, day=exchange.start_date)
    return render_template(
        "exchanges/detail.html",
        exchange=exchange,
        programme_form=programme_form,
        cancel_form=cancel_form or CancelForm(formdata=None),
        kind_details=kind_details(exchange),
        action_labels=action_labels(),
        error=error,
    ), status


@bp.get("/exchanges/<int:exchange_id>")
def detail(exchange_id: int):
    return _render_detail(get_exchange_or_404(exchange_id, current_user))


# --- create and edit ------------------------------------------------------------------------


T = TypeVar("T")


def _keep_choosable(options: list[T], current: T | None) -> None:
    if current is not None and current not in options:
        options.append(current)


def _exchange_form(exchange: Exchange | None = None) -> ExchangeForm:
    partners = list_partners(order="name")
    institutions = queries.institutions_for_exchanges()
    coordinators = queries.list_coordinators()
    if exchange is None:
        return ExchangeForm(
            partners=partners,
            institutions=institutions,
            coordinators=coordinators,
            data={"coordinator_id": current_user.id, "currency": "PLN"},
        )
    # an archived institution or a former coordinator stays choosable on its own exchange
    _keep_choosable(institutions, exchange.olsztyn_institution)
    _keep_choosable(institutions, exchange.partner_institution)
    _keep_choosable(coordinators, exchange.coordinator)
    form = ExchangeForm(
        obj=exchange, partners=partners, institutions=institutions, coordinators=coordinators
    )
    if not form.is_submitted():
        form.partners.data = [partner.id for partner in exchange.partners]
    return form


@bp.route("/exchanges/new", methods=["GET", "POST"])
@staff_required
def create():
    form = _exchange_form()
    sent = submit(
        form,
        lambda: services.create_exchange(form.values(), by=current_user),
        check=lambda: services.check_exchange(form.values().cleaned()),
    )
    if sent.done:
        exchange = sent.result
        flash(_("%(title)s is saved as a draft.", title=exchange.title), "success")
        return redirect(url_for(".detail", exchange_id=exchange.id))
    return render_template("exchanges/form.html", form=form, exchange=None), sent.status


@bp.route("/exchanges/<int:exchange_id>/edit", methods=["GET", "POST"])
@staff_required
def edit(exchange_id: int):
    exchange = get_exchange_or_404(exchange_id, current_user)
    form = _exchange_form(exchange)
    sent = submit(
        form,
        lambda: services.update_exchange(exchange, form.values(), by=current_user),
        check=lambda: services.check_exchange(form.values().cleaned(), exchange),
    )
    if sent.done:
        flash(_("%(title)s is saved.", title=exchange.title), "success")
        return redirect(url_for(".detail", exchange_id=exchange.id))
    return render_template("exchanges/form.html", form=form, exchange=exchange), sent.status


# --- copy as a new draft, delete a draft ---------------------------------------------------


@bp.route("/exchanges/<int:exchange_id>/copy", methods=["GET", "POST"])
@staff_required
def copy(exchange_id: int):
    exchange = get_exchange_or_404(exchange_id, current_user)
    form = CopyForm(data={"first_day": drafts.a_year_later(exchange.start_date)})
    sent = submit(
        form, lambda: drafts.copy_exchange(exchange, required(form.first_day.data), by=current_user)
    )
    if sent.done:
        flash(_("The copy is saved as a draft: check its details."), "success")
        return redirect(url_for(".edit", exchange_id=sent.result.id))
    return render_template("exchanges/copy.html", form=form, exchange=exchange), sent.status


@bp.route("/exchanges/<int:exchange_id>/delete", methods=["GET", "POST"])
@staff_required
def delete(exchange_id: int):
    exchange = get_exchange_or_404(exchange_id, current_user)
    title = exchange.title
    form = DeleteForm()
    sent = submit(form, lambda: drafts.delete_draft(exchange, by=current_user))
    if sent.done:
        flash(_("%(title)s is deleted.", title=title), "success")
        return redirect(url_for(".index"))
    status = 409 if isinstance(sent.error, drafts.NotADraft) else sent.status
    return render_template("exchanges/delete.html", form=form, exchange=exchange), status


# --- workflow -------------------------------------------------------------------------------


@bp.post("/exchanges/<int:exchange_id>/status/<action>")
@staff_required
def change_status(exchange_id: int, action: str):
    if action not in services.ACTIONS:
        abort(404)
    exchange = get_exchange_or_404(exchange_id, current_user)
    form = CancelForm()
    sent = submit(
        form,
        lambda: services.transition(exchange, action, by=current_user, reason=form.reason.data),
    )
    if isinstance(sent.error, InvalidTransition):
        # not the form's fault: the exchange is not in a state that allows it
        return _render_detail(exchange, error=str(sent.error), status=409)
    if not sent.done:
        return _render_detail(exchange, cancel_form=form, status=422)
    flash(
        _("%(title)s: %(status)s.", title=exchange.title, status=exchange.status.label), "success"
    )
    return redirect(url_for(".detail", exchange_id=exchange.id))


# --- programme ------------------------------------------------------------------------------


@bp.post("/exchanges/<int:exchange_id>/programme")
@staff_required
def add_programme_item(exchange_id: int):
    exchange = get_exchange_or_404(exchange_id, current_user)
    form = ProgrammeItemForm()
    sent = submit(
        form,
        lambda: services.add_programme_item(exchange, form.values(), by=current_user),
        check=lambda: services.check_programme_item(exchange, form.values()),
    )
    if sent.done:
        flash(_("The programme item is added."), "success")
        return redirect(url_for(".detail", exchange_id=exchange.id) + "#programme")
    return _render_detail(exchange, programme_form=form, status=422)


@bp.route("/exchanges/<int:exchange_id>/programme/<int:item_id>/edit", methods=["GET", "POST"])
@staff_required
def edit_programme_item(exchange_id: int, item_id: int):
    exchange = get_exchange_or_404(exchange_id, current_user)
    item = get_programme_item_or_404(exchange, item_id)
    form = ProgrammeItemForm(obj=item)
    sent = submit(
        form,
        lambda: services.update_programme_item(exchange, item, form.values(), by=current_user),
        check=lambda: services.check_programme_item(exchange, form.values()),
    )
    if sent.done:
        flash(_("The programme item is saved."), "success")
        return redirect(url_for(".detail", exchange_id=exchange.id) + "#programme")
    return render_template(
        "exchanges/programme_form.html", form=form, exchange=exchange, item=item
    ), sent.status


@bp.post("/exchanges/<int:exchange_id>/programme/<int:item_id>/delete")
@staff_required
def delete_programme_item(exchange_id: int, item_id: int):
    exchange = get_exchange_or_404(exchange_id, current_user)
    item = get_programme_item_or_404(exchange, item_id)
    services.delete_programme_item(exchange, item, by=current_user)
    db.session.commit()
    flash(_("The programme item is deleted."), "success")
    return redirect(url_for(".detail", exchange_id=exchange.id) + "#programme")


# --- a partner city and its exchanges -------------------------------------------------------


@bp.get("/partners/<slug>")
@public
def partner(slug: str):
    """The partner city, with its exchanges since the agreement year as the viewer may see them
    (visitors: public ones but drafts; schools: all but drafts; staff: all)."""
    partner = get_partner_or_404(slug)
    page = db.paginate(
        queries.partner_exchanges_query(partner, current_user),
        per_page=current_app.config["ITEMS_PER_PAGE"],
        error_out=False,
    )
    return render_template(
        "exchanges/partner_detail.html",
        partner=partner,
        exchanges=page.items,
        page=page,
        statistics=queries.partner_statistics(partner, current_user),
    )


# --- month calendar -------------------------------------------------------------------------


@bp.get("/exchanges/calendar")
def month():
    """A month as a table of weeks; ``?year=2026&month=5``, this month without them.

    A value that is not a number falls back to this month; a month out of range is not found.
    """
    today = clock.today()
    year = request.args.get("year", type=int, default=today.year)
    month_number = request.args.get("month", type=int, default=today.month)
    if year not in CALENDAR_YEARS or not 1 <= month_number <= 12:
        abort(404)
    calendar = queries.month_calendar(year, month_number, current_user)
    previous, following = calendar.previous, calendar.next
    # "auto": the list on a phone, the grid on a wide screen (the stylesheet decides)
    view = request.args.get("view", "auto")
    return render_template(
        "exchanges/calendar.html",
        calendar=calendar,
        view=view if view in ("auto", "month", "agenda") else "auto",
        today=today,
        previous=previous if previous and previous[0] in CALENDAR_YEARS else None,
        following=following if following and following[0] in CALENDAR_YEARS else None,
        subscription=subscription_of(current_user),
        archive_years=queries.archive_years(current_user),
    )


# --- public upcoming events -----------------------------------------------------------------


@bp.get("/events")
@public
def events():
    return render_template(
        "exchanges/events.html", exchanges=queries.upcoming_public_events(clock.today())
    )


@bp.get("/events/<int:exchange_id>")
@public
def event(exchange_id: int):
    """A public exchange's public page, the same for everyone: what it is, when, where, its
    programme, where registration stands and whom to ask; nobody's personal data."""
    return render_template("exchanges/event.html", exchange=get_public_exchange_or_404(exchange_id))


# --- iCal feeds -----------------------------------------------------------------------------


@bp.get("/calendar.ics")
def calendar_feed():
    """Every exchange but drafts (schools and staff alike) of the last 12 months and later."""
    return ical.feed_response(
        queries.Feed(current_user),
        ical.scope(current_user),
        _("Olsztyn partner-city exchanges"),
        "olsztyn-exchanges.ics",
        links=ical.exchange_link,
    )


@bp.get("/events.ics")
@public
def events_feed():
    """Public exchanges, but drafts: what the upcoming events page shows, and the last year's."""
    return ical.feed_response(
        queries.Feed(AnonymousUserMixin()),
        "public",
        _("Olsztyn partner-city events"),
        "olsztyn-events.ics",
        private=False,
        links=ical.event_link,
    )


@bp.get("/partners/<slug>/calendar.ics")
@public
def partner_feed(slug: str):
    """The partner's exchanges but drafts: public ones only for visitors who are not logged in."""
    partner = get_partner_or_404(slug)
    logged_in = current_user.is_authenticated
    return ical.feed_response(
        queries.Feed(current_user, partner),
        ical.scope(current_user),
        _("Olsztyn and %(name)s", name=partner.local_name),
        f"olsztyn-{partner.slug}.ics",
        private=logged_in,
        # a visitor's feed holds public exchanges only: each has its public page
        links=ical.exchange_link if logged_in else ical.event_link,
    )


@bp.get("/exchanges/<int:exchange_id>/calendar.ics")
def exchange_feed(exchange_id: int):
    exchange = get_exchange_or_404(exchange_id, current_user)
    return ical.exchange_response(exchange, ical.scope(current_user))
