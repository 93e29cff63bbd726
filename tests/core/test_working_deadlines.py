"""A holiday notice moves every plugin's open working-day deadlines, not only approval's.

The sweep: every date column of a plugin table named like a deadline (due, deadline, until, ends) is
either recounted by the core from a ``govhall_working_deadlines`` declaration, recomputed by the plugin's
own ``govhall_deadlines_on_calendar``, or listed below with the reason it must not move. A new deadline
column fails here until its plugin says which.

The behaviour, on the demo: a notice that makes next Saturday a working day moves the open deadlines of
every declaring plugin that run across it, each to the day its working days now end on; closed ones and
a preview write nothing.
"""

from __future__ import annotations

import dataclasses
import re
from datetime import date, datetime, timedelta

from sqlalchemy import Date, DateTime, select

from core import calendar as core_calendar
from core import holidays
from core.clock import add_calendar_days, add_working_days, calendar_for, working_days_between
from core.db import Scope
from core.db.base import Base

DEADLINE = re.compile(r"(^|_)(due|deadline|until|ends)(_|$)")

#: Recomputed by the plugin's own hook (tasks, statutory limits, pauses): approval, openness.
OWN_HOOK = {
    ("approval_applications", "deadline"), ("approval_applications", "statutory_deadline"),
    ("approval_tasks", "deadline"),
    # openness: the reply period with its pauses and extension, and a consulted third party's 15 days
    ("openness_requests", "due_on"), ("openness_requests", "consult_due_on"),
}
#: Deadlines a notice must not move, and why.
EXEMPT = {
    ("bidding_objections", "answer_due"): "3 calendar days (Tendering Law regs. art. 22), not working days",
    ("bidding_tenders", "documents_until"): "a date published in the tender notice",
    ("bidding_tenders", "min_deadline_on"): "20 calendar days, published with the notice",
    ("bidding_tenders", "publicity_until"): "a published date (calendar days)",
    ("bidding_tenders", "min_publicity_until"): "3 calendar days, published",
    ("bidding_tenders", "contract_due"): "30 calendar days",
    ("credit_records", "publish_deadline"): "history: a record is published when it is entered",
    ("credit_records", "publish_until"): "a publication term in years",
    ("credit_records", "debarred_until"): "a debarment term in years",
    ("equity_deals", "rest_due"): "the balance's date agreed in the contract (within a year)",
    ("licences", "valid_until"): "a validity term",
    ("licences", "issue_deadline"): "history: a licence row exists once it is issued",
    ("medicine_orders", "due_on"): "30 calendar days after acceptance (payment term)",
    ("medicine_rounds", "ends_on"): "the end of a procurement round, set by the province",
    ("feed_fiscal_budget_lines", "deadline"): "a date received from the finance system",
}


def _deadline_columns() -> set[tuple[str, str]]:
    import importlib
    import pkgutil

    import plugins

    for m in pkgutil.iter_modules(plugins.__path__):
        try:
            importlib.import_module(f"plugins.{m.name}.models")
        except ModuleNotFoundError:
            continue
    out = set()
    for table in Base.metadata.tables.values():
        if table.name.startswith(("tenants", "accounts", "audit", "outbox", "holiday")):
            continue
        for col in table.columns:
            if isinstance(col.type, (Date, DateTime)) and DEADLINE.search(col.name):
                out.add((table.name, col.name))
    return out


def test_every_deadline_column_is_recounted_or_exempt_with_a_reason(platform):
    declared = {
        (spec.due.class_.__tablename__, spec.due.key)
        for specs in platform.registry.declared("govhall_working_deadlines").values() for spec in specs
    }
    assert declared, "no plugin declares a working-day deadline"
    both = declared & set(EXEMPT)
    assert not both, f"declared and exempt at once: {sorted(both)}"
    missing = _deadline_columns() - declared - OWN_HOOK - set(EXEMPT)
    assert not missing, (
        f"deadline columns a holiday notice would leave wrong: {sorted(missing)} — declare them "
        "(govhall_working_deadlines) or exempt them here with the reason")
    stale = (set(EXEMPT) | OWN_HOOK | declared) - _deadline_columns()
    assert not stale, f"listed but no such column: {sorted(stale)}"


