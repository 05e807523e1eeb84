"""Fuzzing: generated values to every form and every filter, as every role — never a 500.

The targets come from the app's URL map: every endpoint that accepts POST, and every page whose
HTML has a GET form or links with a query (the list filters, the calendar's month, the pages).
Their fields are found by reading the site's own pages, as a browser would: each page is
opened as an admin and as a school representative, and every ``<form>`` on it gives the fields
of the endpoint its ``action`` names. A new form is fuzzed without touching this file.

Each request sends, per field, either a plausible value (one of the select's options, a date
near today, the field's default…) or a hostile one: unicode text with NUL and other control
characters, strings of up to 300,000 characters, integers past 2³¹ and 2⁶³ and negative ones,
dates from year 1 to 9999, NaN, Infinity, 1e400. Ids and other arguments in the URL are real
ones or hostile ones too. POSTs carry the session's valid CSRF token, so they reach the view.

The number of examples per target is ``FUZZ_EXAMPLES`` (default 6: the suite stays quick);
``make fuzz`` runs thousands. Hypothesis derandomises (a fixed seed per target), so a run is
reproducible; the requests and their statuses are counted and printed at the end of the run.
"""

from __future__ import annotations

import io
import os
import re
import string
import tempfile
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qsl, quote, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.exceptions import MethodNotAllowed, NotFound

from exchange import create_app
from exchange.auth.models import User
from exchange.exchanges.models import TRANSITIONS, Direction, ExchangeStatus
from exchange.extensions import db, limiter
from exchange.hosting.models import HostPlacement
from exchange.partners.models import Institution
from exchange.registrations.models import Registration, RegistrationStatus
from tests import factories
from tests.factories import PASSWORD
from tests.helpers import CSRF_META, IsolatedClient, fresh_database, make_config
from tests.test_authorization import (
    RULES,
    VARIANTS,
    World,
    arguments,
    build_world,
    endpoints_in,
)

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "6"))
ROLES = ("anonymous", "school", "coordinator", "admin")

#: every request the fuzzer made in this run, by status (printed by tests/conftest.py)
STATUSES: Counter[int] = Counter()


def _url_map_endpoints() -> dict[tuple[str, str], str]:
    app = create_app(make_config("sqlite://", Path(tempfile.gettempdir())))
    return endpoints_in(app.url_map)


ENDPOINTS = _url_map_endpoints()
POST_ENDPOINTS = sorted(endpoint for endpoint, method in ENDPOINTS if method == "POST")


# --- what the pages say about their forms ---------------------------------------------------


@dataclass
class FieldSpec:
    kinds: set[str] = field(default_factory=set)
    options: set[str] = field(default_factory=set)


@dataclass
class FormSpec:
    fields: dict[str, FieldSpec] = field(default_factory=dict)

    def add(self, name: str, kind: str, value: str | None = None) -> None:
        if name == "csrf_token":
            return
        spec = self.fields.setdefault(name, FieldSpec())
        spec.kinds.add(kind)
        if value is not None and len(value) < 200:
            spec.options.add(value)


class FormReader(HTMLParser):
    """The forms of a page: (method, action, fields), and the query names of its links."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[tuple[str, str, FormSpec]] = []
        self.link_queries: list[tuple[str, list[tuple[str, str]]]] = []
        self._form: FormSpec | None = None
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs) -> None:
        attributes = {name: value or "" for name, value in attrs}
        if tag == "form":
            self._form = FormSpec()
            method = attributes.get("method", "get").upper()
            self.forms.append((method, attributes.get("action", ""), self._form))
        elif tag == "a" and "?" in attributes.get("href", ""):
            parts = urlsplit(attributes["href"])
            self.link_queries.append((parts.path, parse_qsl(parts.query)))
        if self._form is None:
            return
        name = attributes.get("name")
        if tag == "input" and name:
            kind = attributes.get("type", "text")
            self._form.add(name, kind, attributes.get("value"))
        elif tag == "textarea" and name:
            self._form.add(name, "textarea")
        elif tag == "button" and name:
            self._form.add(name, "button", attributes.get("value"))
        elif tag == "select" and name:
            self._select = name
            self._form.add(name, "select")
        elif tag == "option" and self._select:
            self._form.add(self._select, "select", attributes.get("value"))

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None


@dataclass
class Site:
    """A database of its own for the module's tests (the suite's is emptied after each test),
    and what the pages say about their forms."""

    app: Flask
    post_forms: dict[str, FormSpec]
    get_filters: dict[str, FormSpec]


def _logged_in(app: Flask, world: World) -> dict[str, FlaskClient]:
    """A client per role, each with its session's CSRF token in ``client.csrf``."""
    clients = {}
    for role in ROLES:
        client = app.test_client()
        page = client.get("/login").get_data(as_text=True)
        client.csrf = CSRF_META.search(page).group(1)  # type: ignore[attr-defined]
        if role != "anonymous":
            user = db.session.get(User, world.users[role])
            response = client.post(
                "/login",
                data={"csrf_token": client.csrf, "email": user.email, "password": PASSWORD},
            )
            assert response.status_code == 302, response.get_data(as_text=True)
            page = client.get("/dashboard").get_data(as_text=True)
            client.csrf = CSRF_META.search(page).group(1)  # type: ignore[attr-defined]
        clients[role] = client
    return clients


