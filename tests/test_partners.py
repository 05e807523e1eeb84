from __future__ import annotations

import html
import re

import pytest
import sqlalchemy as sa

from exchange.extensions import db
from exchange.partners.models import PartnerCity, PartnerKind, PartnerStatus
from exchange.partners.services import seed_partners
from tests.helpers import login_as, post_form

PARTNERSHIP = PartnerKind.PARTNERSHIP
COOPERATION = PartnerKind.COOPERATION_AGREEMENT

#: slug: (name, country code, country name, year signed, kind) from the city's published list
PUBLISHED_LIST = {
    "rovaniemi": ("Rovaniemi", "FI", "Finland", 1976, PARTNERSHIP),
    "chateauroux": ("Châteauroux", "FR", "France", 1991, PARTNERSHIP),
    "gelsenkirchen": ("Gelsenkirchen", "DE", "Germany", 1992, PARTNERSHIP),
    "kaliningrad": ("Kaliningrad", "RU", "Russia", 1993, PARTNERSHIP),
    "richmond": ("Richmond", "US", "United States", 1995, PARTNERSHIP),
    "lutsk": ("Lutsk", "UA", "Ukraine", 1997, PARTNERSHIP),
    "offenburg": ("Offenburg", "DE", "Germany", 1999, PARTNERSHIP),
    "halmstad": ("Halmstad", "SE", "Sweden", 2003, COOPERATION),
    "perugia": ("Province of Perugia", "IT", "Italy", 2004, COOPERATION),
}

VALID_PARTNER = {
    "name": "Vilnius",
    "country": "LT",
    "region": "Vilnius County",
    "kind": "cooperation_agreement",
    "year_signed": "2010",
    "status": "active",
    "status_note": "",
    "website": "https://vilnius.lt",
    "contact_name": "Rūta Jonaitė",
    "contact_email": "partners@vilnius.lt",
    "contact_phone": "+370 5 211 2000",
    "description": "Youth exchanges since 2011.",
}


def _all_partners() -> list[PartnerCity]:
    return list(db.session.scalars(sa.select(PartnerCity).order_by(PartnerCity.id)))


def _count_partners() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(PartnerCity))


def _table_rows(page: str) -> list[str]:
    """The text of each body row of the page's table, tags removed, spaces collapsed."""
    body = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    rows = re.findall(r"<tr.*?</tr>", body, flags=re.DOTALL)
    return [" ".join(html.unescape(re.sub(r"<[^>]+>", " ", row)).split()) for row in rows]


# --- the seed -------------------------------------------------------------------------------


def test_seed_loads_the_nine_partner_cities_of_the_published_list(partners):
    stored = {
        partner.slug: (partner.name, partner.country, partner.year_signed, partner.kind)
        for partner in _all_partners()
    }
    assert stored == {
        slug: (name, code, year, kind)
        for slug, (name, code, _country, year, kind) in PUBLISHED_LIST.items()
    }
    assert set(partners) == set(PUBLISHED_LIST)
    assert all(partner.status is PartnerStatus.ACTIVE for partner in _all_partners())


def test_seed_gives_richmond_its_region_virginia(partners):
    richmond = db.session.scalar(sa.select(PartnerCity).where(PartnerCity.slug == "richmond"))
    assert richmond.region == "Virginia"


def test_seed_notes_perugia_was_signed_for_warmia_with_three_district_offices(partners):
    perugia = db.session.scalar(sa.select(PartnerCity).where(PartnerCity.slug == "perugia"))
    for words in ("Warmia", "Olsztyński", "Braniewski", "Lidzbarski", "District"):
        assert words in perugia.status_note


def test_seeding_again_adds_nothing_and_keeps_an_admins_edit(client, admin, partners):
    login_as(client, admin)
    values = {**VALID_PARTNER, "name": "Rovaniemi (Lapland)", "country": "FI"}
    values.update(year_signed="1976", kind="partnership", description="Edited by the admin.")
    assert post_form(client, "/partners/rovaniemi/edit", values).status_code == 302

    assert seed_partners() == []
    db.session.commit()

    assert _count_partners() == 9
    rovaniemi = db.session.scalar(sa.select(PartnerCity).where(PartnerCity.slug == "rovaniemi"))
    assert rovaniemi.name == "Rovaniemi (Lapland)"
    assert rovaniemi.description == "Edited by the admin."
    assert rovaniemi.website == "https://vilnius.lt"


def test_seed_adds_only_the_missing_partners(app_context, partners):
    db.session.delete(partners["lutsk"])
    db.session.commit()
    added = seed_partners()
    db.session.commit()
    assert [partner.slug for partner in added] == ["lutsk"]
    assert _count_partners() == 9


# --- public pages ---------------------------------------------------------------------------


