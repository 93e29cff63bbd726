"""The ticket workflow (12345-style): submit -> accept -> dispatch (a department here, a township below,
or the tier above) -> reply -> call back and close -> rate. Every function takes a session whose scope
covers the tenants it touches (``span``); limits are counted in working days on the legal clock."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from core.api import (
    Conflict,
    Department,
    Invalid,
    NotFound,
    add_working_days,
    audit,
    calendar_for,
    notify,
    publish,
    today,
)
from plugins.interaction import guests
from plugins.interaction.models import (
    KINDS,
    Ticket,
    TicketAssignment,
    TicketLink,
    TicketStep,
)
from plugins.interaction.schemas import TicketIn

OPEN = ("submitted", "accepted", "dispatched", "replied")


def limit_days(platform: Any, tenant: Any, kind: str) -> int:
    return int(platform.tenant_setting(tenant, f"interaction.limit_{kind}"))


def span(platform: Any, a: Any, b: Any) -> Any:
    """The nearest tenant whose subtree holds both ``a`` and ``b`` (TenantRefs): a session scoped below
    it can write a ticket at one and its assignment at the other."""
    pa, pb = a.path.split("/"), b.path.split("/")
    n = 0
    while n < min(len(pa), len(pb)) and pa[n] == pb[n]:
        n += 1
    if n == 0:
        raise Invalid("The two tenants share no tier", "两个地区不在同一行政区划树中", code="bad_target")
    return platform.directory.get(pa[n - 1])


def stale() -> Conflict:
    return Conflict(
        "Someone else changed this ticket meanwhile; reload and try again",
        "该工单已被他人处理，请刷新后重试",
        code="stale_version",
    )


def flush_or_stale(session: Session) -> None:
    """Flush; a concurrent change of a versioned row answers 409 ``stale_version``."""
    try:
        session.flush()
    except StaleDataError:
        raise stale() from None


def _expect(ticket: Ticket, version: int, *states: str) -> None:
    if ticket.version != version:
        raise stale()
    if states and ticket.state not in states:
        from plugins.interaction.models import STATES

        zh, en = STATES[ticket.state]
        raise Conflict(
            f"A ticket that is {en.lower()} cannot do this",
            f"工单当前状态为“{zh}”，不能执行此操作",
            code="transition_not_allowed",
        )


def _step(session: Session, ticket: Ticket, action: str, actor: str, note: str = "", days: int = 0) -> None:
    session.add(
        TicketStep(
            tenant_id=ticket.tenant_id,
            tenant_path=ticket.tenant_path,
            ticket_id=ticket.id,
            action=action,
            actor=actor[:120],
            note=note,
            days=days,
        )
    )


def _event(session: Session, tenant: Any, ticket: Ticket, verb: str, actor: str, **extra: Any) -> None:
    publish(
        session,
        tenant=tenant,
        type=f"interaction.ticket.{verb}",
        actor=actor,
        payload={
            "ticket_id": ticket.id,
            "number": ticket.number,
            "kind": ticket.kind,
            "about_department": ticket.about_department,
            "about_item": ticket.about_item,
            "about_application": ticket.about_application,
            **extra,
        },
    )


def _department(session: Session, tenant: Any, code: str) -> Any:
    row = session.scalars(
        select(Department).where(Department.tenant_id == tenant.id, Department.code == code)
    ).first()
    if row is None:
        raise Invalid(
            f"No department {code!r} at {tenant.name_en}",
            f"{tenant.name}没有该部门",
            code="unknown_department",
            fields={"department_code": "unknown department"},
            fields_zh={"department_code": "没有该部门"},
        )
    return row


def departments(session: Session, tenant: Any) -> list[Any]:
    return list(
        session.scalars(select(Department).where(Department.tenant_id == tenant.id).order_by(Department.code))
    )


# -- submission -----------------------------------------------------------------------------------------


def submit(
    session: Session,
    platform: Any,
    tenant: Any,
    data: TicketIn,
    *,
    account_id: int | None,
    ip: str,
    actor: str,
) -> tuple[Ticket, str]:
    """A new ticket; a guest's phone is confirmed by its code first. Returns the ticket and, for a guest,
    the follow-up key (shown once; only its hash is kept)."""
    if account_id is None:
        guests.check_code(session, platform, tenant, data.phone, data.code)
    guests.check_rate(session, platform, tenant, phone=data.phone, ip=ip, account_id=account_id)
    if data.about_department:
        _department(session, tenant, data.about_department)
    received = today(platform)
    due = add_working_days(received, limit_days(platform, tenant, data.kind), calendar_for(platform, tenant))
    key, key_hash = guests.new_key() if account_id is None else ("", "")
    ticket = Ticket(
        tenant_id=tenant.id,
        tenant_path=tenant.path,
        number="",
        kind=data.kind,
        title=data.title,
        content=data.content,
        name=data.name,
        phone=data.phone,
        account_id=account_id,
        client_ip=ip[:64],
        access_hash=key_hash,
        about_department=data.about_department,
        about_item=data.about_item,
        about_application=data.about_application,
        public_ok=data.public_ok,
        received_on=received,
        due_on=due,
    )
    _numbered(session, tenant, ticket, received)
    _step(session, ticket, "submitted", actor)
    _event(session, tenant, ticket, "submitted", actor)
    return ticket, key


def _numbered(session: Session, tenant: Any, ticket: Ticket, received: date) -> None:
    """Number ``YYYYMMDD`` + a 4-digit serial of the day at this hall; a concurrent twin retries."""
    prefix = received.strftime("%Y%m%d")
    for _ in range(5):
        count = (
            session.scalar(
                select(func.count())
                .select_from(Ticket)
                .where(Ticket.tenant_id == tenant.id, Ticket.number.like(prefix + "%"))
            )
            or 0
        )
        ticket.number = f"{prefix}{count + 1:04d}"
        try:
            with session.begin_nested():
                session.add(ticket)
            return
        except IntegrityError:
            session.expunge(ticket) if ticket in session else None
    raise Conflict("Could not number the ticket; try again", "工单编号冲突，请重试", code="number_busy")


# -- reading --------------------------------------------------------------------------------------------


def get(session: Session, tenant: Any, ticket_id: int) -> Ticket:
    row = session.get(Ticket, ticket_id)
    if row is None or row.tenant_id != tenant.id:
        raise NotFound("No such ticket here", "本级没有该工单", code="unknown_ticket")
    return row


def by_number(session: Session, tenant: Any, number: str) -> Ticket:
    row = session.scalars(
        select(Ticket).where(Ticket.tenant_id == tenant.id, Ticket.number == number)
    ).first()
    if row is None:
        raise NotFound(
            "No such ticket here",
            "本级没有该工单",
            code="unknown_ticket",
            fields={"other_number": "unknown ticket"},
            fields_zh={"other_number": "没有该工单"},
        )
    return row


def for_guest(session: Session, tenant: Any, number: str, key: str) -> Ticket:
    row = session.scalars(
        select(Ticket).where(Ticket.tenant_id == tenant.id, Ticket.number == number)
    ).first()
    if row is None or not guests.key_matches(row.access_hash, key):
        raise NotFound("No such ticket here", "本级没有该工单", code="unknown_ticket")
    return row


def mine(session: Session, tenant: Any, account_id: int, ticket_id: int) -> Ticket:
    row = get(session, tenant, ticket_id)
    if row.account_id != account_id:
        raise NotFound("No such ticket here", "本级没有该工单", code="unknown_ticket")
    return row


def listing(
    session: Session,
    platform: Any,
    tenant: Any,
    *,
    state: str = "",
    kind: str = "",
    overdue: bool = False,
    account_id: int | None = None,
    before: int | None = None,
    limit: int = 50,
) -> list[Ticket]:
    q = select(Ticket).where(Ticket.tenant_id == tenant.id)
    if state:
        q = q.where(Ticket.state == state)
    if kind:
        q = q.where(Ticket.kind == kind)
    if overdue:
        q = q.where(Ticket.state.in_(OPEN), Ticket.due_on < today(platform))
    if account_id is not None:
        q = q.where(Ticket.account_id == account_id)
    if before is not None:
        q = q.where(Ticket.id < before)
    return list(session.scalars(q.order_by(Ticket.id.desc()).limit(limit)))


def history(session: Session, ticket: Ticket) -> list[TicketStep]:
    return list(
        session.scalars(
            select(TicketStep)
            .where(TicketStep.ticket_id == ticket.id, TicketStep.tenant_id == ticket.tenant_id)
            .order_by(TicketStep.id)
        )
    )


def links(session: Session, ticket: Ticket) -> list[tuple[str, Ticket]]:
    rows = session.scalars(
        select(TicketLink).where(
            TicketLink.tenant_id == ticket.tenant_id,
            or_(TicketLink.ticket_id == ticket.id, TicketLink.other_id == ticket.id),
        )
    ).all()
    out = []
    for link in rows:
        other = session.get(Ticket, link.other_id if link.ticket_id == ticket.id else link.ticket_id)
        if other is not None:
            out.append((link.kind, other))
    return out


def assignments_of(session: Session, ticket: Ticket) -> list[TicketAssignment]:
    return list(
        session.scalars(
            select(TicketAssignment)
            .where(TicketAssignment.ticket_id == ticket.id)
            .order_by(TicketAssignment.id)
        )
    )


def open_assignments(session: Session, tenant: Any, departments: list[str] | None) -> list[TicketAssignment]:
    """Work sent to ``tenant``: all of it for the duty team (``departments`` None), else what was sent to
    one of those departments or to the tenant as a whole."""
    q = select(TicketAssignment).where(
        TicketAssignment.tenant_id == tenant.id, TicketAssignment.state == "open"
    )
    if departments is not None:
        q = q.where(TicketAssignment.department_code.in_([*departments, ""]))
    return list(session.scalars(q.order_by(TicketAssignment.due_on, TicketAssignment.id).limit(200)))


# -- the duty team --------------------------------------------------------------------------------------


def accept(session: Session, tenant: Any, ticket: Ticket, version: int, actor: str, note: str = "") -> None:
    _expect(ticket, version, "submitted")
    ticket.state = "accepted"
    _step(session, ticket, "accepted", actor, note)
    flush_or_stale(session)
    audit.record(
        session,
        actor=actor,
        action="interaction.ticket.accept",
        tenant=tenant,
        target=f"interaction.ticket:{ticket.number}",
    )
    _event(session, tenant, ticket, "accepted", actor)


def reject(session: Session, tenant: Any, ticket: Ticket, version: int, actor: str, note: str) -> None:
    if len(note.strip()) < 2:
        raise Invalid(
            "Say why the ticket is not accepted",
            "请说明不予受理的理由",
            code="note_required",
            fields={"note": "required"},
            fields_zh={"note": "必填"},
        )
    _expect(ticket, version, "submitted")
    ticket.state = "rejected"
    ticket.reply = note
    _step(session, ticket, "rejected", actor, note)
    flush_or_stale(session)
    audit.record(
        session,
        actor=actor,
        action="interaction.ticket.reject",
        tenant=tenant,
        target=f"interaction.ticket:{ticket.number}",
    )
    _tell(session, tenant, ticket, "rejected", "您的诉求未予受理", "Your ticket was not accepted")


def dispatch(
    session: Session,
    platform: Any,
    tenant: Any,
    ticket: Ticket,
    target: Any,
    department: str,
    version: int,
    actor: str,
    note: str = "",
) -> TicketAssignment:
    """Send the ticket to ``target`` (this tenant, one below it, or its parent), optionally to one of its
    departments. The session's scope must cover both (``span``)."""
    _expect(ticket, version, "accepted", "dispatched")
    inside = target.path == tenant.path or target.path.startswith(tenant.path + "/")
    if not inside and target.id != tenant.parent_id:
        raise Invalid(
            "Dispatch within this hall's subtree or to the tier above",
            "只能转办至本级、下级或上一级",
            code="bad_target",
            fields={"tenant_code": "not this tenant, below it or its parent"},
            fields_zh={"tenant_code": "只能是本级、下级或上一级"},
        )
    if "interaction" not in platform.enabled(target):
        raise Invalid(
            "Interaction is off at that tenant",
            "该地区未开通互动交流",
            code="bad_target",
            fields={"tenant_code": "interaction is off there"},
            fields_zh={"tenant_code": "该地区未开通"},
        )
    if department:
        _department(session, target, department)
    for old in assignments_of(session, ticket):
        if old.state == "open":
            old.state = "withdrawn"
    row = TicketAssignment(
        tenant_id=target.id,
        tenant_path=target.path,
        ticket_id=ticket.id,
        ticket_tenant_id=tenant.id,
        ticket_path=tenant.path,
        number=ticket.number,
        kind=ticket.kind,
        title=ticket.title,
        department_code=department,
        instructions=note,
        due_on=ticket.due_on,
    )
    session.add(row)
    ticket.state = "dispatched"
    ticket.handler_tenant_id, ticket.handler_path, ticket.handler_department = (
        target.id,
        target.path,
        department,
    )
    _step(
        session,
        ticket,
        "dispatched",
        actor,
        _where(session, target, department) + (f"：{note}" if note else ""),
    )
    flush_or_stale(session)
    audit.record(
        session,
        actor=actor,
        action="interaction.ticket.dispatch",
        tenant=tenant,
        target=f"interaction.ticket:{ticket.number}",
        details={"to": target.code, "department": department},
    )
    _event(session, tenant, ticket, "dispatched", actor, to=target.code, department=department)
    if department:
        notify(
            session,
            tenant=target,
            kind="interaction.dispatched",
            to_department=department,
            title_zh=f"新转办工单 {ticket.number}",
            title_en=f"Ticket {ticket.number} dispatched to you",
            dedupe_key=f"interaction.dispatched:{row.id}",
            href="interaction/work",
        )
    return row


