"""``flask send-mail``: the delivery worker, run beside the web server or from cron."""

from __future__ import annotations

import logging
import signal
import threading

import click
from flask.cli import with_appcontext

from exchange.core.commands import database_errors_as_messages
from exchange.extensions import db
from exchange.notifications.reminders import queue_reminders
from exchange.notifications.worker import deliver_due

log = logging.getLogger(__name__)


def run_once(stop: threading.Event | None = None) -> int:
    """Queue the reminders that are due, then send every message that is due."""
    queue_reminders()
    db.session.commit()
    return deliver_due(stop=stop)


@click.command("send-mail")
@click.option("--once", is_flag=True, help="Send what is due and exit (for cron).")
@click.option(
    "--interval",
    default=10.0,
    show_default=True,
    help="Seconds between looks at the queue when it is empty.",
)
@with_appcontext
def send_mail_command(once: bool, interval: float) -> None:
    """Deliver the queued e-mails: until stopped (SIGTERM, SIGINT), or once with --once."""
    if once:
        sent = database_errors_as_messages(run_once)()
        click.echo(f"{sent} e-mails sent.")
        return
    stop = threading.Event()

    def request_stop(signum: int, frame: object) -> None:
        stop.set()

    previous = {
        number: signal.signal(number, request_stop) for number in (signal.SIGTERM, signal.SIGINT)
    }
    click.echo("Sending e-mails; stop with Ctrl+C or SIGTERM.")
    try:
        while not stop.is_set():
            try:
                run_once(stop)
            except Exception:  # a database hiccup must not end the worker: try again later
                db.session.rollback()
                log.exception("the e-mail worker failed; it tries again")
            stop.wait(interval)
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
        db.session.remove()
    click.echo("Stopped.")