def _example_path(path: str, endpoint: str, world: World, variant: int = 0) -> str:
    def value(match: re.Match) -> str:
        name = match.group("name")
        if name in VARIANTS:
            return str(world.ids[name][VARIANTS[name][variant]])
        if name == "item_id":
            return str(world.ids["item_id"][("visible", "draft")[variant]])
        if name in ("leg_id", "room_id"):
            return str(world.ids[name]["visible"])
        if name == "institution_id":
            return str(world.institution_id)
        if name == "slug":
            return world.slug
        if name == "token":
            return world.tokens[endpoint]
        options = _fixed_values(endpoint, "GET", name)
        return options[0] if options else "x"

    return _ARGUMENT.sub(value, path)


_ARGUMENT = re.compile(r"<(?:(?P<converter>\w+)(?:\([^)]*\))?:)?(?P<name>\w+)>")


def _fixed_values(endpoint: str, method: str, name: str) -> list[str]:
    if name == "action":
        return sorted(TRANSITIONS)
    rule = RULES.get((endpoint, method)) or RULES.get((endpoint, "GET"))
    return list(rule.values.get(name, ())) if rule else []


def _pages(world: World) -> list[str]:
    """A URL per page of the URL map, and the pages whose forms show only in some states: the
    register form (a pupil not registered yet), the attendance buttons (a started exchange),
    the confirmation of deleting a draft, the form that gives a place by hand (someone waiting),
    the trip paperwork's leader and chaperones (a school with an adult on an outgoing trip)."""
    urls = [
        _example_path(path, endpoint, world)
        for (endpoint, method), path in sorted(ENDPOINTS.items())
        if method == "GET"
    ]
    school = db.session.get(User, world.users["school"])
    own_school = db.session.get(Institution, school.institution_id)
    factories.participant(own_school, last_name="Unregisteredska")
    started = factories.exchange(
        start=TODAY - timedelta(days=1), status=ExchangeStatus.REGISTRATION_CLOSED
    )
    db.session.add(
        Registration(
            exchange_id=started.id,
            participant_id=world.ids["participant_id"]["own"],
            institution_id=school.institution_id,
            status=RegistrationStatus.CONFIRMED,
        )
    )
    waiting = Registration(
        exchange_id=started.id,
        participant_id=world.ids["participant_id"]["other"],
        institution_id=world.institution_id,
        status=RegistrationStatus.WAITLISTED,
    )
    db.session.add(waiting)
    # the trip paperwork shows its form (leader and chaperones) once the school has an adult
    teacher = factories.participant(own_school, minor=False, last_name="Teacherska")
    db.session.add(
        Registration(
            exchange_id=started.id,
            participant_id=teacher.id,
            institution_id=school.institution_id,
            status=RegistrationStatus.CONFIRMED,
        )
    )
    # the matching page shows its forms for an incoming youth exchange with a placed guest
    incoming = factories.exchange(direction=Direction.INCOMING)
    guest = factories.participant(factories.institution(partner_city=incoming.partners[0]))
    family = factories.host_family(own_school)
    db.session.add(
        Registration(
            exchange_id=incoming.id,
            participant_id=guest.id,
            institution_id=guest.institution_id,
            status=RegistrationStatus.CONFIRMED,
        )
    )
    db.session.add(HostPlacement(exchange_id=incoming.id, guest_id=guest.id, family_id=family.id))
    db.session.commit()
    draft = world.ids["exchange_id"]["draft"]
    return [
        *urls,
        f"/exchanges/{started.id}/roster",
        f"/exchanges/{draft}/delete",
        f"/registrations/{waiting.id}/promote",
        f"/exchanges/{incoming.id}/hosting",
        f"/exchanges/{started.id}/paperwork/{school.institution_id}",
    ]


