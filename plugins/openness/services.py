"""The request workflow (依申请公开): received (the day by channel, art. 31) -> optionally asked to complete
(the period restarts from the completed request, art. 30) -> optionally a third party consulted (the
period paused, art. 32) -> optionally one extension of at most 20 working days, approved (art. 33) ->
replied with a kind and its legal ground (art. 36). Every function takes a session scoped to the hall;
every period is counted on the legal clock (``law``)."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from core.api import (
    Conflict,
    Department,
    Invalid,
    NotFound,
    Period,
    add_working_days,
    audit,
    calendar_for,
    notify,
    publish,
    today,
)
from plugins.openness import law
from plugins.openness.models import DisclosureRequest, DisclosureStep
from plugins.openness.schemas import DisclosureIn, DisclosureRegisterIn

REQ = DisclosureRequest


def stale() -> Conflict:
    return Conflict(
        "Someone else changed this request meanwhile; reload and try again",
        "该申请已被他人处理，请刷新后重试",
        code="stale_version",
    )


def flush_or_stale(session: Session) -> None:
    try:
        session.flush()
    except StaleDataError:
        raise stale() from None


def _expect(row: REQ, version: int, *states: str) -> None:
    if row.version != version:
        raise stale()
    if states and row.state not in states:
        zh, en = law.STATES[row.state]
        raise Conflict(
            f"A request that is {en.lower()} cannot do this",
            f"申请当前状态为“{zh}”，不能执行此操作",
            code="transition_not_allowed",
        )


def period_of(row: REQ) -> Period | None:
    return Period.from_dict(row.period) if row.period else None


def _set_period(
    platform: Any, tenant: Any, row: REQ, period: Period | None, as_of: date | None = None
) -> None:
    row.period = period.to_dict() if period is not None else {}
    row.due_on = law.due_of(period, platform, tenant, as_of) if period is not None else None


def _step(session: Session, row: REQ, action: str, actor: str, note: str = "", days: int = 0) -> None:
    session.add(
        DisclosureStep(
            tenant_id=row.tenant_id,
            tenant_path=row.tenant_path,
            request_id=row.id,
            action=action,
            actor=actor[:120],
            note=note,
            days=days,
        )
    )


def _event(session: Session, tenant: Any, row: REQ, verb: str, actor: str, **extra: Any) -> None:
    publish(
        session,
        tenant=tenant,
        type=f"openness.request.{verb}",
        actor=actor,
        payload={"request_id": row.id, "number": row.number, "channel": row.channel, **extra},
    )


def _tell(session: Session, tenant: Any, row: REQ, what: str, zh: str, en: str) -> None:
    if row.account_id is not None:
        notify(
            session,
            tenant=tenant,
            kind=f"openness.{what}",
            to_account=row.account_id,
            title_zh=f"{zh}（{row.number}）",
            title_en=f"{en} ({row.number})",
            dedupe_key=f"openness.{what}:{row.id}:{row.version}",
            href=f"openness/my/{row.id}",
        )


def departments(session: Session, tenant: Any) -> list[Any]:
    return list(
        session.scalars(select(Department).where(Department.tenant_id == tenant.id).order_by(Department.code))
    )


def _check_department(session: Session, tenant: Any, code: str) -> None:
    if not code:
        return
    found = session.scalar(
        select(Department.id).where(Department.tenant_id == tenant.id, Department.code == code)
    )
    if found is None:
        raise Invalid(
            f"No department {code!r} here",
            f"{tenant.name}没有该部门",
            code="unknown_department",
            fields={"department_code": "unknown department"},
            fields_zh={"department_code": "没有该部门"},
        )


# -- receiving ------------------------------------------------------------------------------------------


def received_day(channel: str, made_on: date, signed_on: date | None) -> date:
    """Art. 31: online and in person, the day it is made; by post, the day the office signs for it; by fax,
    the day both sides confirm it (entered by the office; never before it was made)."""
    if channel not in law.DATED_CHANNELS:
        return made_on
    if signed_on is None:
        zh = "签收日期" if channel == "letter" else "双方确认日期"
        raise Invalid(
            "Enter the day the office signed for the letter or confirmed the fax",
            f"请填写{zh}（以此为收到申请之日）",
            code="received_on_required",
            fields={"received_on": "required for this channel"},
            fields_zh={"received_on": f"须填写{zh}"},
        )
    if signed_on < made_on:
        raise Invalid(
            "The day received cannot be before the day it was sent",
            "收到申请之日不能早于申请人提交之日",
            code="received_before_made",
            fields={"received_on": "before the day it was made"},
            fields_zh={"received_on": "早于提交日期"},
        )
    return signed_on


def submit_online(
    session: Session, platform: Any, tenant: Any, data: DisclosureIn, *, account_id: int, actor: str
) -> REQ:
    """A signed-in person's request through this hall: received the day it is made."""
    day = today(platform)
    return _create(session, platform, tenant, data, "online", day, day, account_id, actor, "submitted")


