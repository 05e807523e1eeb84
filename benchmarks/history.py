"""Flat with history: the pages of one year, on databases holding 5, 10 and 25 years of data.

A page that shows one year should cost the same however many years lie behind it: each figure at
25 years must be within 15 % of the same at 5 years. The databases are measured in turns (one
request of each, page by page, round after round), so a change in the machine's load falls on
all of them alike.
"""

from __future__ import annotations

import statistics
from datetime import date
from typing import TYPE_CHECKING

import sqlalchemy as sa

from benchmarks.goals import AT_MOST, Goal, markdown
from exchange import clock

if TYPE_CHECKING:
    from benchmarks.run import InProcess

#: the figure at the most years / the figure at the fewest, at most
FLAT = 1.15


def pages_of_a_year(app: InProcess) -> dict[str, str]:
    """The pages of last year (this month for the calendar), as a coordinator sees them."""
    from exchange.exchanges.models import Exchange
    from exchange.registrations.models import Registration

    year = clock.today().year - 1
    largest = app.scalar(
        sa.select(Registration.exchange_id)
        .join(Exchange, Exchange.id == Registration.exchange_id)
        .where(Exchange.start_date.between(date(year, 1, 1), date(year, 12, 31)))
        .group_by(Registration.exchange_id)
        .order_by(sa.func.count().desc(), Registration.exchange_id)
        .limit(1)
    )
    return {
        "exchanges list, page 1 of a year": f"/exchanges/?year={year}&show=all",
        "yearly report": f"/reports/?date_from={year}-01-01&date_to={year}-12-31",
        "month calendar": "/exchanges/calendar",
        "roster of the year's largest exchange": f"/exchanges/{largest}/roster",
        "dashboard": "/dashboard",
    }


def measure_history(apps: dict[int, InProcess], samples: int) -> dict[str, dict[int, float]]:
    """Median milliseconds of each page of a year, per number of years of data."""
    paths = {years: pages_of_a_year(app) for years, app in apps.items()}
    names = list(next(iter(paths.values())))
    times: dict[str, dict[int, list[float]]] = {name: {y: [] for y in apps} for name in names}
    for name in names:
        for years, app in apps.items():
            app.time_get(paths[years][name], 0)  # warm-up, and the page must answer 200
    for _ in range(samples):
        for name in names:
            for years, app in apps.items():
                times[name][years].extend(app.time_get(paths[years][name], 1, warm_up=0))
    return {
        name: {years: statistics.median(values) for years, values in per_years.items()}
        for name, per_years in times.items()
    }


def history_goals(history: dict[str, dict[int, float]]) -> list[Goal]:
    goals = []
    for name, per_years in history.items():
        fewest, most = min(per_years), max(per_years)
        goals.append(
            Goal(
                f"flat: {name}, {most} / {fewest} years",
                per_years[most] / per_years[fewest],
                FLAT,
                AT_MOST,
                detail=f"{per_years[most]:.1f} / {per_years[fewest]:.1f} ms",
            )
        )
    return goals


def history_table(histories: dict[str, dict[str, dict[int, float]]]) -> str:
    """Page | database | ms at each number of years | most / fewest | met."""
    rows, years = [], []
    for backend, history in histories.items():
        for name, per_years in history.items():
            years = sorted(per_years)
            ratio = per_years[years[-1]] / per_years[years[0]]
            rows.append(
                (name, backend, *(f"{per_years[y]:.1f}" for y in years), f"{ratio:.2f}",
                 "met" if ratio <= FLAT else "NOT MET")
            )  # fmt: skip
    rows.sort(key=lambda row: row[0])
    header = ("page of one year, median ms", "database", *(f"{y} years" for y in years))
    return markdown((*header, f"{years[-1] if years else ''} / {years[0] if years else ''}",
                     f"met (≤ {FLAT})"), rows)  # fmt: skip