def _where(session: Session, target: Any, department: str) -> str:
    if not department:
        return target.name
    return f"{target.name} {_department(session, target, department).name}"


def reply(
    session: Session,
    platform: Any,
    tenant: Any,
    ticket: Ticket,
    assignment: TicketAssignment | None,
    text: str,
    actor: str,
) -> None:
    """The handler's (or the duty team's own) answer; the ticket waits for the call-back."""
    if assignment is not None:
        if assignment.state != "open":
            raise Conflict(
                "This assignment is no longer open", "该转办已处理或已撤回", code="transition_not_allowed"
            )
        assignment.state, assignment.reply, assignment.replied_by = "replied", text, actor[:120]
    elif ticket.state not in ("accepted", "dispatched"):
        raise Conflict(
            "This ticket cannot be answered now", "该工单当前不能答复", code="transition_not_allowed"
        )
    ticket.state, ticket.reply, ticket.replied_on = "replied", text, today(platform)
    _step(session, ticket, "replied", actor, text)
    flush_or_stale(session)
    _event(session, tenant, ticket, "replied", actor)
    _tell(session, tenant, ticket, "replied", "您的诉求已答复", "Your ticket has been answered")


def _tell(session: Session, tenant: Any, ticket: Ticket, what: str, zh: str, en: str) -> None:
    if ticket.account_id is not None:
        notify(
            session,
            tenant=tenant,
            kind=f"interaction.{what}",
            to_account=ticket.account_id,
            title_zh=f"{zh}（{ticket.number}）",
            title_en=f"{en} ({ticket.number})",
            dedupe_key=f"interaction.{what}:{ticket.id}:{ticket.version}",
            href=f"interaction/my/{ticket.id}",
        )