def _next_saturday_notice(today: date) -> core_calendar.Notice:
    sat = today + timedelta(days=(5 - today.weekday()) % 7 or 7)
    base = core_calendar.package_notice(sat.year) or core_calendar.Notice(year=sat.year, off={})
    assert sat not in base.off and sat not in base.work
    return dataclasses.replace(base, work=frozenset(base.work) | {sat}, title="test: a working Saturday")


def test_a_notice_moves_every_declared_open_deadline_it_crosses(demo_platform):
    p = demo_platform
    today = p.clock.today()
    notice = _next_saturday_notice(today)
    new_national = p.clock.calendar.with_notices([notice])
    specs = p.registry.declared("govhall_working_deadlines")
    sat = min(d for d in notice.work if d > today)  # the Saturday the notice makes a working day
    _open_two_feed_cases(p, today, sat)
    # For every declared deadline column: each row's due date now, and what it must be after the notice
    # (open rows: their period recounted on the new calendar, by the spec that holds them open).
    due_now: dict[tuple[str, str], dict[int, date]] = {}
    want: dict[tuple[str, str], dict[int, date]] = {}
    owner: dict[tuple[str, str], str] = {}
    with p.db.session(Scope.system()) as s:
        for plugin, plugin_specs in specs.items():
            for spec in plugin_specs:
                model = spec.due.class_
                col = (model.__tablename__, spec.due.key)
                owner[col] = plugin
                days = spec.days if spec.days is not None else model.id
                for row_id, start, due, path, is_open, n in s.execute(select(
                        model.id, spec.start, spec.due, model.tenant_path, spec.open.label("open_"), days)):
                    if due is None:
                        continue
                    due_now.setdefault(col, {})[row_id] = due
                    if not is_open or start is None:
                        continue
                    start = start.date() if isinstance(start, datetime) else start
                    cal = calendar_for(None, path, base=new_national)
                    if spec.days is None:
                        n = working_days_between(start, due, calendar=calendar_for(None, path))
                    want.setdefault(col, {})[row_id] = (
                        add_working_days(start, n, calendar=cal) if spec.unit == "working"
                        else add_calendar_days(start, n, roll_to_working_day=True, calendar=cal))
    preview = holidays.preview(p, notice)
    outcome = holidays.enter(p, notice, actor="admin:360000")
    listed = {(c.plugin, c.kind, c.ref) for c in preview}
    assert listed == {(c.plugin, c.kind, c.ref) for c in outcome.changes}
    moved = {(c.plugin, c.ref) for c in outcome.changes}
    kinds_moved = set()
    with p.db.session(Scope.system()) as s:
        for col, rows in due_now.items():
            table = Base.metadata.tables[col[0]]
            after = dict(s.execute(select(table.c.id, table.c[col[1]])).all())
            for row_id, due in rows.items():
                expected = want.get(col, {}).get(row_id, due)  # not open: never moves
                assert after[row_id] == expected, (col, row_id, due, after[row_id], expected)
                if expected != due:
                    kinds_moved.add(owner[col])
                    assert (owner[col], str(row_id)) in moved
    # The demo's open tickets and data-sharing requests run past next Saturday.
    assert {"interaction", "exchange"} <= kinds_moved, kinds_moved
    # …and the feeds' two open cases: 10 working days from today, and 7 calendar days ending on the
    # Saturday (rolled to Monday before, due that Saturday now that it is worked).
    assert "feeds" in kinds_moved, kinds_moved


def _open_two_feed_cases(p, today: date, sat: date) -> None:
    from plugins.feeds.models import Case

    with p.db.session(Scope.system()) as s:
        cases = s.scalars(select(Case).order_by(Case.id).limit(2)).all()
        assert len(cases) == 2, "the demo has judicial cases"
        working, calendar = cases
        working.opened_on, working.limit_days, working.limit_unit = today, 10, "working"
        working.closed_on = None
        working.deadline = add_working_days(today, 10, calendar=calendar_for(None, working.tenant_path))
        start = sat - timedelta(days=7)
        calendar.opened_on, calendar.limit_days, calendar.limit_unit = start, 7, "calendar"
        calendar.closed_on = None
        calendar.deadline = add_calendar_days(start, 7, roll_to_working_day=True,
                                              calendar=calendar_for(None, calendar.tenant_path))
        assert calendar.deadline > sat
        s.commit()
