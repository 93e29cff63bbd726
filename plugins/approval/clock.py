"""The clock of an application: its limits, counted by the legal clock (core.api / core.clock).

The limit of a parallel item is the lead's steps plus the longest co-department, not the sum: the
co-departments work at the same time. A suspension for a special procedure that does not count against
the limit pushes the deadline back by the working days it lasted; an extension adds its days once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from core.api import Calendar, add_working_days, working_days_between
from core.api import remaining as _remaining


@dataclass(frozen=True)
class StepFigures:
    """Serial vs parallel duration of an item's steps, in working days."""

    serial: int
    parallel: int
    lead: int
    longest_co: int
    co_departments: int


def step_figures(steps: list[dict[str, Any]]) -> StepFigures:
    lead = sum(int(s["days"]) for s in steps if s.get("role", "lead") == "lead")
    per_co: dict[str, int] = {}
    for s in steps:
        if s.get("role") == "co":
            per_co[s["department_code"]] = per_co.get(s["department_code"], 0) + int(s["days"])
    longest = max(per_co.values(), default=0)
    return StepFigures(
        serial=lead + sum(per_co.values()),
        parallel=lead + longest,
        lead=lead,
        longest_co=longest,
        co_departments=len(per_co),
    )


def co_limits(steps: list[dict[str, Any]]) -> dict[str, tuple[str, int]]:
    """{department_code: (department name, working days)} of each co-department."""
    out: dict[str, tuple[str, int]] = {}
    for s in steps:
        if s.get("role") == "co":
            name, days = out.get(s["department_code"], (s.get("department_name", ""), 0))
            out[s["department_code"]] = (name, days + int(s["days"]))
    return out


def limit_days(promised_days: int, steps: list[dict[str, Any]]) -> int:
    """The promised limit of the whole; for a parallel item, the parallel figure when it is larger."""
    if any(s.get("role") == "co" for s in steps):
        return max(promised_days, step_figures(steps).parallel)
    return promised_days


def deadline(accepted_on: date, limit: int, paused_days: int = 0, extension_days: int | None = 0,
             calendar: Calendar | None = None) -> date:
    """The last day: ``limit`` working days after acceptance, plus the working days suspended (for
    procedures that do not count against the limit) and the approved extension (core.clock)."""
    return add_working_days(accepted_on, limit + paused_days + (extension_days or 0), calendar=calendar)


def remaining(today: date, due: date) -> int:
    """Working days left until ``due`` (negative when overdue)."""
    return _remaining(today, due)


def used(start: date, end: date) -> int:
    return working_days_between(start, end)
