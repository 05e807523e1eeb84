from __future__ import annotations

from exchange.core.permissions import Role
from exchange.exchanges.models import FundingSource, Profession
from exchange.partners.models import InstitutionKind


def test_equal_values_of_different_enums_keep_their_own_labels(app):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert Role.SCHOOL.label == "School representative"
        assert InstitutionKind.SCHOOL.label == "School"
        assert Role.SCHOOL.label == "School representative"
        assert FundingSource.OTHER.label == Profession.OTHER.label == "Other"