def _read_forms(app: Flask, world: World) -> tuple[dict[str, FormSpec], dict[str, FormSpec]]:
    """Open every page as an admin, a school and a visitor; keep every form found, by the
    endpoint it is sent to."""
    adapter = app.url_map.bind("localhost")
    post_forms: dict[str, FormSpec] = {}
    get_filters: dict[str, FormSpec] = {}
    clients = _logged_in(app, world)
    for url in _pages(world):
        for role in ("admin", "school", "anonymous"):
            response = clients[role].get(url)
            if response.status_code != 200 or response.mimetype != "text/html":
                continue
            reader = FormReader()
            reader.feed(response.get_data(as_text=True))
            for form_method, action, spec in reader.forms:
                target_path = urlsplit(action).path or urlsplit(url).path
                try:
                    target, _ = adapter.match(target_path, method=form_method)
                except (NotFound, MethodNotAllowed):
                    continue
                into = post_forms if form_method == "POST" else get_filters
                merged = into.setdefault(target, FormSpec())
                for name, found in spec.fields.items():
                    for kind in found.kinds:
                        merged.add(name, kind)
                    for option in found.options:
                        merged.add(name, "option", option)
            for link_path, query in reader.link_queries:
                try:
                    target, _ = adapter.match(link_path, method="GET")
                except (NotFound, MethodNotAllowed):
                    continue
                merged = get_filters.setdefault(target, FormSpec())
                for name, value in query:
                    merged.add(name, "link", value)
    return post_forms, get_filters


@pytest.fixture(scope="module")
def site(backend, tmp_path_factory) -> Iterator[Site]:
    tmp_dir = tmp_path_factory.mktemp(f"fuzz-{backend}")
    with fresh_database(backend, tmp_dir) as url:
        # a page of one item: every list shows its page links, so ?page= is found and fuzzed
        app = create_app(make_config(url, tmp_dir, ITEMS_PER_PAGE=1))
        app.test_client_class = IsolatedClient
        with app.app_context():
            upgrade()
            post_forms, get_filters = _read_forms(app, build_world())
        yield Site(app, post_forms, get_filters)
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


# --- values ---------------------------------------------------------------------------------

CONTROL = "".join(map(chr, [*range(0, 32), *range(127, 160)]))
SPECIAL = [
    "", " ", "NaN", "nan", "sNaN", "Infinity", "-Infinity", "inf", "1e400", "-1e400", "1e-400",
    "-0", "0x10", "1_000", "None", "null", "true", "[]", "{}", "0", "-1", "%00", "\x00",
    "' OR 1=1 --", "<script>alert(1)</script>", "../../etc/passwd", "//evil.example",
    "2147483647", "2147483648", "-2147483649", "9223372036854775807", "9223372036854775808",
    "99999999999999999999999999999999", "9999999999.99", "10000000000", "0.001", "1e10",
    "0001-01-01", "9999-12-31", "1899-12-31", "2200-12-31", "2201-01-01", "2026-02-30",
    "24:00", "23:59:60", "-01:00", "\u202e", "\ufeff", "😀" * 3,
]  # fmt: skip

unicode_text = st.text(
    alphabet=st.one_of(
        st.characters(codec="utf-8"),
        st.sampled_from(CONTROL),
    ),
    max_size=40,
)
huge_text = st.builds(
    lambda piece, count: piece * count,
    st.sampled_from(["x", "ż", "9", "\x00", "😀", "a\n"]),
    st.integers(100, 300_000),
)
integers = st.one_of(
    st.integers(),
    st.integers(-(2**70), 2**70),
    st.sampled_from([2**31 - 1, 2**31, -(2**31) - 1, 2**63 - 1, 2**63, -(2**63) - 1, 10**40]),
).map(str)
decimals = st.decimals(allow_nan=True, allow_infinity=True).map(str)
floats = st.floats().map(repr)
any_date = st.dates().map(date.isoformat)  # year 1 to 9999
any_time = st.times().map(lambda moment: moment.isoformat())
HOSTILE = st.one_of(
    unicode_text,
    st.sampled_from(SPECIAL),
    integers,
    decimals,
    floats,
    any_date,
    any_time,
    huge_text,
)

TODAY = date(2026, 5, 14)
near_date = st.dates(TODAY - timedelta(days=4000), TODAY + timedelta(days=800)).map(date.isoformat)
PLAUSIBLE_BY_KIND = {
    "date": near_date,
    "time": st.sampled_from(["09:00", "11:30", "18:45", "23:59"]),
    "number": st.integers(-5, 120).map(str),
    "email": st.sampled_from(["ola@example.org", "admin@example.org", "x@y"]),
    "checkbox": st.sampled_from(["y", "1", "on"]),
    "textarea": st.text(string.ascii_letters + " \r\n\t", max_size=30),
}


def field_values(spec: FieldSpec) -> st.SearchStrategy[str]:
    plausible: list[st.SearchStrategy[str]] = []
    if spec.options:
        plausible.append(st.sampled_from(sorted(spec.options)))
    for kind in sorted(spec.kinds):
        if kind in PLAUSIBLE_BY_KIND:
            plausible.append(PLAUSIBLE_BY_KIND[kind])
    plausible.append(st.text(string.ascii_letters + " -'", min_size=1, max_size=20))
    return st.one_of(*plausible, HOSTILE)


