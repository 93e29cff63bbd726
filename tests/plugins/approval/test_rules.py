"""Supervision rules, metrics, events published by transitions, statistics, and the demo data."""

from __future__ import annotations

from datetime import timedelta

from approval_helpers import MONDAY, PDF, ctx, food_uploads, in_scope, who
from sqlalchemy import select, update

from core import calendar
from core.contracts import Event
from core.db import Scope
from core.events import OutboxEvent
from plugins.approval import handling, rules, services, stats
from plugins.approval.models import Application, Task
from plugins.approval.uploads import Upload

STAFF = who("staff", 100, label="staff:h")


def _accepted(platform, donghu, code="DH-SP-001", uploads=None, form=None, day=MONDAY):
    with in_scope(platform, donghu) as s:
        app = services.submit(
            s,
            ctx(platform, donghu, who(), day),
            code,
            form if form is not None else {"shop_name": "x"},
            uploads if uploads is not None else food_uploads(),
        )
        handling.accept(s, ctx(platform, donghu, STAFF, day), app.id, app.version)
        return app.id, app.deadline


def _scan(platform, donghu, rule_id, today):
    rule = next(r for r in rules.RULES if r["id"] == rule_id)
    with platform.db.session(donghu.scope) as s:
        return rule["scan"](platform=platform, session=s, tenant=donghu, today=today)


def test_deadline_prompt_yellow_and_red(platform, donghu, items):
    app_id, due = _accepted(platform, donghu)
    day_before = next(
        d for d in (due - timedelta(days=k) for k in range(1, 6)) if calendar.add_workdays(d, 1) == due
    )
    prompt = _scan(platform, donghu, "approval.deadline_prompt", day_before)
    assert [f.object_id for f in prompt] == [str(app_id)]
    f = prompt[0]
    assert f.object_type == "approval.application" and f.tenant_id == donghu.id
    assert f.facts["department_code"] == "scjgj" and f.facts["deadline"] == due.isoformat()
    assert _scan(platform, donghu, "approval.deadline_near", day_before)[0].level == "warning"
    assert _scan(platform, donghu, "approval.deadline_near", MONDAY) == []
    assert _scan(platform, donghu, "approval.overdue", due) == []
    red = _scan(platform, donghu, "approval.overdue", due + timedelta(days=1))
    assert [f.level for f in red] == ["serious"]


def test_step_overdue_while_the_whole_is_not(platform, donghu, items):
    app_id, due = _accepted(platform, donghu, "DH-FG-003", [Upload("report", "r.pdf", PDF)], {})
    with platform.db.session(donghu.scope) as s:
        scj = s.scalar(select(Task).where(Task.application_id == app_id, Task.department_code == "scjgj"))
        late = scj.deadline + timedelta(days=1)
    found = _scan(platform, donghu, "approval.step_overdue", late)
    assert [f.facts["department_code"] for f in found] == ["scjgj"] and late <= due


def test_acceptance_late_suspension_too_long_fee_and_reason(platform, donghu, items):
    with in_scope(platform, donghu) as s:
        waiting = services.submit(
            s, ctx(platform, donghu, who()), "DH-SP-001", {"shop_name": "x"}, food_uploads()
        )
    assert _scan(platform, donghu, "approval.acceptance_late", calendar.add_workdays(MONDAY, 5)) == []
    late = _scan(platform, donghu, "approval.acceptance_late", calendar.add_workdays(MONDAY, 6))
    assert [f.object_id for f in late] == [str(waiting.id)]

    app_id, _ = _accepted(platform, donghu)
    with in_scope(platform, donghu) as s:
        handling.suspend(
            s,
            ctx(platform, donghu, STAFF),
            app_id,
            s.get(Application, app_id).version,
            "inspection",
            "现场核查",
        )
    assert _scan(platform, donghu, "approval.suspension_too_long", calendar.add_workdays(MONDAY, 10)) == []
    long = _scan(platform, donghu, "approval.suspension_too_long", calendar.add_workdays(MONDAY, 11))
    assert [f.object_id for f in long] == [str(app_id)] and long[0].facts["max_days"] == 10

    with in_scope(platform, donghu) as s:
        s.execute(update(Application).where(Application.id == app_id).values(fee_cents=500))
    fee = _scan(platform, donghu, "approval.fee_mismatch", MONDAY)
    assert [f.facts["fee"] for f in fee] == [5.0]

    other, _ = _accepted(platform, donghu)
    with in_scope(platform, donghu) as s:
        handling.decide(
            s, ctx(platform, donghu, STAFF), other, s.get(Application, other).version, approve=True
        )
    found = _scan(platform, donghu, "approval.decision_without_reason", MONDAY)
    assert [f.object_id for f in found] == [str(other)]
    rule = next(r for r in rules.RULES if r["id"] == "approval.decision_without_reason")
    event = Event(
        id=1,
        type="approval.application.approved",
        tenant_id=donghu.id,
        tenant_path=donghu.path,
        payload={"application_id": other},
        occurred_at=None,
    )  # type: ignore[arg-type]
    with platform.db.session(donghu.scope) as s:
        assert len(rule["evaluate_event"](event=event, session=s)) == 1


