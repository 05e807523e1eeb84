"""The school levels an institution teaches: chosen on its form, shown in the list, kept for
schools only."""

from __future__ import annotations

import html

import sqlalchemy as sa

from exchange.extensions import db
from exchange.partners.models import Institution, InstitutionLevel, SchoolLevel
from tests import factories
from tests.helpers import login_as, post_form


def _levels(institution_id: int) -> list[SchoolLevel]:
    db.session.expire_all()
    return db.session.get(Institution, institution_id).school_levels


def test_a_coordinator_adds_a_school_teaching_two_levels(client, coordinator):
    login_as(client, coordinator)
    form = client.get("/institutions/new").get_data(as_text=True)
    assert "School levels taught" in form
    assert 'type="checkbox" value="vocational"' in form
    response = post_form(
        client,
        "/institutions/new",
        {"name": "Zespół Szkół nr 5", "kind": "school", "partner_city_id": "",
         "school_levels": ["primary", "secondary"]},
    )  # fmt: skip
    assert response.status_code == 302
    school = db.session.scalar(sa.select(Institution))
    assert _levels(school.id) == [SchoolLevel.PRIMARY, SchoolLevel.SECONDARY]
    page = html.unescape(client.get("/institutions/").get_data(as_text=True))
    assert "Primary school, Secondary school" in page


def test_editing_keeps_shows_and_changes_the_levels(client, coordinator):
    school = factories.institution(name="SP 34", levels=["primary", "secondary"])
    login_as(client, coordinator)
    form = client.get(f"/institutions/{school.id}/edit").get_data(as_text=True)
    assert 'checked id="school_levels-0" name="school_levels" type="checkbox" value="primary"' in (
        form
    )
    assert 'value="vocational"' in form
    assert 'checked id="school_levels-2"' not in form

    response = post_form(
        client,
        f"/institutions/{school.id}/edit",
        {"name": "SP 34", "kind": "school", "school_levels": ["secondary", "vocational"]},
    )
    assert response.status_code == 302
    assert _levels(school.id) == [SchoolLevel.SECONDARY, SchoolLevel.VOCATIONAL]

    post_form(client, f"/institutions/{school.id}/edit", {"name": "SP 34", "kind": "school"})
    assert _levels(school.id) == []


def test_an_institution_that_is_not_a_school_teaches_no_level(client, coordinator):
    school = factories.institution(name="Was a school", levels=["primary"])
    login_as(client, coordinator)
    post_form(
        client,
        f"/institutions/{school.id}/edit",
        {"name": "Now a club", "kind": "sports_club", "school_levels": ["primary"]},
    )
    assert _levels(school.id) == []
    assert db.session.scalar(sa.select(sa.func.count()).select_from(InstitutionLevel)) == 0


def test_an_unknown_level_is_refused(client, coordinator):
    login_as(client, coordinator)
    response = post_form(
        client,
        "/institutions/new",
        {"name": "X", "kind": "school", "school_levels": ["university"]},
    )
    assert response.status_code == 422
    assert db.session.scalar(sa.select(Institution)) is None


def test_the_levels_go_with_their_institution(app_context):
    school = factories.institution(levels=["vocational"])
    db.session.delete(school)
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(InstitutionLevel)) == 0


def test_the_old_import_path_of_the_school_levels_still_works():
    from exchange.exchanges.models import SchoolLevel as FromExchanges

    assert FromExchanges is SchoolLevel


def test_the_demo_schools_teach_the_levels_their_names_say(app_context):
    from datetime import date

    from exchange.demo import exchanges as demo

    demo.generate(db.session, seed=7, years=1, today=date(2026, 11, 27))
    db.session.commit()
    taught = {
        name: level
        for name, level in db.session.execute(
            sa.select(Institution.name, InstitutionLevel.level).join(InstitutionLevel)
        )
        if name.endswith("in Olsztyn")
    }
    assert taught["Primary School No. 34 in Olsztyn"] is SchoolLevel.PRIMARY
    assert taught["Vocational School Complex of Mechanics in Olsztyn"] is SchoolLevel.VOCATIONAL
    complex_levels = db.session.scalars(
        sa.select(InstitutionLevel.level)
        .join(Institution)
        .where(Institution.name == "Hotel and Catering School Complex in Olsztyn")
    ).all()
    assert set(complex_levels) == {SchoolLevel.SECONDARY, SchoolLevel.VOCATIONAL}
    # only schools teach
    assert not db.session.scalar(
        sa.select(sa.func.count())
        .select_from(InstitutionLevel)
        .join(Institution)
        .where(Institution.kind != "school")
    )
