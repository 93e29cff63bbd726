"""Supervision rules of the interaction plugin (kind of power ``livelihood_conduct``), set-based like
approval's: one SELECT over the whole subtree per rule (``scan_subtree``), one finding per object and
occurrence, so a re-scan issues nothing twice.

- tickets not answered by their due date (after any approved extension);
- tickets closed without a call-back that reached the person;
- bad reviews whose rectification is past its due date;
- repeated complaints about the same department or service item at a hall (three or more in 90 days).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.api import Finding, days_before
from plugins.interaction.models import KINDS, Review, Ticket
from plugins.interaction.services import OPEN

OVERDUE = "interaction.ticket_overdue"
NO_CALLBACK = "interaction.closed_without_callback"
UNRECTIFIED = "interaction.bad_review_unrectified"
REPEATED = "interaction.repeated_complaints"
REPEAT_WINDOW_DAYS = 90
REPEAT_COUNT = 3


def overdue(session: Session, today: date, **_: Any) -> list[Finding]:
    rows = session.execute(
        select(
            Ticket.id,
            Ticket.tenant_id,
            Ticket.number,
            Ticket.kind,
            Ticket.title,
            Ticket.due_on,
            Ticket.handler_department,
            Ticket.about_department,
        )
        .where(Ticket.state.in_(OPEN), Ticket.state != "replied", Ticket.due_on < today)
        .order_by(Ticket.id)
    ).all()
    return [
        Finding(
            source="interaction",
            code=OVERDUE,
            level="warning",
            message_zh=f"{KINDS[r.kind][0]}工单 {r.number}（{r.title}）超过答复期限 {r.due_on} 仍未答复",
            message_en=f"{KINDS[r.kind][1]} ticket {r.number} ({r.title}) not answered by {r.due_on}",
            object_type="interaction.ticket",
            object_id=str(r.id),
            tenant_id=r.tenant_id,
            facts={
                "occurrence": r.due_on.isoformat(),
                "department_code": r.handler_department or r.about_department,
                "href": f"interaction/tickets/{r.id}",
                "number": r.number,
            },
        )
        for r in rows
    ]


def no_callback(session: Session, **_: Any) -> list[Finding]:
    rows = session.execute(
        select(Ticket.id, Ticket.tenant_id, Ticket.number, Ticket.closed_on, Ticket.handler_department)
        .where(Ticket.state == "closed", Ticket.callback_result.in_(("", "unreachable")))
        .order_by(Ticket.id)
    ).all()
    return [
        Finding(
            source="interaction",
            code=NO_CALLBACK,
            level="attention",
            message_zh=f"工单 {r.number} 未回访到诉求人即办结（{r.closed_on}）",
            message_en=f"Ticket {r.number} closed ({r.closed_on}) without reaching the person on call-back",
            object_type="interaction.ticket",
            object_id=str(r.id),
            tenant_id=r.tenant_id,
            facts={
                "occurrence": str(r.closed_on),
                "department_code": r.handler_department,
                "href": f"interaction/tickets/{r.id}",
                "number": r.number,
            },
        )
        for r in rows
    ]


def unrectified(session: Session, today: date, **_: Any) -> list[Finding]:
    rows = session.execute(
        select(
            Review.id,
            Review.tenant_id,
            Review.number,
            Review.item_name,
            Review.department_code,
            Review.rect_due_on,
        )
        .where(Review.rect_state == "open", Review.rect_due_on < today)
        .order_by(Review.id)
    ).all()
    return [
        Finding(
            source="interaction",
            code=UNRECTIFIED,
            level="warning",
            message_zh=f"差评（{r.item_name or r.number}）超过整改期限 {r.rect_due_on} 仍未整改答复",
            message_en=f"Bad review ({r.item_name or r.number}) not rectified by {r.rect_due_on}",
            object_type="interaction.review",
            object_id=str(r.id),
            tenant_id=r.tenant_id,
            facts={
                "occurrence": r.rect_due_on.isoformat(),
                "department_code": r.department_code,
                "href": f"interaction/reviews/{r.id}",
            },
        )
        for r in rows
    ]


def repeated(session: Session, today: date, **_: Any) -> list[Finding]:
    """Three or more complaints about one department or one item at one hall within 90 days: one
    finding per (hall, subject) and window end (the latest complaint's day)."""
    since = days_before(today, REPEAT_WINDOW_DAYS)
    out: list[Finding] = []
    for column, what_zh, what_en in (
        (Ticket.about_department, "部门", "department"),
        (Ticket.about_item, "事项", "item"),
    ):
        rows = session.execute(
            select(Ticket.tenant_id, column, func.count(), func.max(Ticket.received_on))
            .where(Ticket.kind == "complaint", Ticket.received_on >= since, column != "")
            .group_by(Ticket.tenant_id, column)
            .having(func.count() >= REPEAT_COUNT)
        ).all()
        out += [
            Finding(
                source="interaction",
                code=REPEATED,
                level="attention",
                message_zh=f"{REPEAT_WINDOW_DAYS} 天内同一{what_zh}被投诉 {n} 次",
                message_en=f"{n} complaints about one {what_en} within {REPEAT_WINDOW_DAYS} days",
                object_type=f"interaction.{what_en}",
                object_id=f"{tenant_id}:{subject}",
                tenant_id=tenant_id,
                facts={
                    "occurrence": str(latest),
                    "department_code": subject if what_en == "department" else "",
                    "subject": subject,
                    "complaints": n,
                    "href": "interaction/tickets?kind=complaint",
                },
            )
            for tenant_id, subject, n, latest in rows
        ]
    return out


def _rule(rule_id: str, severity: str, zh: str, en: str, scan: Any) -> dict[str, Any]:
    return dict(
        id=rule_id,
        version=1,
        kind_of_power="livelihood_conduct",
        severity=severity,
        title_zh=zh,
        title_en=en,
        scan=scan,
        scan_subtree=True,
    )


RULES = [
    _rule(OVERDUE, "yellow", "咨询投诉工单超期未答复", "Tickets not answered in time", overdue),
    _rule(NO_CALLBACK, "prompt", "工单未回访即办结", "Tickets closed without a call-back", no_callback),
    _rule(UNRECTIFIED, "yellow", "差评超期未整改", "Bad reviews not rectified in time", unrectified),
    _rule(
        REPEATED,
        "prompt",
        "同一部门或事项被重复投诉",
        "Repeated complaints about one department or item",
        repeated,
    ),
]
