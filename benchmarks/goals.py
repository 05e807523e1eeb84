"""The goals of ``make bench``: each figure with its goal and whether it is met.

A measurement appends ``Goal`` rows to its database's results (``results["goals"]``); the run
prints them all in one table at the end::

    results["goals"].append(Goal("feed / /healthz latency", feed_ms / healthz_ms, 3, AT_MOST))

``value`` None means "not measured" (shown as —, neither met nor not met).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

AT_MOST, AT_LEAST, EQUAL = "≤", "≥", "="


@dataclass(frozen=True)
class Goal:
    label: str
    value: float | None
    limit: float
    kind: str = AT_MOST
    #: how the value and limit are written (a format spec), and what follows them
    spec: str = ".2f"
    unit: str = ""
    #: what stands beside the value (e.g. "244 / 1,970 req/s"), to read it by
    detail: str = ""

    @property
    def met(self) -> bool | None:
        if self.value is None:
            return None
        if self.kind == AT_MOST:
            return self.value <= self.limit
        if self.kind == AT_LEAST:
            return self.value >= self.limit
        return self.value == self.limit

    @property
    def verdict(self) -> str:
        return {True: "met", False: "NOT MET", None: "—"}[self.met]

    def shown(self) -> str:
        if self.value is None:
            return "—"
        text = f"{self.value:{self.spec}}{self.unit}"
        return f"{text} ({self.detail})" if self.detail else text

    @property
    def goal(self) -> str:
        return f"{self.kind} {self.limit:{self.spec}}{self.unit}"


def markdown(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """A Markdown table, its columns padded to line up in a terminal."""
    rows = [tuple(str(cell) for cell in row) for row in rows]
    widths = [max(len(line[i]) for line in (tuple(header), *rows)) for i in range(len(header))]

    def line(cells: Sequence[str]) -> str:
        return "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)) + " |"

    separator = "| " + " | ".join("-" * w for w in widths) + " |"
    return "\n".join([line(header), separator, *(line(row) for row in rows)])


def goals_table(goals: dict[str, list[Goal]]) -> str:
    """Every goal of every database: measure, database, value, goal, met / NOT MET."""
    rows = [
        (goal.label, backend, goal.shown(), goal.goal, goal.verdict)
        for backend, items in goals.items()
        for goal in items
    ]
    order = {label: i for i, label in reversed(list(enumerate(row[0] for row in rows)))}
    rows.sort(key=lambda row: order[row[0]])  # a goal's databases side by side, in run order
    return markdown(("goal", "database", "value", "goal", "met"), rows)