def callback(
    session: Session,
    platform: Any,
    tenant: Any,
    ticket: Ticket,
    version: int,
    result: str,
    note: str,
    actor: str,
) -> None:
    """The duty team's call-back to the person, which closes the ticket."""
    _expect(ticket, version, "replied")
    ticket.state, ticket.callback_result, ticket.callback_note = "closed", result, note
    ticket.closed_on = today(platform)
    _step(session, ticket, "called_back", actor, note)
    _step(session, ticket, "closed", actor)
    flush_or_stale(session)
    audit.record(
        session,
        actor=actor,
        action="interaction.ticket.close",
        tenant=tenant,
        target=f"interaction.ticket:{ticket.number}",
        details={"callback": result},
    )
    _event(session, tenant, ticket, "closed", actor, callback=result)


def rate(
    session: Session, tenant: Any, ticket: Ticket, version: int, rating: int, comment: str, actor: str
) -> None:
    """The person rates the handling once the ticket is answered or closed."""
    _expect(ticket, version, "replied", "closed")
    if ticket.rating is not None:
        raise Conflict("This ticket is already rated", "该工单已评价", code="already_rated")
    ticket.rating, ticket.rating_comment = rating, comment
    _step(session, ticket, "rated", actor, f"{rating}/5 {comment}".strip())
    flush_or_stale(session)
    # The one review mechanism (reviews.py) takes it like any plugin's rating.
    publish(
        session,
        tenant=tenant,
        type="interaction.service.rated",
        actor=actor,
        payload={
            "service_ref": f"interaction.ticket:{ticket.id}",
            "number": ticket.number,
            "item_code": ticket.about_item,
            "item_name": "",
            "department_code": ticket.handler_department or ticket.about_department,
            "account_id": ticket.account_id,
            "level": rating,
            "comment": comment,
        },
    )


