from __future__ import annotations

import html
import re

import pytest
import sqlalchemy as sa

from exchange.extensions import db
from exchange.partners.models import Institution, InstitutionKind
from tests import factories
from tests.helpers import login_as, post_form


def _institution_names(page: str) -> list[str]:
    """The names in the institution table, in the order shown."""
    return [
        html.unescape(name)
        for name in re.findall(r'<th scope="row"><a href="[^"]+">([^<]+)</a>', page)
    ]


def _listed(client, query: str = "") -> list[str]:
    response = client.get(f"/institutions/{query}")
    assert response.status_code == 200
    return _institution_names(response.get_data(as_text=True))


def _get(institution_id: int) -> Institution:
    db.session.expire_all()
    return db.session.get(Institution, institution_id)


@pytest.fixture
def three_institutions(partners):
    """A school in Olsztyn, a hospital in Offenburg and a sports club in Lutsk."""
    return {
        "school": factories.institution(name="I LO im. Kopernika", kind=InstitutionKind.SCHOOL),
        "hospital": factories.institution(
            name="Ortenau Klinikum",
            kind=InstitutionKind.HEALTHCARE,
            partner_city=partners["offenburg"],
        ),
        "club": factories.institution(
            name="Volyn Lutsk", kind=InstitutionKind.SPORTS_CLUB, partner_city=partners["lutsk"]
        ),
    }


# --- list and filters -----------------------------------------------------------------------


def test_coordinator_sees_institutions_with_kind_and_city(client, coordinator, three_institutions):
    login_as(client, coordinator)
    response = client.get("/institutions/")
    assert response.status_code == 200
    page = html.unescape(response.get_data(as_text=True))
    assert _institution_names(page) == ["I LO im. Kopernika", "Ortenau Klinikum", "Volyn Lutsk"]
    assert "3 institutions" in page
    for kind_label in ("School", "Hospital or clinic", "Sports club"):
        assert f"<td>{kind_label}</td>" in page
    for city in ("Olsztyn", "Offenburg", "Lutsk"):
        assert f"<td>{city}</td>" in page


def test_admin_sees_institutions_too(client, admin, three_institutions):
    login_as(client, admin)
    assert len(_listed(client)) == 3


def test_search_by_name_ignores_case(client, coordinator, three_institutions):
    login_as(client, coordinator)
    assert _listed(client, "?q=KLINIKUM") == ["Ortenau Klinikum"]
    assert _listed(client, "?q=  lutsk ") == ["Volyn Lutsk"]
    assert _listed(client, "?q=nothing+like+this") == []


def test_search_treats_wildcards_as_plain_characters(client, coordinator):
    factories.institution(name="Szkoła 100% sportu")
    factories.institution(name="Szkoła nr 1")
    factories.institution(name="Klub_Sportowy")
    factories.institution(name="Klub Sportowy AZS")
    login_as(client, coordinator)
    assert _listed(client, "?q=100%25") == ["Szkoła 100% sportu"]
    assert _listed(client, "?q=%25") == ["Szkoła 100% sportu"]
    assert _listed(client, "?q=b_S") == ["Klub_Sportowy"]


def test_filter_by_kind(client, coordinator, three_institutions):
    login_as(client, coordinator)
    assert _listed(client, "?kind=healthcare") == ["Ortenau Klinikum"]
    assert _listed(client, "?kind=university") == []


def test_filter_by_city_zero_means_olsztyn(client, coordinator, three_institutions):
    login_as(client, coordinator)
    assert _listed(client, "?city=0") == ["I LO im. Kopernika"]


def test_filter_by_partner_city(client, coordinator, partners, three_institutions):
    login_as(client, coordinator)
    assert _listed(client, f"?city={partners['lutsk'].id}") == ["Volyn Lutsk"]
    assert _listed(client, f"?city={partners['rovaniemi'].id}") == []


def test_filters_combine(client, coordinator, partners, three_institutions):
    factories.institution(name="Lutsk Lyceum No. 1", partner_city=partners["lutsk"])
    login_as(client, coordinator)
    city = partners["lutsk"].id
    assert _listed(client, f"?city={city}&kind=school") == ["Lutsk Lyceum No. 1"]
    assert _listed(client, f"?city={city}&q=volyn") == ["Volyn Lutsk"]
    assert _listed(client, "?city=0&kind=healthcare") == []


def test_filter_form_keeps_the_chosen_filters(client, coordinator, partners, three_institutions):
    login_as(client, coordinator)
    page = client.get("/institutions/?q=Klin&kind=healthcare&city=0").get_data(as_text=True)
    assert 'value="Klin"' in page
    assert '<option selected value="healthcare">' in page
    assert '<option selected value="0">' in page


