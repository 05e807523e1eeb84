"""Every problem of a submitted form at once: a summary at the top linking to each field, and
each message beside its field; lists paged with numbers."""

from __future__ import annotations

import re

from tests import factories
from tests.helpers import login_as, post_form


def _summary(page: str) -> str:
    match = re.search(r'<div class="form-errors error-summary".*?</div>', page, re.S)
    assert match, "the page has an error summary"
    return match.group(0)


def test_the_summary_lists_every_problem_with_a_link_to_its_field(client, coordinator):
    login_as(client, coordinator)
    response = post_form(
        client,
        "/institutions/new",
        {"name": "", "kind": "castle", "contact_email": "not-an-address", "address": "Kept"},
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    summary = _summary(page)
    links = re.findall(r'<a href="#([a-z_]+)">', summary)
    assert set(links) == {"name", "kind", "contact_email"}
    for field in links:
        # the same field's message stands beside it too
        assert f'id="{field}-error"' in page
    assert 'value="Kept"' in page
    assert page.index("error-summary") < page.index('id="name"')


def test_a_valid_form_has_no_summary(client, coordinator):
    login_as(client, coordinator)
    page = client.get("/institutions/new").get_data(as_text=True)
    assert "error-summary" not in page


def test_lists_are_paged_with_numbers_previous_and_next(app, client, coordinator):
    per_page = app.config["ITEMS_PER_PAGE"]
    for number in range(per_page * 4 + 1):
        factories.institution(name=f"School {number:03d}")
    login_as(client, coordinator)
    page = client.get("/institutions/?page=3").get_data(as_text=True)
    nav = page[page.index('<nav class="pagination"') :]
    nav = nav[: nav.index("</nav>")]
    assert 'rel="prev"' in nav
    assert 'rel="next"' in nav
    numbers = re.findall(r"page=(\d+)\"[^>]*>(\d+)</a>", nav)
    assert [int(label) for _, label in numbers] == [1, 2, 3, 4, 5]
    assert re.search(r'page=3"[^>]*aria-current="page"', nav)
    first = client.get("/institutions/").get_data(as_text=True)
    assert 'rel="prev"' not in first