def register(session: Session, platform: Any, tenant: Any, data: DisclosureRegisterIn, *, actor: str) -> REQ:
    """The office registers a request that came by post, fax or by hand (online ones register themselves)."""
    made = data.made_on or today(platform)
    if made > today(platform) or (data.received_on is not None and data.received_on > today(platform)):
        raise Invalid(
            "A day in the future cannot be entered",
            "日期不能晚于今天",
            code="future_date",
            fields={"received_on": "in the future"},
            fields_zh={"received_on": "晚于今天"},
        )
    received = received_day(data.channel, made, data.received_on)
    return _create(session, platform, tenant, data, data.channel, made, received, None, actor, "registered")


def _create(
    session: Session,
    platform: Any,
    tenant: Any,
    data: DisclosureIn,
    channel: str,
    made: date,
    received: date,
    account_id: int | None,
    actor: str,
    action: str,
) -> REQ:
    _check_department(session, tenant, data.department_code)
    row = REQ(
        tenant_id=tenant.id,
        tenant_path=tenant.path,
        number="",
        channel=channel,
        requester_kind=data.requester_kind,
        requester_name=data.requester_name,
        phone=data.phone,
        email=data.email,
        address=data.address,
        description=data.description,
        department_code=data.department_code,
        account_id=account_id,
        made_on=made,
        received_on=received,
    )
    _set_period(platform, tenant, row, law.reply_period(received))
    _numbered(session, tenant, row, received)
    _step(session, row, action, actor, law.CHANNELS[channel][0])
    _event(session, tenant, row, "received", actor, received_on=received.isoformat())
    return row


def _numbered(session: Session, tenant: Any, row: REQ, received: date) -> None:
    """Number ``GK`` + the year + a 5-digit serial of the year at this hall; a concurrent twin retries."""
    prefix = f"GK{received.year}"
    for _ in range(5):
        count = (
            session.scalar(
                select(func.count())
                .select_from(REQ)
                .where(REQ.tenant_id == tenant.id, REQ.number.like(prefix + "%"))
            )
            or 0
        )
        row.number = f"{prefix}{count + 1:05d}"
        try:
            with session.begin_nested():
                session.add(row)
            return
        except IntegrityError:
            session.expunge(row) if row in session else None
    raise Conflict("Could not number the request; try again", "申请编号冲突，请重试", code="number_busy")


# -- reading --------------------------------------------------------------------------------------------


def _missing() -> NotFound:
    return NotFound("No such request here", "本级没有该申请", code="unknown_request")


def get(session: Session, tenant: Any, request_id: int) -> REQ:
    row = session.get(REQ, request_id)
    if row is None or row.tenant_id != tenant.id:
        raise _missing()
    return row


def mine(session: Session, tenant: Any, account_id: int, request_id: int) -> REQ:
    row = get(session, tenant, request_id)
    if row.account_id != account_id:
        raise _missing()
    return row


def listing(
    session: Session,
    platform: Any,
    tenant: Any,
    *,
    state: str = "",
    overdue: bool = False,
    account_id: int | None = None,
    before: int | None = None,
    limit: int = 100,
) -> list[REQ]:
    q = select(REQ).where(REQ.tenant_id == tenant.id)
    if state:
        q = q.where(REQ.state == state)
    if overdue:
        q = q.where(REQ.state == "received", REQ.due_on < today(platform))
    if account_id is not None:
        q = q.where(REQ.account_id == account_id)
    if before is not None:
        q = q.where(REQ.id < before)
    return list(session.scalars(q.order_by(REQ.id.desc()).limit(limit)))


def history(session: Session, row: REQ) -> list[DisclosureStep]:
    return list(
        session.scalars(
            select(DisclosureStep)
            .where(DisclosureStep.request_id == row.id, DisclosureStep.tenant_id == row.tenant_id)
            .order_by(DisclosureStep.id)
        )
    )