@pytest.mark.parametrize(
    "query",
    [
        "?kind=castle",
        "?city=abc",
        "?city=99999",
        "?city=-1",
        "?page=abc",
        "?page=-3",
        "?q=" + "x" * 500,
    ],
)
def test_nonsense_filters_show_the_list_not_an_error(
    client, coordinator, three_institutions, query
):
    login_as(client, coordinator)
    response = client.get(f"/institutions/{query}")
    assert response.status_code == 200
    assert "<table>" in response.get_data(as_text=True)


def test_thirty_institutions_are_shown_25_per_page(client, coordinator):
    for number in range(1, 31):
        factories.institution(name=f"School {number:02d}")
    login_as(client, coordinator)

    first = client.get("/institutions/").get_data(as_text=True)
    assert _institution_names(first) == [f"School {number:02d}" for number in range(1, 26)]
    assert "30 institutions" in first
    assert "Page 1 of 2" in first
    assert 'href="/institutions/?page=2" rel="next"' in first

    second = client.get("/institutions/?page=2").get_data(as_text=True)
    assert _institution_names(second) == [f"School {number:02d}" for number in range(26, 31)]
    assert "Page 2 of 2" in second
    assert 'rel="next"' not in second
    assert 'href="/institutions/?page=1" rel="prev"' in second

    assert _institution_names(client.get("/institutions/?page=3").get_data(as_text=True)) == []


def test_page_links_keep_the_filters(client, coordinator):
    for number in range(1, 31):
        factories.institution(name=f"Hospital {number:02d}", kind=InstitutionKind.HEALTHCARE)
    factories.institution(name="A school", kind=InstitutionKind.SCHOOL)
    login_as(client, coordinator)
    page = client.get("/institutions/?kind=healthcare").get_data(as_text=True)
    assert "30 institutions" in page
    assert 'href="/institutions/?kind=healthcare&amp;page=2"' in page
    second = client.get("/institutions/?kind=healthcare&page=2").get_data(as_text=True)
    assert len(_institution_names(second)) == 5


# --- create, edit, archive ------------------------------------------------------------------


def test_coordinator_adds_an_institution_in_olsztyn(client, coordinator, partners):
    login_as(client, coordinator)
    assert client.get("/institutions/new").status_code == 200
    response = post_form(
        client,
        "/institutions/new",
        {
            "name": "  Szpital Miejski w Olsztynie ",
            "kind": "healthcare",
            "partner_city_id": "",
            "address": "ul. Niepodległości 44, Olsztyn",
            "contact_email": "sekretariat@szpital.olsztyn.pl",
            "contact_phone": "+48 89 532 62 00",
        },
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/institutions/"
    hospital = db.session.scalar(sa.select(Institution))
    assert hospital.name == "Szpital Miejski w Olsztynie"
    assert hospital.kind is InstitutionKind.HEALTHCARE
    assert hospital.partner_city_id is None
    assert hospital.address == "ul. Niepodległości 44, Olsztyn"
    assert hospital.contact_email == "sekretariat@szpital.olsztyn.pl"
    assert hospital.contact_phone == "+48 89 532 62 00"
    assert hospital.active is True
    assert "<td>Olsztyn</td>" in client.get("/institutions/").get_data(as_text=True)


def test_coordinator_adds_an_institution_in_a_partner_city(client, coordinator, partners):
    login_as(client, coordinator)
    richmond = partners["richmond"]
    response = post_form(
        client,
        "/institutions/new",
        {"name": "Virginia Commonwealth University", "kind": "university",
         "partner_city_id": str(richmond.id)},
    )  # fmt: skip
    assert response.status_code == 302
    university = db.session.scalar(sa.select(Institution))
    assert university.partner_city_id == richmond.id
    assert _listed(client, f"?city={richmond.id}") == ["Virginia Commonwealth University"]


def test_new_institution_form_offers_olsztyn_and_every_partner_city(client, coordinator, partners):
    login_as(client, coordinator)
    page = html.unescape(client.get("/institutions/new").get_data(as_text=True))
    assert '<option selected value="">Olsztyn</option>' in page
    for partner in partners.values():
        assert f'<option value="{partner.id}">{partner.name}</option>' in page


def test_coordinator_edits_an_institution_and_moves_it_to_another_city(
    client, coordinator, partners, three_institutions
):
    club = three_institutions["club"]
    login_as(client, coordinator)
    page = client.get(f"/institutions/{club.id}/edit").get_data(as_text=True)
    assert 'value="Volyn Lutsk"' in page
    assert f'<option selected value="{partners["lutsk"].id}">' in page

    response = post_form(
        client,
        f"/institutions/{club.id}/edit",
        {"name": "KS Volyn", "kind": "ngo", "partner_city_id": str(partners["halmstad"].id),
         "address": "Stadium Road 1"},
    )  # fmt: skip
    assert response.status_code == 302
    club = _get(club.id)
    assert club.name == "KS Volyn"
    assert club.kind is InstitutionKind.NGO
    assert club.partner_city_id == partners["halmstad"].id
    assert club.address == "Stadium Road 1"


def test_coordinator_moves_an_institution_back_to_olsztyn(client, coordinator, three_institutions):
    hospital = three_institutions["hospital"]
    login_as(client, coordinator)
    response = post_form(
        client,
        f"/institutions/{hospital.id}/edit",
        {"name": hospital.name, "kind": "healthcare", "partner_city_id": ""},
    )
    assert response.status_code == 302
    assert _get(hospital.id).partner_city_id is None


def test_coordinator_archives_and_restores_an_institution(client, coordinator, three_institutions):
    school = three_institutions["school"]
    login_as(client, coordinator)

    response = post_form(client, f"/institutions/{school.id}/active", {"active": "0"})
    assert response.status_code == 302
    assert _get(school.id).active is False
    page = client.get("/institutions/").get_data(as_text=True)
    assert "I LO im. Kopernika" in page  # archived institutions stay listed, marked
    assert "archived" in page
    assert "Restore" in page

    response = post_form(client, f"/institutions/{school.id}/active", {"active": "1"})
    assert response.status_code == 302
    assert _get(school.id).active is True
    assert "archived" not in client.get("/institutions/").get_data(as_text=True)


def test_archived_institution_is_not_offered_for_new_accounts(client, admin, three_institutions):
    school = three_institutions["school"]
    login_as(client, admin)
    option = f'<option value="{school.id}">'
    assert option in client.get("/users/new").get_data(as_text=True)
    post_form(client, f"/institutions/{school.id}/active", {"active": "0"})
    assert option not in client.get("/users/new").get_data(as_text=True)


# --- refusals -------------------------------------------------------------------------------


def _count_institutions() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Institution))


