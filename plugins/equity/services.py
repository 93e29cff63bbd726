"""Transfer projects on a tenant-scoped session (no HTTP): filing, the reviewer's check of the buyer
conditions, pre-disclosure and formal disclosure, changes of terms (a supplement and a new period),
relisting, the 12-month re-appraisal. Buyers, the auction and the deal are in ``buyers``, ``bidding``
and ``deals``.

draft -> [pre_disclosure ->] disclosure -> qualification -> auction | agreement -> deal -> concluded,
with ``failed`` (no qualified buyer) and ``reappraisal``. Every act writes the audit chain and an event,
and refuses with an error naming the field and the rule, changing nothing.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from stdnum.cn import uscc

from core.api import Conflict, Invalid, NotFound, audit, publish, today
from plugins.equity import law
from plugins.equity.models import STATUSES, Buyer, Change, Project


def invalid(code: str, zh: str, en: str, field: str) -> Invalid:
    return Invalid(en, zh, code=code, fields={field: en})


def wrong_state(p: Project, zh: str, en: str) -> Conflict:
    now_zh, now_en = STATUSES.get(p.status, (p.status, p.status))
    return Conflict(f"{en} (the project is: {now_en})", f"{zh}（项目当前：{now_zh}）", code="wrong_state")


def stale(what: str = "project") -> Conflict:
    return Conflict(
        f"The {what} was changed by someone else; reload and try again",
        "数据已被他人修改，请刷新后重试",
        code="stale_version",
    )


def check_code(code: str, field: str) -> str:
    code = code.strip().upper()
    if not uscc.is_valid(code):
        raise invalid(
            "bad_credit_code", "统一社会信用代码无效", "not a valid unified social credit code", field
        )
    return code


def emit(s: Session, tenant: Any, p: Project, verb: str, actor: str, **details: Any) -> None:
    payload = {"project_id": p.id, "number": p.number, "status": p.status, **details}
    audit.record(
        s,
        actor=actor,
        action=f"equity.project.{verb}",
        tenant=tenant,
        target=f"equity.project:{p.id}",
        details=payload,
    )
    publish(s, tenant=tenant, type=f"equity.project.{verb}", payload=payload, actor=actor)


def load(s: Session, tenant: Any, project_id: int, version: int | None = None) -> Project:
    p = s.get(Project, project_id)
    if p is None or p.tenant_id != tenant.id:
        raise NotFound("No such transfer project here", "本级没有该转让项目", code="unknown_project")
    if version is not None and p.version != version:
        raise stale()
    return p


@dataclass(frozen=True)
class ProjectIn:
    title: str
    target: str
    seller_name: str
    seller_code: str
    supervisor_name: str
    appraisal_cents: int
    appraisal_approved_by: str
    appraisal_approved_on: date
    listing_cents: int
    increment_cents: int
    conditions: str
    seller_representative: str = ""
    deposit_cents: int = 0
    control_change: bool = False
    method: str = "auction"


def _check_terms(appraisal: int, listing: int, increment: int, deposit: int) -> None:
    if listing < appraisal:
        raise invalid(
            "below_appraisal",
            "首次挂牌价不得低于经核准或备案的评估结果",
            "the first listing price may not be below the approved appraisal",
            "listing_cents",
        )
    if increment <= 0 or increment > listing:
        raise invalid(
            "bad_increment",
            "加价幅度须大于 0 且不超过挂牌价",
            "the increment must be positive and at most the listing price",
            "increment_cents",
        )
    if deposit > listing:
        raise invalid(
            "bad_deposit",
            "保证金不得超过挂牌价",
            "the deposit may not exceed the listing price",
            "deposit_cents",
        )


def create(s: Session, platform: Any, tenant: Any, data: ProjectIn, *, actor: str) -> Project:
    seller = check_code(data.seller_code, "seller_code")
    _check_terms(data.appraisal_cents, data.listing_cents, data.increment_cents, data.deposit_cents)
    if data.appraisal_approved_on > today(platform):
        raise invalid(
            "future_approval",
            "评估核准（备案）日期不能晚于今天",
            "the appraisal approval date is in the future",
            "appraisal_approved_on",
        )
    seq = (s.scalar(select(func.count()).select_from(Project).where(Project.tenant_id == tenant.id)) or 0) + 1
    fields = asdict(data) | {"seller_code": seller}
    p = Project(
        tenant_id=tenant.id,
        tenant_path=tenant.path,
        created_by=actor,
        number=f"GQ{tenant.code}-{today(platform).year}-{seq:04d}",
        status="draft",
        **fields,
    )
    s.add(p)
    s.flush()
    emit(s, tenant, p, "filed", actor)
    return p


def review_conditions(
    s: Session,
    platform: Any,
    tenant: Any,
    project_id: int,
    version: int,
    *,
    fair: bool,
    reason: str,
    actor: str,
) -> Project:
    """The reviewer's finding on the buyer conditions: ``fair`` when they do not point at one buyer."""
    p = load(s, tenant, project_id, version)
    if p.status != "draft":
        raise wrong_state(p, "只能审核待披露项目的受让条件", "Only a draft's conditions are reviewed")
    if not fair:
        if not reason.strip():
            raise invalid(
                "reason_required",
                "请说明受让条件指向特定受让方的理由",
                "say why the conditions point at one buyer",
                "reason",
            )
        p.conditions_reviewed_by, p.status_reason = "", f"受让条件需修改 / conditions to be changed: {reason}"
    else:
        p.conditions_reviewed_by, p.status_reason = actor, ""
    s.flush()
    emit(s, tenant, p, "conditions_reviewed", actor, fair=fair, reason=reason)
    return p


