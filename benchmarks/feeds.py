"""The calendar feeds and the participant search at 25 years, against ``/healthz``.

Measured over HTTP on the benchmark's gunicorn server (one keep-alive connection, requests one
after the other, a coordinator's session cookie), so each figure is the latency a client sees:

- ``/healthz`` (the denominator of every ratio);
- ``/calendar.ics`` (logged in) and ``/events.ics`` (public): the whole feed (the last 12
  months and later), and a ``304`` to a request with the ``ETag`` it answered;
- the feed's size, and what the feed of every exchange ever (the feed before it kept to 12
  months) would weigh and take to build, built in-process the way the feed builds it;
- ``/participants/?q=…`` (a coordinator: all 150,000 people), for a last name and for a
  first and last name, with marks and capitals the people do not have in the query.

``measure`` is called by ``benchmarks.run`` with the server up; ``rows`` gives its lines of
the table, each with its goal and "met" or "not met".
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

import sqlalchemy as sa

from benchmarks.client import Client

#: latency goals, as multiples of ``/healthz``'s
FEED_GOAL = 3.0
NOT_MODIFIED_GOAL = 1.5
SEARCH_GOAL = 3.0
#: the searches: common last name (about a fifteenth of everyone), a first and last name
SEARCHES = {"last name": "KOZLOWSKI", "first and last name": "Zofia Kozlowski"}


def _get(client: Client, path: str, headers: dict[str, str] | None = None):
    """Status, headers and body of a GET on the client's connection and session."""
    client.connection.request("GET", path, headers=client.headers() | (headers or {}))
    response = client.connection.getresponse()
    body = response.read()
    return response.status, dict(response.getheaders()), body


def _median_ms(client: Client, path: str, samples: int, headers=None, expect=200) -> float:
    for _ in range(3):
        status, _, _ = _get(client, path, headers)
        if status != expect:
            raise RuntimeError(f"{path} answered {status}, not {expect}")
    times = []
    for _ in range(samples):
        started = time.perf_counter()
        _get(client, path, headers)
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def _everything_ever(app) -> tuple[int, float]:
    """The size of the feed of every exchange but drafts, and the time to load and build it,
    as ``/calendar.ics`` was before it kept to 12 months."""
    from sqlalchemy.orm import selectinload

    from exchange.exchanges import ical
    from exchange.exchanges.models import Exchange, ExchangeStatus
    from exchange.extensions import db

    with app.test_request_context("/calendar.ics", base_url="https://localhost"):
        started = time.perf_counter()
        exchanges = db.session.scalars(
            sa.select(Exchange)
            .options(selectinload(Exchange.partners))
            .where(Exchange.status != ExchangeStatus.DRAFT)
            .order_by(Exchange.start_date, Exchange.id)
        )
        body = ical.build_calendar(list(exchanges), "Olsztyn", ical.exchange_link)
        elapsed = (time.perf_counter() - started) * 1000
        db.session.remove()
    return len(body), elapsed


def measure(client: Client, app, samples: int, log: Callable[[str], None]) -> dict:
    """The figures, with ``client`` logged in as a coordinator on the server."""
    results: dict = {"healthz": _median_ms(client, "/healthz", samples)}
    for path in ("/calendar.ics", "/events.ics"):
        log(f"  feed {path}")
        started = time.perf_counter()
        status, headers, body = _get(client, path)
        first = (time.perf_counter() - started) * 1000
        if status != 200 or not body.startswith(b"BEGIN:VCALENDAR"):
            raise RuntimeError(f"{path} answered {status}")
        conditional = {"If-None-Match": headers["ETag"]}
        results[path] = {
            "first": first,
            "full": _median_ms(client, path, samples),
            "304": _median_ms(client, path, samples, conditional, expect=304),
            "bytes": len(body),
        }
    results["before"] = _everything_ever(app)
    results["search"] = {}
    for name, q in SEARCHES.items():
        log(f"  participant search: {name}")
        path = f"/participants/?q={q.replace(' ', '+')}"
        results["search"][name] = _median_ms(client, path, samples)
    return results


def _verdict(ratio: float, goal: float) -> str:
    return f"{ratio:.2f} ({'met' if ratio <= goal else 'not met'})"


def rows(row: Callable[[str, str, Callable[[dict], str]], None]) -> None:
    """The lines of ``benchmarks.run``'s table: ``row(label, goal, value of a backend's
    results)``; the feeds' figures are ``results["feeds"]``."""

    def of(key: str, field: str) -> Callable[[dict], float]:
        return lambda r: r["feeds"][key][field]

    row("HTTP latency, /healthz, median (ms)", "", lambda r: f"{r['feeds']['healthz']:.2f}")
    for path in ("/calendar.ics", "/events.ics"):
        full, not_modified = of(path, "full"), of(path, "304")
        row(
            f"{path}: first / again / 304 (ms)",
            "",
            lambda r, p=path, f=full, n=not_modified: (
                f"{r['feeds'][p]['first']:.1f} / {f(r):.2f} / {n(r):.2f}"
            ),
        )
        row(
            f"{path} / healthz",
            f"≤ {FEED_GOAL:g}",
            lambda r, f=full: _verdict(f(r) / r["feeds"]["healthz"], FEED_GOAL),
        )
        row(
            f"{path} 304 / healthz",
            f"≤ {NOT_MODIFIED_GOAL:g}",
            lambda r, n=not_modified: _verdict(n(r) / r["feeds"]["healthz"], NOT_MODIFIED_GOAL),
        )
    row(
        "/calendar.ics size, every exchange before / now",
        "",
        lambda r: f"{r['feeds']['before'][0]:,} / {r['feeds']['/calendar.ics']['bytes']:,} B",
    )
    row(
        "… building every exchange's feed (ms)",
        "",
        lambda r: f"{r['feeds']['before'][1]:.0f}",
    )
    for name in SEARCHES:
        row(
            f"participant search, {name} (ms)",
            "",
            lambda r, n=name: f"{r['feeds']['search'][n]:.2f}",
        )
        row(
            f"… / healthz ({name})",
            f"≤ {SEARCH_GOAL:g}",
            lambda r, n=name: _verdict(
                r["feeds"]["search"][n] / r["feeds"]["healthz"], SEARCH_GOAL
            ),
        )
