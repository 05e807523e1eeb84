"""Two app servers behind one load balancer: what a user does on one holds on the other.

Two gunicorn instances of ``wsgi:app`` run with the production settings (one ``SECRET_KEY``,
one PostgreSQL database, the rate limits counted in one Redis) on two loopback ports. The test
plays the load balancer in front of them, as nginx does in deploy/: it terminates "TLS" and
forwards over plain HTTP with ``X-Forwarded-Proto: https`` and the client's address in
``X-Forwarded-For``, which the servers trust (``PROXY_FIX_X_*=1``, as in deploy/exchange.env).
So the session cookie stays ``Secure`` and is sent back as the browser would over HTTPS.

Needs PostgreSQL (``TEST_DATABASE_URL``) and Redis (``TEST_REDIS_URL``, default
redis://127.0.0.1:6379/0); ``.ci/run`` starts both. Without them the module skips, or fails
with ``REQUIRE_POSTGRES=1``. The servers start once for the module and are stopped however it
ends; the Redis keys of the run (their own prefix) are deleted.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import gunicorn
import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from exchange import create_app
from exchange.extensions import db
from exchange.notifications import services as notifications
from exchange.notifications.models import DeliveryState, Notification, NotificationKind
from tests import factories
from tests.helpers import fresh_database, make_config
from tests.smtp_server import SMTPServer

#: the servers and the workers run at the machine's time: so does the test
pytestmark = pytest.mark.real_clock

ROOT = Path(__file__).resolve().parent.parent
SECRET_KEY = "two-servers-" + "k" * 40
PASSWORD = factories.PASSWORD
#: the site's name as the load balancer passes it on (``Host``), the same to both servers
HOST = "exchange.example"
#: gunicorn 27's control socket has one default path: two servers on one machine would share it
NO_CONTROL_SOCKET = ["--no-control-socket"] if gunicorn.version_info >= (27,) else []
CSRF = re.compile(r'name="csrf[-_]token"[^>]*(?:content|value)="([^"]+)"')


def _missing(reason: str) -> None:
    if os.environ.get("REQUIRE_POSTGRES") == "1":
        pytest.fail(f"REQUIRE_POSTGRES=1, but {reason}")
    pytest.skip(reason)


def _redis(url: str):
    try:
        import redis
    except ImportError:
        _missing("the redis package is not installed (pip install -e '.[test]')")
    client = redis.Redis.from_url(url, socket_timeout=5)
    try:
        client.ping()
    except redis.RedisError as error:
        _missing(f"no Redis at {url} ({error}); start it: redis-server --daemonize yes")
    return client


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# --- a browser behind the load balancer ----------------------------------------------------


@dataclass
class Browser:
    """One person's browser: its cookies, its address (as the balancer forwards it)."""

    address: str = "203.0.113.10"
    cookies: dict[str, str] = field(default_factory=dict)
    secure_cookies: set[str] = field(default_factory=set)

    def request(self, port: int, method: str, path: str, form: dict | None = None):
        headers = {
            "Host": HOST,
            "User-Agent": "Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0",
            "X-Forwarded-Proto": "https",
            "X-Forwarded-For": self.address,
            # what the browser sends with a form of this site over HTTPS (the CSRF check asks)
            "Referer": f"https://{HOST}{path}",
        }
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode()
        finally:
            connection.close()
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                cookie_value, _, attributes = rest.partition(";")
                if "secure" in attributes.lower():
                    self.secure_cookies.add(key)
                if "expires=thu, 01 jan 1970" in attributes.lower():
                    self.cookies.pop(key, None)
                else:
                    self.cookies[key] = cookie_value
        return response.status, response.getheader("Location") or "", text

    def get(self, port: int, path: str):
        return self.request(port, "GET", path)

    def post(self, port: int, path: str, form: dict, token_from: str | None = None):
        """POST ``form`` with the CSRF token of the page ``token_from`` (default: ``path``)."""
        status, _, page = self.get(port, token_from or path)
        assert status == 200, f"{token_from or path} answered {status}"
        match = CSRF.search(page)
        assert match, "the page carries a CSRF token"
        return self.request(port, "POST", path, {"csrf_token": match.group(1), **form})

    def log_in(self, port: int, email: str, password: str = PASSWORD):
        return self.post(port, "/login", {"email": email, "password": password})


# --- the two servers -----------------------------------------------------------------------


@dataclass
class Cluster:
    ports: tuple[int, int]
    environment: dict[str, str]
    app: object
    redis: object
    key_prefix: str

    def user(self, role: str = "coordinator", **values):
        with self.app.app_context():  # type: ignore[attr-defined]
            user = factories.user(role=role, **values)
            return user.id, user.email


def _wait_until_serving(process: subprocess.Popen, port: int) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn on port {port} exited with {process.returncode}")
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        try:
            connection.request("GET", "/healthz", headers={"Host": HOST})
            if connection.getresponse().status == 200:
                return
        except OSError:
            pass
        finally:
            connection.close()
        time.sleep(0.2)
    raise RuntimeError(f"gunicorn on port {port} did not answer within 60 s")


