"""What a viewer may see of the activity report: the only place this rule is written.

City hall sees everything; a school representative only their own institution: its
participants, and the exchanges it took part in.
"""

from __future__ import annotations

from dataclasses import replace

from exchange.auth.models import User, Viewer, is_staff
from exchange.reports.types import ReportFilter


def scoped_to(report_filter: ReportFilter, viewer: Viewer) -> ReportFilter:
    """The filter as ``viewer`` may run it: a school representative sees their institution."""
    if is_staff(viewer) or not isinstance(viewer, User):
        return report_filter
    return replace(report_filter, institution_id=viewer.institution_id)
