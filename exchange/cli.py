"""Command-line tools: ``flask --app exchange <command>``."""

from __future__ import annotations

import sys
from datetime import datetime

import click
import sqlalchemy as sa
from flask import Flask
from sqlalchemy.exc import ArgumentError

from exchange import clock
from exchange.auth import services as auth_services
from exchange.auth.sessions import purge_expired
from exchange.core.commands import database_errors_as_messages
from exchange.core.permissions import Role
from exchange.demo import documents as documents_demo
from exchange.demo import exchanges as exchanges_demo
from exchange.demo import hosting as hosting_demo
from exchange.demo import letters as letters_demo
from exchange.demo import paperwork as paperwork_demo
from exchange.demo import paperwork_eu as paperwork_eu_demo
from exchange.demo import paperwork_money as paperwork_money_demo
from exchange.demo import registrations as registrations_demo
from exchange.demo import travel as travel_demo
from exchange.exchanges.models import Exchange
from exchange.extensions import db
from exchange.hosting.privacy import anonymise_expired_families
from exchange.notifications.cli import send_mail_command
from exchange.partners import services as partner_services
from exchange.registrations.privacy import anonymise_expired
from exchange.reports.cli import report_command


def register(app: Flask) -> None:
    app.cli.add_command(report_command)
    app.cli.add_command(send_mail_command)

    @app.cli.command("check-db")
    @database_errors_as_messages
    def check_db() -> None:
        """Check that the database answers."""
        try:
            db.session.execute(sa.text("SELECT 1"))
        except ArgumentError as error:
            raise click.ClickException(f"DATABASE_URL is not usable: {error}") from None
        click.echo(f"Database OK: {db.engine.url.render_as_string(hide_password=True)}")

    @app.cli.command("seed")
    @database_errors_as_messages
    def seed() -> None:
        """Load Olsztyn's partner cities from the city's published list (safe to run again)."""
        added = partner_services.seed_partners()
        db.session.commit()
        if added:
            click.echo(f"Added {len(added)} partner cities: {', '.join(p.name for p in added)}.")
        else:
            click.echo("All partner cities of the published list are already there.")

    @app.cli.command("create-user")
    @click.argument("email")
    @click.option(
        "--role", type=click.Choice([role.value for role in Role]), default=Role.COORDINATOR.value
    )
    @click.option("--name", "full_name", default=None, help="Full name (default: the e-mail).")
    @click.option("--institution-id", type=int, default=None, help="For school representatives.")
    @click.password_option(help="Prompted for when not given.")
    @database_errors_as_messages
    def create_user(email, role, full_name, institution_id, password) -> None:
        """Create a user account."""
        institution = None
        if institution_id is not None:
            institution = partner_services.get_institution(institution_id)
            if institution is None:
                raise click.ClickException(f"no institution with id {institution_id}")
        user = auth_services.create_user(
            email=email,
            full_name=full_name or email,
            role=Role(role),
            password=password,
            institution=institution,
        )
        db.session.commit()
        click.echo(f"Created {user.role.value} {user.email} (id {user.id}).")

    @app.cli.command("ensure-admin")
    @database_errors_as_messages
    def ensure_admin() -> None:
        """On a database without users, create an admin and print its password once."""
        created = auth_services.ensure_admin(app.config["ADMIN_EMAIL"])
        db.session.commit()
        if created is None:
            return
        user, password = created
        # printed to the terminal of the person who started the app, never logged
        click.echo(
            "\n"
            "  An administrator account was created. Its password is shown only this once:\n"
            f"    e-mail:   {user.email}\n"
            f"    password: {password}\n"
            "  Log in and change it, or create your own admin account.\n",
            file=sys.stdout,
        )

    @app.cli.command("demo-data")
    @click.option("--seed", default=1, show_default=True, help="Same seed, same data.")
    @click.option(
        "--years", default=5, show_default=True, type=click.IntRange(1, 30), help="Years back."
    )
    @click.option(
        "--scale",
        type=click.FloatRange(0, 10, min_open=True),
        default=None,
        help="Large data for performance work: 1 = about 2,000 institutions and 240 exchanges "
        "a year (6,000 exchanges, 150,000 participants and 300,000 registrations in 25 "
        "years); 0.1 = a tenth. Without it, the quick demo.",
    )
    @click.option("--append", is_flag=True, help="Add even when the database has exchanges.")
    @click.option(
        "--today",
        type=click.DateTime(formats=["%Y-%m-%d"]),
        default=None,
        help="The day the data is made for (YYYY-MM-DD; default: today in Olsztyn). The same "
        "seed and day give the same data on any date.",
    )
    @database_errors_as_messages
    def demo_data(
        seed: int, years: int, scale: float | None, append: bool, today: datetime | None
    ) -> None:
        """Fill the database with synthetic exchanges, programmes, institutions, participants
        and registrations (demo only)."""
        if not append and db.session.scalar(sa.select(sa.func.count()).select_from(Exchange)):
            raise click.ClickException(
                "the database already has exchanges; use --append to add the demo data anyway."
            )
        day = today.date() if today is not None else clock.today()
        first_year = day.year - years + 1
        with click.progressbar(
            length=day.year + 2 - first_year, label="Exchanges    ", file=sys.stderr
        ) as bar:
            counts = exchanges_demo.generate(
                db.session(), seed=seed, years=years, today=day, scale=scale, progress=bar.update
            )
        if scale is None:  # the quick demo: a trip of two schools for the school paperwork
            counts |= paperwork_demo.generate(db.session(), seed=seed, today=day)
        with click.progressbar(
            length=registrations_demo.count_exchanges(db.session()),
            label="Registrations",
            file=sys.stderr,
        ) as bar:
            counts |= registrations_demo.generate(
                db.session(), seed=seed, today=day, scale=scale, progress=bar.update
            )
        counts |= hosting_demo.generate(db.session(), seed=seed, today=day, scale=scale)
        with click.progressbar(
            length=travel_demo.count_trips(db.session()), label="Travel       ", file=sys.stderr
        ) as bar:
            counts |= travel_demo.generate(db.session(), seed=seed, today=day, progress=bar.update)
        counts |= documents_demo.generate(db.session(), seed=seed, today=day)
        counts |= paperwork_eu_demo.generate(db.session(), seed=seed, today=day)
        counts |= paperwork_money_demo.generate(db.session(), seed=seed, today=day)
        counts |= letters_demo.generate(db.session(), today=day)
        db.session.commit()
        # fresh statistics for the query planner after a bulk load (SQLite has none before it,
        # and PostgreSQL's autovacuum would gather them only later)
        db.session.execute(sa.text("ANALYZE"))
        db.session.commit()
        click.echo(
            f"Added {counts['exchanges']} exchanges with {counts['programme_items']} programme "
            f"items, {counts['institutions']} institutions, {counts['partners']} partner "
            f"cities, {counts['participants']} participants, {counts['registrations']} "
            f"registrations, {counts['host_families']} host families with "
            f"{counts['placements']} guests placed, {counts['legs']} travel legs, "
            f"{counts['rooms']} rooms, {counts['identity_documents']} identity documents, "
            f"{counts['documents']} documents, {counts['letters']} invitation letters, "
            f"{counts['insurance_policies']} insurance policies and {counts['account_lines']} "
            "lines of trip accounts."
        )

    @app.cli.command("anonymise")
    @click.option(
        "--months",
        type=click.IntRange(1, 600),
        default=None,
        help="Months after the last exchange (default: RETENTION_MONTHS, 24).",
    )
    @database_errors_as_messages
    def anonymise(months: int | None) -> None:
        """Anonymise participants whose last exchange ended more than N months ago (and host
        families whose last guest left that long ago), and delete ended log-in sessions (safe
        to run from cron)."""
        months = months or app.config["RETENTION_MONTHS"]
        count = anonymise_expired(months)
        families = anonymise_expired_families(months)
        sessions = purge_expired()
        db.session.commit()
        click.echo(f"Anonymised {count} participants (last exchange over {months} months ago).")
        click.echo(f"Anonymised {families} host families (last guest over {months} months ago).")
        click.echo(f"Deleted {sessions} ended log-in sessions.")