def _stop(process: subprocess.Popen) -> str:
    """Stop ``process`` (SIGTERM, then SIGKILL after 20 s); what it wrote to its pipe."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
    try:
        output, _ = process.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        output, _ = process.communicate(timeout=10)
    return output or ""


@pytest.fixture(scope="module")
def cluster(tmp_path_factory) -> Iterator[Cluster]:
    redis_url = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
    redis = _redis(redis_url)
    tmp_dir = tmp_path_factory.mktemp("two-servers")
    key_prefix = f"exchange-test-{uuid.uuid4().hex[:12]}"
    with contextlib.ExitStack() as stack:
        url = stack.enter_context(fresh_database("postgresql", tmp_dir))
        app = create_app(make_config(url, tmp_dir))
        with app.app_context():
            upgrade()
            db.engine.dispose()
        stack.callback(lambda: redis.delete(*redis.keys(f"*/{key_prefix}/*") or ["-"]))
        environment = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("MAIL_", "RATELIMIT_", "PROXY_FIX_", "SESSION_"))
        } | {
            "EXCHANGE_ENV": "production",
            "SECRET_KEY": SECRET_KEY,
            "DATABASE_URL": url,
            "RATELIMIT_STORAGE_URI": redis_url,
            "RATELIMIT_KEY_PREFIX": key_prefix,
            # one proxy (the test, as nginx in deploy/) in front: trust its X-Forwarded-*
            "PROXY_FIX_X_FOR": "1",
            "PROXY_FIX_X_PROTO": "1",
            "LOG_LEVEL": "WARNING",
            "FLASK_APP": "exchange",
            "PYTHONUNBUFFERED": "1",
        }
        ports = (_free_port(), _free_port())
        servers = []
        for port in ports:
            server = subprocess.Popen(  # noqa: S603 - our own command line
                [sys.executable, "-m", "gunicorn", "--workers", "1", "--bind",
                 f"127.0.0.1:{port}", "--log-level", "warning", *NO_CONTROL_SOCKET, "wsgi:app"],
                cwd=ROOT,
                env=environment,
            )  # fmt: skip
            stack.callback(_stop, server)
            servers.append(server)
        for server, port in zip(servers, ports, strict=True):
            _wait_until_serving(server, port)
        yield Cluster(ports, environment, app, redis, key_prefix)
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


# --- sessions ------------------------------------------------------------------------------


def test_a_session_made_on_one_server_works_on_the_other(cluster):
    one, other = cluster.ports
    _, email = cluster.user(full_name="Cora Ord")
    browser = Browser()
    status, location, _ = browser.log_in(one, email)
    assert (status, location) == (302, "/dashboard")
    assert "session" in browser.secure_cookies  # the production cookie, sent back over HTTPS

    status, _, page = browser.get(other, "/dashboard")
    assert status == 200
    assert "Cora Ord" in page
    assert browser.get(one, "/exchanges/")[0] == 200


def test_logging_out_on_one_server_ends_the_session_on_both(cluster):
    one, other = cluster.ports
    _, email = cluster.user()
    browser = Browser()
    browser.log_in(one, email)
    copy = Browser(cookies=dict(browser.cookies))  # the same cookie, kept elsewhere
    assert copy.get(other, "/dashboard")[0] == 200

    status, location, _ = browser.post(other, "/logout", {}, token_from="/dashboard")
    assert (status, location) == (302, "/")

    for port in (one, other):
        status, location, _ = copy.get(port, "/dashboard")
        assert status == 302
        assert location.startswith("/login")


def test_the_sixth_failed_log_in_within_a_minute_spread_over_both_servers_answers_429(cluster):
    one, other = cluster.ports
    _, email = cluster.user()
    browser = Browser(address="198.51.100.23")
    statuses = [
        browser.log_in(port, email, "not the password")[0]
        for port in (one, other, one, other, one, other)
    ]
    assert statuses == [401] * 5 + [429]
    # the right password does not get through the limit either, on either server
    assert browser.log_in(one, email)[0] == 429
    # the counts are in the shared Redis, under this run's prefix
    assert cluster.redis.keys(f"*/{cluster.key_prefix}/*")  # type: ignore[attr-defined]


# --- two mail workers ----------------------------------------------------------------------


def test_two_send_mail_workers_deliver_each_message_exactly_once(cluster):
    smtp = SMTPServer()
    smtp.start()
    environment = cluster.environment | {
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": str(smtp.port),
        "MAIL_USE_TLS": "false",
        "MAIL_FROM": "wymiany@olsztyn.example",
    }
    workers: list[subprocess.Popen] = []
    outputs: list[str] = []
    try:
        for _ in range(2):
            workers.append(
                subprocess.Popen(  # noqa: S603 - our own command line
                    [sys.executable, "-m", "flask", "send-mail", "--interval", "0.2"],
                    cwd=ROOT,
                    env=environment,
                    stdout=subprocess.PIPE,
                    text=True,
                )
            )
        for worker in workers:  # both are looking at the outbox before anything is in it
            assert worker.stdout is not None
            assert "Sending e-mails" in worker.stdout.readline()

        count = 60
        with cluster.app.app_context():  # type: ignore[attr-defined]
            users = [factories.user() for _ in range(4)]
            for number in range(count):
                notifications.enqueue(
                    users[number % 4],
                    NotificationKind.PASSWORD_RESET,
                    {"secret_link": f"https://{HOST}/password/reset/{number}", "valid_minutes": 60},
                )
            db.session.commit()
            ids = [user.id for user in users]

            deadline = time.monotonic() + 90
            while len(smtp.messages) < count and time.monotonic() < deadline:
                time.sleep(0.2)
            time.sleep(1)  # a message sent twice would arrive by now
            states = db.session.execute(
                sa.select(Notification.state, Notification.attempts, sa.func.count())
                .where(Notification.user_id.in_(ids))
                .group_by(Notification.state, Notification.attempts)
            ).all()
            db.session.remove()
    finally:
        outputs = [_stop(worker) for worker in workers]
        smtp.stop()

    links = sorted(
        int(re.search(r"/password/reset/(\d+)", m.get_body(("plain",)).get_content()).group(1))
        for m in smtp.messages
    )
    assert links == list(range(count))
    assert states == [(DeliveryState.SENT, 1, count)]
    assert [worker.returncode for worker in workers] == [0, 0]
    assert all(output.rstrip().endswith("Stopped.") for output in outputs)