def disclose(
    s: Session,
    platform: Any,
    tenant: Any,
    project_id: int,
    version: int,
    *,
    kind: str,
    start: date,
    end: date | None = None,
    actor: str,
) -> Project:
    """Start pre-disclosure (``kind="pre"``, where control changes) or formal disclosure."""
    p = load(s, tenant, project_id, version)
    if not p.conditions_reviewed_by:
        raise wrong_state(p, "受让条件未经审核，不得披露", "The buyer conditions were not reviewed")
    if kind == "pre" and (p.status != "draft" or not p.control_change):
        raise wrong_state(p, "仅涉及控制权转移的待披露项目须预披露", "Pre-disclosure is for control changes")
    if kind == "formal":
        if p.control_change and (p.pre_end is None or start <= p.pre_end):
            raise invalid(
                "pre_disclosure_first",
                "涉及控制权转移的，须在预披露期满后正式披露",
                "a control change is formally disclosed after its pre-disclosure",
                "start",
            )
        if p.status not in ("draft", "pre_disclosure"):
            raise wrong_state(p, "该项目已正式披露", "The project was disclosed already")
    if start < today(platform):
        raise invalid(
            "start_in_past", "披露开始日不能早于今天", "the disclosure cannot start in the past", "start"
        )
    earliest = law.earliest_end(platform, tenant, start, law.DISCLOSURE)
    end = end or earliest
    if end < earliest:
        raise invalid(
            "disclosure_too_short",
            f"{law.DISCLOSURE.zh}（最早截止 {earliest}）",
            f"{law.DISCLOSURE.en} (earliest last day {earliest})",
            "end",
        )
    if kind == "pre":
        p.pre_start, p.pre_end, p.pre_earliest_end, p.status = start, end, earliest, "pre_disclosure"
    else:
        p.formal_start, p.formal_end, p.formal_earliest_end, p.status = start, end, earliest, "disclosure"
        p.first_listed_on = p.first_listed_on or start
    s.flush()
    emit(s, tenant, p, f"{kind}_disclosed", actor, start=start.isoformat(), end=end.isoformat())
    return p


TERMS = ("listing_cents", "conditions", "increment_cents", "deposit_cents", "target")


