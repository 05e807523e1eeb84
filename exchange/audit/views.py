"""The admin page to browse the audit log."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, request
from flask_babel import lazy_gettext as _l
from wtforms import DateField, IntegerField, SelectField
from wtforms.validators import NumberRange, Optional

from exchange.audit import services
from exchange.audit.services import AUDITED
from exchange.core.permissions import admin_required
from exchange.extensions import db
from exchange.forms_util import Form, choices

bp = Blueprint("audit", __name__)


class AuditFilterForm(Form):
    class Meta:
        csrf = False

    action = SelectField(_l("Action"), validators=[Optional()])
    object_type = SelectField(_l("Record type"), validators=[Optional()])
    object_id = IntegerField(_l("Record number"), validators=[Optional(), NumberRange(min=1)])
    actor_id = IntegerField(_l("User number"), validators=[Optional(), NumberRange(min=1)])
    date_from = DateField(_l("From"), validators=[Optional()])
    date_to = DateField(_l("To"), validators=[Optional()])

    def __init__(self, *args, actions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.action.choices = choices([("", _l("All actions"))] + [(a, a) for a in actions])
        self.object_type.choices = choices(
            [("", _l("All records"))] + [(name, name) for name in sorted(AUDITED.values())]
        )


@bp.get("/audit/")
@admin_required
def index():
    form = AuditFilterForm(request.args, actions=services.actions())
    filters = services.AuditFilter()
    if form.validate():
        filters = services.AuditFilter(
            action=form.action.data or "",
            object_type=form.object_type.data or "",
            object_id=form.object_id.data,
            actor_id=form.actor_id.data,
            date_from=form.date_from.data,
            date_to=form.date_to.data,
        )
    page = db.paginate(
        services.events_query(filters),
        per_page=current_app.config["ITEMS_PER_PAGE"] * 2,
        error_out=False,
    )
    return render_template(
        "audit/index.html", form=form, page=page, refusals=services.recent_refusals()
    )