def form_data(spec: FormSpec) -> st.SearchStrategy[dict]:
    """Each field left out, sent once or sent several times; sometimes a field no form has."""
    fields = {
        name: st.one_of(
            st.none(), field_values(found), st.lists(field_values(found), min_size=2, max_size=3)
        )
        for name, found in sorted(spec.fields.items())
    }
    extra = st.dictionaries(st.sampled_from(["next", "id", "page", "x"]), HOSTILE, max_size=1)
    return st.builds(
        lambda values, more: {
            **more,
            **{name: value for name, value in values.items() if value is not None},
        },
        st.fixed_dictionaries(fields),
        extra,
    )


def path_values(path: str, endpoint: str, method: str, world: World) -> st.SearchStrategy[str]:
    """The path with real arguments, or hostile ones (numbers past any column, any text)."""
    parts = []
    for name in arguments(path):
        if name in VARIANTS:
            real = [str(world.ids[name][variant]) for variant in VARIANTS[name]]
        elif name == "item_id":
            real = [str(value) for value in world.ids["item_id"].values()]
        elif name == "institution_id":
            real = [str(world.institution_id)]
        elif name == "slug":
            real = [world.slug]
        elif name == "token":
            real = [world.tokens.get(endpoint, "x")]
        else:
            real = _fixed_values(endpoint, method, name) or ["x"]
        converter = re.search(rf"<(\w+)(?:\([^)]*\))?:{name}>", path)
        hostile = (
            st.integers(0, 10**30).map(str)
            if converter and converter.group(1) == "int"
            else unicode_text.filter(bool).map(lambda text: quote(text, safe=""))
        )
        parts.append(st.one_of(st.sampled_from(real), hostile))

    def build(values: list[str]) -> str:
        chosen = iter(values)
        return _ARGUMENT.sub(lambda match: next(chosen), path)

    return st.tuples(*parts).map(list).map(build) if parts else st.just(path)


FUZZ_SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
        HealthCheck.filter_too_much,
    ],
)


def _request(client: FlaskClient, method: str, url: str, data: dict | None):
    if method == "GET":
        response = client.get(url, query_string=data)
    else:
        body = {"csrf_token": client.csrf, **(data or {})}  # type: ignore[attr-defined]
        for name, value in list(body.items()):
            if name == "file":  # the upload field: bytes, named like a spreadsheet or not
                body[name] = (io.BytesIO(str(value).encode("utf-8", "replace")), "x.xlsx")
        response = client.post(url, data=body)
    STATUSES[response.status_code] += 1
    return response


def _counted(send, *args):
    """An exception that escapes the app would be a 500 in production: counted as one."""
    try:
        return send(*args)
    except Exception:
        STATUSES[500] += 1
        raise


def _fuzz(site: Site, endpoint: str, method: str, spec: FormSpec) -> None:
    path = ENDPOINTS[(endpoint, method)]
    with site.app.app_context():
        limiter.reset()
        world = build_world()
        clients = _logged_in(site.app, world)

    @FUZZ_SETTINGS
    @given(
        role=st.sampled_from(ROLES),
        url=path_values(path, endpoint, method, world),
        data=form_data(spec),
    )
    def one_request(role: str, url: str, data: dict) -> None:
        with site.app.app_context():
            response = _counted(_request, clients[role], method, url, data)
        assert response.status_code != 500, f"{method} {url} as {role}: 500 with {data!r:.500}"

    one_request()


# --- tests ----------------------------------------------------------------------------------


def test_the_fuzzer_finds_the_forms(site):
    """Every POST endpoint has a form on some page, and the list pages their filters."""
    without_form = [endpoint for endpoint in POST_ENDPOINTS if endpoint not in site.post_forms]
    assert not without_form, without_form
    assert {"exchanges.index", "partners.institutions", "audit.index"} <= set(site.get_filters)
    assert "first_name" in site.post_forms["registrations.create_participant"].fields


@pytest.mark.parametrize("endpoint", POST_ENDPOINTS)
def test_no_form_answers_500(site, endpoint):
    _fuzz(site, endpoint, "POST", site.post_forms.get(endpoint, FormSpec()))


def test_no_filter_answers_500(site):
    """Every page with filters, each fuzzed to the end even when one before it fails."""
    failures = []
    for endpoint, spec in sorted(site.get_filters.items()):
        spec.add("page", "number")
        try:
            _fuzz(site, endpoint, "GET", spec)
        except Exception as error:  # noqa: BLE001 - reported below, with the others
            failures.append(f"{endpoint}: {error!r:.2000}")
    assert not failures, "\n\n".join(failures)