def test_anyone_sees_the_nine_partners_with_country_year_kind_and_status(client, partners):
    response = client.get("/partners/")
    assert response.status_code == 200
    rows = _table_rows(response.get_data(as_text=True))
    assert len(rows) == 9
    kind_labels = {PARTNERSHIP: "Partnership", COOPERATION: "Cooperation agreement"}
    for row, (name, _code, country, year, kind) in zip(rows, PUBLISHED_LIST.values(), strict=True):
        assert row.startswith(name), row
        assert country in row
        assert str(year) in row
        assert kind_labels[kind] in row
        assert row.endswith("Active"), row


def test_partner_list_links_each_partner_to_its_page(client, partners):
    page = client.get("/partners/").get_data(as_text=True)
    for slug in PUBLISHED_LIST:
        assert f'href="/partners/{slug}"' in page


def test_partner_page_shows_its_facts_and_note(client, partners):
    response = client.get("/partners/perugia")
    assert response.status_code == 200
    page = html.unescape(response.get_data(as_text=True))
    assert "<h1>Province of Perugia</h1>" in page
    assert "Italy" in page
    assert "Umbria" in page
    assert "Cooperation agreement" in page
    assert "2004" in page
    assert "Warmia" in page
    assert "/partners/perugia/edit" not in page  # no edit link for visitors


def test_admin_sees_an_edit_link_on_the_partner_page(client, admin, partners):
    login_as(client, admin)
    page = client.get("/partners/richmond").get_data(as_text=True)
    assert 'href="/partners/richmond/edit"' in page


def test_unknown_partner_is_404(client, partners):
    assert client.get("/partners/atlantis").status_code == 404
    assert client.get("/partners/atlantis/edit").status_code == 302  # login first


def test_admin_gets_404_editing_an_unknown_partner(client, admin):
    login_as(client, admin)
    assert client.get("/partners/atlantis/edit").status_code == 404
    assert post_form(client, "/partners/atlantis/edit", VALID_PARTNER).status_code == 404


# --- admin: create and edit -----------------------------------------------------------------


def test_admin_adds_a_partner_city_that_everyone_then_sees(client, admin, partners):
    login_as(client, admin)
    assert client.get("/partners/new").status_code == 200
    response = post_form(client, "/partners/new", VALID_PARTNER)
    assert response.status_code == 302
    assert response.headers["Location"] == "/partners/vilnius"

    vilnius = db.session.scalar(sa.select(PartnerCity).where(PartnerCity.slug == "vilnius"))
    assert vilnius.name == "Vilnius"
    assert vilnius.country == "LT"
    assert vilnius.region == "Vilnius County"
    assert vilnius.kind is COOPERATION
    assert vilnius.year_signed == 2010
    assert vilnius.status is PartnerStatus.ACTIVE
    assert vilnius.website == "https://vilnius.lt"
    assert vilnius.contact_name == "Rūta Jonaitė"
    assert vilnius.contact_email == "partners@vilnius.lt"
    assert vilnius.contact_phone == "+370 5 211 2000"
    assert vilnius.description == "Youth exchanges since 2011."

    post_form(client, "/logout")
    assert "Vilnius" in client.get("/partners/").get_data(as_text=True)
    page = client.get("/partners/vilnius").get_data(as_text=True)
    assert "Lithuania" in page
    assert "Youth exchanges since 2011." in page


def test_partner_slug_stays_when_the_admin_renames_it(client, admin, partners):
    login_as(client, admin)
    values = {
        **VALID_PARTNER,
        "name": "City of Richmond",
        "country": "US",
        "region": "Virginia",
        "kind": "partnership",
        "year_signed": "1995",
        "status": "suspended",
        "status_note": "On hold while the city council reviews its partnerships.",
    }
    response = post_form(client, "/partners/richmond/edit", values)
    assert response.status_code == 302
    assert response.headers["Location"] == "/partners/richmond"

    richmond = db.session.scalar(sa.select(PartnerCity).where(PartnerCity.slug == "richmond"))
    assert richmond.name == "City of Richmond"
    assert richmond.status is PartnerStatus.SUSPENDED
    assert richmond.status_note.startswith("On hold")
    page = client.get("/partners/richmond").get_data(as_text=True)
    assert "City of Richmond" in page
    assert "Suspended" in page


def test_edit_form_shows_the_stored_values(client, admin, partners):
    login_as(client, admin)
    page = client.get("/partners/richmond/edit").get_data(as_text=True)
    assert 'value="Richmond"' in page
    assert 'value="Virginia"' in page
    assert 'value="1995"' in page
    assert '<option selected value="US">' in page


