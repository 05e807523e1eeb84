"""A small HTTP client for the benchmarks: a session cookie kept by hand, CSRF tokens from the
pages, and a load generator for when ``wrk`` is not installed.

The cookie is kept by hand because the server runs with the production settings, whose session
cookie is ``Secure``: a cookie jar would not send it back over plain HTTP on the loopback.
"""

from __future__ import annotations

import http.client
import multiprocessing
import re
import threading
import time
from urllib.parse import urlencode

#: the same on every request of a session: Flask-Login's "strong" session protection ties the
#: session to the client's address and user agent
USER_AGENT = "exchange-bench"
CSRF = re.compile(r'name="csrf[-_]token"[^>]*(?:content|value)="([^"]+)"')


class Client:
    def __init__(self, port: int) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.cookies: dict[str, str] = {}

    def headers(self) -> dict[str, str]:
        headers = {"User-Agent": USER_AGENT}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        return headers

    def request(self, method: str, path: str, form: dict | None = None) -> tuple[int, str]:
        headers = self.headers()
        body = None
        if form is not None:
            body = urlencode(form, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        self.connection.request(method, path, body=body, headers=headers)
        response = self.connection.getresponse()
        text = response.read().decode("utf-8", "replace")
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key.strip()] = rest.split(";", 1)[0]
        return response.status, text

    def get(self, path: str) -> tuple[int, str]:
        return self.request("GET", path)

    def csrf_token(self, path: str) -> str:
        status, text = self.get(path)
        match = CSRF.search(text)
        if status != 200 or match is None:
            raise RuntimeError(f"no CSRF token on {path} ({status})")
        return match.group(1)

    def login(self, email: str, password: str) -> None:
        token = self.csrf_token("/login")
        status, _ = self.request(
            "POST", "/login", {"csrf_token": token, "email": email, "password": password}
        )
        if status != 302:
            raise RuntimeError(f"log-in of {email} answered {status}")

    def cookie_header(self) -> str:
        return self.headers()["Cookie"]


def _hammer(port: int, path: str, cookie: str, seconds: float, threads: int, queue) -> None:
    """One load process: ``threads`` keep-alive connections requesting ``path`` in a loop."""
    counts = []

    def loop() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        headers = {"User-Agent": USER_AGENT, "Cookie": cookie}
        done = errors = 0
        end = time.perf_counter() + seconds
        while time.perf_counter() < end:
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
            response.read()
            done += 1
            errors += response.status != 200
        counts.append((done, errors))

    workers = [threading.Thread(target=loop) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    queue.put((sum(c[0] for c in counts), sum(c[1] for c in counts)))


def python_load(
    port: int, path: str, cookie: str, seconds: float, processes: int = 2, threads: int = 4
) -> tuple[float, int]:
    """Requests per second (and the number of answers that were not 200) of ``path``, from
    ``processes`` other processes."""
    queue: multiprocessing.Queue = multiprocessing.Queue()
    workers = [
        multiprocessing.Process(target=_hammer, args=(port, path, cookie, seconds, threads, queue))
        for _ in range(processes)
    ]
    started = time.perf_counter()
    for worker in workers:
        worker.start()
    results = [queue.get() for _ in workers]
    for worker in workers:
        worker.join()
    elapsed = time.perf_counter() - started
    return sum(r[0] for r in results) / elapsed, sum(r[1] for r in results)
