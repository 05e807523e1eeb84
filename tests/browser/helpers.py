"""What the browser tests share: logging in by the visible form, and axe-core checks."""

from __future__ import annotations

import importlib.resources
import re
from functools import cache

try:
    from playwright.sync_api import expect
except ImportError:  # the browser fixtures skip (or fail) first, saying what is missing
    expect = None  # type: ignore[assignment]

#: WCAG 2.0 and 2.1, levels A and AA
WCAG_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")
HIGH_CONTRAST_CLASS = "contrast-high"

#: every page axe checked in this run: (path, mode) → violated and needs-review rule ids
AXE_LOG: dict[tuple[str, str], dict[str, list[str]]] = {}


@cache
def axe_source() -> str:
    """axe-core's script, as the axe-playwright-python package ships it (no CDN)."""
    return (importlib.resources.files("axe_playwright_python") / "axe.min.js").read_text()


def _axe_run(page) -> dict:
    # page.evaluate runs in the page like the devtools console: the app's Content-Security-Policy
    # (scripts from the site only) does not stop it, so the pages are checked as served
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(axe_source())
    return page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags},"
        " resultTypes: ['violations', 'incomplete']})",
        list(WCAG_TAGS),
    )


def _describe(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"  {violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"][:5]:
            summary = node.get("failureSummary", "").replace("\n", " ")
            lines.append(f"    {node['target']}: {summary[:300]}")
    return "\n".join(lines)


def check_accessibility(page, *, both_modes: bool = True) -> None:
    """axe-core finds no WCAG 2.0/2.1 A or AA violation on the page as it is now.

    With ``both_modes`` the page is checked again with the other contrast mode's class on
    ``<body>`` (as the contrast switch renders it), then put back as it was.
    """
    page.wait_for_load_state()
    assert_fits_the_window(page)
    failures = []
    modes = [None, "toggled"] if both_modes else [None]
    for mode in modes:
        if mode:
            page.evaluate(f"document.body.classList.toggle({HIGH_CONTRAST_CLASS!r})")
        high = page.evaluate(f"document.body.classList.contains({HIGH_CONTRAST_CLASS!r})")
        name = "high contrast" if high else "normal contrast"
        results = _axe_run(page)
        violations = results["violations"]
        AXE_LOG[(_path(page.url), name)] = {
            "violations": [item["id"] for item in violations],
            "incomplete": [item["id"] for item in results["incomplete"]],
        }
        if violations:
            failures.append(f"{page.url} in {name}:\n{_describe(violations)}")
        if mode:
            page.evaluate(f"document.body.classList.toggle({HIGH_CONTRAST_CLASS!r})")
    assert not failures, "axe-core found WCAG A/AA violations:\n" + "\n".join(failures)


def assert_fits_the_window(page) -> None:
    """Nothing on the page is wider than the window: no sideways scrolling, on a phone too."""
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{page.url} is {overflow} px wider than the window"


def main_nav(page):
    """The main navigation, with the menu opened first where it is collapsed (a phone).

    Whether it is collapsed is up to the stylesheet: wait for it (the page's ``load``), or a
    wide window may see the unstyled menu button, which the stylesheet then hides."""
    page.wait_for_load_state()
    summary = page.locator("header details.menu > summary")
    if summary.is_visible() and not page.locator("header details.menu[open]").count():
        summary.click()
    return page.get_by_role("navigation", name="Main")


def axe_summary() -> str | None:
    """One paragraph for the end of the test run: what axe checked and found."""
    if not AXE_LOG:
        return None
    pages = {path for path, _ in AXE_LOG}
    violations = sum(len(found["violations"]) for found in AXE_LOG.values())
    review: dict[str, int] = {}
    for found in AXE_LOG.values():
        for rule in found["incomplete"]:
            review[rule] = review.get(rule, 0) + 1
    lines = [
        f"axe-core ({', '.join(WCAG_TAGS)}): {len(AXE_LOG)} checks of {len(pages)} pages, "
        f"{violations} violations"
    ]
    if review:
        lines.append(
            "needs review (not failures): "
            + ", ".join(f"{rule} on {count}" for rule, count in sorted(review.items()))
        )
    return "\n".join(lines)


def _path(url: str) -> str:
    return re.sub(r"^https?://[^/]+", "", url)


def log_in(page, email: str, password: str, *, check: bool = False) -> None:
    """Log in through the form, as a person would; lands on the dashboard."""
    page.goto("/login")
    if check:
        check_accessibility(page)
    if page.evaluate("document.documentElement.lang") == "en":
        page.get_by_label("Email", exact=True).fill(email)
        page.get_by_label("Password", exact=True).fill(password)
        page.get_by_role("button", name="Log in").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome")
        return
    # another language: the same form, found by its fields' names
    form = page.locator("main form[method=post]")
    form.locator("input[name=email]").fill(email)
    form.locator("input[name=password]").fill(password)
    form.locator("button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/dashboard$"))


def log_out(page) -> None:
    main_nav(page)
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("status")).to_contain_text("You are logged out.")
