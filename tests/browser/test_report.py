"""The activity report on a phone and a desk: summary first, contents that jump to each section
(without JavaScript), charts stacked above their tables on a phone and beside them on a desk."""

from __future__ import annotations

import pytest

from exchange import clock
from tests.browser.helpers import log_in
from tests.browser.test_phone import DESK, PHONE


def _report(demo_page, demo_server, viewport):
    _, data = demo_server
    page = demo_page(viewport=viewport, java_script_enabled=False)
    log_in(page, data.admin.email, data.admin.password)
    year = clock.today().year
    page.goto(f"/reports/?date_from={year}-01-01&date_to={year}-12-31")
    return page


def _box(page, selector: str) -> dict:
    box = page.locator(selector).first.bounding_box()
    assert box is not None, selector
    return box


@pytest.mark.parametrize("viewport", [PHONE, DESK], ids=["390px", "1280px"])
def test_report_reads_top_down_and_the_contents_jump(demo_page, demo_server, viewport):
    page = _report(demo_page, demo_server, viewport)
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    # the summary figures come first, then the contents, then the sections
    cards = _box(page, "#overview .highlights")
    contents = _box(page, "#contents")
    assert cards["y"] < contents["y"] < _box(page, "#exchanges")["y"]
    assert cards["x"] + cards["width"] <= viewport["width"]
    page.locator("#contents").get_by_role("link", name="Budget by funding source").click()
    assert page.url.endswith("#budget_by_funding")
    heading = _box(page, "#budget_by_funding h3")
    scrolled = page.evaluate("window.scrollY")
    assert scrolled > 0
    # the heading is on the screen after the jump
    assert 0 <= heading["y"] < viewport["height"]


def test_charts_stack_on_a_phone_and_stand_beside_their_tables_on_a_desk(demo_page, demo_server):
    phone = _report(demo_page, demo_server, PHONE)
    chart, table = (
        _box(phone, "#exchanges_by_kind svg.chart"),
        _box(phone, "#exchanges_by_kind table"),
    )
    assert chart["y"] + chart["height"] <= table["y"]
    assert chart["x"] + chart["width"] <= PHONE["width"]
    desk = _report(demo_page, demo_server, DESK)
    chart, table = (
        _box(desk, "#exchanges_by_kind svg.chart"),
        _box(desk, "#exchanges_by_kind table"),
    )
    assert chart["x"] + chart["width"] <= table["x"]
    assert abs(chart["y"] - table["y"]) < 40
