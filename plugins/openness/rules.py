"""Supervision rules of the openness plugin (kind of power ``livelihood_conduct``), set-based like
approval's: one SELECT over the whole subtree per rule (``scan_subtree``), one finding per request, so a
re-scan issues nothing twice.

- replies late: a request still running past its due day, or replied after it (after any approved
  extension; a third-party consultation's days are not counted, as the period records them);
- extended without approval: a request whose extension was asked but refused or never approved, and
  that went past the unextended due day as if it had been granted.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from core.api import Finding
from plugins.openness.models import DisclosureRequest as REQ

LATE = "openness.reply_late"
UNAPPROVED = "openness.extended_without_approval"
_COLS = (
    REQ.id,
    REQ.tenant_id,
    REQ.number,
    REQ.due_on,
    REQ.replied_on,
    REQ.department_code,
    REQ.extension_state,
    REQ.extension_days,
)


def _past_due(today: date) -> Any:
    return and_(
        REQ.due_on.is_not(None),
        or_(
            and_(REQ.state == "received", REQ.due_on < today),
            and_(REQ.state == "replied", REQ.replied_on > REQ.due_on),
        ),
    )


def _finding(r: Any, code: str, level: Any, zh: str, en: str) -> Finding:
    return Finding(
        source="openness",
        code=code,
        level=level,
        message_zh=zh,
        message_en=en,
        object_type="openness.request",
        object_id=str(r.id),
        tenant_id=r.tenant_id,
        facts={
            "occurrence": r.due_on.isoformat(),
            "department_code": r.department_code,
            "href": f"openness/requests/{r.id}",
            "number": r.number,
        },
    )


def late(session: Session, today: date, **_: Any) -> list[Finding]:
    rows = session.execute(
        select(*_COLS)
        .where(_past_due(today), REQ.extension_state.not_in(("pending", "refused")))
        .order_by(REQ.id)
    ).all()
    return [
        _finding(
            r,
            LATE,
            "warning",
            f"政府信息公开申请 {r.number} 超过答复期限 {r.due_on}"
            + (f"，{r.replied_on} 才答复" if r.replied_on else "，仍未答复"),
            f"Information request {r.number} past its reply day {r.due_on}"
            + (f", replied on {r.replied_on}" if r.replied_on else ", not replied"),
        )
        for r in rows
    ]


def unapproved(session: Session, today: date, **_: Any) -> list[Finding]:
    rows = session.execute(
        select(*_COLS)
        .where(_past_due(today), REQ.extension_state.in_(("pending", "refused")))
        .order_by(REQ.id)
    ).all()
    return [
        _finding(
            r,
            UNAPPROVED,
            "warning",
            f"政府信息公开申请 {r.number} 延期未经批准即超过答复期限 {r.due_on}",
            f"Information request {r.number} went past {r.due_on} on an extension nobody approved",
        )
        for r in rows
    ]


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
    _rule(LATE, "yellow", "政府信息公开申请逾期答复", "Information requests replied late", late),
    _rule(
        UNAPPROVED,
        "red",
        "政府信息公开申请未经批准延期答复",
        "Information request replies extended without approval",
        unapproved,
    ),
]