def test_two_partners_with_similar_names_get_different_slugs(client, admin):
    login_as(client, admin)
    post_form(client, "/partners/new", {**VALID_PARTNER, "name": "Vilnius"})
    response = post_form(client, "/partners/new", {**VALID_PARTNER, "name": "Vilnius!"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/partners/vilnius-2"
    assert client.get("/partners/vilnius-2").status_code == 200


INVALID_INPUT = [
    pytest.param({"country": "XX"}, "country", id="unknown-country"),
    pytest.param({"country": ""}, "country", id="no-country"),
    pytest.param({"year_signed": "1850"}, "year_signed", id="year-too-early"),
    pytest.param({"year_signed": "2101"}, "year_signed", id="year-too-late"),
    pytest.param({"year_signed": "last year"}, "year_signed", id="year-not-a-number"),
    pytest.param({"name": "ROVANIEMI"}, "name", id="duplicate-name"),
    pytest.param({"name": ""}, "name", id="no-name"),
    pytest.param({"status": "suspended", "status_note": "  "}, "status_note", id="suspended"),
    pytest.param({"status": "ended", "status_note": ""}, "status_note", id="ended-no-note"),
    pytest.param({"website": "not a web address"}, "website", id="bad-url"),
    pytest.param({"website": "javascript:alert(1)"}, "website", id="script-url"),
    pytest.param({"contact_email": "nobody-at-example"}, "contact_email", id="bad-email"),
    pytest.param({"kind": "alliance"}, "kind", id="unknown-kind"),
    pytest.param({"status": "dormant"}, "status", id="unknown-status"),
]


@pytest.mark.parametrize(("change", "field"), INVALID_INPUT)
def test_invalid_new_partner_is_refused_next_to_the_field_and_nothing_saved(
    client, admin, partners, change, field
):
    login_as(client, admin)
    values = {**VALID_PARTNER, "contact_name": "Typed Name", **change}
    response = post_form(client, "/partners/new", values)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert f'id="{field}-error"' in page
    assert f'aria-describedby="{field}-error"' in page or f'{field}-help {field}-error"' in page
    assert 'value="Typed Name"' in page  # the form keeps what was typed
    if values["name"]:
        assert f'value="{values["name"]}"' in page
    assert _count_partners() == 9
    assert db.session.scalar(sa.select(PartnerCity).where(PartnerCity.slug == "vilnius")) is None


def test_refused_partner_form_keeps_the_typed_year_and_website(client, admin):
    login_as(client, admin)
    response = post_form(
        client, "/partners/new", {**VALID_PARTNER, "year_signed": "1850", "website": "nope"}
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'value="1850"' in page
    assert 'value="nope"' in page
    assert 'id="year_signed-error"' in page
    assert 'id="website-error"' in page


@pytest.mark.parametrize(("change", "field"), INVALID_INPUT)
def test_invalid_partner_edit_is_refused_and_the_partner_unchanged(
    client, admin, partners, change, field
):
    login_as(client, admin)
    if field == "name" and change["name"]:
        change = {"name": "Lutsk"}  # another partner's name
    values = {
        **VALID_PARTNER,
        "name": "Rovaniemi",
        "country": "FI",
        "year_signed": "1976",
        "kind": "partnership",
        **change,
    }
    response = post_form(client, "/partners/rovaniemi/edit", values)
    assert response.status_code == 422
    assert f'id="{field}-error"' in response.get_data(as_text=True)

    rovaniemi = db.session.scalar(sa.select(PartnerCity).where(PartnerCity.slug == "rovaniemi"))
    assert rovaniemi.name == "Rovaniemi"
    assert rovaniemi.country == "FI"
    assert rovaniemi.year_signed == 1976
    assert rovaniemi.status is PartnerStatus.ACTIVE
    assert rovaniemi.website == "https://www.rovaniemi.fi"
    assert rovaniemi.contact_email == ""


def test_partner_keeps_its_own_name_when_edited(client, admin, partners):
    login_as(client, admin)
    values = {
        **VALID_PARTNER,
        "name": "Lutsk",
        "country": "UA",
        "year_signed": "1997",
        "kind": "partnership",
    }
    assert post_form(client, "/partners/lutsk/edit", values).status_code == 302


@pytest.mark.parametrize("role", ["coordinator", "school_user"])
def test_only_admins_add_or_edit_partners(client, partners, role, request):
    login_as(client, request.getfixturevalue(role))
    assert client.get("/partners/new").status_code == 403
    assert post_form(client, "/partners/new", VALID_PARTNER).status_code == 403
    assert client.get("/partners/lutsk/edit").status_code == 403
    values = {**VALID_PARTNER, "name": "Lutsk renamed"}
    assert post_form(client, "/partners/lutsk/edit", values).status_code == 403

    assert _count_partners() == 9
    lutsk = db.session.scalar(sa.select(PartnerCity).where(PartnerCity.slug == "lutsk"))
    assert lutsk.name == "Lutsk"
    page = client.get("/partners/lutsk").get_data(as_text=True)
    assert "/partners/lutsk/edit" not in page
    assert "/partners/new" not in client.get("/partners/").get_data(as_text=True)
