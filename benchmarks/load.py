"""The load test of ``make bench``: a realistic mix of traffic on one and on two app servers.

    python -m benchmarks.run … [--load-seconds 60] [--load-users 24] [--no-load]

Called by benchmarks/run.py on each database once its other measurements are done. It adds to
the database what the mix needs (``prepare``): school accounts, each with three adult
participants of its own institution, one public exchange open for registration with room for
everybody, and a coordinator. Then it runs locust headless (benchmarks/locustfile.py, the
``bench`` extra) for ``--load-seconds`` with ``--load-users`` simulated people, first against
one gunicorn (2 workers), then against two (2 workers each, on two loopback ports, every
request to the next one in turn): visitors on the public pages, schools registering and
withdrawing, coordinators on rosters and the yearly report. It reports the throughput, the
p50/p95/p99 per page kind and the failures, which must be 0.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import http.client
import json
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import gunicorn
import sqlalchemy as sa

from benchmarks.open_exchange import SchoolNames, open_exchange_with_schools

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "load test password 2026"  # noqa: S105 - accounts of the throw-away database
COORDINATOR = "load-coordinator@example.org"
#: gunicorn 27's control socket has one default path: two servers on one machine would share it
NO_CONTROL_SOCKET = ["--no-control-socket"] if gunicorn.version_info >= (27,) else []
LOAD_SCHOOLS = SchoolNames(
    school="Load Test School {number}",
    account_email="load-school-{number}@example.org",
    account_name="Load School {number}",
    teacher_first_name="Teacher {person}",
    teacher_last_name="School {number}",
    teacher_email="load-teacher-{number}-{person}@example.org",
)

#: p95 under the mixed load, per page kind (ms): the public pages and the school's steps are
#: what many people wait for; the coordinator's report is rarer and bigger
P95_GOALS = {"yearly report": 1000, "roster": 500, "exchanges list": 500}
P95_GOAL = 300


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--load-seconds", type=float, default=60, help="length of each load test")
    parser.add_argument("--load-users", type=int, default=24, help="simulated people at once")
    parser.add_argument("--no-load", action="store_true", help="skip the load test")


# --- the data the mix needs -----------------------------------------------------------------


def prepare(app, db, schools: int) -> dict:
    """Accounts and an open exchange for the mix; the plan the locustfile reads (no hosts)."""
    from exchange import clock
    from exchange.auth import services as auth
    from exchange.core.permissions import Role
    from exchange.exchanges.models import Exchange
    from exchange.registrations.models import Registration

    today = clock.today()
    with app.app_context():
        exchange, accounts = open_exchange_with_schools(
            db,
            title="Load test: an exchange open to every school",
            capacity=schools * 3,
            starts_in=40,
            ends_in=43,
            closes_in=30,
            is_public=True,
            schools=schools,
            teachers=3,
            names=LOAD_SCHOOLS,
            password=PASSWORD,
        )
        emails = [email for email, _ in accounts]
        auth.create_user(
            email=COORDINATOR, full_name="Load Coordinator", role=Role.COORDINATOR,
            password=PASSWORD,
        )  # fmt: skip
        db.session.commit()
        year = today.year - 1
        # this year's largest exchanges: the rosters a coordinator works on
        rosters = db.session.scalars(
            sa.select(Registration.exchange_id)
            .join(Registration.exchange)
            .where(Exchange.start_date >= date(today.year, 1, 1))
            .group_by(Registration.exchange_id)
            .order_by(sa.func.count().desc(), Registration.exchange_id)
            .limit(10)
        ).all()
        return {
            "password": PASSWORD,
            "coordinator": COORDINATOR,
            "schools": emails,
            "exchange": exchange.id,
            "rosters": list(rosters) or [exchange.id],
            "report": f"/reports/?date_from={year}-01-01&date_to={year}-12-31",
        }


# --- servers and the generator --------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _healthy(port: int) -> bool:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        connection.request("GET", "/healthz")
        return connection.getresponse().status == 200
    except OSError:
        return False
    finally:
        connection.close()


@contextlib.contextmanager
def servers(environment: dict[str, str], count: int, workers: int = 2) -> Iterator[list[str]]:
    """``count`` gunicorns of the app on free loopback ports; yields their base URLs."""
    ports = [_free_port() for _ in range(count)]
    processes = []
    try:
        for port in ports:
            processes.append(
                subprocess.Popen(  # noqa: S603 - our own command line
                    [
                        sys.executable,
                        "-m",
                        "gunicorn",
                        "--workers",
                        str(workers),
                        "--bind",
                        f"127.0.0.1:{port}",
                        "--log-level",
                        "warning",
                        *NO_CONTROL_SOCKET,
                        "wsgi:app",
                    ],
                    cwd=ROOT,
                    env=environment,
                )  # fmt: skip
            )
        deadline = time.monotonic() + 60
        for process, port in zip(processes, ports, strict=True):
            while not _healthy(port):
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"gunicorn on port {port} did not start")
                time.sleep(0.2)
        yield [f"http://127.0.0.1:{port}" for port in ports]
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=30)


def locust(plan: dict, users: int, seconds: float, environment: dict[str, str]) -> dict:
    """Run the mix; per page kind (and "all"): requests, failures, req/s, p50, p95, p99."""
    with tempfile.TemporaryDirectory(prefix="exchange-load-") as directory:
        plan_file = Path(directory) / "plan.json"
        plan_file.write_text(json.dumps(plan))
        done = subprocess.run(  # noqa: S603 - our own command line
            [sys.executable, "-m", "locust", "-f", str(ROOT / "benchmarks" / "locustfile.py"),
             "--headless", "--users", str(users), "--spawn-rate", str(users),
             "--run-time", f"{int(seconds)}s", "--stop-timeout", "10", "--only-summary",
             "--csv", f"{directory}/load", "--loglevel", "WARNING", "--exit-code-on-error", "0"],
            cwd=ROOT,
            env=environment | {"LOAD_PLAN": str(plan_file)},
            capture_output=True,
            text=True,
        )  # fmt: skip
        if done.returncode != 0:
            raise RuntimeError(f"locust failed:\n{done.stderr[-3000:]}")
        with open(f"{directory}/load_stats.csv", encoding="utf-8") as stats:
            rows = list(csv.DictReader(stats))
        with open(f"{directory}/load_failures.csv", encoding="utf-8") as failed:
            why = [f"{row['Occurrences']} × {row['Error']}" for row in csv.DictReader(failed)]
        # an exception in the mix's own code (a page that no longer looks as it expects)
        with open(f"{directory}/load_exceptions.csv", encoding="utf-8") as raised:
            exceptions = [f"{row['Count']} × {row['Message']}" for row in csv.DictReader(raised)]
    figures = {}
    for row in rows:
        kind = "all" if row["Name"] == "Aggregated" else row["Name"]
        figures[kind] = {
            "requests": int(row["Request Count"]),
            "failures": int(row["Failure Count"]),
            "rps": float(row["Requests/s"]),
            **{p: float(row[f"{p}%"] or 0) for p in ("50", "95", "99")},
        }
    figures["all"]["failures"] += sum(int(line.split(" ×")[0]) for line in exceptions)
    figures["all"]["why"] = (why + exceptions)[:10]
    return figures


def load_test(
    environment: dict[str, str], app_db: tuple, options: argparse.Namespace, log: Callable
) -> dict:
    """The mix on one server, then on two: ``{"one": figures, "two": figures}``."""
    plan = prepare(*app_db, schools=options.load_users)
    results = {}
    for name, count in (("one", 1), ("two", 2)):
        log(f"load test: {options.load_users} people for {options.load_seconds:.0f}s on {count} "
            "gunicorn(s), 2 workers each")  # fmt: skip
        with servers(environment, count) as hosts:
            results[name] = locust(
                plan | {"hosts": hosts}, options.load_users, options.load_seconds, environment
            )
    return results


# --- the table ------------------------------------------------------------------------------


def goal(kind: str) -> int:
    return P95_GOALS.get(kind, P95_GOAL)


def table(results: dict[str, dict]) -> str:
    """One line per database and page kind: one server and two side by side, with goals."""
    header = ("database", "page kind", "1 server: req/s, p50/p95/p99 ms, failures",
              "2 servers: same", "goal (p95 ms, failures)", "met")  # fmt: skip
    rows = []
    for backend, measured in results.items():
        if "load" not in measured:
            continue
        one, two = measured["load"]["one"], measured["load"]["two"]
        kinds = sorted(k for k in one if k != "all") + ["all"]
        for kind in kinds:
            cells = []
            met = True
            for figures in (one.get(kind), two.get(kind)):
                if figures is None:
                    cells.append("—")
                    continue
                cells.append(
                    f"{figures['rps']:.1f}, {figures['50']:.0f}/{figures['95']:.0f}/"
                    f"{figures['99']:.0f}, {figures['failures']}"
                )
                met &= figures["failures"] == 0 and (kind == "all" or figures["95"] <= goal(kind))
            target = "0 failures" if kind == "all" else f"≤ {goal(kind)}, 0"
            rows.append((backend, kind, *cells, target, "met" if met else "not met"))
        for label, figures in (("one", one), ("two", two)):
            for line in figures["all"].get("why", []):
                rows.append((backend, f"failure ({label})", line[:60], "", "", ""))
    if not rows:
        return ""
    widths = [max(len(str(line[i])) for line in (header, *rows)) for i in range(len(header))]

    def line(cells) -> str:
        return "| " + " | ".join(str(c).ljust(w) for c, w in zip(cells, widths, strict=True)) + " |"

    separator = "| " + " | ".join("-" * w for w in widths) + " |"
    return "\n".join([line(header), separator, *(line(r) for r in rows)])