def remaining(platform: Any, tenant: Any, row: REQ) -> int | None:
    """Working days left to reply (negative when late; None when no period runs)."""
    period = period_of(row)
    if period is None or row.state not in law.CLOCK_STATES:
        return None
    return period.remaining(today(platform), calendar_for(platform, tenant))


# -- the office -----------------------------------------------------------------------------------------


def ask_correction(
    session: Session, platform: Any, tenant: Any, row: REQ, version: int, note: str, actor: str
) -> None:
    """Art. 30: tell the requester once what to complete; no period runs until they do."""
    _expect(row, version, "received")
    if row.correction_asked_on is not None:
        raise Conflict(
            "The requester was already asked once to complete this request",
            "已一次性告知过补正，不能再次要求补正",
            code="correction_once",
        )
    row.state, row.correction_note, row.correction_asked_on = "correction", note, today(platform)
    _set_period(platform, tenant, row, None)
    _step(session, row, "correction_asked", actor, note)
    flush_or_stale(session)
    _event(session, tenant, row, "correction_asked", actor)
    _tell(session, tenant, row, "correction", "您的信息公开申请需要补正", "Please complete your request")


def complete(
    session: Session, platform: Any, tenant: Any, row: REQ, version: int, description: str, actor: str
) -> None:
    """The completed request (from the requester online, or recorded by the office): the 20 working days
    start again from today."""
    _expect(row, version, "correction")
    day = today(platform)
    row.state, row.description, row.completed_on = "received", description, day
    _set_period(platform, tenant, row, law.reply_period(day))
    _step(session, row, "completed", actor)
    flush_or_stale(session)
    _event(session, tenant, row, "completed", actor)


def consult(
    session: Session,
    platform: Any,
    tenant: Any,
    row: REQ,
    version: int,
    third_party: str,
    note: str,
    actor: str,
) -> None:
    """Art. 32: ask a third party (15 working days for them); the reply period pauses meanwhile."""
    _expect(row, version, "received")
    period = period_of(row)
    assert period is not None
    day = today(platform)
    row.state, row.third_party, row.consult_sent_on = "consulting", third_party, day
    row.consult_due_on = law.third_party_due(day, platform, tenant)
    _set_period(platform, tenant, row, period.pause("consultation", day, third_party), as_of=day)
    _step(session, row, "consulted", actor, f"{third_party}{'：' + note if note else ''}")
    flush_or_stale(session)
    _event(session, tenant, row, "consulted", actor)


def consult_answered(
    session: Session, platform: Any, tenant: Any, row: REQ, version: int, note: str, actor: str
) -> None:
    """The third party answered (or its 15 days passed): the period runs again from today."""
    _expect(row, version, "consulting")
    period = period_of(row)
    assert period is not None
    row.state = "received"
    _set_period(platform, tenant, row, period.resume(today(platform)))
    _step(session, row, "consult_answered", actor, note)
    flush_or_stale(session)


def request_extension(session: Session, row: REQ, version: int, days: int, reason: str, actor: str) -> None:
    """Ask the office head for more time (art. 33: once, at most 20 working days)."""
    _expect(row, version, "received", "consulting")
    if row.extension_state in ("pending", "approved"):
        raise Conflict(
            "An extension was already asked for this request",
            "本申请已申请过延期答复",
            code="extension_once",
        )
    if not 1 <= days <= law.MAX_EXTENSION_DAYS:
        raise Invalid(
            f"An extension is 1 to {law.MAX_EXTENSION_DAYS} working days",
            f"延期不得超过 {law.MAX_EXTENSION_DAYS} 个工作日",
            code="extension_too_long",
            fields={"days": f"1..{law.MAX_EXTENSION_DAYS}"},
            fields_zh={"days": f"1 至 {law.MAX_EXTENSION_DAYS}"},
        )
    row.extension_state, row.extension_days, row.extension_reason = "pending", days, reason
    _step(session, row, "extension_requested", actor, reason, days)
    flush_or_stale(session)