def test_every_transition_publishes_its_event_with_deadline(platform, donghu, items):
    app_id, due = _accepted(platform, donghu)
    with platform.db.session(Scope.system()) as s:
        evs = list(s.scalars(select(OutboxEvent).order_by(OutboxEvent.id)))
    assert [e.type for e in evs] == ["approval.application.submitted", "approval.application.accepted"]
    payload = evs[-1].payload
    assert payload["application_id"] == app_id and payload["deadline"] == due.isoformat()
    assert payload["applicant_id_number"] == "91360102MA35XXXX0K" and payload["item_code"] == "DH-SP-001"
    with in_scope(platform, donghu) as s:
        c = ctx(platform, donghu, STAFF)
        handling.decide(s, c, app_id, s.get(Application, app_id).version, approve=False, reason="不符合条件")
    with platform.db.session(Scope.system()) as s:
        last = s.scalars(select(OutboxEvent).order_by(OutboxEvent.id.desc())).first()
    assert last.type == "approval.application.denied" and "不符合条件" in last.payload["decision_reason"]


def test_statistics_and_supervision_metrics(platform, donghu, items):
    a, _ = _accepted(platform, donghu)
    _accepted(platform, donghu)
    with in_scope(platform, donghu) as s:
        c = ctx(platform, donghu, STAFF, MONDAY + timedelta(days=2))
        handling.decide(s, c, a, s.get(Application, a).version, approve=True, reason="ok")
        handling.conclude(s, c, a, s.get(Application, a).version)
    with platform.db.session(donghu.scope) as s:
        fig = stats.summary(s, donghu.scope)
    assert fig == {
        "received": 2,
        "concluded": 1,
        "completion_rate": 0.5,
        "on_time_rate": 1.0,
        "average_working_days": 2.0,
    }
    nanchang = platform.directory.get("360100")
    with platform.db.session(nanchang.subtree_scope) as s:
        rows = stats.supervision_metrics(s, nanchang.subtree_scope)
        kids = stats.by_child(s, nanchang.subtree_scope, platform.directory, nanchang)
    assert (
        rows[0]["tenant_path"] == donghu.path and rows[0]["received"] == 2 and rows[0]["week"] == "2026-W45"
    )
    assert kids[0]["code"] == "360102" and kids[0]["received"] == 2


def test_demo_data_is_idempotent_and_covers_every_state(platform):
    from core.identity.demo import load_demo_accounts
    from plugins.approval import demo

    load_demo_accounts(platform)
    for _ in range(2):
        with platform.db.transaction(Scope.system()) as s:
            s.info["platform"] = platform
            demo.load(s, platform.directory)
    with platform.db.session(Scope.system()) as s:
        states = set(s.scalars(select(Application.state)))
        assert states >= {
            "submitted",
            "accepted",
            "refused",
            "correction_requested",
            "resubmitted",
            "in_review",
            "approved",
            "denied",
            "concluded",
            "withdrawn",
            "suspended",
        }
        assert s.query(Application).count() == 14


def test_acceptance_decided_late_is_found_on_the_accepted_event(platform, donghu, items):
    with in_scope(platform, donghu) as s:
        app = services.submit(
            s, ctx(platform, donghu, who()), "DH-SP-001", {"shop_name": "x"}, food_uploads()
        )
        handling.accept(
            s, ctx(platform, donghu, STAFF, calendar.add_workdays(MONDAY, 7)), app.id, app.version
        )
    rule = next(r for r in rules.RULES if r["id"] == "approval.acceptance_late")
    event = Event(
        id=9,
        type="approval.application.accepted",
        tenant_id=donghu.id,
        tenant_path=donghu.path,
        payload={"application_id": app.id},
        occurred_at=None,
    )  # type: ignore[arg-type]
    with platform.db.session(donghu.scope) as s:
        found = rule["evaluate_event"](event=event, session=s)
    assert [f.facts["took"] for f in found] == [7]