@pytest.mark.parametrize(
    ("change", "field"),
    [
        pytest.param({"kind": "castle"}, "kind", id="unknown-kind"),
        pytest.param({"kind": ""}, "kind", id="no-kind"),
        pytest.param({"partner_city_id": "99999"}, "partner_city_id", id="unknown-partner"),
        pytest.param({"partner_city_id": "abc"}, "partner_city_id", id="partner-not-a-number"),
        pytest.param({"name": ""}, "name", id="no-name"),
        pytest.param({"name": "   "}, "name", id="blank-name"),
        pytest.param({"contact_email": "not-an-address"}, "contact_email", id="bad-email"),
    ],
)
def test_invalid_institution_is_refused_not_a_crash(client, coordinator, partners, change, field):
    login_as(client, coordinator)
    values = {"name": "Gimnazjum nr 7", "kind": "school", "partner_city_id": "",
              "address": "Typed address", **change}  # fmt: skip
    response = post_form(client, "/institutions/new", values)
    assert response.status_code in (404, 422)
    if response.status_code == 422:
        page = response.get_data(as_text=True)
        assert f'id="{field}-error"' in page
        assert 'value="Typed address"' in page
    assert _count_institutions() == 0


def test_invalid_institution_edit_changes_nothing(client, coordinator, three_institutions):
    hospital = three_institutions["hospital"]
    login_as(client, coordinator)
    for values in (
        {"name": "Renamed", "kind": "castle", "partner_city_id": ""},
        {"name": "Renamed", "kind": "school", "partner_city_id": "99999"},
        {"name": "   ", "kind": "school", "partner_city_id": ""},
    ):
        response = post_form(client, f"/institutions/{hospital.id}/edit", values)
        assert response.status_code in (404, 422)
    hospital = _get(hospital.id)
    assert hospital.name == "Ortenau Klinikum"
    assert hospital.kind is InstitutionKind.HEALTHCARE
    assert hospital.partner_city is not None


def test_unknown_institution_is_404(client, coordinator):
    login_as(client, coordinator)
    assert client.get("/institutions/9999/edit").status_code == 404
    assert (
        post_form(client, "/institutions/9999/edit", {"name": "X", "kind": "school"}).status_code
        == 404
    )
    assert post_form(client, "/institutions/9999/active", {"active": "0"}).status_code == 404


def test_school_user_cannot_see_or_change_institutions(client, school_user, three_institutions):
    school = three_institutions["school"]
    login_as(client, school_user)
    assert client.get("/institutions/").status_code == 403
    assert client.get("/institutions/new").status_code == 403
    assert client.get(f"/institutions/{school.id}/edit").status_code == 403
    values = {"name": "Mine now", "kind": "school", "partner_city_id": ""}
    assert post_form(client, "/institutions/new", values).status_code == 403
    assert post_form(client, f"/institutions/{school.id}/edit", values).status_code == 403
    response = post_form(client, f"/institutions/{school.id}/active", {"active": "0"})
    assert response.status_code == 403

    school = _get(school.id)
    assert school.name == "I LO im. Kopernika"
    assert school.active is True
    # the school user's own institution plus the three
    assert _count_institutions() == 4
    assert 'href="/institutions/"' not in client.get("/dashboard").get_data(as_text=True)
