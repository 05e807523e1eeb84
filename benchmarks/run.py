"""Benchmarks at 25 years of data, on SQLite and PostgreSQL: ``make bench``.

    python -m benchmarks.run [--scale 1] [--years 25] [--backends sqlite,postgresql]

For each database: build it with the migrations and ``flask demo-data --years 25 --scale 1``
(timed), then measure, with the production settings:

- the yearly report page (in-process test client, logged in as a coordinator) against the bare
  SQL it needs: every SELECT the page sent, replayed on the driver's own cursor; their ratio;
- p50/p95 latency of the exchanges list, the roster of the largest exchange and this month's
  calendar (in-process, as a coordinator);
- requests per second of the exchanges list and of ``/healthz`` on one gunicorn server (2
  workers, on a free loopback port) with a logged-in session cookie, from a load generator in
  another process (``wrk`` when installed, else ``benchmarks.client.python_load``);
- the pages of one year on databases of 5, 10 and 25 years (``benchmarks.history``);
- PostgreSQL only: 50 school users POSTing to ``/exchanges/<id>/register`` at once for 10
  places (threads, each with its own session and CSRF token) — latency and the outcome, which
  must be exactly 10 confirmed and 40 waitlisted.

PostgreSQL: the database ``exchange_bench_<pid>`` is created on ``--pg-url``'s server, set up with
``random_page_cost = 1.1`` (see docs/PERFORMANCE.md) and dropped afterwards. SQLite: a file in a
temporary directory. ``--profile`` prints a pyinstrument profile of the report page and the
exchanges list (``pip install -e '.[bench]'``).
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import os
import platform
import re
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import sqlalchemy as sa

from benchmarks import feeds
from benchmarks import load as mixed_load
from benchmarks.client import Client, python_load
from benchmarks.goals import AT_LEAST, AT_MOST, EQUAL, Goal, goals_table, markdown
from benchmarks.history import history_goals, history_table, measure_history
from benchmarks.open_exchange import SchoolNames, open_exchange_with_schools
from exchange import clock

ROOT = Path(__file__).resolve().parent.parent
SECRET_KEY = "benchmark-secret-key-" + "x" * 32
PASSWORD = "benchmark password 2026"  # noqa: S105 - accounts of the throw-away database
COORDINATOR = "bench-coordinator@example.org"
RACE_SCHOOLS = SchoolNames(
    school="Benchmark School {number}",
    account_email="bench-school-{number}@example.org",
    account_name="School {number}",
    teacher_first_name="Teacher",
    teacher_last_name="Number {number}",
    teacher_email="teacher{number}@example.org",
)
#: one name per run: runs side by side on a shared server must not drop each other's database
PG_DATABASE = f"exchange_bench_{os.getpid()}"
#: the goals of issue 17 (see docs/PERFORMANCE.md)
LIST_RATIO, REPORT_RATIO = 0.35, 1.25
#: the report's bare SQL before issue 17 (ms, docs/PERFORMANCE.md): it must not get slower
REPORT_SQL_BEFORE = {"sqlite": 96.4, "postgresql": 85.0}


def check(condition: bool, message: str) -> None:
    if not condition:
        raise RuntimeError(message)


# --- databases ------------------------------------------------------------------------------


@contextlib.contextmanager
def database(backend: str, pg_url: str, name: str = PG_DATABASE) -> Iterator[str]:
    """Yield the URL of a new, empty database (``name`` on PostgreSQL); drop it afterwards."""
    if backend == "sqlite":
        with tempfile.TemporaryDirectory(prefix="exchange-bench-") as directory:
            yield f"sqlite:///{directory}/exchange.db"
        return
    server = sa.make_url(pg_url).set(drivername="postgresql+psycopg")
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
        # the data is in memory or on SSD: a random read costs little more than a sequential
        # one, and with the default (4) the planner hashes whole tables instead of using indexes
        connection.exec_driver_sql(f'ALTER DATABASE "{name}" SET random_page_cost = 1.1')
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def environment(url: str) -> dict[str, str]:
    return os.environ | {
        "EXCHANGE_ENV": "production",
        "SECRET_KEY": SECRET_KEY,
        "DATABASE_URL": url,
        "LOG_LEVEL": "WARNING",
        "FLASK_APP": "exchange",
    }


def flask(url: str, *args: str) -> float:
    """Run a ``flask`` command on the database; return its wall time in seconds."""
    started = time.perf_counter()
    done = subprocess.run(  # noqa: S603 - our own command line
        [sys.executable, "-m", "flask", *args],
        cwd=ROOT,
        env=environment(url),
        capture_output=True,
        text=True,
    )
    elapsed = time.perf_counter() - started
    check(done.returncode == 0, f"flask {' '.join(args)} failed:\n{done.stderr}")
    return elapsed


# --- in-process measurements ----------------------------------------------------------------


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


class InProcess:
    """The app in this process with the production settings, a coordinator logged in."""

    def __init__(self, url: str) -> None:
        os.environ.update(environment(url))
        from exchange import create_app

        self.app = create_app()
        # as wsgi.py does for gunicorn: the objects of the start-up out of the full GC passes
        gc.collect()
        gc.freeze()
        self.client = self.app.test_client()
        from exchange.auth import services as auth
        from exchange.core.permissions import Role
        from exchange.extensions import db

        self.db = db
        with self.app.app_context(), contextlib.suppress(auth.UserError):  # made already
            auth.create_user(
                email=COORDINATOR, full_name="Bench Coordinator", role=Role.COORDINATOR,
                password=PASSWORD,
            )  # fmt: skip
            db.session.commit()
        token = re.search(r'name="csrf-token" content="([^"]+)"', self.get("/login")[1]).group(1)
        response = self.client.post(
            "/login",
            data={"csrf_token": token, "email": COORDINATOR, "password": PASSWORD},
            base_url="https://localhost",  # the session cookie is Secure
            headers={"Referer": "https://localhost/login"},  # CSRF over HTTPS checks it
        )
        check(
            response.status_code == 302, f"the coordinator's log-in answered {response.status_code}"
        )

    def close(self) -> None:
        with self.app.app_context():
            self.db.session.remove()
            self.db.engine.dispose()

    def get(self, path: str) -> tuple[int, str]:
        response = self.client.get(path, base_url="https://localhost")
        return response.status_code, response.get_data(as_text=True)

    def time_get(self, path: str, samples: int, warm_up: int = 3) -> list[float]:
        for _ in range(warm_up):
            status, _ = self.get(path)
            check(status == 200, f"{path} answered {status}")
        times = []
        for _ in range(samples):
            started = time.perf_counter()
            self.get(path)
            times.append((time.perf_counter() - started) * 1000)
        return times

    def statements_of(self, path: str) -> list[tuple[str, object]]:
        statements = []

        def listen(conn, cursor, statement, parameters, context, executemany):
            statements.append((statement, parameters))

        with self.app.app_context():
            engine = self.db.engine
        sa.event.listen(engine, "before_cursor_execute", listen)
        try:
            self.get(path)
        finally:
            sa.event.remove(engine, "before_cursor_execute", listen)
        return [(s, p) for s, p in statements if s.lstrip().upper().startswith("SELECT")]

    def time_sql(self, statements: list[tuple[str, object]], samples: int) -> list[float]:
        """Replay the statements on the driver's cursor: the database's time, and the driver's
        to hand the rows over, without SQLAlchemy, the app or the templates."""
        with self.app.app_context():
            raw = self.db.engine.raw_connection()
        try:
            cursor = raw.cursor()
            times = []
            for _ in range(samples + 2):
                started = time.perf_counter()
                for statement, parameters in statements:
                    cursor.execute(statement, parameters)
                    cursor.fetchall()
                times.append((time.perf_counter() - started) * 1000)
            raw.rollback()
            return times[2:]
        finally:
            raw.close()

    def scalar(self, query):
        with self.app.app_context():
            return self.db.session.scalar(query)

    def profile(self, path: str, repeat: int = 5) -> str:
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.0005)
        profiler.start()
        for _ in range(repeat):
            self.get(path)
        profiler.stop()
        return profiler.output_text(unicode=False, color=False)


# --- gunicorn -------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def gunicorn(url: str, workers: int = 2) -> Iterator[int]:
    port = free_port()
    server = subprocess.Popen(  # noqa: S603 - our own command line
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
            "wsgi:app",
        ],  # fmt: skip
        cwd=ROOT,
        env=environment(url),
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if Client(port).get("/healthz")[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline or server.poll() is not None:
                raise RuntimeError("gunicorn did not start")
            time.sleep(0.2)
        yield port
    finally:
        server.terminate()
        server.wait(timeout=30)


def load(port: int, path: str, cookie: str, seconds: float) -> tuple[float, int, str]:
    """Requests per second of ``path`` from another process: (rps, answers not 200, tool)."""
    wrk = shutil.which("wrk")
    if wrk:
        output = subprocess.run(  # noqa: S603
            [
                wrk,
                "-t2",
                "-c8",
                f"-d{int(seconds)}s",
                "-H",
                f"Cookie: {cookie}",
                "-H",
                "User-Agent: exchange-bench",
                f"http://127.0.0.1:{port}{path}",
            ],  # fmt: skip
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
        bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
        return rps, int(bad.group(1)) if bad else 0, "wrk -t2 -c8"
    rps, bad = python_load(port, path, cookie, seconds)
    return rps, bad, "python, 2 processes x 4 threads"


# --- concurrent registrations ---------------------------------------------------------------


def prepare_race(app_db, places: int, schools: int) -> tuple[int, list[tuple[str, int]]]:
    """An open exchange with ``places`` places and ``schools`` school users, each with one
    adult participant of their own institution. Returns the exchange id and (e-mail,
    participant id) per school."""
    app, db = app_db
    with app.app_context():
        exchange, accounts = open_exchange_with_schools(
            db,
            title="Benchmark: the last ten places",
            capacity=places,
            starts_in=30,
            ends_in=32,
            closes_in=20,
            is_public=False,
            schools=schools,
            teachers=1,
            names=RACE_SCHOOLS,
            password=PASSWORD,
        )
        db.session.commit()
        return exchange.id, [(email, person.id) for email, [person] in accounts]


def race(port: int, exchange_id: int, schools: list[tuple[str, int]]) -> list[tuple[int, float]]:
    """Every school logs in and opens the form; then all POST at once. (status, ms) each."""
    clients = []
    for email, participant_id in schools:
        client = Client(port)
        client.login(email, PASSWORD)
        token = client.csrf_token(f"/exchanges/{exchange_id}/register")
        clients.append((client, token, participant_id))
    barrier = threading.Barrier(len(clients))
    results: list[tuple[int, float]] = []
    lock = threading.Lock()

    def register(client: Client, token: str, participant_id: int) -> None:
        form = {"csrf_token": token, "participants": str(participant_id)}
        barrier.wait()
        started = time.perf_counter()
        status, _ = client.request("POST", f"/exchanges/{exchange_id}/register", form)
        elapsed = (time.perf_counter() - started) * 1000
        with lock:
            results.append((status, elapsed))

    threads = [threading.Thread(target=register, args=item) for item in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


# --- one database ---------------------------------------------------------------------------


def build(backend: str, url: str, years: int, scale: float, log: Callable) -> float:
    """Migrate and fill the database; return the seconds ``demo-data`` took."""
    log(f"[{backend}] migrations and demo-data --years {years} --scale {scale}")
    flask(url, "db", "upgrade")
    return flask(url, "demo-data", "--years", str(years), "--scale", str(scale))


def measure(backend: str, url: str, options: argparse.Namespace, log: Callable) -> dict:
    results: dict = {"goals": []}
    goals: list[Goal] = results["goals"]
    results["generate"] = build(backend, url, options.years, options.scale, log)
    if backend == "sqlite":
        goals.append(Goal(f"demo-data --years {options.years} --scale {options.scale} (s)",
                          results["generate"], 60, AT_MOST, spec=".1f"))  # fmt: skip
    from exchange.exchanges.models import Exchange
    from exchange.registrations.models import Participant, Registration

    app = InProcess(url)
    results["app"] = app
    results["rows"] = {
        model.__tablename__: app.scalar(sa.select(sa.func.count()).select_from(model))
        for model in (Exchange, Participant, Registration)
    }
    largest = app.scalar(
        sa.select(Registration.exchange_id)
        .group_by(Registration.exchange_id)
        .order_by(sa.func.count().desc(), Registration.exchange_id)
        .limit(1)
    )
    year = clock.today().year - 1
    report = f"/reports/?date_from={year}-01-01&date_to={year}-12-31"

    log(f"[{backend}] report page {report}")
    page = app.time_get(report, options.samples)
    statements = app.statements_of(report)
    sql = app.time_sql(statements, options.samples)
    results["report"] = (statistics.median(page), statistics.median(sql), len(statements))
    page_ms, sql_ms, _ = results["report"]
    goals.append(Goal("report page / its bare SQL", page_ms / sql_ms, REPORT_RATIO, AT_MOST,
                      detail=f"{page_ms:.0f} / {sql_ms:.0f} ms"))  # fmt: skip
    before = REPORT_SQL_BEFORE[backend]
    goals.append(
        Goal(
            "report's bare SQL (ms), no slower than before issue 17 (+10 % for noise)",
            sql_ms,
            round(before * 1.1, 1),
            AT_MOST,
            spec=".1f",
            detail=f"{len(statements)} statements; before: {before}",
        )
    )

    pages = {
        "exchanges list": "/exchanges/",
        f"roster of the largest exchange ({largest})": f"/exchanges/{largest}/roster",
        "month calendar": "/exchanges/calendar",
    }
    results["latency"] = {}
    for name, path in pages.items():
        log(f"[{backend}] latency of {path}")
        times = app.time_get(path, options.samples * 5)
        results["latency"][name] = (percentile(times, 0.5), percentile(times, 0.95))
        goals.append(Goal(f"{name.split(' (')[0]}, p95 (ms)", percentile(times, 0.95), 50,
                          AT_MOST, spec=".1f"))  # fmt: skip

    if options.profile:
        for path in (report, "/exchanges/"):
            print(f"\n--- profile of {path} on {backend} ---\n{app.profile(path)}", flush=True)

    race_setup = None
    if backend == "postgresql":
        race_setup = prepare_race((app.app, app.db), places=10, schools=50)

    log(f"[{backend}] gunicorn, 2 workers: load for {options.duration}s per URL")
    with gunicorn(url) as port:
        client = Client(port)
        client.login(COORDINATOR, PASSWORD)
        status, _ = client.get("/exchanges/")
        check(status == 200, f"the session cookie does not log in ({status})")
        cookie = client.cookie_header()
        results["rps"] = {
            path: load(port, path, cookie, options.duration) for path in ("/exchanges/", "/healthz")
        }
        log(f"[{backend}] feeds and the participant search over HTTP")
        results["feeds"] = feeds.measure(client, app.app, options.samples * 5, log)
        listing, healthz = results["rps"]["/exchanges/"][0], results["rps"]["/healthz"][0]
        goals.append(
            Goal(
                "exchanges list / /healthz, requests per second",
                listing / healthz,
                LIST_RATIO,
                AT_LEAST,
                detail=f"{listing:.0f} / {healthz:.0f}",
            )
        )
        goals.append(
            Goal(
                "answers other than 200 under load",
                sum(v[1] for v in results["rps"].values()),
                0,
                EQUAL,
                spec="d",
            )
        )
        if race_setup is not None:
            exchange_id, schools = race_setup
            log(f"[{backend}] 50 schools register at once for 10 places")
            answers = race(port, exchange_id, schools)
            from exchange.registrations.models import RegistrationStatus

            counts = {
                status: app.scalar(
                    sa.select(sa.func.count())
                    .select_from(Registration)
                    .where(Registration.exchange_id == exchange_id, Registration.status == status)
                )
                for status in (RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED)
            }
            times = [ms for _, ms in answers]
            results["race"] = {
                "p50": percentile(times, 0.5),
                "p95": percentile(times, 0.95),
                "answers": sorted({status for status, _ in answers}),
                "confirmed": counts[RegistrationStatus.CONFIRMED],
                "waitlisted": counts[RegistrationStatus.WAITLISTED],
            }
            race_result = results["race"]
            goals += [
                Goal("50 concurrent registrations, p95 (ms)", race_result["p95"], 250, AT_MOST,
                     spec=".0f", detail=f"p50 {race_result['p50']:.0f}"),
                Goal("… confirmed of 10 places", race_result["confirmed"], 10, EQUAL, spec="d"),
                Goal("… waitlisted of 50", race_result["waitlisted"], 40, EQUAL, spec="d"),
                Goal("… answers other than 302", sum(s != 302 for s, _ in answers), 0, EQUAL,
                     spec="d"),
            ]  # fmt: skip
    if not options.no_load:
        results["load"] = mixed_load.load_test(environment(url), (app.app, app.db), options, log)
    return results


def history(backend: str, app: InProcess, options: argparse.Namespace, log: Callable) -> dict:
    """The pages of one year at each of ``--history`` years of data and at ``--years`` (the
    database ``app`` already holds)."""
    counts = [int(n) for n in options.history.split(",") if n]
    if not counts:
        return {}
    with contextlib.ExitStack() as stack:
        apps = {}
        for years in counts:
            url = stack.enter_context(database(backend, options.pg_url, f"{PG_DATABASE}_{years}y"))
            build(backend, url, years, options.scale, log)
            apps[years] = InProcess(url)
            stack.callback(apps[years].close)
        apps[options.years] = app
        log(f"[{backend}] pages of one year at {', '.join(map(str, apps))} years of data")
        return measure_history(apps, options.samples)


# --- the table ------------------------------------------------------------------------------


def machine(pg_url: str) -> list[str]:
    memory = "?"
    with contextlib.suppress(OSError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    postgres = "?"
    with contextlib.suppress(Exception):
        engine = sa.create_engine(sa.make_url(pg_url).set(drivername="postgresql+psycopg"))
        with engine.connect() as connection:
            postgres = connection.exec_driver_sql("SHOW server_version").scalar()
        engine.dispose()
    return [
        f"CPU cores (nproc): {os.cpu_count()}",
        f"memory: {memory}",
        f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}, "
        f"PostgreSQL {postgres}",
    ]


def table(results: dict[str, dict]) -> str:
    """The figures themselves, one column per database (their goals are in ``goals_table``)."""
    backends = list(results)
    rows: list[tuple[str, ...]] = []

    def row(label: str, value: Callable[[dict], str]) -> None:
        cells = []
        for backend in backends:
            try:
                cells.append(value(results[backend]))
            except KeyError:
                cells.append("—")
        rows.append((label, *cells))

    row("rows: exchanges / participants / registrations", lambda r: " / ".join(
        f"{n:,}" for n in r["rows"].values()))  # fmt: skip
    row("demo-data (s)", lambda r: f"{r['generate']:.1f}")
    row("yearly report page, median (ms)", lambda r: f"{r['report'][0]:.1f}")
    row(
        "its bare SQL, median (ms)", lambda r: f"{r['report'][1]:.1f} ({r['report'][2]} statements)"
    )
    for name in next(iter(results.values()))["latency"]:
        label = name.split(" (")[0]
        row(
            f"{label}, p50 / p95 (ms)",
            lambda r, label=label: "{:.1f} / {:.1f}".format(
                *next(v for k, v in r["latency"].items() if k.startswith(label))
            ),
        )
    row("gunicorn: /exchanges/ (req/s)", lambda r: "{:.0f}".format(r["rps"]["/exchanges/"][0]))
    row("gunicorn: /healthz (req/s)", lambda r: "{:.0f}".format(r["rps"]["/healthz"][0]))
    row("load generator", lambda r: r["rps"]["/healthz"][2])
    row(
        "50 concurrent registrations, p50 / p95 (ms)",
        lambda r: f"{r['race']['p50']:.0f} / {r['race']['p95']:.0f}",
    )
    row(
        "… confirmed / waitlisted",
        lambda r: f"{r['race']['confirmed']} / {r['race']['waitlisted']}",
    )
    row("… HTTP answers", lambda r: ", ".join(map(str, r["race"]["answers"])))
    feeds.rows(lambda label, goal, value: row(f"{label} (goal {goal})" if goal else label, value))
    return markdown(("measure", *backends), rows)


def load_average() -> str:
    with contextlib.suppress(OSError):
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    return "?"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--years", type=int, default=25)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument(
        "--pg-url",
        default=os.environ.get("BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"),
        help="a PostgreSQL server where a database exchange_bench_<pid> may be created",
    )  # fmt: skip
    parser.add_argument("--samples", type=int, default=20, help="timed requests (×5 for latency)")
    parser.add_argument("--duration", type=float, default=10, help="seconds of load per URL")
    parser.add_argument("--profile", action="store_true", help="print pyinstrument profiles")
    mixed_load.add_arguments(parser)
    parser.add_argument(
        "--history", default="5,10",
        help="also build databases of these years (comma-separated; empty: none) and compare "
        "the pages of one year on them with --years",
    )  # fmt: skip
    options = parser.parse_args(argv)

    def log(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    results: dict[str, dict] = {}
    histories: dict[str, dict] = {}
    loads = [load_average()]
    for backend in options.backends.split(","):
        name = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}[backend]
        try:
            with database(backend, options.pg_url) as url:
                results[name] = measure(backend, url, options, log)
                app = results[name].pop("app")
                loads.append(load_average())
                histories[name] = history(backend, app, options, log)
                results[name]["goals"] += history_goals(histories[name])
                app.close()
        except Exception as error:  # noqa: BLE001 - the other database's figures still count
            log(f"[{backend}] failed: {error!r}")
            results.pop(name, None)
            histories.pop(name, None)
        loads.append(load_average())
    if not results:
        raise SystemExit("no database was measured")
    print()
    print(table(results))
    if any(histories.values()):
        print()
        print(history_table({k: v for k, v in histories.items() if v}))
    print()
    print(goals_table({backend: r["goals"] for backend, r in results.items()}))
    print()
    print(mixed_load.table(results))
    print()
    for line in machine(options.pg_url):
        print(f"- {line}")
    print(f"- load average (1, 5, 15 min) at the start and after each part: {'; '.join(loads)}")


if __name__ == "__main__":
    main()