def change_terms(
    s: Session,
    platform: Any,
    tenant: Any,
    project_id: int,
    version: int,
    *,
    changes: dict[str, Any],
    reason: str,
    actor: str,
    consent: tuple[str, bytes] | None = None,
) -> Project:
    """A change of terms after disclosure began: recorded as a supplement (or a relisting when the price is
    lower) and a new formal disclosure of 20 working days starts today. Below 90% of the appraisal the
    approving body's written consent (``consent``: file name and bytes) is required and recorded."""
    p = load(s, tenant, project_id, version)
    if p.status not in ("disclosure", "qualification", "failed"):
        raise wrong_state(p, "该阶段不能变更披露条件", "Terms cannot change at this stage")
    changes = {k: v for k, v in changes.items() if k in TERMS and v is not None and getattr(p, k) != v}
    if not changes:
        raise invalid("no_change", "没有变更内容", "nothing changes", "changes")
    if not reason.strip():
        raise invalid("reason_required", "请说明变更理由", "give the reason for the change", "reason")
    listing = changes.get("listing_cents", p.listing_cents)
    if listing <= 0:
        raise invalid("bad_listing", "挂牌价须大于 0", "the listing price must be positive", "listing_cents")
    if law.below_consent_line(listing, p.appraisal_cents) and consent is None and not p.consent_sha256:
        raise invalid("consent_required", law.RELIST.zh, law.RELIST.en, "consent")
    if changes.get("increment_cents", p.increment_cents) <= 0:
        raise invalid(
            "bad_increment", "加价幅度须大于 0", "the increment must be positive", "increment_cents"
        )
    if p.status == "qualification" and _has_qualified(s, p):
        raise wrong_state(p, "已有合格受让方，不能变更条件", "Qualified buyers exist: terms are fixed")
    on = today(platform)
    before = {k: getattr(p, k) for k in changes}
    for k, v in changes.items():
        setattr(p, k, v)
    if consent is not None:
        p.consent_name, p.consent_sha256 = consent[0][:200], hashlib.sha256(consent[1]).hexdigest()
    earliest = law.earliest_end(platform, tenant, on, law.DISCLOSURE)
    kind = "relist" if listing < before.get("listing_cents", listing) else "supplement"
    s.add(
        Change(
            tenant_id=tenant.id,
            tenant_path=tenant.path,
            project_id=p.id,
            kind=kind,
            made_on=on,
            during_formal=p.status == "disclosure",
            restarted=True,
            before=json.dumps(before),
            after=json.dumps(changes),
            reason=reason,
            actor=actor,
        )
    )
    p.formal_start, p.formal_end, p.formal_earliest_end, p.status = on, earliest, earliest, "disclosure"
    s.flush()
    emit(s, tenant, p, kind, actor, changes=changes, end=earliest.isoformat())
    return p


def _has_qualified(s: Session, p: Project) -> bool:
    return (
        s.scalar(select(Buyer.id).where(Buyer.project_id == p.id, Buyer.status == "qualified").limit(1))
        is not None
    )


def advance(s: Session, platform: Any, tenant: Any, p: Project) -> Project:
    """Time-driven steps: formal disclosure over -> buyers are confirmed; 12 months from the first formal
    disclosure without a qualified buyer -> re-appraisal."""
    on = today(platform)
    if p.status == "disclosure" and p.formal_end is not None and on > p.formal_end:
        p.status = "qualification"
        s.flush()
        emit(s, tenant, p, "disclosure_ended", "system")
    if (
        p.status in ("disclosure", "qualification", "failed")
        and p.first_listed_on is not None
        and on >= law.reappraisal_due(p.first_listed_on)
        and not _has_qualified(s, p)
    ):
        p.status, p.status_reason = "reappraisal", law.REAPPRAISE.zh
        s.flush()
        emit(s, tenant, p, "reappraisal_due", "system")
    return p


def advance_all(s: Session, platform: Any, tenant: Any) -> int:
    rows = s.scalars(
        select(Project).where(
            Project.tenant_id == tenant.id, Project.status.in_(("disclosure", "qualification", "failed"))
        )
    ).all()
    before = [r.status for r in rows]
    for p in rows:
        advance(s, platform, tenant, p)
    return sum(1 for p, b in zip(rows, before, strict=True) if p.status != b)


def changes_of(s: Session, project_id: int) -> list[Change]:
    return list(s.scalars(select(Change).where(Change.project_id == project_id).order_by(Change.id)))
