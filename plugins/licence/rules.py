"""Supervision and periodic work: licences issued after the statutory period, and expiry.

The rule is set-based (one SELECT over the whole subtree, ``scan_subtree=True``): a licence issued on
approval whose issue day is after ``issue_deadline`` (ten working days after the decision, counted by
core.calendar when the licence was stored; 《行政许可法》第四十四条、第八十二条). One card per licence:
the object is the licence and the occurrence its deadline, so re-scans issue nothing twice.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.api import Finding
from plugins.licence import dates, services
from plugins.licence.models import Licence

LATE_RULE_ID = "licence.issued_late"


def late_issues(session: Session, tenant: Any = None, today: date | None = None, **_: Any) -> list[Finding]:
    rows = session.execute(
        select(
            Licence.id,
            Licence.tenant_id,
            Licence.identifier,
            Licence.type_name,
            Licence.holder_name,
            Licence.application_number,
            Licence.department_code,
            Licence.decided_on,
            Licence.issue_deadline,
            Licence.issued_on,
        )
        .where(
            Licence.version_no == 1,
            Licence.issue_deadline.is_not(None),
            Licence.issued_on > Licence.issue_deadline,
        )
        .order_by(Licence.id)
    ).all()
    return [
        Finding(
            source="licence",
            code=LATE_RULE_ID,
            level="attention",
            message_zh=f"{r.type_name}（{r.holder_name}，办件 {r.application_number}）于 {r.issued_on} 颁发，"
            f"超过法定期限 {r.issue_deadline}（决定日 {r.decided_on}）",
            message_en=f"{r.type_name} ({r.holder_name}, application {r.application_number}) issued on "
            f"{r.issued_on}, after the statutory limit {r.issue_deadline} (decided {r.decided_on})",
            object_type="licence.licence",
            object_id=str(r.id),
            tenant_id=r.tenant_id,
            facts={
                "occurrence": r.issue_deadline.isoformat(),
                "department_code": r.department_code,
                "step": "issue",
                "href": f"licence/licences/{r.id}",
                "identifier": r.identifier,
                "decided_on": r.decided_on.isoformat() if r.decided_on else None,
                "deadline": r.issue_deadline.isoformat(),
                "issued_on": r.issued_on.isoformat(),
                "basis": dates.ISSUE_BASIS[0],
            },
        )
        for r in rows
    ]


RULES = [
    dict(
        id=LATE_RULE_ID,
        version=1,
        kind_of_power="administrative_approval",
        severity="yellow",
        title_zh="准予许可后超过十个工作日才颁发证照",
        title_en="Licence issued more than ten working days after the decision",
        scan=late_issues,
        scan_subtree=True,
    )
]


def expire_task(platform: Any, tenant: Any, session: Session) -> None:
    """Hourly, per tenant where the plugin is on: licences past their last day become expired."""
    services.expire_due(session, tenant, dates.today(platform))
