"""The mixed traffic of the load test (benchmarks/load.py), for locust, headless.

    LOAD_PLAN=plan.json locust -f benchmarks/locustfile.py --headless -u 30 -t 60s

Three kinds of people, in proportion: visitors reading the public pages (no log-in), schools
registering one of their participants for an open exchange and withdrawing them again (their own
session and CSRF tokens), coordinators reading rosters, the exchanges list and the yearly report.
Every request goes to the next server of the plan's ``hosts`` in turn (round robin, no sticky
sessions), so a session made on one server is used on the others. Each request is named by its
page kind; an answer other than the expected one (status, redirect) counts as a failure.

The session cookie of the production settings is ``Secure``: it is kept by hand and sent back
over the loopback's plain HTTP, as a TLS-terminating load balancer would pass it on.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re

from locust import FastHttpUser, between, task

with open(os.environ["LOAD_PLAN"], encoding="utf-8") as plan_file:
    PLAN = json.load(plan_file)

HOSTS = itertools.cycle(PLAN["hosts"])
SCHOOLS = itertools.cycle(PLAN["schools"])
CSRF = re.compile(r'name="csrf[-_]token"[^>]*(?:content|value)="([^"]+)"')
EVENT_LINK = re.compile(r'href="/events/(\d+)"')
PARTICIPANT_BOX = re.compile(r'name="participants"[^>]*value="(\d+)"')
WITHDRAW_FORM = re.compile(r'action="/registrations/(\d+)/withdraw"')
SESSION_COOKIE = re.compile(r"(?:^|[\s,])session=([^;]*)")


def _all(header: str | list[str] | None) -> list[str]:
    """A header that came several times is a list (``Set-Cookie``)."""
    if header is None:
        return []
    return header if isinstance(header, list) else [header]


class Person(FastHttpUser):
    abstract = True
    host = PLAN["hosts"][0]
    wait_time = between(0.2, 1.0)

    def on_start(self) -> None:
        self.cookie = ""

    def call(self, method: str, path: str, kind: str, expect: int = 200, form=None, to=""):
        """One request to the next server; fails unless it answers ``expect`` (and, for a
        redirect, to a location starting with ``to``). Returns the body."""
        headers = {"User-Agent": "exchange-load"}
        if self.cookie:
            headers["Cookie"] = f"session={self.cookie}"
        with self.client.request(
            method,
            next(HOSTS) + path,
            name=kind,
            data=form,
            headers=headers,
            allow_redirects=False,
            catch_response=True,
        ) as response:
            for header in _all(response.headers.get("Set-Cookie")):
                found = SESSION_COOKIE.search(header)
                if found:
                    self.cookie = found.group(1)
            location = "".join(_all(response.headers.get("Location")))
            if response.status_code != expect:
                response.failure(f"{kind}: {response.status_code}, not {expect}")
            elif to and not location.split("//", 1)[-1].lstrip("/").startswith(to.lstrip("/")):
                response.failure(f"{kind}: to {location}, not {to}")
            else:
                response.success()
            return response.text or ""

    def post(self, path: str, kind: str, page: str, form: dict, to: str) -> str:
        match = CSRF.search(page)
        if match is None:
            return ""
        return self.call("POST", path, kind, 302, {"csrf_token": match.group(1), **form}, to)

    def log_in(self, email: str) -> None:
        page = self.call("GET", "/login", "log-in form")
        form = {"email": email, "password": PLAN["password"]}
        self.post("/login", "log-in (POST)", page, form, to="/dashboard")


class Visitor(Person):
    """Somebody from the town: the home page, what is coming up, an event, the calendar feed."""

    weight = 6

    @task(2)
    def home(self) -> None:
        self.call("GET", "/", "home")

    @task(3)
    def events(self) -> None:
        page = self.call("GET", "/events", "upcoming events")
        events = EVENT_LINK.findall(page)
        if events:
            self.call("GET", f"/events/{random.choice(events)}", "public event")  # noqa: S311

    @task(1)
    def feed(self) -> None:
        self.call("GET", "/events.ics", "events.ics")


class School(Person):
    """A school's coordinator: registers one of its people for the open exchange, looks at the
    registrations, withdraws them again."""

    weight = 3

    def on_start(self) -> None:
        super().on_start()
        self.log_in(next(SCHOOLS))

    @task(1)
    def dashboard(self) -> None:
        self.call("GET", "/dashboard", "dashboard")

    @task(3)
    def register_and_withdraw(self) -> None:
        path = f"/exchanges/{PLAN['exchange']}/register"
        page = self.call("GET", path, "registration form")
        people = PARTICIPANT_BOX.findall(page)
        if people:
            form = {"participants": random.choice(people)}  # noqa: S311
            self.post(path, "register (POST)", page, form, to="/registrations/")
        page = self.call("GET", "/registrations/", "my registrations")
        registrations = WITHDRAW_FORM.findall(page)
        if registrations:
            path = f"/registrations/{registrations[0]}/withdraw"
            self.post(path, "withdraw (POST)", page, {}, to="/registrations/")


class Coordinator(Person):
    """City hall: rosters of this year's largest exchanges, the list, the yearly report."""

    weight = 1

    def on_start(self) -> None:
        super().on_start()
        self.log_in(PLAN["coordinator"])

    @task(3)
    def roster(self) -> None:
        exchange = random.choice(PLAN["rosters"])  # noqa: S311
        self.call("GET", f"/exchanges/{exchange}/roster", "roster")

    @task(2)
    def exchanges(self) -> None:
        self.call("GET", "/exchanges/", "exchanges list")

    @task(1)
    def report(self) -> None:
        self.call("GET", PLAN["report"], "yearly report")
