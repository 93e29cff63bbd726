"""The judicial enforcement pack (司法执法): cases past their statutory limit (counted by the legal clock
when the case arrived), penalties far from the department's norm for the same violation, cases closed
without the required notice.

The norm is the trimmed average of the department's penalties for the violation (the highest and the
lowest left out): robust against the very outlier it is meant to find, and four aggregates any SQL
database computes in one pass (a median is not portable between SQLite and PostgreSQL)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from core.api import Finding
from plugins.feeds.models import Case
from plugins.feeds.rules import Names, finding, rule, today_of, where, yuan

C = Case.__table__.c
PACK = "judicial"
MIN_CASES_FOR_NORM = 5


def scan_past_limit(*, platform: Any, session: Session, **kw: Any) -> list[Finding]:
    today = today_of({"platform": platform, **kw})
    stmt = (
        select(C.tenant_id, C.case_no, C.department_code, C.violation_title, C.deadline, C.closed_on)
        .where(
            *where(platform, session, PACK, Case.__table__),
            or_(and_(C.closed_on.is_(None), C.deadline < today), C.closed_on > C.deadline),
        )
        .order_by(C.tenant_id, C.case_no)
    )
    names = Names(session)
    out = []
    for r in session.execute(stmt):
        state_zh = f"于 {r.closed_on} 结案" if r.closed_on else "仍未办结"
        state_en = f"closed on {r.closed_on}" if r.closed_on else "still open"
        out.append(
            finding(
                "feeds.judicial.past_limit",
                "red",
                r.tenant_id,
                "feeds.case",
                r.case_no,
                f"{names(r.tenant_id, r.department_code)}案件 {r.case_no}"
                f"（{r.violation_title}）法定办理期限为 {r.deadline}，{state_zh}",
                f"Case {r.case_no} ({r.violation_title}) had its statutory limit on {r.deadline}; {state_en}",
                "judicial.case",
                department_code=r.department_code,
                department_name=names(r.tenant_id, r.department_code),
                deadline=r.deadline,
                closed_on=r.closed_on,
            )
        )
    return out


def scan_penalty_off_norm(*, platform: Any, session: Session, **kw: Any) -> list[Finding]:
    factor = int(platform.settings["feeds.penalty_norm_factor"])
    scope = where(platform, session, PACK, Case.__table__)
    n = func.count()
    trimmed = (func.sum(C.penalty_cents) - func.min(C.penalty_cents) - func.max(C.penalty_cents)) / (n - 2)
    norm = (
        select(C.tenant_id, C.department_code, C.violation_code, trimmed.label("avg"), n.label("n"))
        .where(*scope, C.penalty_cents.is_not(None))
        .group_by(C.tenant_id, C.department_code, C.violation_code)
        .having(func.count() >= MIN_CASES_FOR_NORM)
        .subquery()
    )
    stmt = (
        select(
            C.tenant_id,
            C.case_no,
            C.department_code,
            C.violation_title,
            C.penalty_cents,
            norm.c.avg,
            norm.c.n,
        )
        .join_from(
            Case.__table__,
            norm,
            and_(
                norm.c.tenant_id == C.tenant_id,
                norm.c.department_code == C.department_code,
                norm.c.violation_code == C.violation_code,
            ),
        )
        .where(
            *scope,
            C.penalty_cents.is_not(None),
            or_(C.penalty_cents > norm.c.avg * factor, C.penalty_cents * factor < norm.c.avg),
        )
        .order_by(C.tenant_id, C.case_no)
    )
    names = Names(session)
    return [
        finding(
            "feeds.judicial.penalty_off_norm",
            "yellow",
            r.tenant_id,
            "feeds.case",
            r.case_no,
            f"案件 {r.case_no}（{r.violation_title}）罚款 {yuan(r.penalty_cents)} 元，与"
            f"{names(r.tenant_id, r.department_code)}同类案件（去掉最高、最低）"
            f"平均 {yuan(int(r.avg))} 元相差 {factor} 倍以上",
            f"Case {r.case_no} ({r.violation_title}): penalty {yuan(r.penalty_cents)} yuan against the "
            f"department's trimmed average of {yuan(int(r.avg))} for the same violation",
            "judicial.case",
            department_code=r.department_code,
            department_name=names(r.tenant_id, r.department_code),
            penalty_yuan=yuan(r.penalty_cents),
            average_yuan=yuan(int(r.avg)),
            cases=int(r.n),
        )
        for r in session.execute(stmt)
    ]


def scan_closed_without_notice(*, platform: Any, session: Session, **kw: Any) -> list[Finding]:
    stmt = (
        select(C.tenant_id, C.case_no, C.department_code, C.violation_title, C.closed_on)
        .where(
            *where(platform, session, PACK, Case.__table__),
            C.closed_on.is_not(None),
            C.notice_required.is_(True),
            C.notice_served_on.is_(None),
        )
        .order_by(C.tenant_id, C.case_no)
    )
    names = Names(session)
    return [
        finding(
            "feeds.judicial.closed_without_notice",
            "yellow",
            r.tenant_id,
            "feeds.case",
            r.case_no,
            f"案件 {r.case_no}（{r.violation_title}）于 {r.closed_on} 结案，未送达应告知的文书",
            f"Case {r.case_no} ({r.violation_title}) closed on {r.closed_on} without the required notice",
            "judicial.case",
            department_code=r.department_code,
            department_name=names(r.tenant_id, r.department_code),
            closed_on=r.closed_on,
        )
        for r in session.execute(stmt)
    ]


RULES = [
    rule(
        PACK,
        "feeds.judicial.past_limit",
        "red",
        "超过法定办理期限",
        "Case past its statutory limit",
        scan_past_limit,
    ),
    rule(
        PACK,
        "feeds.judicial.penalty_off_norm",
        "yellow",
        "处罚畸轻畸重",
        "Penalty far from the norm",
        scan_penalty_off_norm,
    ),
    rule(
        PACK,
        "feeds.judicial.closed_without_notice",
        "yellow",
        "结案未依法告知",
        "Closed without the required notice",
        scan_closed_without_notice,
    ),
]
