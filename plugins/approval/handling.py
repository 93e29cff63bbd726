"""The handler's side of the state machine: accept or refuse, correction, review, parallel decisions,
conclusion, special procedures (suspend/resume) and the one extension; and the applicant's rating."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from core.api import (
    Calendar,
    Conflict,
    DeadlineChange,
    Finding,
    Invalid,
    add_working_days,
    calendar_for,
    publish,
    working_days_between,
)
from core.api import today as clock_today
from plugins.approval import clock
from plugins.approval import permissions as P
from plugins.approval.facts import rating_of
from plugins.approval.models import AcceptanceFinding, Application, ServiceItem, Suspension, Task
from plugins.approval.services import (
    OPEN_STATES,
    REMEDIES,
    Ctx,
    _in_department,
    _move,
    _own,
    load,
    tasks_of,
)


def _item(session: Session, app: Application) -> ServiceItem:
    item = session.get(ServiceItem, app.item_id)
    assert item is not None  # an application keeps its item version (FK)
    return item


def _reason(reason: str, field: str = "reason") -> str:
    reason = (reason or "").strip()
    if not reason:
        raise Invalid(
            "A reason is required", "必须填写理由", code="reason_required", fields={field: "required"}
        )
    return reason


def run_checks(session: Session, c: Ctx, app: Application) -> list[Finding]:
    """Ask the plugins enabled at this tenant (e.g. credit) for findings about the applicant."""
    subject = {
        "kind": app.applicant_kind,
        "id_number": app.applicant_id_number,
        "name": app.applicant_name,
        "item_code": app.item_code,
    }
    hooks = c.platform.hooks(c.tenant)
    batches = hooks.govhall_checks(
        check="approval.acceptance", subject=subject, tenant=c.tenant, session=session
    )
    found = [f for batch in batches for f in (batch or [])]
    for f in found:
        session.add(
            AcceptanceFinding(
                application_id=app.id,
                source=f.source,
                code=f.code,
                level=f.level,
                message_zh=f.message_zh,
                message_en=f.message_en,
                facts=dict(f.facts),
                tenant_id=app.tenant_id,
                tenant_path=app.tenant_path,
            )
        )
    return found


def gate(session: Session, c: Ctx, app: Application, stage: str) -> None:
    """Ask the plugins enabled here whether the step may go ahead (``approval.gate``): a ``serious``
    finding holds it (e.g. payment: the item's fee is unpaid), and its message says why. No plugin
    answering means no hold, so approval works unchanged where such plugins are off."""
    subject = {"application_id": app.id, "number": app.number, "item_code": app.item_code, "stage": stage,
               "applicant_account_id": app.applicant_account_id,
               "submitted_at": app.submitted_at.isoformat() if app.submitted_at else None}
    batches = c.platform.hooks(c.tenant).govhall_checks(check="approval.gate", subject=subject,
                                                        tenant=c.tenant, session=session)
    held = [f for batch in batches for f in (batch or []) if f.level == "serious"]
    if held:
        raise Conflict("; ".join(f.message_en for f in held), "；".join(f.message_zh for f in held),
                       code="held_by_" + held[0].source)


def accept(session: Session, c: Ctx, app_id: int, version: int) -> Application:
    """受理: start the clock, run the acceptance checks, open the lead's and every co-department's task."""
    app = load(session, app_id, version)
    _in_department(c, app.department_code)
    gate(session, c, app, "acceptance")
    item = _item(session, app)
    today = c.today
    cal = calendar_for(c.platform, c.tenant)  # national days plus the hall's local holidays
    app.accepted_at, app.accepted_on = c.now(), today
    app.limit_days = clock.limit_days(item.promised_days, item.steps or [])
    app.deadline = clock.deadline(today, app.limit_days, calendar=cal)
    app.statutory_deadline = add_working_days(today, item.statutory_days or app.limit_days, calendar=cal)
    _move(session, c, app, "accept", "accepted")
    session.add(
        Task(
            application_id=app.id,
            department_code=item.department_code,
            department_name=item.department_name,
            role="lead",
            limit_days=app.limit_days,
            deadline=app.deadline,
            tenant_id=app.tenant_id,
            tenant_path=app.tenant_path,
        )
    )
    for code, (name, days) in clock.co_limits(item.steps or []).items():
        session.add(
            Task(
                application_id=app.id,
                department_code=code,
                department_name=name,
                role="co",
                limit_days=days,
                deadline=add_working_days(today, days, calendar=cal),
                tenant_id=app.tenant_id,
                tenant_path=app.tenant_path,
            )
        )
    run_checks(session, c, app)
    session.flush()
    return app


def refuse(session: Session, c: Ctx, app_id: int, version: int, reason: str) -> Application:
    app = load(session, app_id, version)
    _in_department(c, app.department_code)
    app.refusal_reason = _reason(reason)
    return _move(session, c, app, "refuse", "refused", app.refusal_reason, decision_reason=app.refusal_reason)


def request_correction(
    session: Session, c: Ctx, app_id: int, version: int, missing: list[str], note: str = ""
) -> Application:
    """补正: one notice listing everything missing (material codes of this item), not a drip of notices."""
    app = load(session, app_id, version)
    _in_department(c, app.department_code)
    codes = {m.code: m.name for m in _item(session, app).materials}
    unknown = [m for m in missing if m not in codes]
    if not missing or unknown:
        raise Invalid(
            "List the materials to correct (codes of this item's materials)",
            "请勾选需要补正的材料",
            code="bad_notice",
            fields={"missing": ", ".join(unknown) or "empty"},
        )
    app.correction_notice = sorted(set(missing))
    text = "请补正：" + "、".join(codes[m] for m in app.correction_notice) + (f"（{note}）" if note else "")
    return _move(
        session,
        c,
        app,
        "request_correction",
        "correction_requested",
        text,
        missing=[codes[m] for m in app.correction_notice],
    )


def start_review(session: Session, c: Ctx, app_id: int, version: int) -> Application:
    app = load(session, app_id, version)
    _in_department(c, app.department_code)
    return _move(session, c, app, "start_review", "in_review")


def _pick_task(c: Ctx, tasks: list[Task], department: str | None) -> Task:
    pending = [
        t for t in tasks if t.state == "pending" and (department is None or t.department_code == department)
    ]
    mine = [t for t in pending if c.who.departments is None or t.department_code in c.who.departments]
    if not mine:
        raise Conflict(
            "Your department has no pending part of this application",
            "您所在部门在本办件中没有待办事项",
            code="no_task",
        )
    # Co-departments' tasks first: the lead decides last, once every co-department has.
    mine.sort(key=lambda t: t.role != "co")
    return mine[0]


def decide(
    session: Session,
    c: Ctx,
    app_id: int,
    version: int,
    *,
    approve: bool,
    reason: str = "",
    remedies: str = "",
    department: str | None = None,
) -> Application:
    """One department decides its task. A denial by any ends the application with its reasons; the
    lead approves last, and the application is approved when every task is."""
    app = load(session, app_id, version)
    tasks = tasks_of(session, app.id)
    task = _pick_task(c, tasks, department)
    if not approve:
        reason = _reason(reason)
    open_co = [t for t in tasks if t.role == "co" and t.state == "pending" and t is not task]
    if approve and task.role == "lead" and open_co:
        raise Conflict(
            "Co-departments have not all decided yet: " + ", ".join(t.department_code for t in open_co),
            "协办部门尚未全部办结：" + "、".join(t.department_name or t.department_code for t in open_co),
            code="co_pending",
        )
    task.state, task.reason, task.decided_by = (
        ("approved" if approve else "denied"),
        reason or None,
        c.who.label,
    )
    task.decided_at, task.decided_on = c.now(), c.today
    if not approve:
        for t in tasks:
            if t.state == "pending":
                t.state = "cancelled"
        app.decision, app.decided_at = "denied", c.now()
        app.decision_reason = f"{task.department_name or task.department_code}：{reason}"
        app.remedies_notice = remedies.strip() or REMEDIES
        return _move(session, c, app, "decide", "denied", app.decision_reason)
    if all(t.state == "approved" for t in tasks):
        app.decision, app.decided_at, app.decision_reason = "approved", c.now(), reason or None
        # The form travels with the decision: a plugin issuing the licence (plugins/licence) fills the
        # licence's fields from it without reading approval's tables.
        return _move(session, c, app, "decide", "approved", reason, form=dict(app.form_data or {}))
    # A co-department approved its part: the application stays in review (and its version moves on).
    app_state = "in_review"
    return _move(
        session, c, app, "decide", app_state, f"{task.department_name or task.department_code} 已同意"
    )


def conclude(session: Session, c: Ctx, app_id: int, version: int) -> Application:
    """办结: stop the clock and record the working days used and whether the promise was kept."""
    app = load(session, app_id, version)
    _in_department(c, app.department_code)
    gate(session, c, app, "conclusion")
    today = c.today
    app.concluded_at, app.concluded_on = c.now(), today
    if app.accepted_on is not None and app.deadline is not None:
        app.working_days_used = max(0, clock.used(app.accepted_on, today) - (app.paused_days or 0))
        app.on_time = today <= app.deadline
    return _move(session, c, app, "conclude", "concluded")


def suspend(session: Session, c: Ctx, app_id: int, version: int, procedure: str, reason: str) -> Application:
    """Special procedure (expert review, hearing, inspection...): the item says whether it counts."""
    app = load(session, app_id, version)
    _in_department(c, app.department_code)
    spec = {p["code"]: p for p in _item(session, app).special_procedures or []}
    if procedure not in spec:
        raise Invalid(
            "This item allows no such special procedure",
            "本事项没有该特别程序",
            code="unknown_procedure",
            fields={"procedure": "unknown"},
        )
    p = spec[procedure]
    session.add(
        Suspension(
            application_id=app.id,
            procedure=p["name"],
            reason=_reason(reason),
            counts=bool(p.get("counts")),
            max_days=p.get("max_days"),
            started_on=c.today,
            by=c.who.label,
            tenant_id=app.tenant_id,
            tenant_path=app.tenant_path,
        )
    )
    app.suspended_from = app.state
    return _move(session, c, app, "suspend", "suspended", f"{p['name']}：{reason}", procedure=p["name"])


def resume(session: Session, c: Ctx, app_id: int, version: int) -> Application:
    app = load(session, app_id, version)
    _in_department(c, app.department_code)
    sus = session.scalar(
        select(Suspension).where(Suspension.application_id == app.id, Suspension.ended_on.is_(None))
    )
    back = app.suspended_from or "in_review"
    if sus is not None:
        sus.ended_on = c.today
        sus.workdays = clock.used(sus.started_on, c.today)
        if not sus.counts:
            app.paused_days = (app.paused_days or 0) + sus.workdays
            _push_deadlines(session, app, calendar_for(c.platform, c.tenant))
    app.suspended_from = None
    return _move(session, c, app, "resume", back)


def _push_deadlines(session: Session, app: Application, calendar: Calendar | None = None) -> None:
    if app.accepted_on is None or app.limit_days is None:
        return
    app.deadline = clock.deadline(app.accepted_on, app.limit_days, app.paused_days, app.extension_days,
                                  calendar)
    for t in tasks_of(session, app.id):
        if t.state == "pending":
            t.deadline = clock.deadline(
                app.accepted_on, t.limit_days, app.paused_days, app.extension_days if t.role == "lead" else 0,
                calendar,
            )


def deadlines_on_calendar(session: Session, calendar: Calendar, years: list[int], apply: bool
                          ) -> list[DeadlineChange]:
    """govhall_deadlines_on_calendar: the open applications whose deadline a new calendar (a holiday
    notice for ``years``) moves; with ``apply``, their deadlines (and pending tasks') are recomputed on it.
    Only applications accepted before the end of the last year and due from the start of the first can
    have counted a day of those years."""
    first, last = date(min(years), 1, 1), date(max(years), 12, 31)
    rows = session.scalars(
        select(Application).where(Application.state.in_(OPEN_STATES), Application.accepted_on.is_not(None),
                                  Application.accepted_on <= last, Application.deadline >= first)
        .order_by(Application.id)
    ).all()
    out: list[DeadlineChange] = []
    for app in rows:
        assert app.accepted_on is not None and app.limit_days is not None and app.deadline is not None
        cal = calendar_for(None, app.tenant_path, base=calendar)  # plus the hall's local holidays
        new = clock.deadline(app.accepted_on, app.limit_days, app.paused_days, app.extension_days, cal)
        if new == app.deadline:
            continue
        out.append(DeadlineChange(plugin="approval", kind="application", ref=str(app.id),
                                  tenant_id=app.tenant_id, tenant_path=app.tenant_path, old=app.deadline,
                                  new=new, label=app.number, holder=app.department_code))
        if apply:
            if app.statutory_deadline is not None:
                old = calendar_for(None, app.tenant_path)  # the calendar in force until the notice commits
                n = working_days_between(app.accepted_on, app.statutory_deadline, calendar=old)
                app.statutory_deadline = add_working_days(app.accepted_on, n, calendar=cal)
            _push_deadlines(session, app, cal)
    if apply:
        session.flush()
    return out


def extend(session: Session, c: Ctx, app_id: int, version: int, days: int, reason: str) -> Application:
    """延期: once per application, with reason and days, by a role holding approval:application:extend."""
    app = load(session, app_id, version)
    c.require(P.APP_EXTEND)
    if app.extension_days is not None:
        raise Conflict(
            "This application has already been extended once",
            "本办件已延期过一次，不能再次延期",
            code="already_extended",
        )
    if days < 1:
        raise Invalid(
            "Extension days must be at least 1",
            "延期天数至少为 1 个工作日",
            code="invalid",
            fields={"days": "must be >= 1"},
        )
    app.extension_days, app.extension_reason = days, _reason(reason)
    app.extended_by, app.extended_at = c.who.label, c.now()
    _push_deadlines(session, app, calendar_for(c.platform, c.tenant))
    return _move(session, c, app, "extend", None, f"延期 {days} 个工作日：{reason}", extension_days=days)


def rate(session: Session, c: Ctx, app_id: int, level: int, comment: str = "") -> None:
    """好差评: the applicant rates a concluded application, once. Approval keeps no rating of its own (one
    mechanism for every plugin, issue #21): it marks the application rated and publishes
    ``approval.service.rated``, which the plugin answering ``govhall_approval_rating`` (interaction)
    records as a review; where none answers, ratings are unavailable here (409 ``rating_unavailable``)."""
    app = load(session, app_id)
    _own(c, app)
    c.require(P.APP_RATE)
    if app.state != "concluded":
        raise Conflict("Only a concluded application can be rated", "办结后才能评价", code="not_concluded")
    if rating_of(c.platform, c.tenant, app, session) is None:
        raise Conflict(
            "Ratings are not available in this hall",
            "本厅未开通好差评，暂不能评价",
            code="rating_unavailable",
        )
    if not 1 <= level <= 5:
        raise Invalid("Rating must be 1 to 5", "评价等级须为 1 至 5", fields={"level": "1..5"})
    if app.rated_at is not None:
        raise Conflict("This application has already been rated", "本办件已评价过", code="already_rated")
    app.rated_at = c.now()
    try:
        session.flush()  # the version column: of two ratings at once, one is refused
    except StaleDataError:
        raise Conflict(
            "This application has already been rated", "本办件已评价过", code="already_rated"
        ) from None
    publish(session, tenant=c.tenant, type="approval.service.rated", actor=c.who.label, payload={
        "service_ref": f"approval.application:{app.id}", "number": app.number, "item_code": app.item_code,
        "item_name": app.item_name, "department_code": app.department_code,
        "account_id": app.applicant_account_id, "level": level, "comment": comment.strip()[:500]})


def remaining_days(app: Any, today: date | None = None) -> int | None:
    if app.deadline is None or app.state in ("approved", "denied", "concluded", "refused", "withdrawn"):
        return None
    return clock.remaining(today or clock_today(), app.deadline)


def application_view(session: Session | None, app: Any, today: date | None = None) -> dict[str, Any]:
    """The JSON of an application: an ``Application`` or a row with the same columns (queries.case)."""
    return {
        "id": app.id,
        "number": app.number,
        "item_code": app.item_code,
        "item_name": app.item_name,
        "state": app.state,
        "version": app.version,
        "submitted_at": app.submitted_at.isoformat(),
        "accepted_at": app.accepted_at.isoformat() if app.accepted_at else None,
        "deadline": app.deadline.isoformat() if app.deadline else None,
        "remaining_days": remaining_days(app, today),
        "decision_reason": app.decision_reason,
    }


def perform(session: Session, c: Ctx, app_id: int, action: str, body: Any) -> Application:
    """Run one handler action by name with a validated body (``schemas.TransitionIn``): the one
    dispatcher shared by the workbench page and the JSON API."""
    v = body.version
    acts: dict[str, Any] = {
        "accept": lambda: accept(session, c, app_id, v),
        "refuse": lambda: refuse(session, c, app_id, v, body.reason),
        "correct": lambda: request_correction(session, c, app_id, v, body.missing, body.reason),
        "review": lambda: start_review(session, c, app_id, v),
        "approve": lambda: decide(session, c, app_id, v, approve=True, reason=body.reason),
        "deny": lambda: decide(
            session, c, app_id, v, approve=False, reason=body.reason, remedies=body.remedies
        ),
        "conclude": lambda: conclude(session, c, app_id, v),
        "suspend": lambda: suspend(session, c, app_id, v, body.procedure, body.reason),
        "resume": lambda: resume(session, c, app_id, v),
        "extend": lambda: extend(session, c, app_id, v, body.days, body.reason),
    }
    if action not in acts:
        raise Invalid(
            f"Unknown action {action!r}",
            f"未知的操作“{action}”",
            code="unknown_action",
            fields={"action": "unknown"},
        )
    return acts[action]()  # type: ignore[no-any-return]


ACTIONS = (
    "accept",
    "refuse",
    "correct",
    "review",
    "approve",
    "deny",
    "conclude",
    "suspend",
    "resume",
    "extend",
)
