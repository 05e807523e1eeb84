"""Real-browser tests: the app served on a free local port, driven by Chromium through Playwright.

The app runs in a background thread (werkzeug's ``make_server``) on a fresh SQLite file database
built by the migrations and seeded with the partner cities, as ``make run`` does. The browser is
Debian's Chromium (``/usr/bin/chromium``, or ``CHROMIUM_PATH``), never one Playwright downloads.

Without Chromium, Playwright or axe-core the tests skip with the reason; with ``REQUIRE_BROWSER=1``
(CI) they fail instead. Every test here carries the ``browser`` mark: ``pytest -m browser`` runs
only these, ``pytest -m "not browser"`` everything else.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from flask import Flask
from flask_migrate import upgrade
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from exchange import create_app
from exchange.extensions import db
from tests import factories
from tests.helpers import make_config

BROWSER_DIR = Path(__file__).resolve().parent
CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
#: no sandbox (containers, root), no GPU, and no traffic of the browser's own to Google
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 1280, "height": 800}
#: Chromium refuses to connect to some ports (5060, 5061, 6000, 6665…, 10080); all are below this
CHROMIUM_BLOCKED_BELOW = 10081


def pytest_collection_modifyitems(config, items) -> None:
    for item in items:
        if BROWSER_DIR in Path(item.path).resolve().parents:
            item.add_marker(pytest.mark.browser)


def pytest_terminal_summary(terminalreporter) -> None:
    from tests.browser.helpers import axe_summary

    summary = axe_summary()
    if summary:
        terminalreporter.write_sep("-", "accessibility")
        terminalreporter.write_line(summary)


def browser_unavailable() -> str | None:
    """Why the browser tests cannot run here, or None when they can."""
    if importlib.util.find_spec("playwright") is None:
        return "the playwright package is not installed (pip install -e '.[test]')"
    if importlib.util.find_spec("axe_playwright_python") is None:
        return "axe-core is missing: the axe-playwright-python package is not installed"
    if not CHROMIUM.is_file():
        return f"there is no Chromium at {CHROMIUM} (apt-get install chromium)"
    return None


@pytest.fixture(scope="session")
def _browser_available() -> None:
    reason = browser_unavailable()
    if reason is None:
        return
    if os.environ.get("REQUIRE_BROWSER") == "1":
        pytest.fail(f"REQUIRE_BROWSER=1, but {reason}")
    pytest.skip(f"browser tests skipped: {reason}")


# --- the app on a port ----------------------------------------------------------------------


class _QuietHandler(WSGIRequestHandler):
    """No access log on the test output (errors are still reported)."""

    def log_request(self, *args, **kwargs) -> None:
        pass


@dataclass
class LiveServer:
    app: Flask
    url: str

    def run(self, function: Callable[[], object]) -> object:
        """Call ``function`` in an app context (to seed data); return what it returns."""
        with self.app.app_context():
            try:
                return function()
            finally:
                db.session.remove()


def _listen(app: Flask) -> BaseWSGIServer:
    while True:
        server = make_server(
            "127.0.0.1", 0, app, threaded=True, request_handler=_QuietHandler
        )  # port 0: the OS picks a free one
        if server.server_port >= CHROMIUM_BLOCKED_BELOW:
            return server
        server.server_close()


@contextlib.contextmanager
def serve(tmp_dir: Path, seed: Callable[[], object] | None = None) -> Iterator[LiveServer]:
    """Serve a new app on a fresh, migrated SQLite file with the partner cities (and ``seed``)."""
    from exchange.partners.services import seed_partners

    app = create_app(make_config(f"sqlite:///{tmp_dir / 'browser.db'}", tmp_dir))
    with app.app_context():
        upgrade()
        seed_partners()
        if seed is not None:
            seed()
        db.session.commit()
        db.session.remove()
    server = _listen(app)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield LiveServer(app, f"http://127.0.0.1:{server.server_port}")
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
        with app.app_context():
            db.engine.dispose()


@pytest.fixture(scope="session")
def live_server(_browser_available, tmp_path_factory) -> Iterator[LiveServer]:
    with serve(tmp_path_factory.mktemp("browser")) as server:
        yield server


# --- the browser ----------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser(_browser_available):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        # under libfaketime (a run of the suite at another date), Chromium hangs at start-up
        # unless libfaketime leaves its monotonic-clock fix off in the browser's processes
        env = {**os.environ, "FAKETIME_FORCE_MONOTONIC_FIX": "0"}
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, env=env
        )
        yield browser
        browser.close()


@contextlib.contextmanager
def _pages(browser, base_url: str):
    """A function that opens a page in a new browser context (its own cookies, as another
    person's browser would have); the contexts close at the end."""
    contexts = []

    def open_page(locale: str = "en-GB", viewport: dict | None = None, **options):
        context = browser.new_context(
            base_url=base_url,
            locale=locale,  # the Accept-Language header
            viewport=viewport or VIEWPORT,
            accept_downloads=True,
            **options,
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    try:
        yield open_page
    finally:
        for context in contexts:
            context.close()


@pytest.fixture
def new_page(browser, live_server):
    with _pages(browser, live_server.url) as open_page:
        yield open_page


@pytest.fixture
def page(new_page):
    return new_page()


# --- people ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Account:
    email: str
    password: str
    full_name: str


@pytest.fixture
def make_account(live_server) -> Callable[..., Account]:
    """Create a user with a password in the served app's database."""

    def create(role: str, full_name: str, **values) -> Account:
        def add() -> Account:
            user = factories.user(role=role, full_name=full_name, **values)
            return Account(user.email, factories.PASSWORD, user.full_name)

        return live_server.run(add)  # type: ignore[return-value]

    return create


@pytest.fixture
def admin_account(make_account) -> Account:
    return make_account("admin", "Ada Admin")


@dataclass(frozen=True)
class SchoolWithExchange:
    account: Account
    exchange_id: int
    exchange_title: str
    start_date: date
    #: as the registration form lists them: "Last First"
    participants: tuple[str, ...]


@pytest.fixture
def school_with_open_exchange(live_server) -> SchoolWithExchange:
    """A school representative with a pupil (with consent) and a teacher, and an exchange with
    Gelsenkirchen open for registration."""
    from exchange.partners.services import get_partner_by_slug

    def add() -> SchoolWithExchange:
        number = uuid.uuid4().hex[:6]
        user = factories.user(role="school", full_name=f"Kai Keys {number}")
        pupil = factories.participant(user.institution, first_name="Ola", last_name="Klawisz")
        teacher = factories.participant(
            user.institution, minor=False, first_name="Tomasz", last_name="Tabulator"
        )
        exchange = factories.exchange(
            partners=[get_partner_by_slug("gelsenkirchen")],
            title=f"Football camp in Gelsenkirchen {number}",
            city="Gelsenkirchen",
            is_public=True,
            capacity=10,
        )
        return SchoolWithExchange(
            Account(user.email, factories.PASSWORD, user.full_name),
            exchange.id,
            exchange.title,
            exchange.start_date,
            (f"{pupil.last_name} {pupil.first_name}", f"{teacher.last_name} {teacher.first_name}"),
        )

    return live_server.run(add)  # type: ignore[return-value]


# --- a server full of demo data (page sweeps, screenshots) ------------------------------------


@dataclass(frozen=True)
class DemoData:
    admin: Account
    school: Account
    open_exchange_id: int
    programme_item_id: int
    participant_id: int
    institution_id: int
    user_id: int
    #: a public exchange with a programme: its public page ``/events/<id>``
    public_exchange_id: int
    #: someone on a waiting list (the page that gives a place by hand)
    waiting_registration_id: int = 0
    #: an incoming youth exchange with its host families matched, and one of the families
    hosting_exchange_id: int = 0
    family_id: int = 0


def _seed_demo() -> None:
    from exchange import clock
    from exchange.demo import exchanges as demo
    from exchange.demo import hosting as hosting_demo
    from exchange.demo import registrations as registrations_demo
    from exchange.demo import travel as travel_demo

    demo.generate(db.session, seed=1, years=2, today=clock.today())
    registrations_demo.generate(db.session, seed=1, today=clock.today())
    hosting_demo.generate(db.session, seed=1, today=clock.today())
    travel_demo.generate(db.session, seed=1, today=clock.today())


def _demo_data() -> DemoData:
    """Accounts and ids to visit in the demo data: an open exchange with registrations, a
    school representative whose institution has registered participants."""
    import sqlalchemy as sa

    from exchange.exchanges.models import Exchange, ExchangeStatus, ProgrammeItem
    from exchange.partners.models import Institution
    from exchange.registrations.models import (
        ConsentRecord,
        Participant,
        Registration,
        RegistrationStatus,
    )

    registered = (
        sa.select(Registration.exchange_id, Registration.institution_id)
        .join(Exchange, Exchange.id == Registration.exchange_id)
        .join(Institution, Institution.id == Registration.institution_id)
        .join(Participant, Participant.id == Registration.participant_id)
        .join(ConsentRecord, ConsentRecord.participant_id == Participant.id)
        .where(
            Exchange.status == ExchangeStatus.REGISTRATION_OPEN,
            Institution.partner_city_id.is_(None),
        )
        .order_by(Exchange.start_date, Registration.id)
        .limit(1)
    )
    exchange_id, institution_id = db.session.execute(registered).one()
    item_id = db.session.scalar(
        sa.select(ProgrammeItem.id).where(ProgrammeItem.exchange_id == exchange_id).limit(1)
    )
    participant_id = db.session.scalar(
        sa.select(Participant.id)
        .join(ConsentRecord, ConsentRecord.participant_id == Participant.id)
        .where(Participant.institution_id == institution_id)
        .order_by(Participant.id)
        .limit(1)
    )
    waiting_id = db.session.scalar(
        sa.select(Registration.id)
        .where(Registration.status == RegistrationStatus.WAITLISTED)
        .order_by(Registration.id)
        .limit(1)
    )
    assert waiting_id is not None, "the demo data has a waiting list"
    public_exchange_id = db.session.scalar(
        sa.select(Exchange.id)
        .join(ProgrammeItem, ProgrammeItem.exchange_id == Exchange.id)
        .where(Exchange.is_public.is_(True), Exchange.status == ExchangeStatus.REGISTRATION_OPEN)
        .order_by(Exchange.start_date, Exchange.id)
        .limit(1)
    )
    from exchange.hosting.models import HostPlacement

    hosting_exchange_id, family_id = db.session.execute(
        sa.select(HostPlacement.exchange_id, HostPlacement.family_id)
        .order_by(HostPlacement.id.desc())
        .limit(1)
    ).one()
    institution = db.session.get(Institution, institution_id)
    admin = factories.user(role="admin", full_name="Ada Admin", email="admin@example.org")
    school = factories.user(
        role="school", full_name="Sam Szkoła", email="school@example.org", institution=institution
    )
    return DemoData(
        Account(admin.email, factories.PASSWORD, admin.full_name),
        Account(school.email, factories.PASSWORD, school.full_name),
        exchange_id,
        item_id,
        participant_id,
        institution_id,
        school.id,
        public_exchange_id,
        waiting_id,
        hosting_exchange_id,
        family_id,
    )


@pytest.fixture(scope="session")
def demo_server(_browser_available, tmp_path_factory) -> Iterator[tuple[LiveServer, DemoData]]:
    with serve(tmp_path_factory.mktemp("browser-demo"), seed=_seed_demo) as server:
        yield server, server.run(_demo_data)  # type: ignore[misc]


@pytest.fixture
def demo_page(browser, demo_server):
    with _pages(browser, demo_server[0].url) as open_page:
        yield open_page