def request_extension(
    session: Session, ticket: Ticket, version: int, days: int, note: str, actor: str
) -> None:
    _expect(ticket, version, "accepted", "dispatched")
    if ticket.pending_extension_days:
        raise Conflict(
            "An extension is already waiting for approval", "已有延期申请待审批", code="extension_pending"
        )
    ticket.pending_extension_days = days
    _step(session, ticket, "extension_requested", actor, note, days)
    flush_or_stale(session)


def decide_extension(
    session: Session,
    platform: Any,
    tenant: Any,
    ticket: Ticket,
    version: int,
    approve: bool,
    note: str,
    actor: str,
) -> None:
    """Approve (the due date moves by the requested working days) or refuse; both recorded and audited."""
    _expect(ticket, version)
    days = ticket.pending_extension_days
    if not days:
        raise Conflict("No extension is waiting for approval", "没有待审批的延期申请", code="no_extension")
    ticket.pending_extension_days = 0
    if approve:
        ticket.due_on = add_working_days(ticket.due_on, days, calendar_for(platform, tenant))
        ticket.extended_days += days
    _step(session, ticket, "extension_approved" if approve else "extension_refused", actor, note, days)
    flush_or_stale(session)
    audit.record(
        session,
        actor=actor,
        action="interaction.ticket.extension",
        tenant=tenant,
        target=f"interaction.ticket:{ticket.number}",
        details={"days": days, "approved": approve},
    )


def link(session: Session, tenant: Any, ticket: Ticket, other_number: str, kind: str, actor: str) -> None:
    other = by_number(session, tenant, other_number)
    if other.id == ticket.id:
        raise Invalid(
            "A ticket cannot be linked to itself",
            "工单不能与自身关联",
            code="self_link",
            fields={"other_number": "the same ticket"},
            fields_zh={"other_number": "不能是本工单"},
        )
    lo, hi = sorted((ticket.id, other.id))
    exists = session.scalars(
        select(TicketLink).where(TicketLink.ticket_id == lo, TicketLink.other_id == hi)
    ).first()
    if exists is not None:
        exists.kind = kind
    else:
        session.add(
            TicketLink(tenant_id=tenant.id, tenant_path=tenant.path, ticket_id=lo, other_id=hi, kind=kind)
        )
    _step(session, ticket, "linked", actor, f"{other.number}")
    flush_or_stale(session)


def kind_title(kind: str, lang: str) -> str:
    zh, en = KINDS.get(kind, (kind, kind))
    return zh if lang == "zh-CN" else en
