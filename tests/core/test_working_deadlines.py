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
from core.clock import add_working_days, calendar_for, working_days_between
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
    ("feed_judicial_cases", "deadline"): "a date received from the court's system",
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
    before: dict[tuple[str, str], dict[int, tuple[date, date, str, bool]]] = {}
    with p.db.session(Scope.system()) as s:
        for plugin, plugin_specs in specs.items():
            for spec in plugin_specs:
                model = spec.due.class_
                rows = s.execute(select(model.id, spec.start, spec.due, model.tenant_path,
                                        spec.open.label("open_"))).all()
                before[(plugin, spec.kind)] = {
                    r[0]: (r[1].date() if isinstance(r[1], datetime) else r[1], r[2], r[3], bool(r[4]))
                    for r in rows if r[1] is not None and r[2] is not None}
    # What each open deadline's working days come to on the new calendar (counted on the one in force).
    expected = {
        (key, row_id): add_working_days(
            start, working_days_between(start, due, calendar=calendar_for(None, path)),
            calendar=calendar_for(None, path, base=new_national)) if is_open else due
        for key, rows in before.items() for row_id, (start, due, path, is_open) in rows.items()}
    preview = holidays.preview(p, notice)
    outcome = holidays.enter(p, notice, actor="admin:360000")
    listed = {(c.plugin, c.kind, c.ref) for c in preview}
    assert listed == {(c.plugin, c.kind, c.ref) for c in outcome.changes}
    moved = {(c.plugin, c.kind, c.ref): c for c in outcome.changes}
    kinds_moved = set()
    with p.db.session(Scope.system()) as s:
        for (plugin, kind), rows in before.items():
            spec = next(x for x in specs[plugin] if x.kind == kind)
            model = spec.due.class_
            after = dict(s.execute(select(model.id, spec.due)).all())
            for row_id, (_start, due, _path, is_open) in rows.items():
                if not is_open:
                    assert after[row_id] == due, f"{plugin} {kind} {row_id}: a closed deadline moved"
                    continue
                want = expected[((plugin, kind), row_id)]
                assert after[row_id] == want, (plugin, kind, row_id, due, after[row_id])
                if want != due:
                    kinds_moved.add(plugin)
                    assert (plugin, kind, str(row_id)) in moved
    # The demo's open tickets and data-sharing requests run past next Saturday.
    assert {"interaction", "exchange"} <= kinds_moved, kinds_moved