def decide_extension(
    session: Session, platform: Any, tenant: Any, row: REQ, version: int, approve: bool, note: str, actor: str
) -> None:
    """The office head approves (the deadline moves; the requester is told) or refuses; both audited."""
    _expect(row, version, "received", "consulting")
    if row.extension_state != "pending":
        raise Conflict("No extension is waiting for approval", "没有待批准的延期申请", code="no_extension")
    days = row.extension_days
    if approve:
        period = period_of(row)
        assert period is not None
        day = today(platform)
        extended = period.extend(days, actor, day, row.extension_reason)
        _set_period(platform, tenant, row, extended, as_of=day)
        row.extension_state, row.extension_approved_by = "approved", actor[:120]
    else:
        row.extension_state, row.extension_days = "refused", 0
    _step(session, row, "extension_approved" if approve else "extension_refused", actor, note, days)
    flush_or_stale(session)
    audit.record(
        session,
        actor=actor,
        action="openness.request.extension",
        tenant=tenant,
        target=f"openness.request:{row.number}",
        details={"days": days, "approved": approve},
    )
    if approve:
        _tell(
            session,
            tenant,
            row,
            "extended",
            "您的信息公开申请延期答复",
            "The reply to your request is extended",
        )


def reply(
    session: Session,
    platform: Any,
    tenant: Any,
    row: REQ,
    version: int,
    outcome: str,
    ground: str,
    text: str,
    actor: str,
) -> None:
    """Art. 36: the written reply of one kind, with its legal ground; closes the request."""
    _expect(row, version, "received", "correction", "consulting")
    if row.state == "correction" and (outcome, ground) != ("other", "not_completed"):
        raise Conflict(
            "While waiting for completion, the only reply is 'not completed in time'",
            "待补正期间只能以“申请人逾期不补正”答复",
            code="transition_not_allowed",
        )
    day = today(platform)
    period = period_of(row)
    if row.state == "consulting" and period is not None:
        period = period.resume(day)
        _set_period(platform, tenant, row, period)
    row.state, row.outcome, row.ground, row.reply, row.replied_on = "replied", outcome, ground, text, day
    _step(session, row, "replied", actor, law.outcome_name(outcome, ground, "zh-CN"))
    flush_or_stale(session)
    late = row.due_on is not None and day > row.due_on
    audit.record(
        session,
        actor=actor,
        action="openness.request.reply",
        tenant=tenant,
        target=f"openness.request:{row.number}",
        details={"outcome": outcome, "ground": ground, "late": late},
    )
    _event(session, tenant, row, "replied", actor, outcome=outcome, ground=ground, late=late)
    _tell(session, tenant, row, "replied", "您的信息公开申请已答复", "Your request has been answered")


def withdraw(session: Session, platform: Any, row: REQ, version: int, actor: str) -> None:
    """The requester withdraws an open request (the annual report counts it under other handling)."""
    _expect(row, version, *law.OPEN_STATES)
    row.state, row.outcome, row.ground, row.replied_on = "withdrawn", "other", "withdrawn", today(platform)
    _step(session, row, "withdrawn", actor)
    flush_or_stale(session)


def deadlines_on_calendar(session: Session, calendar: Any, years: list[int], apply: bool) -> list[Any]:
    """``govhall_deadlines_on_calendar``: running requests whose reply day (or a consulted third party's
    day to answer) a new calendar (a holiday notice for ``years``) moves; with ``apply``, they are
    recomputed on it — the reply day from the stored period (pauses and extension included), the third
    party's 15 working days from the day it was consulted."""
    from core.api import DeadlineChange

    first, last = date(min(years), 1, 1), date(max(years), 12, 31)
    rows = session.scalars(
        select(REQ)
        .where(
            REQ.state.in_(law.CLOCK_STATES),
            REQ.due_on.is_not(None),
            REQ.due_on >= first,
            REQ.received_on <= last,
        )
        .order_by(REQ.id)
    ).all()
    out: list[Any] = []

    def change(row: REQ, kind: str, old: date, new: date) -> None:
        out.append(
            DeadlineChange(
                plugin="openness",
                kind=kind,
                ref=str(row.id),
                tenant_id=row.tenant_id,
                tenant_path=row.tenant_path,
                old=old,
                new=new,
                label=row.number,
                holder=row.department_code,
            )
        )

    for row in rows:
        period = period_of(row)
        if period is None or row.due_on is None:
            continue
        cal = calendar_for(None, row.tenant_path, base=calendar)
        paused = period.paused
        new = period.deadline(paused.start if paused is not None else None, cal)
        if new != row.due_on:
            change(row, "request", row.due_on, new)
            if apply:
                row.due_on = new
        if row.state == "consulting" and row.consult_sent_on is not None and row.consult_due_on is not None:
            third = add_working_days(row.consult_sent_on, law.THIRD_PARTY_DAYS, cal)
            if third != row.consult_due_on:
                change(row, "third_party", row.consult_due_on, third)
                if apply:
                    row.consult_due_on = third
    if apply:
        session.flush()
    return out
